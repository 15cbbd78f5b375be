// A scripted HTTP proxy for tests, in node:net: it records the exact bytes of
// every request head it gets, answers forwarded requests (absolute URLs) with
// whatever the test's handler says, and for CONNECT either tunnels to
// 127.0.0.1 at the requested port (any host name is mapped to loopback, so
// tests never leave the machine) or answers with a refusal such as a 407.
// With `tls` it is an HTTPS proxy: the client speaks TLS to it first.
// Loopback only.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface ProxyRequest {
  /** the request head as received, request line to blank line */
  head: string;
  method: string;
  target: string;
  headers: Map<string, string>;
  connectionId: number;
}

export type ProxyAnswer =
  /** CONNECT: open the tunnel with this status line (default "HTTP/1.1 200 Connection established") */
  | { tunnel: true; statusLine?: string; extraHeaders?: string }
  /** reply with these bytes; close the connection after them when `close` */
  | { data: string; close?: boolean };

export type ProxyHandler = (req: ProxyRequest) => ProxyAnswer;

export interface ProxyServer {
  port: number;
  requests: ProxyRequest[];
  readonly connections: number;
  close(): Promise<void>;
}

export const proxyAuthRequired = (challenge: string, opts: { close?: boolean } = {}): ProxyAnswer => ({
  data: `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${challenge}\r\n` +
    `${opts.close ? 'Connection: close\r\n' : ''}Content-Length: 6\r\n\r\ndenied`,
  ...(opts.close ? { close: true } : {}),
});

export async function startProxyServer(handler: ProxyHandler, opts: { tls?: { key: Buffer; cert: Buffer } } = {}): Promise<ProxyServer> {
  const requests: ProxyRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const onConnection = (sock: Socket): void => {
    const id = connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let tunnel: Socket | null = null;
    sock.on('data', (d: Buffer) => {
      if (tunnel) {
        tunnel.write(d);
        return;
      }
      buf = Buffer.concat([buf, d]);
      // bounded by the buffered requests
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0 || tunnel) return;
        const head = buf.subarray(0, end + 4).toString('latin1');
        buf = buf.subarray(end + 4);
        const lines = head.split('\r\n');
        const [method = '', target = ''] = lines[0]!.split(' ');
        const headers = new Map<string, string>();
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers.set(l.slice(0, c).toLowerCase(), l.slice(c + 1).trim());
        }
        const req: ProxyRequest = { head, method, target, headers, connectionId: id };
        requests.push(req);
        const a = handler(req);
        if ('tunnel' in a) {
          const port = Number(/:(\d+)$/.exec(target)?.[1] ?? 0);
          const up = connect({ host: '127.0.0.1', port });
          tunnel = up;
          up.on('error', () => sock.destroy());
          up.on('connect', () => {
            sock.write(`${a.statusLine ?? 'HTTP/1.1 200 Connection established'}\r\n${a.extraHeaders ?? ''}\r\n`);
            if (buf.length) up.write(buf);
            buf = Buffer.alloc(0);
          });
          up.on('data', (x: Buffer) => sock.write(x));
          up.on('end', () => sock.end());
          sock.on('close', () => up.destroy());
          return;
        }
        if (a.close) {
          sock.end(a.data);
          return;
        }
        sock.write(a.data);
      }
    });
  };
  const server: Server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onConnection)
    : createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    requests,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
