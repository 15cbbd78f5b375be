// A test HTTP server that behaves like curl's tests/server/sws.c, as far as the
// HTTP test cases observe it:
//  - reads one full request (headers, then a Content-Length or chunked body;
//    `skip: N` reads N bytes less, `no-expect` ignores the body after an
//    Expect: 100-continue, `auth_required` answers before the body when no
//    Authorization: header came) and appends its exact bytes to the log file;
//  - picks the reply part from the number after the last '/' of the request
//    target (numbers above 10000 carry the part number in the last 4 digits),
//    adjusted for Digest (+1000), NTLM type-1 (+1001), type-3 (+1002), Basic
//    after those (+1), Negotiate (+1 per request) and `swsbounce`;
//  - CONNECT requests get the <connect> part (or sws' built-in 200), and on a
//    2xx answer the http-proxy server turns the connection into a tunnel to
//    127.0.0.1 (or ::1) at the requested port;
//  - keeps connections open unless the reply says `swsclose`, the servercmd
//    says so, or the request says `Connection: close`; requests may be pipelined.
// It never sends 100 Continue: like sws, the client's expect timeout kicks in.

import { appendFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TestFile } from './test-file.js';

export interface ServerCommands {
  authRequired: boolean;
  idle: boolean;
  stream: boolean;
  writeDelayMs: number;
  skip: number;
  connectionMonitor: boolean;
  swsclose: boolean;
  noExpect: boolean;
}

export function parseServerCommands(test: TestFile | undefined): ServerCommands {
  const cmds: ServerCommands = {
    authRequired: false, idle: false, stream: false, writeDelayMs: 0, skip: 0,
    connectionMonitor: false, swsclose: false, noExpect: false,
  };
  for (const line of test?.getList('reply', 'servercmd') ?? []) {
    let m: RegExpExecArray | null;
    if (line === 'auth_required') cmds.authRequired = true;
    else if (line === 'idle') cmds.idle = true;
    else if (line === 'stream') cmds.stream = true;
    else if (line === 'connection-monitor') cmds.connectionMonitor = true;
    else if (line === 'swsclose') cmds.swsclose = true;
    else if (line === 'no-expect') cmds.noExpect = true;
    else if ((m = /^writedelay:\s*(\d+)/.exec(line))) cmds.writeDelayMs = Number(m[1]);
    else if ((m = /^skip:\s*(\d+)/.exec(line))) cmds.skip = Number(m[1]);
  }
  return cmds;
}

/** sws' built-in answer to CONNECT when the test has no <connect> part. */
const DEFAULT_CONNECT = 'HTTP/1.1 200 Mighty fine indeed\r\n\r\n';

interface ParsedRequest {
  /** Exact bytes, as logged. */
  readonly bytes: Buffer;
  /** Bytes consumed from the connection buffer. */
  readonly consumed: number;
}

/** Finds the end of a chunked body starting at `start`; -1 when incomplete. */
function chunkedEnd(buf: Buffer, start: number): number {
  let pos = start;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const eol = buf.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return -1;
    const size = parseInt(buf.toString('latin1', pos, eol).split(';')[0]?.trim() || 'x', 16);
    if (Number.isNaN(size)) return -1;
    if (size === 0) {
      // Trailers end with an empty line.
      let tpos = eol + 2;
      for (;;) {
        const teol = buf.indexOf('\r\n', tpos, 'latin1');
        if (teol < 0) return -1;
        if (teol === tpos) return teol + 2;
        tpos = teol + 2;
      }
    }
    pos = eol + 2 + size + 2;
    if (pos > buf.length) return -1;
  }
  return -1;
}

export interface SwsServerOptions {
  /** Protocol log (server.input or proxy.input). */
  readonly logFile: string;
  /** Test number used when the request target carries none. */
  readonly testNumber: number;
  readonly test: () => TestFile | undefined;
  /**
   * The http-proxy server tunnels after a 2xx CONNECT answer. The plain http
   * server does not: like sws without --proxy, it reads the tunnelled requests
   * itself from the same connection.
   */
  readonly isProxy?: boolean;
}

export class SwsServer {
  readonly #opts: SwsServerOptions;
  readonly #servers: net.Server[] = [];
  readonly #sockets = new Set<net.Socket>();
  #prevBounce = false;
  #prevPart = -1;
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
    appendFileSync(this.#opts.logFile, data);
  }

  #onConnection(sock: net.Socket): void {
    this.#sockets.add(sock);
    sock.on('error', () => {});
    // A TLS socket also reports its TCP close; count it once.
    sock.once('close', () => {
      this.#sockets.delete(sock);
      if (parseServerCommands(this.#opts.test()).connectionMonitor) this.#log('[DISCONNECT]\n');
    });
    let buf = Buffer.alloc(0);
    let busy = false;
    // Once sws has closed a connection it reads nothing more from it; a client
    // that writes a request into the half-closed socket must not get it logged.
    let closing = false;
    let tunnel: net.Socket | undefined;
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (!sock.destroyed && !tunnel && !closing) {
          const cmds = parseServerCommands(this.#opts.test());
          const req = this.#parseRequest(buf, cmds);
          if (!req) break;
          buf = buf.subarray(req.consumed);
          this.#log(req.bytes);
          const result = await this.#respond(sock, req.bytes, cmds);
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
          if (result.idle) break;
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
        if (buf.length && !tunnel && !sock.destroyed) void pump();
      });
    });
  }

  #parseRequest(buf: Buffer, cmds: ServerCommands): ParsedRequest | undefined {
    let hdrEnd = buf.indexOf('\r\n\r\n', 0, 'latin1');
    let sepLen = 4;
    if (hdrEnd < 0) {
      hdrEnd = buf.indexOf('\n\n', 0, 'latin1');
      sepLen = 2;
    }
    if (hdrEnd < 0) return undefined;
    const bodyStart = hdrEnd + sepLen;
    const head = buf.toString('latin1', 0, bodyStart);
    const done = (end: number): ParsedRequest => ({ bytes: Buffer.from(buf.subarray(0, end)), consumed: end });

    if (cmds.authRequired && !/Authorization:/.test(head)) return done(bodyStart);

    let cl = 0;
    let chunked = false;
    let expect = false;
    for (const line of head.split(/\r?\n/)) {
      const mcl = /^Content-Length:\s*(\d+)/i.exec(line);
      if (mcl && cl === 0) cl = Math.max(0, Number(mcl[1]) - cmds.skip);
      else if (/^Transfer-Encoding: chunked/i.test(line)) chunked = true;
      else if (/^Expect: 100-continue/i.test(line)) expect = true;
    }
    if (cmds.noExpect && expect) cl = 0;
    if (chunked) {
      const end = chunkedEnd(buf, bodyStart);
      return end < 0 ? undefined : done(end);
    }
    if (buf.length - bodyStart < cl) return undefined;
    return done(bodyStart + cl);
  }

  /** Test and part number from the request, with sws' auth adjustments. */
  #pickPart(text: string): { part: number; connect: boolean } {
    const firstLine = text.slice(0, text.search(/\r?\n/));
    const m = /^(\S+) (\S+)/.exec(firstLine);
    const method = m?.[1] ?? '';
    const target = m?.[2] ?? '';
    const connect = method === 'CONNECT';
    let part = 0;
    if (!connect) {
      const slash = target.lastIndexOf('/');
      const num = slash >= 0 ? /^\d+/.exec(target.slice(slash + 1)) : null;
      if (num) {
        const n = Number(num[0]);
        if (n > 10000) part = n % 10000;
      }
    }
    if (text.includes('Authorization: Negotiate')) {
      if (this.#negotiatePart < 0) this.#negotiatePart = part;
      this.#negotiatePart += 1;
      part = this.#negotiatePart;
    } else if (text.includes('Authorization: Digest')) part += 1000;
    else if (text.includes('Authorization: NTLM TlRMTVNTUAAD')) part += 1002;
    else if (text.includes('Authorization: NTLM TlRMTVNTUAAB')) part += 1001;
    else if (part >= 1000 && text.includes('Authorization: Basic')) part += 1;
    return { part, connect };
  }

  async #respond(
    sock: net.Socket,
    reqBytes: Buffer,
    cmds: ServerCommands,
  ): Promise<{ close: boolean; idle?: boolean; tunnel?: net.Socket }> {
    const text = reqBytes.toString('latin1');
    if (cmds.idle) return { close: false, idle: true };
    let { part, connect } = this.#pickPart(text);
    if (this.#prevBounce && part === this.#prevPart) part += 1;
    else this.#prevBounce = false;

    const test = this.#opts.test();
    const name = (connect ? 'connect' : 'data') + (part ? String(part) : '');
    let reply = test?.getContent('reply', name);
    if (reply === undefined && connect) reply = DEFAULT_CONNECT;
    this.#prevBounce = reply?.includes('swsbounce') ?? false;
    this.#prevPart = part;
    // Nothing to send (no such part, or an empty one): sws closes, the client sees an empty reply.
    if (reply === undefined || reply.length === 0) return { close: true };

    const close =
      reply.includes('swsclose') || cmds.swsclose || /\r?\nConnection: close\r?\n/i.test(text);
    if (close && !cmds.writeDelayMs && !cmds.stream) {
      // FIN right behind the reply, so the client never sees the connection as reusable.
      sock.end(Buffer.from(reply, 'latin1'));
      return { close: true };
    }
    await this.#write(sock, Buffer.from(reply, 'latin1'), cmds.writeDelayMs);
    if (cmds.stream) {
      for (let i = 0; i < 10_000 && !sock.destroyed; i++) {
        await this.#write(sock, Buffer.from(reply, 'latin1'), 10);
      }
      return { close: true };
    }

    if (connect && this.#opts.isProxy && /^HTTP\/\S+ 2\d\d/.test(reply)) {
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
    return { close };
  }

  async #write(sock: net.Socket, data: Buffer, delayMs: number): Promise<void> {
    if (!delayMs) {
      await new Promise<void>((r) => sock.write(data, () => r()));
      return;
    }
    // sws sleeps between small packets so clients see the reply trickle in.
    for (let off = 0; off < data.length && !sock.destroyed; off += 64) {
      await new Promise((r) => setTimeout(r, delayMs));
      await new Promise<void>((r) => sock.write(data.subarray(off, off + 64), () => r()));
    }
  }
}
