// A test HTTP server that behaves like curl's tests/server/sws.c, as far as the
// HTTP test cases observe it:
//  - reads one full request (headers ending in CRLF CRLF, then a
//    Content-Length or chunked body; `skip: N` reads N bytes less,
//    `no-expect` ignores the body after an Expect: 100-continue,
//    `auth_required` answers before the body when no Authorization: header
//    came) and appends its exact bytes to the log file; when the client
//    closes in the middle of a request, the bytes received so far are logged;
//  - picks the test and reply part from the request (sws-request.ts): a
//    request for another test's number gets no reply and a closed connection,
//    as sws does when it cannot open that test file; the part is adjusted for
//    Digest (+1000), NTLM type-1 (+1001), type-3 (+1002), Basic after those
//    (+1), Negotiate (+1 per request) and `swsbounce`;
//  - writes the reply in pieces of at most 20 bytes with TCP_NODELAY, one
//    after the other (with `writedelay: N` ms after each piece), so clients
//    must reassemble replies from many reads;
//  - CONNECT requests get the <connect> part; the
//    http-proxy server then turns a connection it keeps open into a tunnel to
//    127.0.0.1 (or ::1) at the requested port, whatever the reply's status;
//  - keeps connections open unless the reply says `swsclose`, the servercmd
//    says so or the reply is empty; `<postcmd>` `wait N` pauses N seconds
//    after a reply before the connection is read again (or closed), and
//    `delay: N` pauses N ms after accepting a connection; requests may be
//    pipelined.
// It never sends 100 Continue: like sws, the client's expect timeout kicks in.

import { appendFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {
  parseServerCommands, postCommandWaitSeconds, requestLength, requestTarget,
} from './sws-request.js';
import type { TestFile } from './test-file.js';

export { parseServerCommands, type ServerCommands } from './sws-request.js';

/** sws' built-in page for a request that names no test at all. */
const SWSVERSION = 'curl test suite HTTP server/0.1';
const DOC_404 =
  `HTTP/1.1 404 Not Found\r\nServer: ${SWSVERSION}\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n` +
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<HTML><HEAD>\n<TITLE>404 Not Found</TITLE>\n</HEAD><BODY>\n' +
  `<H1>Not Found</H1>\nThe requested URL was not found on this server.\n<P><HR><ADDRESS>${SWSVERSION}</ADDRESS>\n</BODY></HTML>\n`;

/** sws sends no more than this many bytes per write, to exercise the client's reassembly. */
const PIECE = 20;

/** What `stream` sends, over and over, until the client goes away. */
const STREAM_LINE = Buffer.from('a string to stream 01234567890\n', 'latin1');

export interface SwsServerOptions {
  /** Protocol log (server.input or proxy.input). */
  readonly logFile: string;
  /** The running test: requests that name no test number get its replies. */
  readonly testNumber: number;
  readonly test: () => TestFile | undefined;
  /**
   * The http-proxy server tunnels after answering a CONNECT. The plain http
   * server does not: like sws without --proxy, it reads the tunnelled
   * requests itself from the same connection.
   */
  readonly isProxy?: boolean;
}

interface Outcome {
  /** Close the connection after the reply (sws' !req->open). */
  readonly close: boolean;
  readonly tunnel?: net.Socket;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when the socket can take more data, or is gone. */
function drained(sock: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

export class SwsServer {
  readonly #opts: SwsServerOptions;
  readonly #servers: net.Server[] = [];
  readonly #sockets = new Set<net.Socket>();
  #prevBounce = false;
  #prevTest = -1;
  #prevPart = -1;
  #negotiateTest = -1;
  #negotiatePart = -1;

  constructor(opts: SwsServerOptions) {
    this.#opts = opts;
  }

  /** Listens on host:0 (or a TLS listener with `secure`); resolves the port. */
  listen(host: string, secure?: { key: string; cert: string }): Promise<number> {
    const server = secure
      ? tls.createServer({ key: secure.key, cert: secure.cert }, (s) => this.#onConnection(s))
      : net.createServer((s) => this.#onConnection(s));
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }

  #log(data: Buffer | string): void {
    try {
      appendFileSync(this.#opts.logFile, data);
    } catch (e) {
      // a connection that closes after its case was cleaned up (its log folder gone) has nobody to tell
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  #onConnection(sock: net.Socket): void {
    this.#sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let busy = false;
    // Once sws has decided to close a connection it reads nothing more from
    // it: a request the client writes into it meanwhile is never logged.
    let closing = false;
    let tunnel: net.Socket | undefined;
    // A TLS socket also reports its TCP close; count it once.
    sock.once('close', () => {
      this.#sockets.delete(sock);
      // sws logs what it has of a request when the client goes away mid-way
      if (!closing && !tunnel && buf.length) this.#log(buf);
      if (parseServerCommands(this.#opts.test()).connectionMonitor) this.#log('[DISCONNECT]\n');
    });
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (!sock.destroyed && !tunnel && !closing) {
          const cmds = parseServerCommands(this.#opts.test());
          const len = requestLength(buf, cmds);
          if (len === undefined) break;
          const req = Buffer.from(buf.subarray(0, len));
          buf = buf.subarray(len);
          this.#log(req);
          const result = await this.#respond(sock, req, () => {
            closing = true;
          });
          if (result.tunnel) {
            tunnel = result.tunnel;
            if (buf.length) tunnel.write(buf);
            buf = Buffer.alloc(0);
          }
          if (result.close) {
            closing = true;
            sock.end();
            break;
          }
        }
      } finally {
        busy = false;
      }
    };
    sock.on('data', (chunk: Buffer) => {
      if (tunnel) {
        tunnel.write(chunk);
        return;
      }
      if (closing) return;
      buf = Buffer.concat([buf, chunk]);
      void pump().then(() => {
        // Data may have arrived while the reply was being written.
        if (buf.length && !tunnel && !closing && !sock.destroyed) void pump();
      });
    });
    const delayMs = parseServerCommands(this.#opts.test()).delayMs;
    if (delayMs) {
      // `delay: N`: sws sleeps after accept before it reads anything
      sock.pause();
      const timer = setTimeout(() => sock.resume(), delayMs);
      sock.once('close', () => clearTimeout(timer));
    }
  }

  /** The reply part for this request, with sws' auth and bounce adjustments. */
  #pickPart(text: string, part: number, test: number): number {
    let p = part;
    if (text.includes('Authorization: Negotiate')) {
      // Negotiate: one part further per request, across connections
      if (this.#negotiateTest !== test) {
        this.#negotiateTest = test;
        this.#negotiatePart = part;
      }
      this.#negotiatePart += 1;
      p = this.#negotiatePart;
    } else if (text.includes('Authorization: Digest')) p += 1000;
    else if (text.includes('Authorization: NTLM TlRMTVNTUAAD')) p += 1002;
    else if (text.includes('Authorization: NTLM TlRMTVNTUAAB')) p += 1001;
    else if (p >= 1000 && text.includes('Authorization: Basic')) p += 1;
    if (this.#prevBounce) {
      if (test === this.#prevTest) p = this.#prevPart + 1;
      else {
        this.#prevBounce = false;
        this.#prevTest = -1;
        this.#prevPart = -1;
      }
    }
    return p;
  }

  async #respond(sock: net.Socket, reqBytes: Buffer, willClose: () => void): Promise<Outcome> {
    const text = reqBytes.toString('latin1');
    const target = requestTarget(text, this.#opts.testNumber);
    if (target.kind === '404') {
      willClose();
      await this.#send(sock, Buffer.from(DOC_404, 'latin1'), 0);
      return { close: true };
    }
    // sws has only the running test's file: any other number gets nothing
    if (target.test !== this.#opts.testNumber) return { close: true };

    const test = this.#opts.test();
    const cmds = parseServerCommands(test);
    if (cmds.idle) return { close: false };
    if (cmds.stream) {
      willClose();
      for (let i = 0; i < 10_000_000 && !sock.destroyed; i++) {
        if (!sock.write(STREAM_LINE)) await drained(sock);
      }
      return { close: true };
    }

    const part = this.#pickPart(text, target.part, target.test);
    const name = (target.connect ? 'connect' : 'data') + (part ? String(part) : '');
    // a missing part is an empty reply: sws sends nothing and closes
    const reply = test?.getContent('reply', name) ?? '';
    const persistent = !reply.includes('swsclose') && reply.length > 0 && !cmds.swsclose;
    this.#prevBounce = reply.includes('swsbounce');
    if (!persistent) willClose();

    await this.#send(sock, Buffer.from(reply, 'latin1'), cmds.writeDelayMs);
    const wait = postCommandWaitSeconds(test);
    // bounded: the suite's longest is a second or two
    if (wait) await sleep(Math.min(wait, 60) * 1000);
    this.#prevTest = target.test;
    this.#prevPart = part;
    if (!persistent) return { close: true };

    if (target.connect && this.#opts.isProxy) {
      const hostPort = /^CONNECT (\S+)/.exec(text)?.[1] ?? '';
      const mPort = /:(\d+)$/.exec(hostPort);
      const v6 = hostPort.startsWith('[');
      const up = net.connect({ host: v6 ? '::1' : '127.0.0.1', port: Number(mPort?.[1] ?? 0) });
      up.on('error', () => sock.destroy());
      up.on('data', (d: Buffer) => sock.write(d));
      up.on('end', () => sock.end());
      sock.on('close', () => up.destroy());
      sock.on('end', () => up.end());
      return { close: false, tunnel: up };
    }
    return { close: false };
  }

  /** sws_send_doc's loop: at most 20 bytes per write, `writedelay` ms after each. */
  async #send(sock: net.Socket, data: Buffer, delayMs: number): Promise<void> {
    for (let off = 0; off < data.length && !sock.destroyed; off += PIECE) {
      if (!sock.write(data.subarray(off, off + PIECE))) await drained(sock);
      if (delayMs) await sleep(delayMs);
    }
  }
}
