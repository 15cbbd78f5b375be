// A node:http2 server the HTTP/2 tests start on 127.0.0.1: TLS (ALPN h2, and
// http/1.1 when allowHTTP1) or cleartext (prior knowledge). Each test gives
// the stream handler; the server records the request headers (raw, in order)
// and bodies it saw, and counts the sessions (connections) it accepted.
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { testCerts } from './certs.js';

export interface SeenRequest {
  headers: http2.IncomingHttpHeaders;
  /** [name, value] pairs in the order they came */
  raw: [string, string][];
  body: Buffer;
  /** the session (connection) number it came on, from 1 */
  session: number;
}

export interface H2Server {
  port: number;
  url(path?: string): string;
  requests: SeenRequest[];
  /** connections accepted so far */
  readonly sessions: number;
  server: http2.Http2Server | http2.Http2SecureServer;
  close(): Promise<void>;
}

export type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, seen: SeenRequest) => void;

export async function startH2Server(handler: StreamHandler, opts: { tls?: boolean; allowHTTP1?: boolean; settings?: http2.Settings } = {}): Promise<H2Server> {
  const tls = opts.tls ?? false;
  const certs = tls ? testCerts() : null;
  const server = tls
    ? http2.createSecureServer({ key: certs!.server.key, cert: certs!.server.cert, allowHTTP1: opts.allowHTTP1 ?? false, settings: opts.settings })
    : http2.createServer({ settings: opts.settings });
  let sessions = 0;
  const open = new Set<http2.ServerHttp2Session>();
  const requests: SeenRequest[] = [];
  server.on('session', (s) => {
    sessions++;
    (s as unknown as { n: number }).n = sessions;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawList: unknown) => {
    const raw: [string, string][] = [];
    const list = rawList as unknown as string[];
    for (let i = 0; i + 1 < list.length; i += 2) raw.push([list[i]!, list[i + 1]!]);
    const seen: SeenRequest = { headers, raw, body: Buffer.alloc(0), session: (stream.session as unknown as { n: number }).n };
    requests.push(seen);
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => { seen.body = Buffer.concat(chunks); });
    handler(stream, headers, seen);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (p = '/') => `${tls ? 'https' : 'http'}://${tls ? 'localhost' : '127.0.0.1'}:${port}${p}`,
    requests,
    get sessions() { return sessions; },
    server,
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Answer every stream with 200 and `body` once its request ended. */
export function answer(body: string | ((h: http2.IncomingHttpHeaders, seen: SeenRequest) => string), extra: http2.OutgoingHttpHeaders = {}): StreamHandler {
  return (stream, headers, seen) => {
    stream.on('end', () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, ...extra });
      stream.end(typeof body === 'string' ? body : body(headers, seen));
    });
    stream.resume();
  };
}
