// A sans-I/O, incremental decoder of the WebSocket frames a server sends
// (RFC 6455 section 5), for the client side: push() received bytes in chunks
// of any size, then pull pieces of frame payload with next(), each with the
// curl_ws_meta() facts libcurl 8 reports for it. Nothing here does I/O,
// throws, allocates per byte or looks at a clock.
//
// What a piece is (curl_ws_meta.md, curl_ws_recv.md): libcurl delivers a
// frame's payload in chunks, as it arrives. A piece is part of ONE frame, never
// more; `offset` is where it starts within the frame's payload, `len` its
// size, `bytesleft` what the frame still owes after it. `flags` is the frame's
// message type, TEXT or BINARY on every frame of a fragmented message
// (continuation frames included) plus CURLWS_CONT on every frame but the
// final one; CLOSE/PING/PONG frames never carry CONT and may come between
// the fragments of a message. A frame with an empty payload is one piece of
// length 0. Data frames are cut where the pushed chunks end (libcurl hands on
// what its buffer holds); a control frame (at most 125 bytes) is held until
// it is complete and then handed on whole, so an auto-PONG always echoes the
// whole PING and a CLOSE's status code is never split (libcurl 8 may pass a
// control frame split across reads in two pieces; the meta of each piece is
// still exact, only the cut differs).
//
// Errors (all CURLE_RECV_ERROR, libcurl's code for every frame-decoding
// failure, with libcurl's messages) are found as soon as the offending byte
// arrives, and are sticky: the decoder never resynchronises, so a hostile
// peer gets an error, never a hang:
//   RSV1-3 set (no extension is ever negotiated)   "[WS] invalid reserved bits: %02x"
//   opcode 3-7 or 11-15                             "[WS] invalid opcode: %02x"
//   CONT frame with no fragmented message ongoing   "[WS] no ongoing fragmented message to resume"
//   new TEXT/BINARY while a message is unfinished   "[WS] fragmented message interrupted by new TEXT msg" (BINARY)
//   CLOSE/PING/PONG without FIN                     "[WS] invalid fragmented CLOSE frame" (PING, PONG)
//   masked frame (servers must not mask)            "[WS] masked input frame"
//   CLOSE/PING/PONG payload over 125 bytes          "[WS] received CLOSE frame is too big" (PING, PONG)
//   64-bit length with the top bit set              "[WS] frame length longer than 64 signed not supported"
//   length over `maxPayload`                        "[WS] frame length N is larger than the M bytes supported"
//
// The length bound: libcurl takes any payload length up to 2^63-1 (curl_off_t)
// and streams it. A JavaScript number counts bytes exactly only up to 2^53-1
// (Number.MAX_SAFE_INTEGER, 8 PiB), so that is the default `maxPayload`: any
// frame a real peer can send within it, while offsets and bytesleft stay
// exact. A smaller bound can be given (a frame "larger than the peer allows").
// Non-minimal length encodings (126 + a length under 126) are accepted, as
// libcurl does.
import { CURLE } from '../codes.js';
import { CURLWS, WSBIT, WS_OPCODE, WS_MAX_CONTROL_PAYLOAD, type WsFrameMeta } from './ws-flags.js';

export interface WsDecoderOptions {
  /** largest frame payload accepted, in bytes (default and maximum Number.MAX_SAFE_INTEGER) */
  maxPayload?: number;
}

/** The current frame's header, once it is complete (for a control frame: once its whole payload is in). */
export interface WsFrameHead {
  kind: 'head';
  /** counts frames from 1: tells whether two pieces belong to the same frame */
  seq: number;
  flags: number;
  /** the frame's payload length */
  length: number;
  /** payload bytes of this frame already handed out by next() */
  offset: number;
  /** a control frame's whole payload, our own copy (null for TEXT/BINARY) */
  control: Buffer | null;
}

/** A piece of payload. `data` is a view of the pushed bytes (or of the held control payload). */
export interface WsDecodedPiece {
  kind: 'piece';
  seq: number;
  data: Buffer;
  meta: WsFrameMeta;
}

export interface WsDecodeError {
  kind: 'error';
  code: number;
  message: string;
}

export interface WsNeedMore {
  kind: 'need-more';
}

const NEED_MORE: WsNeedMore = Object.freeze({ kind: 'need-more' });
const EMPTY = Buffer.alloc(0);

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** The first byte of a frame, judged against the fragmented message in progress (libcurl's ws_frame_firstbyte2flags). */
function firstByteFlags(b: number, contFlags: number): number | string {
  switch (b) {
    case WS_OPCODE.CONT: // an intermediate fragment
      if (!(contFlags & CURLWS.CONT)) return '[WS] no ongoing fragmented message to resume';
      return contFlags;
    case WS_OPCODE.CONT | WSBIT.FIN: // the final fragment
      if (!(contFlags & CURLWS.CONT)) return '[WS] no ongoing fragmented message to resume';
      return contFlags & ~CURLWS.CONT;
    case WS_OPCODE.TEXT:
    case WS_OPCODE.TEXT | WSBIT.FIN:
      if (contFlags & CURLWS.CONT) return '[WS] fragmented message interrupted by new TEXT msg';
      return b & WSBIT.FIN ? CURLWS.TEXT : CURLWS.TEXT | CURLWS.CONT;
    case WS_OPCODE.BIN:
    case WS_OPCODE.BIN | WSBIT.FIN:
      if (contFlags & CURLWS.CONT) return '[WS] fragmented message interrupted by new BINARY msg';
      return b & WSBIT.FIN ? CURLWS.BINARY : CURLWS.BINARY | CURLWS.CONT;
    case WS_OPCODE.CLOSE:
      return '[WS] invalid fragmented CLOSE frame';
    case WS_OPCODE.CLOSE | WSBIT.FIN:
      return CURLWS.CLOSE;
    case WS_OPCODE.PING:
      return '[WS] invalid fragmented PING frame';
    case WS_OPCODE.PING | WSBIT.FIN:
      return CURLWS.PING;
    case WS_OPCODE.PONG:
      return '[WS] invalid fragmented PONG frame';
    case WS_OPCODE.PONG | WSBIT.FIN:
      return CURLWS.PONG;
    default:
      if (b & WSBIT.RSV_MASK) return `[WS] invalid reserved bits: ${hex2(b)}`;
      return `[WS] invalid opcode: ${hex2(b)}`;
  }
}

function controlName(flags: number): string | null {
  if (flags & CURLWS.CLOSE) return 'CLOSE';
  if (flags & CURLWS.PING) return 'PING';
  if (flags & CURLWS.PONG) return 'PONG';
  return null;
}

export class WsFrameDecoder {
  readonly maxPayload: number;
  /** pushed chunks not consumed yet; the first one from #inputOff */
  #input: Buffer[] = [];
  #inputOff = 0;
  #inputLen = 0;
  /** how many of the first #input chunks are memory of our own (retain()); the rest are lent */
  #owned = 0;
  /** header bytes of the current frame, and how many the header has in all (2, 4 or 10) */
  #head = Buffer.alloc(10);
  #headLen = 0;
  #headTotal = 2;
  /** true once the current frame's header is complete */
  #inPayload = false;
  #flags = 0;
  #length = 0;
  #offset = 0;
  #seq = 0;
  /** TEXT|CONT or BINARY|CONT while a fragmented message is unfinished, else the last data frame's flags */
  #contFlags = 0;
  /** the current control frame's whole payload, once gathered */
  #control: Buffer | null = null;
  #error: WsDecodeError | null = null;

  constructor(opts: WsDecoderOptions = {}) {
    const max = opts.maxPayload ?? Number.MAX_SAFE_INTEGER;
    this.maxPayload = Math.max(0, Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER));
  }

  /** Received bytes. Kept by reference until consumed: see retain() for bytes that are only lent. */
  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.#error) return;
    this.#input.push(chunk);
    this.#inputLen += chunk.length;
  }

  /** Bytes pushed and not consumed yet (header bytes already parsed are consumed). */
  get buffered(): number {
    return this.#inputLen;
  }

  /** No frame begun: no header byte seen since the last complete frame. */
  get atFrameBoundary(): boolean {
    return !this.#inPayload && this.#headLen === 0;
  }

  /** The sticky error, if decoding failed. */
  get error(): WsDecodeError | null {
    return this.#error;
  }

  /**
   * Copy the bytes still held into memory of our own: for transports whose
   * recv() lends views that are only valid until control returns to the
   * event loop (StreamTransport.volatileRecv).
   */
  retain(): void {
    for (let i = this.#owned; i < this.#input.length; i++) {
      const b = this.#input[i]!;
      this.#input[i] = Buffer.from(i === 0 ? b.subarray(this.#inputOff) : b);
      if (i === 0) this.#inputOff = 0;
    }
    this.#owned = this.#input.length;
  }

  /**
   * The current frame's header, parsing it from the pushed bytes if needed.
   * 'need-more' until it is complete (for a control frame, until its whole
   * payload is in as well); an error once the bytes are not a valid frame.
   */
  head(): WsFrameHead | WsNeedMore | WsDecodeError {
    if (this.#error) return this.#error;
    if (!this.#inPayload) {
      const r = this.#parseHead();
      if (r !== null) return r;
    }
    if (this.#control === null && controlName(this.#flags) !== null) {
      if (this.#inputLen < this.#length) return NEED_MORE;
      this.#control = this.#length > 0 ? this.#take(this.#length) : EMPTY;
    }
    return { kind: 'head', seq: this.#seq, flags: this.#flags, length: this.#length, offset: this.#offset, control: this.#control };
  }

  /**
   * The next piece of the current frame's payload, at most `max` bytes.
   * With `max` 0 and payload bytes waiting, a piece of length 0 whose meta
   * tells about the frame without consuming any of it (curl_ws_recv with a
   * buflen of 0); a frame with an empty payload is consumed by that too.
   */
  next(max = Number.MAX_SAFE_INTEGER): WsDecodedPiece | WsNeedMore | WsDecodeError {
    const h = this.head();
    if (h.kind !== 'head') return h;
    const remaining = this.#length - this.#offset;
    let data: Buffer;
    if (remaining === 0) data = EMPTY;
    else if (this.#control !== null) data = this.#control.subarray(this.#offset, this.#offset + Math.min(max, remaining));
    else {
      if (this.#inputLen === 0) return NEED_MORE;
      const first = this.#input[0]!;
      const n = Math.min(first.length - this.#inputOff, remaining, max);
      data = first.subarray(this.#inputOff, this.#inputOff + n);
      this.#consume(n);
    }
    const offset = this.#offset;
    this.#offset += data.length;
    const meta: WsFrameMeta = { age: 0, flags: this.#flags, offset, bytesleft: this.#length - this.#offset, len: data.length };
    const piece: WsDecodedPiece = { kind: 'piece', seq: this.#seq, data, meta };
    if (this.#offset === this.#length && (data.length > 0 || remaining === 0)) this.#endFrame();
    return piece;
  }

  #endFrame(): void {
    this.#inPayload = false;
    this.#headLen = 0;
    this.#headTotal = 2;
    this.#control = null;
  }

  #fail(message: string): WsDecodeError {
    this.#error = { kind: 'error', code: CURLE.RECV_ERROR, message };
    this.#input = [];
    this.#inputOff = 0;
    this.#inputLen = 0;
    this.#owned = 0;
    return this.#error;
  }

  /** Parse header bytes; null once the header is complete. */
  #parseHead(): WsNeedMore | WsDecodeError | null {
    while (this.#headLen < this.#headTotal || this.#headLen < 2) {
      if (this.#inputLen === 0) return NEED_MORE;
      const b = this.#input[0]![this.#inputOff]!;
      this.#consume(1);
      const at = this.#headLen++;
      this.#head[at] = b;
      if (at === 0) {
        const f = firstByteFlags(b, this.#contFlags);
        if (typeof f === 'string') return this.#fail(f);
        this.#flags = f;
        // fragmentation state follows data frames only; control frames may come between fragments
        if (f & (CURLWS.TEXT | CURLWS.BINARY)) this.#contFlags = f;
      } else if (at === 1) {
        if (b & WSBIT.MASK) return this.#fail('[WS] masked input frame');
        const len7 = b & 0x7f;
        const control = controlName(this.#flags);
        if (control !== null && len7 > WS_MAX_CONTROL_PAYLOAD) return this.#fail(`[WS] received ${control} frame is too big`);
        this.#headTotal = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      } else if (at === 2 && this.#headTotal === 10 && b & 0x80) {
        return this.#fail('[WS] frame length longer than 64 signed not supported');
      }
    }
    let length: number;
    const h = this.#head;
    if (this.#headTotal === 2) length = h[1]! & 0x7f;
    else if (this.#headTotal === 4) length = h.readUInt16BE(2);
    else {
      const hi = h.readUInt32BE(2);
      const lo = h.readUInt32BE(6);
      // above 2^53-1 the number would be rounded: reject before computing it
      if (hi >= 0x200000) return this.#fail(`[WS] frame length ${h.readBigUInt64BE(2)} is larger than the ${this.maxPayload} bytes supported`);
      length = hi * 0x100000000 + lo;
    }
    if (length > this.maxPayload) return this.#fail(`[WS] frame length ${length} is larger than the ${this.maxPayload} bytes supported`);
    this.#length = length;
    this.#offset = 0;
    this.#inPayload = true;
    this.#seq++;
    return null;
  }

  #consume(n: number): void {
    this.#inputLen -= n;
    while (n > 0) {
      const first = this.#input[0]!;
      const avail = first.length - this.#inputOff;
      if (n < avail) {
        this.#inputOff += n;
        return;
      }
      n -= avail;
      this.#input.shift();
      this.#inputOff = 0;
      if (this.#owned > 0) this.#owned--;
    }
  }

  /** Take `n` buffered bytes (n <= buffered) as one Buffer of our own. */
  #take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    let i = 0;
    let off = this.#inputOff;
    while (at < n) {
      const b = this.#input[i++]!;
      at += b.copy(out, at, off, Math.min(b.length, off + (n - at)));
      off = 0;
    }
    this.#consume(n);
    return out;
  }
}
