// curl's Gopher test server: sws run with --gopher (tests/server/sws.c). A
// request is one line ending in CRLF, logged as received to server.input;
// the test number follows the line's last slash (its first digits, a part
// above 10000); the reply is that <dataN>, then the server closes. Another
// test's number gets nothing; a line without a slash or number gets sws'
// 404 page. `gophers` is the same server behind TLS (stunnel in curl's runner).

import { appendFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TestFile } from './test-file.js';

const SWSVERSION = 'curl test suite HTTP server/0.1';
const DOC_404 =
  `HTTP/1.1 404 Not Found\r\nServer: ${SWSVERSION}\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n` +
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<HTML><HEAD>\n<TITLE>404 Not Found</TITLE>\n</HEAD><BODY>\n' +
  `<H1>Not Found</H1>\nThe requested URL was not found on this server.\n<P><HR><ADDRESS>${SWSVERSION}</ADDRESS>\n</BODY></HTML>\n`;

export interface GopherServerOptions {
  readonly logFile: string;
  readonly testNumber: number;
  readonly test: () => TestFile | undefined;
}

/** The test and part a selector line names; undefined for sws' 404. */
export function gopherTarget(line: string): { test: number; part: number } | undefined {
  const slash = line.lastIndexOf('/');
  if (slash < 0) return undefined;
  const m = /^[^0-9]*(\d+)/.exec(line.slice(slash + 1));
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 10000 ? { test: Math.floor(n / 10000), part: n % 10000 } : { test: n, part: 0 };
}

export class GopherServer {
  readonly #opts: GopherServerOptions;
  readonly #servers: net.Server[] = [];
  readonly #sockets = new Set<net.Socket>();
  #closed = false;

  constructor(opts: GopherServerOptions) {
    this.#opts = opts;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  listen(host: string, secure?: { key: string; cert: string }): Promise<number> {
    const server = secure
      ? tls.createServer({ key: secure.key, cert: secure.cert }, (s) => this.#onConnection(s))
      : net.createServer((s) => this.#onConnection(s));
    server.on('tlsClientError', () => {});
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  async close(): Promise<void> {
    // nothing is logged once the case is over: its log folder may be gone already
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }

  #log(data: Buffer): void {
    if (!this.#closed) appendFileSync(this.#opts.logFile, data);
  }

  #onConnection(sock: net.Socket): void {
    this.#sockets.add(sock);
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let done = false;
    sock.once('close', () => {
      this.#sockets.delete(sock);
      // what the client sent of an unfinished request is logged when it goes
      if (!done && buf.length) this.#log(buf);
    });
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      done = true;
      const req = buf.subarray(0, eol + 2);
      this.#log(req);
      const target = gopherTarget(req.toString('latin1', 0, eol));
      let reply = '';
      if (!target) reply = DOC_404;
      else if (target.test === this.#opts.testNumber) {
        reply = this.#opts.test()?.getContent('reply', target.part ? `data${target.part}` : 'data') ?? '';
      }
      sock.end(Buffer.from(reply, 'latin1'));
    });
  }
}
