// A cleartext server for h2c Upgrade tests (RFC 7540 3.2): an HTTP/1.1 front
// on 127.0.0.1 that reads each request (head and Content-Length body) and
// asks the test what to do with it:
//   'upgrade'  answer "101 Switching Protocols" and go on in HTTP/2: the
//              socket is handed to a node:http2 server (helpers/h2-server.ts)
//              with the HTTP/1.1 request put in as its stream 1, a HEADERS
//              frame (and a DATA frame for a body) made here and inserted
//              after the client's preface and first SETTINGS. Its fields are
//              HPACK literals never indexed, so the server's decoder table
//              stays what the client's encoder expects: what a real server's
//              upgrade does inside (nghttp2_session_upgrade2);
//   'http1'    answer "200 OK" in HTTP/1.1 with the body "h1 <target>\n" and
//              keep the connection for the next request;
//   'handled'  the test wrote on the socket itself (hostile cases).
// The node:http2 server's handler answers the HTTP/2 streams; its request
// list and session count are the test's to check.
import { createServer, type Socket, type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { startH2Server, type H2Server, type StreamHandler } from './h2-server.js';

export interface H1Request {
  method: string;
  target: string;
  /** the request head as received, without the blank line */
  head: string;
  headers: [string, string][];
  body: Buffer;
  /** the connection it came on, from 1 */
  conn: number;
}

export type FrontDecision = 'upgrade' | 'http1' | 'handled';
export type Front = (req: H1Request, sock: Socket) => FrontDecision;

export interface H2cServer {
  port: number;
  url(path?: string): string;
  /** the HTTP/1.1 requests, in order */
  h1: H1Request[];
  /** the node:http2 server behind the upgrades */
  h2: H2Server;
  /** TCP connections accepted */
  readonly connections: number;
  close(): Promise<void>;
}

const SWITCHING = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n';

function hpackInt(n: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (n < max) return [first | n];
  const out = [first | max];
  n -= max;
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A header field as an HPACK literal never indexed with a new name (RFC 7541 6.2.3): no table changes on either side. */
function neverIndexed(name: string, value: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = Buffer.from(value, 'latin1');
  return Buffer.concat([Buffer.from([0x10]), Buffer.from(hpackInt(n.length, 7, 0)), n, Buffer.from(hpackInt(v.length, 7, 0)), v]);
}

/** One HTTP/2 frame: the 9-byte header, then the payload. */
export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}

/** The HTTP/1.1 request as HTTP/2 stream 1 (HEADERS, and DATA when it had a body). */
export function streamOne(req: H1Request): Buffer {
  const host = req.headers.find(([k]) => k.toLowerCase() === 'host')?.[1] ?? '';
  const hop = new Set(['host', 'connection', 'upgrade', 'http2-settings', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'content-length']);
  const fields: [string, string][] = [[':method', req.method], [':path', req.target], [':scheme', 'http'], [':authority', host]];
  for (const [k, v] of req.headers) if (!hop.has(k.toLowerCase())) fields.push([k.toLowerCase(), v]);
  const block = Buffer.concat(fields.map(([k, v]) => neverIndexed(k, v)));
  const END_STREAM = 0x1;
  const END_HEADERS = 0x4;
  if (req.body.length === 0) return frame(1, END_HEADERS | END_STREAM, 1, block);
  return Buffer.concat([frame(1, END_HEADERS, 1, block), frame(0, END_STREAM, 1, req.body)]);
}

/**
 * A Duplex for the node:http2 server in place of the socket: what the client
 * sends, with stream 1 inserted after its preface and first frame (SETTINGS);
 * what the server writes goes to the socket.
 */
function upgradedSocket(sock: Socket, first: Buffer, inject: Buffer): Duplex {
  let pending: Buffer | null = Buffer.alloc(0);
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed) return cb();
      sock.write(chunk, () => cb());
    },
    final(cb) {
      sock.end();
      cb();
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  const feed = (data: Buffer): void => {
    if (pending === null) {
      d.push(data);
      return;
    }
    pending = Buffer.concat([pending, data]);
    if (pending.length < 24 + 9) return;
    const end = 24 + 9 + pending.readUIntBE(24, 3);
    if (pending.length < end) return;
    const all = Buffer.concat([pending.subarray(0, end), inject, pending.subarray(end)]);
    pending = null;
    d.push(all);
  };
  if (first.length > 0) feed(first);
  sock.on('data', feed);
  sock.on('end', () => d.push(null));
  sock.on('close', () => d.destroy());
  return d;
}

export async function startH2cServer(handler: StreamHandler, front: Front = () => 'upgrade'): Promise<H2cServer> {
  const h2 = await startH2Server(handler);
  const h1: H1Request[] = [];
  const socks = new Set<Socket>();
  let connections = 0;
  const srv = createServer((sock) => {
    const conn = ++connections;
    socks.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => socks.delete(sock));
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const [method = '', target = ''] = lines[0]!.split(' ');
        const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
        const len = Number(headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = Buffer.from(buf.subarray(end + 4, end + 4 + len));
        buf = buf.subarray(end + 4 + len);
        const req: H1Request = { method, target, head, headers, body, conn };
        h1.push(req);
        const what = front(req, sock);
        if (what === 'http1') {
          const text = `h1 ${target}\n`;
          sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
          continue;
        }
        sock.off('data', onData);
        if (what === 'upgrade') {
          sock.write(SWITCHING);
          h2.server.emit('connection', upgradedSocket(sock, buf, streamOne(req)));
        }
        return;
      }
    };
    sock.on('data', onData);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return {
    port,
    url: (p = '/') => `http://127.0.0.1:${port}${p}`,
    h1,
    h2,
    get connections() { return connections; },
    close: async () => {
      for (const s of socks) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
      await h2.close();
    },
  };
}
