// The HTTP/2 session of one connection: tscurl's own framing (frames.ts),
// HPACK (hpack.ts) and stream states (RFC 9113 5.1) over the connection's
// transport, as libcurl drives nghttp2 over its filter chain. One session
// carries many streams; each stream (stream.ts) is the wire of one HTTP
// exchange.
//
// Theory of operation. What the transport received is parsed only by pump(),
// which a stream's recv() calls, inside a library call: frames are handled at
// once (SETTINGS and PING answered, windows updated, HEADERS decoded into the
// stream's head, DATA queued on its stream as views), and a stream that got
// events for its transfer makes the transport readable (setUpperPending), so
// the application is told to call socketAction() again and that transfer
// takes them inside the call. Nothing reaches the application outside a call
// into the library. What the session writes goes out at the end of the
// JavaScript turn as one transport send (the frames of all the streams one
// library call opened together). Flow control: a stream's window (4 MiB) and
// the connection's (32 MiB) open again by WINDOW_UPDATE only for bytes the
// transfer took, so a paused stream holds at most its window. A protocol
// error of the server is a connection error (GOAWAY with its code, the
// transfers fail with CURLE_HTTP2) or a stream error (RST_STREAM, that
// transfer fails with CURLE_HTTP2_STREAM), as nghttp2 decides them.
import { CURLE } from '../codes.js';
import { FLAG, FRAME, FrameReader, FrameWriter, H2ERR, MAX_WINDOW, PREFACE, SETTING, settingsPayload, type FrameSink } from './frames.js';
import { HpackDecoder, HpackEncoder, HpackError } from './hpack.js';
import { checkPromise, checkResponse, checkTrailers, h2ErrorName, synthesizeHead, type H2Failure, type H2Priority, type H2SessionOptions, type H2Transport } from './fields.js';
import { CONNECTION_WINDOW, DEFAULT_WINDOW, LOCAL_MAX_STREAMS, MAX_HEADER_LIST, STREAM_WINDOW, h2LocalSettings } from './settings.js';
import { H2Stream } from './stream.js';

export { H2Stream } from './stream.js';
export { h2ErrorName, synthesizeHead } from './fields.js';
export type { H2Failure, H2Priority, H2SessionOptions, H2Transport, PushAnswer, PushPromise } from './fields.js';

/** reads from the transport per pump (fairness with other sockets) */
const PUMP_READS = 32;
/** a header block (HEADERS + CONTINUATION) larger than this ends the connection (an endless CONTINUATION) */
const MAX_HEADER_BLOCK = 512 * 1024;
/** SETTINGS and PINGs answered without a stream making progress in between: more is a flood (nghttp2's 1000 unsent ACKs) */
const MAX_ACKS = 1000;

/** The HTTP/2 session on one connection. */
export class H2Session implements FrameSink {
  readonly #tr: H2Transport;
  readonly #opts: H2SessionOptions;
  readonly #reader = new FrameReader(undefined, true);
  /** what the session writes goes to the transport at the end of the turn (or once 64 KiB are built) */
  readonly #w = new FrameWriter((b) => {
    if (!this.#tr.closed) this.#tr.send(b);
  });
  readonly #enc = new HpackEncoder();
  readonly #dec = new HpackDecoder({ maxHeaderListSize: MAX_HEADER_LIST });
  #nextId = 1;
  #active = 0;
  /** the highest stream id the server promised (PUSH_PROMISE) */
  #lastPushId = 0;
  /** the server's SETTINGS: max concurrent streams (libcurl assumes 100 until told), initial stream window, max frame size */
  #remoteMax = 100;
  #peerWindow = DEFAULT_WINDOW;
  #peerMaxFrame = 16384;
  /** the connection's windows: what we may send, what the server may send, what the transfers took since our last WINDOW_UPDATE */
  #connSend = DEFAULT_WINDOW;
  #connRecv = CONNECTION_WINDOW;
  #connUnacked = 0;
  #settingsSeen = false;
  #goaway = false;
  #failure: H2Failure | null = null;
  #closed = false;
  #acks = 0;
  /** open streams by id */
  readonly #streams = new Map<number, H2Stream>();
  /** streams with body bytes waiting for the connection's window */
  readonly #connBlocked = new Set<H2Stream>();
  /** streams with events for their transfer */
  readonly #ready = new Set<H2Stream>();
  /** the stream each owner (transfer) opened last */
  readonly #owned = new WeakMap<object, H2Stream>();
  /** a header block in CONTINUATION frames: its stream, END_STREAM, the promised stream (PUSH_PROMISE) or 0, the fragments */
  #cont: { stream: number; endStream: boolean; promised: number; parts: Buffer[]; bytes: number } | null = null;
  readonly #cl = [-1];
  /** the DATA frame handled last, its buffer and end: DATA of its stream right after it joins its view (stream.data()) */
  #lastData: H2Stream | null = null;
  #lastDataBuf: Buffer | null = null;
  #lastDataEnd = 0;
  /** streams that may hold views of the transport's reused memory: copied before control returns to the event loop */
  readonly #holding = new Set<H2Stream>();
  #retainQueued = false;
  readonly #retain = (): void => {
    this.#retainQueued = false;
    for (const st of this.#holding) st.retainBody();
    this.#holding.clear();
  };

  constructor(tr: H2Transport, opts: H2SessionOptions) {
    this.#tr = tr;
    this.#opts = opts;
    // the preface, our SETTINGS, and the connection window raised to 32 MiB, in one write
    this.#w.raw(PREFACE);
    const settings = settingsPayload(h2LocalSettings(opts.enablePush));
    this.#w.framePayload(FRAME.SETTINGS, 0, 0, settings);
    this.#w.windowUpdate(0, CONNECTION_WINDOW - DEFAULT_WINDOW);
  }

  /**
   * After an h2c Upgrade's 101 (nghttp2_session_upgrade2): stream 1 is the
   * HTTP/1.1 request, half-closed (local), its answer to come as HTTP/2.
   */
  upgradeStream(owner: object, isHead: boolean): H2Stream {
    const st = new H2Stream(this, 1, STREAM_WINDOW, this.#peerWindow, false, isHead);
    st.localEnded = true;
    this.#nextId = 3;
    this.#streams.set(1, st);
    this.#active++;
    this.#owned.set(owner, st);
    return st;
  }

  /** the server's SETTINGS arrived (or the 101 of an Upgrade): it speaks HTTP/2 */
  get peerSpoke(): boolean {
    return this.#settingsSeen || this.#opts.upgraded === true;
  }

  get failure(): H2Failure | null {
    return this.#failure;
  }

  get goingAway(): boolean {
    return this.#goaway;
  }

  /** New streams may start on this session. */
  get usable(): boolean {
    return !this.#goaway && !this.#closed && this.#failure === null && !this.#tr.closed && !this.#tr.eof;
  }

  /** The number of open streams. */
  get activeStreams(): number {
    return this.#active;
  }

  /** How many streams may be open at once: the server's limit and the multi's (CURLMOPT_MAX_CONCURRENT_STREAMS). */
  maxStreams(local: number): number {
    return Math.max(1, Math.min(this.#remoteMax, local > 0 ? local : LOCAL_MAX_STREAMS));
  }

  /** The stream id the next open() gets. */
  get nextStreamId(): number {
    return this.#nextId;
  }

  /** Open a stream: headers ([name, value], pseudo-headers first), END_STREAM when no body follows, its priority, its owner (streamOf()). */
  open(headers: [string, string][], endStream: boolean, priority: H2Priority, owner: object): H2Stream | H2Failure {
    const id = this.#nextId;
    if (!this.usable || id > MAX_WINDOW) return { code: CURLE.HTTP2, message: 'Failed sending HTTP2 data: the session is closed' };
    this.#nextId += 2;
    const block = this.#enc.encode(headers);
    // nghttp2 leaves the default priority (weight 16 on stream 0) off the frame
    const prio = priority.weight !== 16 || priority.parent !== 0 || priority.exclusive;
    this.#w.headerBlock(id, endStream, block, prio ? priority : null, this.#peerMaxFrame);
    const st = new H2Stream(this, id, STREAM_WINDOW, this.#peerWindow, false, headers[0]![1] === 'HEAD');
    st.localEnded = endStream;
    this.#streams.set(id, st);
    this.#active++;
    this.#owned.set(owner, st);
    this.#acks = 0;
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
        this.#w.goaway(this.#lastPushId, H2ERR.INTERNAL_ERROR);
        this.#failAll();
        return this.#failure;
      }
    }
    return null;
  }

  // ---- sending ----

  /** @internal send what the stream queued, as the windows allow; END_STREAM (or trailers) after the last byte */
  sendData(st: H2Stream): void {
    if (st.closed || this.#failure !== null) return;
    const w = this.#w;
    while (st.sendQueue.length > 0 && st.sendWindow > 0 && this.#connSend > 0) {
      const chunk = st.sendQueue[0]!;
      const n = Math.min(chunk.length, st.sendWindow, this.#connSend, this.#peerMaxFrame);
      if (n === chunk.length) st.sendQueue.shift();
      else st.sendQueue[0] = chunk.subarray(n);
      st.sendQueued -= n;
      st.sendWindow -= n;
      this.#connSend -= n;
      const last = st.sendQueue.length === 0 && st.endPending && st.endTrailers === null;
      w.data(last ? FLAG.END_STREAM : 0, st.id, n === chunk.length ? chunk : chunk.subarray(0, n));
      if (last) st.localEnded = true;
    }
    if (st.sendQueue.length > 0) {
      if (this.#connSend <= 0) this.#connBlocked.add(st);
      return;
    }
    this.#connBlocked.delete(st);
    if (st.endPending && !st.localEnded) {
      st.localEnded = true;
      if (st.endTrailers !== null) this.#w.headerBlock(st.id, true, this.#enc.encode(st.endTrailers), null, this.#peerMaxFrame);
      else w.frame(FRAME.DATA, FLAG.END_STREAM, st.id, 0);
    }
    st.drained();
    if (st.localEnded && st.remoteEnded) this.#closeStream(st);
  }

  // ---- receiving ----

  /** @internal the transfer took `n` bytes of the stream's body (negative: put back): the windows open again */
  consumed(st: H2Stream, n: number): void {
    this.#connUnacked += n;
    if (this.#connUnacked >= CONNECTION_WINDOW / 2 && this.#failure === null) {
      this.#w.windowUpdate(0, this.#connUnacked);
      this.#connRecv += this.#connUnacked;
      this.#connUnacked = 0;
    }
    if (st.closed || st.remoteEnded) return;
    st.unacked += n;
    if (st.unacked >= STREAM_WINDOW / 2 && this.#failure === null) {
      this.#w.windowUpdate(st.id, st.unacked);
      st.recvWindow += st.unacked;
      st.unacked = 0;
    }
  }

  /**
   * Feed what the transport received to the frame reader. Only inside
   * library calls. The transport's bytes may be views of reused memory: they
   * are copied once per read when so, and DATA payloads are views of that.
   */
  pump(): void {
    const tr = this.#tr;
    for (let i = 0; i < PUMP_READS && this.#failure === null && !this.#closed; i++) {
      const r = tr.recv();
      if (r.kind === 'again') return;
      if (r.kind === 'data') {
        // DATA payloads stay views of the transport's bytes (no copy per read):
        // what the transfers did not take by the end of the turn is copied then
        if (tr.volatileRecv) this.#queueRetain();
        const code = this.#reader.feed(r.data, this);
        this.#lastDataBuf = null;
        // a frame of the wrong size, or a first frame that is not SETTINGS: the framing itself is broken
        if (code !== 0) this.#connectionError(code, false);
        continue;
      }
      if (r.kind === 'eof') this.#failure ??= { code: CURLE.PARTIAL_FILE, message: 'before end of the underlying stream' }; // curl 7.88's CURLE_PARTIAL_FILE
      else this.#failure ??= { code: CURLE.HTTP2, message: `Recv failure: ${r.error.message}` };
      this.#failAll();
      return;
    }
  }

  /** A connection error: GOAWAY with its code; the open streams fail (with the code, as nghttp2 closes them, when `streams`). */
  #connectionError(code: number, streams: boolean): number {
    if (this.#failure !== null) return code;
    this.#w.goaway(this.#lastPushId, code);
    this.#failure = { code: CURLE.HTTP2, message: `Error in the HTTP2 framing layer (${h2ErrorName(code)})` };
    if (streams) for (const st of this.#streams.values()) st.failReset(code);
    this.#failAll();
    return code;
  }

  /** Every stream learns of the session's failure when its transfer runs. */
  #failAll(): void {
    for (const st of this.#streams.values()) {
      st.closed = true;
      this.#ready.add(st);
    }
    this.#streams.clear();
    this.#connBlocked.clear();
    this.#active = 0;
    this.#tr.setUpperPending(this.#ready.size > 0);
  }

  /** A stream error: RST_STREAM with its code; the stream's transfer fails. */
  #streamError(st: H2Stream, code: number): number {
    this.#w.rstStream(st.id, code);
    st.failReset(code);
    this.#closeStream(st);
    return 0;
  }

  /** @internal the transfer let go of the stream: reset it if it is open (CANCEL) */
  abandon(st: H2Stream): void {
    if (st.closed) return;
    if (this.#failure === null && !this.#closed) {
      this.#w.rstStream(st.id, H2ERR.CANCEL);
    }
    this.#closeStream(st);
  }

  #closeStream(st: H2Stream): void {
    if (st.closed) return;
    st.closed = true;
    this.#streams.delete(st.id);
    this.#connBlocked.delete(st);
    if (!st.isPush) this.#active--;
  }

  /** The stream id was never used by either end (RFC 9113 5.1 idle). */
  #idle(id: number): boolean {
    return id & 1 ? id >= this.#nextId : id > this.#lastPushId;
  }

  /** FrameSink: one whole received frame. */
  frame(type: number, flags: number, id: number, b: Buffer, start: number, end: number): number {
    const cont = this.#cont;
    if (cont !== null && (type !== FRAME.CONTINUATION || id !== cont.stream)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
    if (!this.#settingsSeen && (type !== FRAME.SETTINGS || flags & FLAG.ACK)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, false);
    const len = end - start;
    if (type !== FRAME.DATA) this.#lastDataBuf = null;
    switch (type) {
      case FRAME.DATA: return this.#data(flags, id, b, start, end);
      case FRAME.HEADERS: {
        if (id === 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        let o = start;
        let pad = 0;
        if (flags & FLAG.PADDED) pad = len > 0 ? b[o++]! : 256;
        if (flags & FLAG.PRIORITY) o += 5;
        if (o + pad > end) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        return this.#fragment(id, (flags & FLAG.END_STREAM) !== 0, 0, flags, b, o, end - pad);
      }
      case FRAME.PRIORITY:
        if (id === 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        if (len !== 5) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
        return 0;
      case FRAME.RST_STREAM: {
        if (id === 0 || this.#idle(id)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        if (len !== 4) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
        const st = this.#streams.get(id);
        if (st !== undefined) {
          st.failReset(b.readUInt32BE(start));
          this.#closeStream(st);
        }
        return 0;
      }
      case FRAME.SETTINGS: return this.#settings(flags, id, b, start, end);
      case FRAME.PUSH_PROMISE: {
        if (id === 0 || !this.#opts.enablePush) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        let o = start;
        let pad = 0;
        if (flags & FLAG.PADDED) pad = len > 0 ? b[o++]! : 256;
        if (o + 4 + pad > end) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        const promised = b.readUInt32BE(o) & 0x7fffffff;
        if (promised === 0 || promised & 1 || promised <= this.#lastPushId || this.#idle(id)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        this.#lastPushId = promised;
        return this.#fragment(id, false, promised, flags, b, o + 4, end - pad);
      }
      case FRAME.PING:
        if (id !== 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        if (len !== 8) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
        if (flags & FLAG.ACK) return 0;
        this.#w.pingAck(b, start);
        return ++this.#acks > MAX_ACKS ? this.#connectionError(H2ERR.ENHANCE_YOUR_CALM, true) : 0;
      case FRAME.GOAWAY: {
        if (id !== 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        if (len < 8) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
        this.#goAway(b.readUInt32BE(start) & 0x7fffffff, b.readUInt32BE(start + 4));
        return 0;
      }
      case FRAME.WINDOW_UPDATE: return this.#windowUpdate(id, b, start, len);
      case FRAME.CONTINUATION: {
        if (cont === null) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
        cont.parts.push(Buffer.from(b.subarray(start, end)));
        cont.bytes += len;
        if (cont.bytes > MAX_HEADER_BLOCK) return this.#connectionError(H2ERR.ENHANCE_YOUR_CALM, true);
        if (!(flags & FLAG.END_HEADERS)) return 0;
        this.#cont = null;
        return this.#headerList(cont.stream, cont.endStream, cont.promised, Buffer.concat(cont.parts, cont.bytes));
      }
      default: return 0; // unknown frame types are ignored (RFC 9113 5.5)
    }
  }

  /** A HEADERS or PUSH_PROMISE fragment: the whole block now, or CONTINUATIONs follow. */
  #fragment(id: number, endStream: boolean, promised: number, flags: number, b: Buffer, start: number, end: number): number {
    if (flags & FLAG.END_HEADERS) return this.#headerList(id, endStream, promised, b.subarray(start, end));
    this.#cont = { stream: id, endStream, promised, parts: [Buffer.from(b.subarray(start, end))], bytes: end - start };
    return 0;
  }

  /** A whole header block: decoded (always: HPACK's table is the connection's), then the stream's head, trailers or promise. */
  #headerList(id: number, endStream: boolean, promised: number, block: Buffer): number {
    let list: [string, string][] | 'too-large';
    try {
      list = this.#dec.decode(block);
    } catch (err) {
      if (err instanceof HpackError) return this.#connectionError(H2ERR.COMPRESSION_ERROR, true);
      throw err;
    }
    if (promised !== 0) return this.#promise(id, promised, list);
    const st = this.#streams.get(id);
    if (st === undefined) {
      // a stream never opened is a protocol error; one closed already: the block is dropped (as nghttp2)
      return this.#idle(id) ? this.#connectionError(H2ERR.PROTOCOL_ERROR, true) : 0;
    }
    this.#acks = 0;
    if (st.remoteEnded) return this.#streamError(st, H2ERR.STREAM_CLOSED);
    if (list === 'too-large') return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    if (st.finalSeen) {
      // trailers: they end the stream
      if (!endStream || !checkTrailers(list)) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
      st.setTrailers(list);
      return this.#remoteEnd(st);
    }
    const status = checkResponse(list, this.#cl);
    if (status < 0 || (status < 200 && endStream)) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    const final = status >= 200;
    if (final && !st.isHead && status !== 304 && status !== 204) st.expectLength = this.#cl[0]!;
    st.head(synthesizeHead(list), final);
    return endStream ? this.#remoteEnd(st) : 0;
  }

  /** END_STREAM from the server: the body's length checked against its content-length (nghttp2: a stream error). */
  #remoteEnd(st: H2Stream): number {
    if (st.expectLength >= 0 && st.received !== st.expectLength) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    st.ended();
    if (st.localEnded) this.#closeStream(st);
    return 0;
  }

  #data(flags: number, id: number, b: Buffer, start: number, end: number): number {
    if (id === 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
    const len = end - start;
    this.#connRecv -= len;
    if (this.#connRecv < 0) return this.#connectionError(H2ERR.FLOW_CONTROL_ERROR, true);
    let from = start;
    let to = end;
    if (flags & FLAG.PADDED) {
      const pad = len > 0 ? b[start]! : 256;
      if (pad >= len) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
      from++;
      to -= pad;
    }
    const st = this.#lastData?.id === id && !this.#lastData.closed ? this.#lastData : this.#streams.get(id); // a download's: no lookup (open: in #streams)
    if (st === undefined) {
      if (this.#idle(id)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
      this.#connUnacked += len; // a closed stream's DATA: dropped, its bytes given back to the connection's window
      return 0;
    }
    // padding counts for flow control and is taken at once
    if (len > to - from) this.consumed(st, len - (to - from));
    st.recvWindow -= len;
    if (st.recvWindow < 0) return this.#streamError(st, H2ERR.FLOW_CONTROL_ERROR);
    if (st.remoteEnded) return this.#streamError(st, H2ERR.STREAM_CLOSED);
    if (!st.finalSeen) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    st.received += to - from;
    if (st.expectLength >= 0 && st.received > st.expectLength) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    if (to > from) {
      this.#acks = 0;
      // right after this stream's previous DATA frame in the same buffer: the bytes between are spent frame header
      // a frame joined to the piece before it is held already
      if (!st.data(b, from, to, st === this.#lastData && b === this.#lastDataBuf && start - 9 === this.#lastDataEnd) && this.#retainQueued) this.#holding.add(st);
    }
    this.#lastData = st;
    this.#lastDataBuf = b;
    this.#lastDataEnd = end;
    return flags & FLAG.END_STREAM ? this.#remoteEnd(st) : 0;
  }

  #settings(flags: number, id: number, b: Buffer, start: number, end: number): number {
    if (id !== 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
    if (flags & FLAG.ACK) return end === start ? 0 : this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
    if ((end - start) % 6 !== 0) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
    for (let o = start; o < end; o += 6) {
      const v = b.readUInt32BE(o + 2);
      switch (b.readUInt16BE(o)) {
        case SETTING.HEADER_TABLE_SIZE: this.#enc.setPeerMaxTableSize(v); break;
        case SETTING.ENABLE_PUSH: if (v > 1) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true); break;
        case SETTING.MAX_CONCURRENT_STREAMS: this.#remoteMax = v; break; // (curl 7.88 traces the change only in debug builds)
        case SETTING.INITIAL_WINDOW_SIZE: {
          if (v > MAX_WINDOW) return this.#connectionError(H2ERR.FLOW_CONTROL_ERROR, true);
          const delta = v - this.#peerWindow;
          this.#peerWindow = v;
          for (const st of this.#streams.values()) {
            st.sendWindow += delta;
            if (st.sendWindow > MAX_WINDOW) return this.#connectionError(H2ERR.FLOW_CONTROL_ERROR, true);
          }
          break;
        }
        case SETTING.MAX_FRAME_SIZE:
          if (v < 16384 || v > 0xffffff) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
          this.#peerMaxFrame = v;
          break;
        default: break; // unknown settings are ignored
      }
    }
    this.#settingsSeen = true;
    this.#w.settingsAck();
    if (++this.#acks > MAX_ACKS) return this.#connectionError(H2ERR.ENHANCE_YOUR_CALM, true);
    for (const st of this.#streams.values()) if (st.sendQueued > 0) this.sendData(st);
    this.#tr.setUpperPending(this.#ready.size > 0);
    return 0;
  }

  #windowUpdate(id: number, b: Buffer, start: number, len: number): number {
    if (len !== 4) return this.#connectionError(H2ERR.FRAME_SIZE_ERROR, true);
    const inc = b.readUInt32BE(start) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
      this.#connSend += inc;
      if (this.#connSend > MAX_WINDOW) return this.#connectionError(H2ERR.FLOW_CONTROL_ERROR, true);
      for (const st of this.#connBlocked) this.sendData(st);
      return 0;
    }
    if (this.#idle(id)) return this.#connectionError(H2ERR.PROTOCOL_ERROR, true);
    const st = this.#streams.get(id);
    if (st === undefined) return 0;
    if (inc === 0) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    st.sendWindow += inc;
    if (st.sendWindow > MAX_WINDOW) return this.#streamError(st, H2ERR.FLOW_CONTROL_ERROR);
    if (st.sendQueued > 0) this.sendData(st);
    return 0;
  }

  /**
   * GOAWAY: no new streams. Ours beyond its last stream id were never
   * processed: they go again on a new connection. With an error code the
   * server ends them all (nghttp2 closes them with that code).
   */
  #goAway(last: number, code: number): void {
    this.#goaway = true;
    for (const st of this.#streams.values()) {
      if (code !== H2ERR.NO_ERROR) st.failReset(code);
      else if (st.id > last && !st.isPush && !st.finalSeen) st.fail({ code: CURLE.HTTP2_STREAM, message: `HTTP/2 stream ${st.id} was not closed cleanly: REFUSED_STREAM (err 7)`, retry: true });
      else continue;
      this.#closeStream(st);
    }
    this.#tr.setUpperPending(this.#ready.size > 0);
  }

  /** A PUSH_PROMISE's header block: a new reserved stream, offered with its parent (or refused at once). */
  #promise(parentId: number, promised: number, list: [string, string][] | 'too-large'): number {
    const parent = this.#streams.get(parentId);
    const st = new H2Stream(this, promised, STREAM_WINDOW, this.#peerWindow, true, false);
    st.localEnded = true; // reserved (remote): we send nothing on it
    this.#streams.set(promised, st);
    if (list === 'too-large' || !checkPromise(list)) return this.#streamError(st, H2ERR.PROTOCOL_ERROR);
    if (!this.#opts.onPush || parent === undefined || parent.abandoned) {
      st.close();
      return 0;
    }
    parent.promised({ stream: st, headers: list });
    return 0;
  }

  /** @internal the stream put received bytes back (they may be views of the transport's reused memory) */
  holds(st: H2Stream): void {
    if (!this.#tr.volatileRecv) return;
    this.#holding.add(st);
    this.#queueRetain();
  }

  #queueRetain(): void {
    if (!this.#retainQueued) process.nextTick(this.#retain);
    this.#retainQueued = true;
  }

  /** @internal a stream has (or no longer has) events for its transfer */
  markReady(st: H2Stream, ready: boolean): void {
    if (ready) this.#ready.add(st);
    else this.#ready.delete(st);
    this.#tr.setUpperPending(this.#ready.size > 0);
  }

  /** Close the session (the connection is closed). */
  destroy(): void {
    this.#closed = true;
    this.#ready.clear();
    this.#streams.clear();
  }

  /** A polite end: GOAWAY, then close (an idle connection leaving the pool). */
  close(): void {
    if (this.#closed || this.#failure !== null) return;
    this.#w.goaway(this.#lastPushId, H2ERR.NO_ERROR);
    this.#w.flush();
    this.#closed = true;
  }
}
