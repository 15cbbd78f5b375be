// The HTTP/2 session of one connection: node:http2 (nghttp2 inside Node)
// driven over the connection's own transport, as libcurl drives nghttp2 over
// its filter chain. One session carries many streams; each stream is the
// wire of one HTTP exchange (src/proto/http.ts), with the same recv()/send()
// shape a StreamTransport has, so the HTTP/1 response parser and the
// request-side logic serve HTTP/2 too (curl 7.88 also feeds the HTTP/1
// header code with "HTTP/2 200" lines made from the HEADERS frame).
//
// Theory of operation (measured, see docs/architecture.md "HTTP/2"). The
// session's socket is a Duplex bridge: what nghttp2 writes goes to
// transport.send(); what the transport received is pushed into the bridge
// only by pump(), which runs only inside library calls (a stream's recv()).
// node:http2 handles pushed bytes synchronously: frames are parsed, SETTINGS
// and WINDOW_UPDATE answered and DATA delivered to the streams before push()
// returns. It defers some events by one tick (a stream's 'response',
// 'headers', 'trailers', 'end', and the session's 'goaway'): those Node
// callbacks only record the event in the stream's queue and mark the
// transport readable (setUpperPending), so the application is told to call
// socketAction() again, and the transfer takes the event inside that call.
// Nothing reaches the application outside a call into the library; an
// application that stops calling stops reading the socket.
import * as http2 from 'node:http2';
import { Duplex } from 'node:stream';
import type { RecvResult } from '../transport/stream-transport.js';
import { CURLE, type CURLcode } from '../codes.js';
import { FrameWatch, PushPromiseWatch } from './h2-frame-watch.js';
import { h2ErrorName, pairs, synthesizeHead, type H2Priority, type H2Transport, type PushAnswer } from './h2-fields.js';

export { h2ErrorName, synthesizeHead } from './h2-fields.js';
export type { H2Priority, H2Transport, PushAnswer } from './h2-fields.js';

const REFUSED_STREAM = 7;

/** curl 7.88's stream window (HTTP2_HUGE_WINDOW_SIZE is 32 MiB; bounded lower: a paused stream holds up to this much). */
const STREAM_WINDOW = 1024 * 1024;
/** the connection's receive window (7.88 raises it to HTTP2_HUGE_WINDOW_SIZE) */
const CONNECTION_WINDOW = 32 * 1024 * 1024;
/** what libcurl announces as SETTINGS_MAX_CONCURRENT_STREAMS (DEFAULT_MAX_CONCURRENT_STREAMS) */
const LOCAL_MAX_STREAMS = 100;
/** bytes a stream queues for a transfer that does not take them (paused) before it stops reading from nghttp2 */
const STREAM_QUEUE_MAX = 64 * 1024;
/** input node:http2 may hold unprocessed (while a write of its own completes, it does not read) */
const BRIDGE_HIGH_WATER = 256 * 1024;
/** reads from the transport per pump (fairness with other sockets) */
const PUMP_READS = 32;

/** The SETTINGS a session announces (an h2c Upgrade's HTTP2-Settings header carries the same). */
export const h2LocalSettings = (enablePush: boolean): http2.Settings => ({ enablePush, initialWindowSize: STREAM_WINDOW, maxConcurrentStreams: LOCAL_MAX_STREAMS, maxHeaderListSize: 300 * 1024 });

export interface H2SessionOptions {
  /** the URL authority and scheme the session's requests default to */
  origin: string;
  /** server push: the session offers it (SETTINGS_ENABLE_PUSH) when the multi has a PUSHFUNCTION */
  enablePush: boolean;
  /** the server agreed to HTTP/2 already (an h2c Upgrade's 101): a failure before its SETTINGS is not an empty reply */ upgraded?: boolean;
  /**
   * A PUSH_PROMISE the parent stream's transfer (`owner`) takes, inside a
   * library call (H2Session.offerPushes): the application's PUSHFUNCTION
   * decides. 'ok': the pushed stream now belongs to a new transfer.
   */
  onPush?: (owner: unknown, stream: H2Stream, requestHeaders: [string, string][]) => PushAnswer;
}

/** A PUSH_PROMISE received on a stream, waiting for that stream's transfer to run. */
interface PushPromise {
  stream: H2Stream;
  headers: [string, string][];
}

/** A failure of the session or of one stream: the CURLcode and curl's message. */
export interface H2Failure {
  code: CURLcode;
  message: string;
  /** the server refused the stream before processing it (REFUSED_STREAM, or beyond a GOAWAY's last id): retry elsewhere */
  retry?: boolean;
}

const AGAIN: RecvResult = Object.freeze({ kind: 'again' });
const EOF: RecvResult = Object.freeze({ kind: 'eof' });
const SENT = { ok: true } as const;

/**
 * One stream: the request's wire. recv() gives the response head as HTTP/1
 * header bytes, then body bytes, then 'eof' at END_STREAM (or the stream's
 * error); send() writes request body bytes as DATA frames.
 */
export class H2Stream {
  readonly session: H2Session;
  /** the stream id (assigned in request order, as nghttp2 does) */
  readonly id: number;
  #req: http2.ClientHttp2Stream;
  /** response heads (1xx and the final one) not taken yet */
  #heads: Buffer[] = [];
  #finalSeen = false;
  #body: Buffer[] = [];
  #bodyBytes = 0;
  #flowPaused = false;
  #ended = false;
  /** the stream failed (reset, or its session did): the error, if node:http2 gave one */
  #failed = false;
  #error: NodeJS.ErrnoException | null = null;
  #anyHead = false;
  #closed = false;
  /** the transfer does not take events now (receiving paused): it is not counted as readable */
  #paused = false;
  #trailers: [string, string][] | null = null;
  /** the request's body may still be written */
  #writing = true;
  /** the write buffer drained since the transfer last sent */
  #drained = false;
  /** the response headers as received ([name, value] in order) */
  responseHeaders: [string, string][] = [];
  /** a stream the server pushed (PUSH_PROMISE): no request of ours goes on it */
  readonly isPush: boolean;
  /** PUSH_PROMISEs received on this stream, not offered to the application yet */
  #promises: PushPromise[] = [];
  #abandoned = false;

  constructor(session: H2Session, id: number, req: http2.ClientHttp2Stream, isPush = false) {
    this.session = session;
    this.id = id;
    this.#req = req;
    this.isPush = isPush;
    // node:http2 calls a pushed stream's response head 'push'
    if (isPush) {
      this.#writing = false;
      req.on('push', (h: http2.IncomingHttpHeaders, _f: number, raw: unknown) => this.#onHead(pairs(raw, h), true));
    }
    req.on('response', (h: http2.IncomingHttpHeaders, _f: number, raw: unknown) => this.#onHead(pairs(raw, h), true));
    req.on('headers', (h: http2.IncomingHttpHeaders, _f: number, raw: unknown) => this.#onHead(pairs(raw, h), false));
    req.on('data', (chunk: Buffer) => this.#onData(chunk));
    req.on('trailers', (h: http2.IncomingHttpHeaders, _f: number, raw: unknown) => {
      this.#trailers = pairs(raw, h).filter(([k]) => !k.startsWith(':'));
    });
    req.on('end', () => {
      // node:http2 ends the open streams of a session it gave up as if they completed
      if (this.session.failure !== null) this.#fail(null);
      else this.#ended = true;
      this.#changed();
    });
    req.on('drain', () => {
      // the upload may go on: the transfer runs to send more
      this.#drained = true;
      this.#changed();
    });
    // what went wrong is judged when the transfer takes it (recv()): the session's own error arrives a tick later
    req.on('error', (err: NodeJS.ErrnoException) => this.#fail(err));
    req.on('close', () => {
      this.#closed = true;
      if (!this.#ended) this.#fail(null);
      this.session.streamClosed(this);
    });
  }

  #errorOf(err: NodeJS.ErrnoException | null): H2Failure {
    const rst = this.#req.rstCode ?? 0;
    const s = this.session.failure;
    if (!this.#anyHead && !this.session.peerSpoke && rst !== REFUSED_STREAM && (s !== null || !this.session.usable)) {
      // the connection ended before the server said anything in HTTP/2 (an HTTP/1 server answering the preface): curl 7.88's words
      return { code: CURLE.GOT_NOTHING, message: 'Empty reply from server' };
    }
    if (s !== null && (rst === 0 || err?.code === 'ERR_HTTP2_SESSION_ERROR' || err?.code === 'ERR_HTTP2_ERROR')) return s.code === CURLE.PARTIAL_FILE ? { code: s.code, message: `HTTP/2 stream ${this.id} was not closed cleanly ${s.message}` } : s;
    if (rst === REFUSED_STREAM && !this.#finalSeen) {
      return { code: CURLE.HTTP2_STREAM, message: `HTTP/2 stream ${this.id} was not closed cleanly: ${h2ErrorName(rst)} (err ${rst})`, retry: true };
    }
    if (rst === 0 && err === null && this.session.goingAway && !this.#finalSeen) {
      // beyond the GOAWAY's last stream id: never processed
      return { code: CURLE.HTTP2_STREAM, message: `HTTP/2 stream ${this.id} was not closed cleanly: REFUSED_STREAM (err 7)`, retry: true };
    }
    if (rst === 0 && err !== null) {
      return { code: CURLE.HTTP2, message: `Error in the HTTP2 framing layer` };
    }
    return { code: CURLE.HTTP2_STREAM, message: `HTTP/2 stream ${this.id} was not closed cleanly: ${h2ErrorName(rst)} (err ${rst})` };
  }

  #onHead(list: [string, string][], final: boolean): void {
    const status = Number(list.find(([k]) => k === ':status')?.[1] ?? 0);
    // node:http2 calls a 1xx 'headers' and anything else 'response'
    const isFinal = final || status >= 200;
    if (isFinal) this.responseHeaders = list;
    this.#heads.push(synthesizeHead(list));
    this.#anyHead = true;
    if (isFinal) this.#finalSeen = true;
    this.#changed();
  }

  #onData(chunk: Buffer): void {
    this.#body.push(chunk);
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes >= STREAM_QUEUE_MAX && !this.#flowPaused) {
      // the transfer does not keep up (paused): nghttp2 stops consuming, so the stream's window closes
      this.#flowPaused = true;
      this.#req.pause();
    }
    this.#changed();
  }

  #fail(err: NodeJS.ErrnoException | null): void {
    if (this.#failed || this.#ended) return;
    this.#failed = true;
    this.#error = err;
    this.#changed();
  }

  #changed(): void {
    this.session.markReady(this, !this.#paused && this.#hasEvents());
  }

  #hasEvents(): boolean {
    // body bytes and the end wait for the final head, which node:http2 reports a tick after the DATA
    return this.#heads.length > 0 || this.#failed || this.#drained || this.#promises.length > 0 ||
      (this.#finalSeen && (this.#body.length > 0 || this.#ended));
  }

  /** Next piece of the response: head bytes, body bytes, 'eof', 'again', or the stream's error. */
  recv(): RecvResult {
    this.session.pump();
    if (!this.#failed && !this.#ended && this.session.failure !== null) this.#fail(null); // node:http2 says so a tick later (EOF)
    if (this.#heads.length > 0) return { kind: 'data', data: this.#heads.shift()! };
    if (this.#finalSeen && this.#body.length > 0) {
      const data = this.#body.shift()!;
      this.#bodyBytes -= data.length;
      if (this.#flowPaused && this.#bodyBytes < STREAM_QUEUE_MAX / 2) {
        this.#flowPaused = false;
        this.#req.resume();
      }
      return { kind: 'data', data };
    }
    if (this.#failed) {
      const f = this.#errorOf(this.#error);
      return { kind: 'error', error: new Error(f.message), code: f.code, message: f.message, retry: f.retry === true };
    }
    if (this.#finalSeen && this.#ended) return EOF;
    this.#drained = false;
    this.session.markReady(this, false);
    return AGAIN;
  }

  /** Put bytes back (a receive budget cut a piece short). */
  unrecv(data: Buffer): void {
    if (data.length === 0) return;
    this.#body.unshift(Buffer.from(data));
    this.#bodyBytes += data.length;
  }

  /** Request body bytes as DATA frames (node:http2 sends them as the flow-control windows allow). */
  send(data: Buffer | string): { ok: true } | { ok: false; error: Error } {
    if (this.#closed || this.#req.destroyed) return { ok: false, error: new Error(this.#failed ? this.#errorOf(this.#error).message : 'stream closed') };
    this.#drained = false;
    this.#req.write(data);
    return SENT;
  }

  /** The stream's write buffer is full (the server's window is closed): wait for it to drain. */
  get writeBlocked(): boolean {
    return this.#req.writableNeedDrain;
  }

  /** The request body is complete: END_STREAM. */
  endRequest(trailers: Record<string, string | string[]> = {}): void {
    if (!this.#writing) return;
    this.#writing = false;
    // opened with waitForTrailers: asked for once the last DATA frame is out (none: an empty DATA ends it)
    this.#req.once('wantTrailers', () => {
      try { this.#req.sendTrailers(trailers); } catch { this.#req.close(http2.constants.NGHTTP2_INTERNAL_ERROR); }
    });
    if (!this.#req.destroyed) this.#req.end();
  }

  /** END_STREAM is (being) sent: the request is complete. */
  get requestEnded(): boolean {
    return !this.#writing;
  }

  /** The response's trailers ([name, value], no pseudo-headers), once END_STREAM came with them. */
  get trailers(): [string, string][] | null {
    return this.#trailers;
  }

  /** The transfer stopped (or resumed) taking received data (CURLPAUSE_RECV on this stream only). */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#changed();
  }

  /** The stream is over for the transfer: reset it if it is still open (RST_STREAM CANCEL, as libcurl on early close). */
  close(): void {
    this.#abandoned = true;
    this.session.forget(this);
    this.refusePromises();
    this.#paused = true;
    this.session.markReady(this, false);
    if (!this.#closed && !this.#req.destroyed) this.#req.close(http2.constants.NGHTTP2_CANCEL);
    this.#body = [];
    this.#heads = [];
  }

  get finished(): boolean {
    return this.#closed;
  }

  /** the transfer let go of the stream (close()) */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** @internal a PUSH_PROMISE arrived on this stream */
  promised(p: PushPromise): void {
    this.#promises.push(p);
    this.#changed();
  }

  /** @internal the next PUSH_PROMISE to offer */
  takePromise(): PushPromise | undefined {
    const p = this.#promises.shift();
    if (p !== undefined) this.#changed();
    return p;
  }

  get hasPromises(): boolean {
    return this.#promises.length > 0;
  }

  /** @internal refuse every promise still queued (the stream's transfer is gone) */
  refusePromises(): void {
    for (const p of this.#promises.splice(0)) p.stream.close();
  }
}

/** The HTTP/2 session on one connection. */
export class H2Session {
  readonly #tr: H2Transport;
  readonly #bridge: Duplex;
  readonly #s: http2.ClientHttp2Session;
  #nextId = 1;
  #active = 0;
  /** the server's SETTINGS_MAX_CONCURRENT_STREAMS (libcurl assumes 100 until told) */
  #remoteMax = 100;
  #goaway = false;
  #failure: H2Failure | null = null;
  #closed = false;
  /** streams with events for their transfer */
  readonly #ready = new Set<H2Stream>();
  readonly #opts: H2SessionOptions;
  readonly #watch = new FrameWatch();
  #peerSpoke = false;
  /** the bridge's input buffer is full: the transport holds the rest */
  #blocked = false;
  /** our open streams by id: a PUSH_PROMISE names its parent */
  readonly #streams = new Map<number, H2Stream>();
  /** promised stream id -> the stream its PUSH_PROMISE came on (read off the received frames) */
  readonly #promisedOn = new Map<number, number>();
  readonly #pushWatch: PushPromiseWatch | null;
  /** the stream each owner (transfer) opened last */
  readonly #owned = new WeakMap<object, H2Stream>();

  constructor(tr: H2Transport, opts: H2SessionOptions) {
    this.#tr = tr;
    this.#opts = opts;
    this.#peerSpoke = opts.upgraded === true;
    this.#pushWatch = opts.enablePush ? new PushPromiseWatch((parent, promised) => this.#promisedOn.set(promised, parent)) : null;
    this.#bridge = new Duplex({
      // node:http2 wants more input: bytes waiting in the transport count again
      read: () => {
        if (this.#blocked) {
          this.#blocked = false;
          tr.setUpperBlocked(false);
        }
      },
      readableHighWaterMark: BRIDGE_HIGH_WATER,
      write: (chunk: Buffer, _enc, cb) => {
        const code = this.#watch.feed(chunk);
        if (code > 0) this.#localGoaway(code);
        const r = tr.send(chunk);
        cb(r.ok ? null : r.error);
      },
      final: (cb) => cb(),
    });
    this.#bridge.on('error', () => {});
    this.#s = http2.connect(opts.origin, {
      createConnection: () => this.#bridge,
      settings: h2LocalSettings(opts.enablePush),
      // header lines are bounded by size (300 KB, as curl) rather than by count
      maxHeaderListPairs: 100_000,
      peerMaxConcurrentStreams: 100,
      maxSessionMemory: 64,
    });
    this.#s.on('connect', () => {
      try { this.#s.setLocalWindowSize(CONNECTION_WINDOW); } catch { /* the session ended already */ }
    });
    this.#s.on('remoteSettings', (st) => {
      this.#peerSpoke = true;
      const max = st.maxConcurrentStreams;
      // (curl 7.88 traces the change only in debug builds)
      if (typeof max === 'number') this.#remoteMax = max;
      this.#poke();
    });
    this.#s.on('goaway', () => {
      this.#goaway = true;
      this.#poke();
    });
    this.#s.on('error', (err: NodeJS.ErrnoException) => {
      this.#failure ??= { code: CURLE.HTTP2, message: err.code === 'ERR_HTTP2_SESSION_ERROR' || err.code === 'ERR_HTTP2_ERROR' ? 'Error in the HTTP2 framing layer' : `HTTP/2 session error: ${err.message}` };
      this.#poke();
    });
    this.#s.on('frameError', () => this.#poke());
    this.#s.on('close', () => {
      this.#closed = true;
      this.#poke();
    });
    this.#s.on('stream', (pushed: http2.ClientHttp2Stream, headers: http2.IncomingHttpHeaders, _f: number, raw: unknown) => {
      // a PUSH_PROMISE (a tick after its frame): it waits for its parent stream's transfer, which
      // asks the application (offerPushes) inside a library call; no parent left: refused now
      const id = pushed.id ?? 0;
      const parent = this.#streams.get(this.#promisedOn.get(id) ?? -1);
      this.#promisedOn.delete(id);
      pushed.on('error', () => {});
      const st = new H2Stream(this, id, pushed, true);
      if (!this.#opts.onPush || parent === undefined || parent.abandoned) {
        st.close();
        return;
      }
      parent.promised({ stream: st, headers: pairs(raw, headers) });
    });
  }

  /**
   * nghttp2 sent a GOAWAY with an error: the server broke the protocol. The
   * session fails (CURLE_HTTP2) and ends after this callback, so that its
   * streams report it.
   */
  #localGoaway(code: number): void {
    if (this.#failure !== null) return;
    this.#failure = { code: CURLE.HTTP2, message: `Error in the HTTP2 framing layer (${h2ErrorName(code)})` };
    process.nextTick(() => {
      if (!this.#s.destroyed) this.#s.destroy();
    });
  }

  /**
   * Something changed for the session as a whole (settings, GOAWAY, an
   * error). The streams it concerns report it themselves ('close', 'error');
   * readiness is what the streams hold.
   */
  #poke(): void {
    this.#tr.setUpperPending(this.#ready.size > 0);
  }

  /** the server's SETTINGS arrived: it speaks HTTP/2 */
  get peerSpoke(): boolean {
    return this.#peerSpoke;
  }

  get failure(): H2Failure | null {
    return this.#failure;
  }
  get goingAway(): boolean {
    return this.#goaway;
  }

  /** New streams may start on this session. */
  get usable(): boolean {
    return !this.#goaway && !this.#closed && this.#failure === null && !this.#s.destroyed && !this.#tr.closed && !this.#tr.eof;
  }

  /** The number of open streams. */
  get activeStreams(): number {
    return this.#active;
  }

  /** How many streams may be open at once: the server's limit and the multi's (CURLMOPT_MAX_CONCURRENT_STREAMS). */
  maxStreams(local: number): number {
    return Math.max(1, Math.min(this.#remoteMax, local > 0 ? local : LOCAL_MAX_STREAMS));
  }

  /** Open a stream: headers ([name, value], pseudo-headers first), its priority, its owner (streamOf()); `neverIndex`: no HPACK table change (cf/h2-upgrade.ts). */
  open(headers: [string, string][], endStream: boolean, priority: H2Priority, owner: object, waitForTrailers: boolean, neverIndex = false): H2Stream | H2Failure {
    const obj: Record<string | symbol, string | string[]> = {};
    for (const [k, v] of headers) {
      const prev = obj[k];
      if (prev === undefined) obj[k] = v;
      else obj[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    if (neverIndex) obj[http2.sensitiveHeaders] = Object.keys(obj);
    let req: http2.ClientHttp2Stream;
    try {
      req = this.#s.request(obj, { endStream, weight: priority.weight, parent: priority.parent, exclusive: priority.exclusive, waitForTrailers });
    } catch (err) {
      return { code: CURLE.HTTP2, message: `Failed sending HTTP2 data: ${(err as Error).message}` };
    }
    const id = this.#nextId;
    this.#nextId += 2;
    this.#active++;
    const st = new H2Stream(this, id, req);
    if (this.#pushWatch !== null) this.#streams.set(id, st);
    this.#owned.set(owner, st);
    return st;
  }

  /** The stream `owner` opened last on this session, if any (CURLOPT_STREAM_DEPENDS names a handle). */
  streamOf(owner: object): H2Stream | undefined {
    return this.#owned.get(owner);
  }

  /**
   * The transfer that owns `parent` runs: offer the PUSH_PROMISEs received on
   * it to the application (libcurl does so while it reads the parent's
   * frames). A refused push is reset (CANCEL); CURL_PUSH_ERROROUT fails the
   * connection, as libcurl's failing nghttp2 callback does: the failure is
   * returned.
   */
  offerPushes(parent: H2Stream, owner: unknown): H2Failure | null {
    for (let p = parent.takePromise(); p !== undefined; p = parent.takePromise()) {
      const answer = this.#opts.onPush && this.usable ? this.#opts.onPush(owner, p.stream, p.headers) : 'deny';
      if (answer === 'ok') continue;
      p.stream.close();
      if (answer === 'error') {
        parent.refusePromises();
        this.#failure ??= { code: CURLE.RECV_ERROR, message: 'h2_process_pending_input: nghttp2_session_mem_recv() returned -902:The user callback function failed' };
        this.#poke();
        this.#s.destroy();
        return this.#failure;
      }
    }
    return null;
  }

  /** @internal the stream's transfer let go of it: no PUSH_PROMISE on it is offered any more */
  forget(st: H2Stream): void {
    this.#streams.delete(st.id);
  }

  /** The stream id the next open() gets. */
  get nextStreamId(): number {
    return this.#nextId;
  }

  /** @internal a stream closed */
  streamClosed(st: H2Stream): void {
    if (!st.isPush) this.#active = Math.max(0, this.#active - 1);
    // a PUSH_PROMISE comes before its parent's END_STREAM (and node:http2 reports it before 'close'):
    // the promises already queued stay with the stream until its transfer takes them
    this.#streams.delete(st.id);
    this.#poke();
  }

  /** @internal a stream has (or no longer has) events for its transfer */
  markReady(st: H2Stream, ready: boolean): void {
    if (ready) this.#ready.add(st);
    else this.#ready.delete(st);
    this.#tr.setUpperPending(this.#ready.size > 0);
  }

  /**
   * Feed what the transport received to nghttp2. Only inside library calls.
   * node:http2 processes it before push() returns (see the header comment).
   */
  pump(): void {
    const tr = this.#tr;
    const b = this.#bridge;
    for (let i = 0; i < PUMP_READS && !this.#blocked; i++) {
      if (b.destroyed) return;
      const r = tr.recv();
      if (r.kind === 'again') return;
      if (r.kind === 'data') {
        // processed before push() returns, unless node:http2 paused its input until a write of its
        // own completes (a setImmediate later): then the bytes wait in the bridge, bounded
        const data = tr.volatileRecv ? Buffer.from(r.data) : r.data;
        this.#pushWatch?.feed(data);
        if (!b.push(data)) {
          this.#blocked = true;
          tr.setUpperBlocked(true);
        }
        continue;
      }
      if (r.kind === 'eof') {
        b.push(null);
        this.#failure ??= { code: CURLE.PARTIAL_FILE, message: 'before end of the underlying stream' }; // curl 7.88's CURLE_PARTIAL_FILE
      } else {
        this.#failure ??= { code: CURLE.HTTP2, message: `Recv failure: ${r.error.message}` };
        b.destroy(r.error);
      }
      this.#poke();
      return;
    }
  }

  /** Close the session (the connection is closed). */
  destroy(): void {
    this.#closed = true;
    this.#ready.clear();
    if (!this.#s.destroyed) this.#s.destroy();
    this.#bridge.destroy();
  }

  /** A polite end: GOAWAY, then close (an idle connection leaving the pool). */
  close(): void {
    if (!this.#s.closed && !this.#s.destroyed) this.#s.close();
  }
}
