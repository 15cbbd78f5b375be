// One WebSocket connection after the 101: curl_ws_recv(), curl_ws_send() and
// the write-callback delivery (curl_ws_meta()) over a transport that gives
// curl's non-blocking recv()/send(). It knows nothing of easy handles or the
// multi engine: the HTTP handler makes one per upgraded connection, hands it
// the bytes that came after the 101 response, and calls it.
//
// Receiving (curl_ws_recv.md, curl_ws_meta.md, libcurl's ws.c):
//  - recv(buflen) returns payload of ONE frame, at most buflen bytes, with its
//    meta: everything of that frame that is already here, or CURLE_AGAIN when
//    nothing is (never blocks). A buflen of 0 returns the meta of a frame
//    whose payload is waiting without taking any of it; an empty frame is
//    consumed by that.
//  - PING frames are answered with a PONG echoing the payload and are not
//    handed to the application, unless CURLWS_NOAUTOPONG or CURLWS_RAW_MODE.
//    The PONG goes out when the call ends (after any frame the application
//    is in the middle of sending: a control frame cannot cut a frame). Only
//    the last PING's PONG is kept when several wait (RFC 6455 5.5.3).
//  - A CLOSE frame is handed to the application like any other; then, unless
//    raw mode or the application sends a CLOSE itself first (the libcurl way:
//    curl_ws_send(CURLWS_CLOSE) after receiving one), the next recv()/pump()
//    answers it with a CLOSE echoing the status code (RFC 6455 5.5.1). What
//    comes after is what the server does: it closes the connection, and
//    recv() returns CURLE_GOT_NOTHING as libcurl does for a closed
//    connection (also in the middle of a frame, as libcurl).
//  - Decoding errors: CURLE_RECV_ERROR, see frame-decoder.ts; they are sticky.
//  - Write-callback mode: pump(sink) reads everything the transport has and
//    hands each piece (at most `maxPiece` bytes, CURL_MAX_WRITE_SIZE by
//    default, all of one frame) to the sink with its meta, which `meta` also
//    shows during the call (curl_ws_meta()). A frame with an empty payload is
//    one call with length 0 (libcurl's CLIENTWRITE_0LEN). The connection
//    closing between frames ends it ('eof'); in the middle of a frame it is
//    CURLE_RECV_ERROR, as libcurl's decoder says when a stream ends with frame
//    bytes left.
//
// Sending (curl_ws_send.md): send(data, fragsize, flags) starts a frame of
// data.length bytes (or `fragsize` with CURLWS_OFFSET) and sends as much of
// its payload as the transport takes without blocking, returning the count
// in `sent`; a frame whose payload is not all sent yet is continued by the
// next calls, whatever their flags (libcurl's "a frame is ongoing"), and no
// new frame starts before it is complete. When the transport is write
// blocked before any byte went out, CURLE_AGAIN with sent 0. `inCallback`
// makes it block as libcurl does when called from a callback: everything
// is handed to the transport (Node buffers it).
//
// Raw mode (CURLWS_RAW_MODE): no framing at all. recv() returns the bytes as
// they came (meta null), send() sends them as given (flags and fragsize must
// be 0: CURLE_BAD_FUNCTION_ARGUMENT "ws_send, raw mode: fragsize and flags
// cannot be non-zero"), pump() hands them to the sink with meta null.
import { CURLE } from '../codes.js';
import type { RecvResult } from '../transport/stream-transport.js';
import { WsFrameDecoder, type WsDecodeError } from './frame-decoder.js';
import { WsFrameEncoder, WsMaskPool } from './frame-encoder.js';
import { CURLWS, CURLWS_OPT, type WsFrameMeta } from './ws-flags.js';

/** What the session needs of a transport. StreamTransport fits as it is. */
export interface WsTransport {
  /** takes all the bytes, or fails; may keep a reference to them until the end of the turn */
  send(data: Buffer): { ok: true } | { ok: false; error: Error };
  recv(): RecvResult;
  /** the transport's buffer is over its high-water mark: wait for OUT before sending more */
  readonly writeBlocked?: boolean;
  /** recv() lends views only valid until control returns to the event loop */
  readonly volatileRecv?: boolean;
}

export interface WsSessionOptions {
  /** CURLOPT_WS_OPTIONS bits (CURLWS_RAW_MODE 1, CURLWS_NOAUTOPONG 2) */
  wsOptions?: number;
  /** bytes that came after the 101 response (the HTTP parser's leftover); copied */
  initial?: Buffer | null;
  /** largest frame payload accepted (frame-decoder.ts; default 2^53-1) */
  maxPayload?: number;
  /** most bytes handed to the sink in one call in write-callback mode (default 16384, CURL_MAX_WRITE_SIZE) */
  maxPiece?: number;
  /** answer a received CLOSE with a CLOSE (default true; never in raw mode) */
  closeReply?: boolean;
  masks?: WsMaskPool;
}

export interface WsRecvResult {
  code: number;
  /**
   * the payload, empty unless code is CURLE_OK; in raw mode a view that is
   * good until the next recv() (curl_ws_recv copies it into the caller's
   * buffer at once), else memory of our own
   */
  data: Buffer;
  /** null in raw mode and on failure */
  meta: WsFrameMeta | null;
  /** the error-buffer text for a failure, when libcurl would set one */
  message?: string;
}

export interface WsSendResult {
  code: number;
  /** payload bytes taken (raw mode: bytes) */
  sent: number;
  message?: string;
}

/**
 * Write-callback delivery: a CURLcode (0 to go on), or 'pause' when the piece
 * was taken but no more may be delivered until pump() is called again.
 */
export type WsSink = (data: Buffer, meta: WsFrameMeta | null) => number | 'pause';

export type WsPumpResult =
  | { kind: 'again' } // the transport has nothing more now: wait for IN
  | { kind: 'eof' } // the connection closed between frames: the transfer is done
  | { kind: 'paused' }
  | { kind: 'error'; code: number; message?: string };

const EMPTY = Buffer.alloc(0);
const AGAIN = Object.freeze({ kind: 'again' as const });
const EOF = Object.freeze({ kind: 'eof' as const });
/** payload bytes masked and sent per transport.send() */
const SEND_PIECE = 64 * 1024;
const CURL_MAX_WRITE_SIZE = 16384;

export class WsSession {
  readonly raw: boolean;
  readonly autoPong: boolean;
  readonly closeReply: boolean;
  readonly maxPiece: number;
  readonly #t: WsTransport;
  readonly #dec: WsFrameDecoder;
  readonly #enc: WsFrameEncoder;
  /** raw mode: received bytes not handed out yet */
  #rawPending: Buffer | null = null;
  /** #rawPending is memory of our own, not the transport's lent read buffer */
  #rawOwned = false;
  /** payloads of the control frames waiting to go out */
  #pendingPong: Buffer | null = null;
  #pendingClose: Buffer | null = null;
  #closeSent = false;
  #closeReceived = false;
  #meta: WsFrameMeta | null = null;

  constructor(transport: WsTransport, opts: WsSessionOptions = {}) {
    const o = opts.wsOptions ?? 0;
    this.raw = (o & CURLWS_OPT.RAW_MODE) !== 0;
    this.autoPong = !this.raw && (o & CURLWS_OPT.NOAUTOPONG) === 0;
    this.closeReply = !this.raw && (opts.closeReply ?? true);
    this.maxPiece = Math.max(1, opts.maxPiece ?? CURL_MAX_WRITE_SIZE);
    this.#t = transport;
    this.#dec = new WsFrameDecoder({ maxPayload: opts.maxPayload });
    this.#enc = new WsFrameEncoder(opts.masks ?? new WsMaskPool());
    const initial = opts.initial;
    if (initial && initial.length > 0) {
      if (this.raw) {
        this.#rawPending = Buffer.from(initial);
        this.#rawOwned = true;
      }
      else {
        this.#dec.push(initial);
        this.#dec.retain();
      }
    }
  }

  /**
   * The meta of the piece last handed out (curl_ws_meta()'s struct): during a
   * sink call, the piece being delivered. Null in raw mode and before any.
   */
  get meta(): WsFrameMeta | null {
    return this.#meta;
  }

  /** A CLOSE frame was received whole. */
  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  /** A CLOSE frame went out (the application's or the automatic reply). */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /** The application is in the middle of sending a frame (CURLWS_OFFSET or a partial send). */
  get sendingFrame(): boolean {
    return this.#enc.frameRemaining > 0;
  }

  // ---- curl_ws_recv ----

  recv(buflen: number): WsRecvResult {
    if (!Number.isSafeInteger(buflen) || buflen < 0) return this.#recvFail(CURLE.BAD_FUNCTION_ARGUMENT);
    const r = this.raw ? this.#recvRaw(buflen) : this.#recvFrame(buflen);
    this.#flushPending(false);
    if (this.#t.volatileRecv) this.#dec.retain();
    return r;
  }

  #recvFail(code: number, message?: string): WsRecvResult {
    return message === undefined ? { code, data: EMPTY, meta: null } : { code, data: EMPTY, meta: null, message };
  }

  #recvFrame(buflen: number): WsRecvResult {
    const dec = this.#dec;
    const pieces: Buffer[] = [];
    let total = 0;
    let seq = 0;
    let flags = 0;
    let offset = 0;
    let length = 0;
    for (;;) {
      this.#flushPending(true);
      const h = dec.head();
      if (h.kind === 'error') return this.#decodeFail(h);
      if (h.kind === 'need-more') {
        if (seq !== 0) break;
        const r = this.#read();
        if (r !== null) return this.#noData(r);
        continue;
      }
      if (seq !== 0 && h.seq !== seq) break; // one frame per call
      if (this.autoPong && h.flags & CURLWS.PING) {
        dec.next();
        this.#pendingPong = h.control;
        continue;
      }
      const p = dec.next(buflen - total);
      if (p.kind === 'error') return this.#decodeFail(p);
      if (p.kind === 'need-more') {
        if (seq !== 0) break;
        const r = this.#read();
        if (r !== null) return this.#noData(r);
        continue;
      }
      if (seq === 0) {
        seq = p.seq;
        flags = p.meta.flags;
        offset = p.meta.offset;
        length = h.length;
      }
      if (p.data.length > 0) pieces.push(p.data);
      total += p.data.length;
      if (p.meta.bytesleft === 0) {
        if (flags & CURLWS.CLOSE) this.#gotClose(h.control);
        break;
      }
      if (total === buflen) break;
    }
    const meta: WsFrameMeta = { age: 0, flags, offset, bytesleft: length - offset - total, len: total };
    this.#meta = meta;
    const data = pieces.length === 0 ? EMPTY : pieces.length === 1 ? Buffer.from(pieces[0]!) : Buffer.concat(pieces, total);
    return { code: CURLE.OK, data, meta };
  }

  #recvRaw(buflen: number): WsRecvResult {
    if (this.#rawPending === null) {
      const r = this.#read();
      if (r !== null) return this.#noData(r);
    }
    const have = this.#rawPending!;
    const n = Math.min(buflen, have.length);
    const data = have.subarray(0, n);
    if (n === have.length) this.#rawPending = null;
    else if (this.#rawOwned) this.#rawPending = have.subarray(n);
    else {
      // what is left of a lent read is copied once, here, not again at each later call
      this.#rawPending = Buffer.from(have.subarray(n));
      this.#rawOwned = true;
    }
    return { code: CURLE.OK, data, meta: null };
  }

  /**
   * One transport read into the decoder (or the raw buffer): null when bytes
   * came, else why none did.
   */
  #read(): { kind: 'again' } | { kind: 'eof' } | { kind: 'error'; code: number; message: string } | null {
    const r = this.#t.recv();
    switch (r.kind) {
      case 'data':
        if (this.raw) {
          this.#rawPending = r.data;
          this.#rawOwned = !this.#t.volatileRecv;
        } else this.#dec.push(r.data);
        return null;
      case 'again':
      case 'eof':
        return r.kind === 'again' ? AGAIN : EOF;
      case 'error':
        return { kind: 'error', code: CURLE.RECV_ERROR, message: `Recv failure: ${r.error.message}` };
    }
  }

  /** recv()'s answer when a read brought nothing: CURLE_AGAIN, CURLE_GOT_NOTHING for a closed connection, or the error. */
  #noData(r: { kind: 'again' } | { kind: 'eof' } | { kind: 'error'; code: number; message: string }): WsRecvResult {
    if (r.kind === 'again') return this.#recvFail(CURLE.AGAIN);
    if (r.kind === 'eof') return this.#recvFail(CURLE.GOT_NOTHING);
    return this.#recvFail(r.code, r.message);
  }

  #decodeFail(e: WsDecodeError): WsRecvResult {
    return this.#recvFail(e.code, e.message);
  }

  #gotClose(payload: Buffer | null): void {
    this.#closeReceived = true;
    // RFC 6455 5.5.1: echo the status code; a CLOSE without one gets an empty one
    if (this.closeReply && !this.#closeSent) this.#pendingClose = payload && payload.length >= 2 ? Buffer.from(payload.subarray(0, 2)) : EMPTY;
  }

  // ---- write-callback mode ----

  /**
   * Read what the transport has and hand it to `sink` piece by piece, until
   * the transport has nothing more ('again'), closed ('eof'), the sink paused
   * or failed, or the bytes are not WebSocket.
   */
  pump(sink: WsSink): WsPumpResult {
    const r = this.raw ? this.#pumpRaw(sink) : this.#pumpFrames(sink);
    if (this.#t.volatileRecv) this.#dec.retain();
    return r;
  }

  #pumpFrames(sink: WsSink): WsPumpResult {
    const dec = this.#dec;
    for (;;) {
      this.#flushPending(true);
      const h = dec.head();
      if (h.kind === 'error') return { kind: 'error', code: h.code, message: h.message };
      if (h.kind === 'head') {
        if (this.autoPong && h.flags & CURLWS.PING) {
          // an automatic PONG answers this PING; the application does not see it
          dec.next();
          this.#pendingPong = h.control;
          continue;
        }
        const p = dec.next(this.maxPiece);
        if (p.kind === 'error') return { kind: 'error', code: p.code, message: p.message };
        if (p.kind === 'piece') {
          this.#meta = p.meta;
          if (p.meta.bytesleft === 0 && h.flags & CURLWS.CLOSE) this.#gotClose(h.control);
          const rc = sink(p.data, p.meta);
          if (rc === 'pause') return { kind: 'paused' };
          if (rc !== CURLE.OK) return { kind: 'error', code: rc };
          continue;
        }
      }
      // need more bytes
      const r = this.#read();
      if (r === null) continue;
      if (r.kind === 'eof') {
        if (dec.atFrameBoundary) return { kind: 'eof' };
        return { kind: 'error', code: CURLE.RECV_ERROR, message: '[WS] connection closed in the middle of a frame' };
      }
      return r;
    }
  }

  #pumpRaw(sink: WsSink): WsPumpResult {
    for (;;) {
      if (this.#rawPending === null) {
        const r = this.#read();
        if (r !== null) return r;
      }
      const data = this.#rawPending!;
      this.#rawPending = null;
      const rc = sink(data, null);
      if (rc === 'pause') return { kind: 'paused' };
      if (rc !== CURLE.OK) return { kind: 'error', code: rc };
    }
  }

  // ---- curl_ws_send ----

  send(data: Uint8Array, fragsize: number, flags: number, inCallback = false): WsSendResult {
    const t = this.#t;
    if (this.raw) {
      if (fragsize || flags) {
        return { code: CURLE.BAD_FUNCTION_ARGUMENT, sent: 0, message: 'ws_send, raw mode: fragsize and flags cannot be non-zero' };
      }
      if (!inCallback && t.writeBlocked) return { code: CURLE.AGAIN, sent: 0 };
      if (data.length === 0) return { code: CURLE.OK, sent: 0 };
      // a copy: the transport may hold the bytes until the end of the turn, the application may reuse its buffer before
      const r = t.send(Buffer.from(data));
      if (!r.ok) return { code: CURLE.SEND_ERROR, sent: 0, message: `Send failure: ${r.error.message}` };
      return { code: CURLE.OK, sent: data.length };
    }
    const enc = this.#enc;
    let header: Buffer | null = null;
    if (enc.frameRemaining === 0) {
      // between frames: the control frames waiting go out first
      const f = this.#flushPending(false);
      if (f !== null) return { code: f.code, sent: 0, message: f.message };
      if (!inCallback && t.writeBlocked) return { code: CURLE.AGAIN, sent: 0 };
      const h = enc.startFrame(flags, flags & CURLWS.OFFSET ? fragsize : data.length);
      if (!h.ok) return { code: h.code, sent: 0, message: h.message };
      header = h.header;
      if (flags & CURLWS.CLOSE) {
        this.#closeSent = true;
        this.#pendingClose = null; // the application's CLOSE is the answer
      }
    } else if (!inCallback && t.writeBlocked) return { code: CURLE.AGAIN, sent: 0 };
    let sent = 0;
    for (;;) {
      const take = Math.min(data.length - sent, enc.frameRemaining, SEND_PIECE);
      const masked = enc.mask(data.subarray(sent, sent + take));
      const out = header ? Buffer.concat([header, masked]) : masked;
      header = null;
      if (out.length > 0) {
        const r = t.send(out);
        if (!r.ok) return { code: CURLE.SEND_ERROR, sent, message: `Send failure: ${r.error.message}` };
      }
      sent += take;
      if (sent === data.length || enc.frameRemaining === 0) break;
      if (!inCallback && t.writeBlocked) break; // the rest in a later call
    }
    if (enc.frameRemaining === 0) this.#flushPending(false);
    return { code: CURLE.OK, sent };
  }

  /**
   * Send the control frames waiting (the PONG, then the CLOSE reply if
   * `withClose`), when no frame of the application is half sent. The first
   * send failure is returned; the frames are dropped either way (the
   * connection is then broken, and the next read says so).
   */
  #flushPending(withClose: boolean): { code: number; message: string } | null {
    if (this.#enc.frameRemaining > 0) return null;
    let fail: { code: number; message: string } | null = null;
    if (this.#pendingPong !== null) {
      const payload = this.#pendingPong;
      this.#pendingPong = null;
      // nothing but the closing handshake after our CLOSE
      if (!this.#closeSent) fail = this.#sendControl(CURLWS.PONG, payload);
    }
    if (withClose && this.#pendingClose !== null && !this.#closeSent) {
      const payload = this.#pendingClose;
      this.#pendingClose = null;
      this.#closeSent = true;
      fail ??= this.#sendControl(CURLWS.CLOSE, payload);
    }
    return fail;
  }

  #sendControl(flags: number, payload: Buffer): { code: number; message: string } | null {
    const f = this.#enc.frame(flags, payload);
    if (!f.ok) return { code: f.code, message: f.message };
    const r = this.#t.send(f.bytes);
    return r.ok ? null : { code: CURLE.SEND_ERROR, message: `Send failure: ${r.error.message}` };
  }
}
