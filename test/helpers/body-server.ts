// A node:http server that hands each request to the test with its whole
// body read, and counts its open sockets (the request() and CurlDispatcher
// tests check that aborted or finished transfers close theirs). Loopback only.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BodyHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

export interface BodyServer {
  base: string;
  port: number;
  srv: http.Server;
  /** the server's sockets still open */
  sockets: Set<Socket>;
}

export async function startBodyServer(handler: BodyHandler): Promise<BodyServer> {
  const sockets = new Set<Socket>();
  const srv = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  });
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, srv, sockets };
}

/** Close the server and every connection it still has. */
export function closeBodyServer(srv: http.Server): Promise<void> {
  srv.closeAllConnections();
  return new Promise((r) => srv.close(() => r()));
}

/**
 * Sends a large body as fast as the client takes it (write until the socket
 * buffer is full, then wait for 'drain'), counting what went out: a client
 * that stops reading shows as a pump that stalls before the end.
 */
export class BodyPump {
  written = 0;
  finished = false;
  readonly #total: number;
  readonly #chunk: Buffer;

  constructor(total: number, fill = 'z') {
    this.#total = total;
    this.#chunk = Buffer.alloc(256 * 1024, fill);
  }

  /** Answer `res` with the whole body (Content-Length known). */
  send(res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Length': String(this.#total) });
    const pump = (): void => {
      while (this.written < this.#total) {
        this.written += this.#chunk.length;
        if (!res.write(this.#chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      this.finished = true;
      res.end();
    };
    pump();
  }

  /** Start counting again for the next response. */
  reset(): void {
    this.written = 0;
    this.finished = false;
  }

  /** Wait (bounded: 100 looks 20 ms apart) until the pump stops moving or finishes. */
  async settle(): Promise<void> {
    let last = -1;
    let still = 0;
    for (let i = 0; i < 100 && still < 5 && !this.finished; i++) {
      await new Promise((r) => setTimeout(r, 20));
      still = this.written === last ? still + 1 : 0;
      last = this.written;
    }
  }
}
