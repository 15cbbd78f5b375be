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
