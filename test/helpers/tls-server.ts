// A small HTTPS/1.1 test server on 127.0.0.1 (node:tls): it answers every
// request head with a fixed 200 and counts connections; with requestCert it
// records, per request, whether the client presented a certificate the test
// CA signed. One copy for the TLS, proxy and security tests.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { testCerts } from './certs.js';

export interface TlsTestServer {
  port: number;
  /** TLS connections accepted so far */
  readonly connections: number;
  /** per request: did the client present a verified certificate (requestCert only) */
  readonly peerCerts: boolean[];
  close(): Promise<void>;
}

export async function startTlsServer(
  creds: { key: Buffer; cert: Buffer },
  opts: { body?: string; requestCert?: boolean } = {},
): Promise<TlsTestServer> {
  const body = opts.body ?? 'secure';
  let connections = 0;
  const peerCerts: boolean[] = [];
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer({
    key: creds.key, cert: creds.cert,
    ...(opts.requestCert ? { requestCert: true, rejectUnauthorized: false, ca: readFileSync(testCerts().caFile) } : {}),
  }, (sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        peerCerts.push(sock.authorized);
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get connections() { return connections; },
    peerCerts,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
