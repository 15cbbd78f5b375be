// A raw-socket HTTP/1.1 test server (undici's approach): it reads requests off
// the socket itself and writes exactly the bytes a test asks for, so tests can
// send well-formed, odd and hostile replies alike (over TLS with the `tls`
// option). Keep-alive is on unless a reply closes. Loopback only.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface ReceivedRequest {
  head: string;
  method: string;
  target: string;
  headers: Map<string, string>;
  /** the body, de-chunked when it came chunked */
  body: Buffer;
  /** the request exactly as received: head, then the body bytes with their chunk framing */
  raw: Buffer;
  connectionId: number;
}

/**
 * What to do when a request head says "Expect: 100-continue": send
 * "100 Continue" and read the body, stay silent and read the body when it
 * comes ('wait', the default), or answer at once with a final reply and
 * take the request as having no body.
 */
export type ExpectAction = 'continue' | 'wait' | Reply;

export interface RawServerOptions {
  onExpect?: (req: ReceivedRequest) => ExpectAction;
  /** serve HTTPS with this key and certificate (the same scripted replies, inside TLS) */
  tls?: { key: Buffer; cert: Buffer };
}

/** End of a chunked body that starts at `start` (after trailers), or -1 while incomplete. */
function chunkedEnd(buf: Buffer, start: number): { end: number; body: Buffer } | null {
  const parts: Buffer[] = [];
  let p = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', p);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(p, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (Number.isNaN(size)) return null;
    p = eol + 2;
    if (size === 0) {
      // trailers, then an empty line
      for (;;) {
        const e = buf.indexOf('\r\n', p);
        if (e < 0) return null;
        const empty = e === p;
        p = e + 2;
        if (empty) return { end: p, body: Buffer.concat(parts) };
      }
    }
    if (buf.length < p + size + 2) return null;
    parts.push(buf.subarray(p, p + size));
    p += size + 2;
  }
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

export async function startRawServer(handler: Handler, host = '127.0.0.1', options: RawServerOptions = {}): Promise<RawServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const timers = new Set<NodeJS.Timeout>();
  const onConnection = (sock: Socket): void => {
    const id = connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    /** the request whose head arrived and whose body is awaited */
    let cur: ReceivedRequest | null = null;
    const respond = (req: ReceivedRequest, reply: Reply): void => {
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
      void req;
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (!cur) {
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
          const rawHead = buf.subarray(0, end + 4);
          buf = buf.subarray(end + 4);
          cur = { head: head + '\r\n\r\n', method, target, headers, body: Buffer.alloc(0), raw: Buffer.from(rawHead), connectionId: id };
          if (/^100-continue$/i.test(headers.get('expect') ?? '')) {
            const action = options.onExpect?.(cur) ?? 'wait';
            if (action === 'continue') sock.write('HTTP/1.1 100 Continue\r\n\r\n');
            else if (action !== 'wait') {
              // a final answer instead of 100: the request ends here, without its body
              const req = cur;
              cur = null;
              requests.push(req);
              respond(req, action);
              continue;
            }
          }
        }
        const req: ReceivedRequest = cur;
        let bodyEnd: number;
        if (/chunked/i.test(req.headers.get('transfer-encoding') ?? '')) {
          const c = chunkedEnd(buf, 0);
          if (!c) return;
          bodyEnd = c.end;
          req.body = Buffer.from(c.body);
        } else {
          const len = Number(req.headers.get('content-length') ?? 0);
          if (buf.length < len) return;
          bodyEnd = len;
          req.body = Buffer.from(buf.subarray(0, len));
        }
        req.raw = Buffer.concat([req.raw, buf.subarray(0, bodyEnd)]);
        buf = buf.subarray(bodyEnd);
        cur = null;
        requests.push(req);
        respond(req, handler(req));
      }
    });
  };
  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onConnection).on('tlsClientError', () => {})
    : createServer(onConnection);
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

/** Run `fn` with a server on 127.0.0.1 answering with `handler` (200 "x" by default), closed afterwards whatever happens. */
export async function withRawServer<T>(fn: (s: RawServer) => Promise<T>, handler: Handler = () => ok('x'), options: RawServerOptions = {}): Promise<T> {
  const s = await startRawServer(handler, '127.0.0.1', options);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
