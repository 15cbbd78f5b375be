// The tunnel filters' work: what a connection through proxies does between
// "TCP connected to the first hop" and "ready for TLS / the first request" —
// the SOCKS handshake (src/cf/socks.ts), or the HTTP CONNECT exchange
// (src/cf/h1-proxy.ts). One Tunnel does one of the two: the connect chain
// (src/multi/connect-chain.ts) stacks them in libcurl's filter order: socket
// -> SOCKS -> TLS to an HTTPS proxy -> HTTP proxy tunnel -> TLS.
//
// Theory of operation. A Tunnel is created when the layers below it are up and
// step() is called while the transfer connects, whenever the socket (or a DNS
// lookup's signal) is ready. It never blocks: it sends what its current phase
// has to say, reads what is buffered, and returns 'pending' until done. The
// CONNECT response head goes to the header callback (unless
// SUPPRESS_CONNECT_HEADERS) and the header API as CURLH_CONNECT. A 407 that
// the proxy authentication can answer sends the CONNECT again, on the same
// connection when the proxy keeps it open, else the state machine reconnects
// ('reconnect'). Bytes that arrive after the end of the handshake are put
// back on the transport for the layer above.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLH, CURLINFO_TYPE, CURL_POLL, CURLPROXY, CURLPX } from '../constants.js';
import { connectAuthority, connectRequest, ConnectResponse } from '../cf/h1-proxy.js';
import { SocksHandshake, socksResolvesLocally } from '../cf/socks.js';
import { customHeaders } from '../proto/http-request.js';
import { connectAuthProblem, proxyAuthOnChallenge, proxyAuthRequestLines, proxyAuthRetryConnect, proxyHeaderList } from '../proto/http-auth.js';
import { isIP } from 'node:net';
import type { Resolution } from '../dns/resolver.js';
import type { PollEntry } from './socket-registry.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import type { Transfer } from './transfer.js';
import type { ProxyServer } from '../proxy/proxy-config.js';

/** What the tunnel needs from the engine. */
export interface TunnelEnv {
  info(text: string): void;
  trace(type: number, data: Buffer): void;
  /** deliver one CONNECT response header line to the application */
  header(line: Buffer): CURLcode;
  /** start resolving a name (SOCKS4 / SOCKS5 resolve the target locally) */
  resolve(host: string, port: number): Resolution;
  /** dispose a finished lookup's signal */
  discard(r: Resolution): void;
  /** the SOCKS handshake is through: the connection's "Connected to" line again */
  connected(): void;
}

/** The host and port a tunnel asks its proxy for. */
export interface TunnelTarget {
  host: string;
  port: number;
  /** the host is an IPv6 address (bracketed in a CONNECT line) */
  ipv6: boolean;
}

export type TunnelStep =
  | { kind: 'pending' }
  | { kind: 'done' }
  | { kind: 'reconnect' }
  | { kind: 'failed'; code: number; message: string };

type Phase = 'socks-resolve' | 'socks' | 'connect' | 'done';

/** Reads per step before yielding to other transfers. */
const MAX_READS = 16;

export class Tunnel {
  readonly #t: Transfer;
  readonly #tr: StreamTransport;
  readonly #env: TunnelEnv;
  #phase: Phase;
  #resolution: Resolution | null = null;
  #socks: SocksHandshake | null = null;
  #connect: ConnectResponse | null = null;
  /** a message is out and the answer is awaited */
  #waiting = false;
  /** libcurl's tunnel state is made (its "allocate connect buffer"): once per tunnel, not per CONNECT sent */
  #stateMade: boolean;

  readonly #target: TunnelTarget;

  /**
   * @param part the SOCKS handshake or the HTTP CONNECT exchange
   * @param target where the tunnel leads (libcurl: CONNECT_TO's host, else the URL's, or FTP's data
   *   connection's; CONNECT_TO's port, else the URL's, or the data connection's)
   * @param resumed the CONNECT goes on on a new connection after the proxy closed one after a 407
   *   (libcurl's tunnel filter and its state outlive that reconnect)
   */
  constructor(t: Transfer, tr: StreamTransport, env: TunnelEnv, part: 'socks' | 'connect', target: TunnelTarget, resumed = false) {
    this.#t = t;
    this.#stateMade = resumed;
    this.#target = target;
    this.#tr = tr;
    this.#env = env;
    this.#phase = part === 'socks' ? 'socks-resolve' : 'connect';
  }

  pollset(): PollEntry[] {
    if (this.#phase === 'socks-resolve') {
      const sig = this.#resolution?.signal;
      return sig ? [{ transport: sig, what: CURL_POLL.IN }] : [];
    }
    return [{ transport: this.#tr, what: this.#waiting ? CURL_POLL.IN : CURL_POLL.OUT }];
  }

  abort(): void {
    if (this.#resolution) {
      this.#env.discard(this.#resolution);
      this.#resolution.cancel();
      this.#resolution = null;
    }
  }

  /** Where the SOCKS proxy is asked to connect: the HTTP proxy behind it, or the origin. */
  #socksTarget(): { host: string; port: number } {
    const http = this.#t.proxy!.http;
    return http ? { host: http.host, port: http.port } : this.#target;
  }

  step(): TunnelStep {
    // bounded: each pass moves to a later phase or returns
    for (let pass = 0; pass < 8; pass++) {
      const before = this.#phase;
      let r: TunnelStep;
      switch (this.#phase) {
        case 'socks-resolve': r = this.#stepSocksResolve(); break;
        case 'socks': r = this.#stepSocks(); break;
        case 'connect': r = this.#stepConnect(); break;
        case 'done': return { kind: 'done' };
      }
      if (r.kind !== 'pending' || this.#phase === before) return r;
    }
    return { kind: 'pending' };
  }

  // ---- SOCKS ----------------------------------------------------------------

  #stepSocksResolve(): TunnelStep {
    const socks = this.#t.proxy!.socks!;
    const target = this.#socksTarget();
    if (!this.#socks) {
      // made first: what libcurl says before its lookup comes before the lookup's own lines
      this.#socks = new SocksHandshake({
        type: socks.type, host: target.host, port: target.port, user: socks.user, password: socks.password,
        socks5Auth: this.#t.opts.has(CURLOPT.SOCKS5_AUTH) ? this.#t.opts.num(CURLOPT.SOCKS5_AUTH) : 1 | 4,
        viaHttpProxy: !!this.#t.proxy!.http,
      });
      this.#flushSocksInfo();
    }
    const h = this.#socks;
    if (socksResolvesLocally(socks.type) && !isIP(target.host)) {
      if (!this.#resolution) {
        this.#resolution = this.#env.resolve(target.host, target.port);
        if (!this.#resolution.outcome) {
          h.resolving();
          this.#flushSocksInfo();
        }
      }
      const r = this.#resolution;
      if (!r.outcome) return { kind: 'pending' };
      this.#env.discard(r);
      this.#resolution = null;
      if (r.outcome.ok) {
        // SOCKS4 can only carry IPv4
        const list = r.outcome.addresses;
        const a = socks.type === CURLPROXY.SOCKS4 ? list.find((x) => x.family === 4) ?? list[0] : list[0];
        if (a) h.resolved(a);
      }
    }
    this.#phase = 'socks';
    return this.#socksOutcome(h.start());
  }

  #flushSocksInfo(): void {
    for (const line of this.#socks!.info.splice(0)) this.#env.info(line);
  }

  #socksOutcome(s: ReturnType<SocksHandshake['feed']>): TunnelStep {
    this.#flushSocksInfo();
    switch (s.kind) {
      case 'need-data':
        return { kind: 'pending' };
      case 'send': {
        const r = this.#tr.send(s.data);
        if (!r.ok) return this.#socksFailed(CURLPX.SEND_CONNECT, 'Failed to send SOCKS request.');
        this.#waiting = true;
        return { kind: 'pending' };
      }
      case 'error':
        return this.#socksFailed(s.px, s.message);
      case 'done':
        this.#tr.unrecv(s.leftover);
        this.#waiting = false;
        this.#phase = 'done';
        // libcurl's SOCKS filter says "Connected to" again once through (Curl_verboseconnect)
        this.#env.connected();
        return { kind: 'done' };
    }
  }

  #socksFailed(px: number, message: string): TunnelStep {
    this.#t.proxyError = px;
    return { kind: 'failed', code: CURLE.PROXY, message };
  }

  #stepSocks(): TunnelStep {
    const h = this.#socks!;
    for (let i = 0; i < MAX_READS; i++) {
      const r = this.#tr.recv();
      if (r.kind === 'again') return { kind: 'pending' };
      // recv() may hand out a view of reused memory: the handshake may keep a partial reply, so copy
      const s = r.kind === 'data' ? h.feed(Buffer.from(r.data)) : h.eof();
      const out = this.#socksOutcome(s);
      if (out.kind !== 'pending' || this.#phase !== 'socks') return out;
    }
    return { kind: 'pending' };
  }

  // ---- HTTP CONNECT ---------------------------------------------------------

  #sendConnect(): TunnelStep {
    const t = this.#t;
    const url = this.#target;
    const http = t.proxy!.http as ProxyServer;
    const authority = connectAuthority(url.host, url.ipv6, url.port);
    // 7.88's tunnel_init(), the first time its filter connects
    if (!this.#stateMade) this.#env.info('allocate connect buffer');
    this.#stateMade = true;
    this.#env.info(`Establish HTTP proxy tunnel to ${authority}`);
    const auth = proxyAuthRequestLines(t, 'CONNECT', authority);
    if (auth.code !== CURLE.OK) return { kind: 'failed', code: auth.code, message: auth.message ?? '' };
    for (const line of auth.info) this.#env.info(line);
    const req = connectRequest({
      host: url.host, ipv6: url.ipv6, port: url.port, http10: http.type === CURLPROXY.HTTP_1_0,
      authLines: auth.lines, userAgent: t.opts.str(CURLOPT.USERAGENT), custom: customHeaders(proxyHeaderList(t)),
    });
    if (!('head' in req)) return { kind: 'failed', code: req.code, message: req.message };
    const head = req.head;
    this.#env.trace(CURLINFO_TYPE.HEADER_OUT, head);
    const r = this.#tr.send(head);
    if (!r.ok) return { kind: 'failed', code: CURLE.SEND_ERROR, message: `Failed sending CONNECT to proxy: ${r.error.message}` };
    this.#connect = new ConnectResponse(() => connectAuthProblem(t));
    this.#waiting = true;
    return { kind: 'pending' };
  }

  #stepConnect(): TunnelStep {
    if (!this.#connect) {
      const s = this.#sendConnect();
      if (s.kind !== 'pending') return s;
    }
    for (let i = 0; i < MAX_READS; i++) {
      const r = this.#tr.recv();
      if (r.kind === 'again') return { kind: 'pending' };
      if (r.kind === 'error') return { kind: 'failed', code: CURLE.RECV_ERROR, message: 'Proxy CONNECT aborted' };
      // a partial CONNECT reply is kept across event-loop turns: copy out of the transport's reused memory
      if (r.kind === 'data') this.#connect!.feed(Buffer.from(r.data));
      else this.#connect!.eof();
      const out = this.#drainConnect(r.kind === 'eof');
      if (out) return out;
    }
    return { kind: 'pending' };
  }

  /** Handle the CONNECT response's events; null means "need more bytes". */
  #drainConnect(eof: boolean): TunnelStep | null {
    const t = this.#t;
    const c = this.#connect!;
    const suppress = t.opts.num(CURLOPT.SUPPRESS_CONNECT_HEADERS) !== 0;
    // bounded by the bytes fed: each event consumes input or ends the exchange
    for (;;) {
      const ev = c.next();
      switch (ev.type) {
        case 'need-data':
          if (eof) return { kind: 'failed', code: CURLE.RECV_ERROR, message: 'Proxy CONNECT aborted' };
          return null;
        case 'info':
          this.#env.info(ev.text);
          break;
        case 'bad-header':
          t.headerSize += ev.raw.length;
          this.#env.trace(CURLINFO_TYPE.HEADER_IN, ev.raw);
          // libcurl's header store refuses a line without a colon (curl 8's message; 7.88 gave the generic one of code 43)
          if (!suppress) return { kind: 'failed', code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Invalid response header' };
          break;
        case 'status':
        case 'header':
        case 'headers-end': {
          t.httpConnectCode = c.statusCode;
          t.headerSize += ev.raw.length;
          // 7.88: the trace, the header callback, then what the line means (the challenge's info lines)
          this.#env.trace(CURLINFO_TYPE.HEADER_IN, ev.raw);
          if (ev.type === 'header' && !suppress) t.headerStore.push(ev.name, ev.value, CURLH.CONNECT);
          if (!suppress) {
            const code = this.#env.header(ev.raw);
            if (code !== CURLE.OK) return { kind: 'failed', code, message: t.errorMessage };
          }
          if (ev.type === 'header' && ev.name.toLowerCase() === 'proxy-authenticate') {
            for (const line of proxyAuthOnChallenge(t, c.statusCode, ev.value)) this.#env.info(line);
          }
          break;
        }
        case 'error':
          return { kind: 'failed', code: ev.code, message: ev.message };
        case 'complete':
          return this.#connectComplete(ev.code, ev.close, ev.leftover);
      }
    }
  }

  #connectComplete(code: number, close: boolean, leftover: Buffer): TunnelStep {
    const t = this.#t;
    t.httpConnectCode = code;
    this.#connect = null;
    this.#waiting = false;
    if (code >= 200 && code < 300) {
      this.#tr.unrecv(leftover);
      this.#env.info('CONNECT phase completed');
      this.#env.info(`CONNECT tunnel established, response ${code}`);
      this.#phase = 'done';
      return { kind: 'done' };
    }
    if (proxyAuthRetryConnect(t, code)) {
      if (close) {
        this.#env.info('Connect me again please');
        return { kind: 'reconnect' };
      }
      return { kind: 'pending' }; // the next step() sends the CONNECT again on this connection
    }
    return { kind: 'failed', code: CURLE.COULDNT_CONNECT, message: `CONNECT tunnel failed, response ${code}` };
  }
}
