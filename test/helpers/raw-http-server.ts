// A raw-socket HTTP/1.1 test server (undici's approach): it reads requests off
// the socket itself and writes exactly the bytes a test asks for, so tests can
// send well-formed, odd and hostile replies alike. Keep-alive is on unless a
// reply closes. Loopback only.
import { createServer, type Server, type Socket } from 'node:net';

export interface ReceivedRequest {
  head: string;
  method: string;
  target: string;
  headers: Map<string, string>;
  body: Buffer;
  connectionId: number;
}

/** What to do with a request: bytes to write, and whether to close afterwards. */
export interface Reply {
  data?: Buffer | string;
  close?: boolean;
  /** never answer (for timeout tests) */
  hang?: boolean;
  /** write the bytes, then destroy the socket abruptly (RST-ish) */
  destroy?: boolean;
  /** write after this many ms (bounded by the test) */
  delayMs?: number;
}

export type Handler = (req: ReceivedRequest) => Reply;

export interface RawServer {
  port: number;
  requests: ReceivedRequest[];
  /** number of TCP connections accepted so far */
  readonly connections: number;
  /** connections currently open */
  readonly openConnections: number;
  close(): Promise<void>;
}

export function ok(body: string | Buffer, extra = ''): Reply {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { data: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n${extra}\r\n`), b]) };
}

export async function startRawServer(handler: Handler, host = '127.0.0.1'): Promise<RawServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((sock) => {
    const id = connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const [method = '', target = ''] = lines[0]!.split(' ');
        const headers = new Map<string, string>();
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers.set(l.slice(0, c).toLowerCase(), l.slice(c + 1).trim());
        }
        const len = Number(headers.get('content-length') ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len);
        buf = buf.subarray(end + 4 + len);
        const req = { head: head + '\r\n\r\n', method, target, headers, body: Buffer.from(body), connectionId: id };
        requests.push(req);
        const reply = handler(req);
        if (reply.hang) return;
        const send = (): void => {
          if (sock.destroyed) return;
          if (reply.data !== undefined) sock.write(reply.data);
          if (reply.destroy) sock.destroy();
          else if (reply.close) sock.end();
        };
        if (reply.delayMs) {
          const t = setTimeout(() => {
            timers.delete(t);
            send();
          }, reply.delayMs);
          timers.add(t);
        } else send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    requests,
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
