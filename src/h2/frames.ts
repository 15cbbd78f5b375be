// HTTP/2 frames (RFC 9113 4 and 6): the 9-byte header, an incremental reader
// fed the transport's Buffers, and a writer that builds frames into few
// Buffers. The reader hands each whole frame to its sink as a view of the
// bytes it came in (a DATA payload is never copied); only a frame split across
// reads is assembled, once, into a Buffer of its own. The writer appends
// small frames to one slab and sends what a library call wrote in one
// transport send at the end of the JavaScript turn (cork); large DATA
// payloads go as the caller's Buffers.

export const FRAME = {
  DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9,
} as const;

export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** RFC 9113 7 error codes */
export const H2ERR = {
  NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, SETTINGS_TIMEOUT: 4, STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, CONNECT_ERROR: 10, ENHANCE_YOUR_CALM: 11,
} as const;

/** SETTINGS identifiers (RFC 9113 6.5.2) */
export const SETTING = {
  HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6,
} as const;

/** the client connection preface (RFC 9113 3.4) */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** SETTINGS_MAX_FRAME_SIZE's initial value: the largest frame we accept (we announce no other) */
export const DEFAULT_MAX_FRAME = 16384;
export const MAX_WINDOW = 0x7fffffff;

/** Receives the frames a FrameReader completes; returns 0, or an error code that ends reading (a connection error). */
export interface FrameSink {
  frame(type: number, flags: number, stream: number, buf: Buffer, start: number, end: number): number;
}

/**
 * The incremental frame reader. feed() parses every whole frame of `buf`
 * (plus one begun in an earlier buffer) and keeps the tail of an unfinished
 * one: up to 9 header bytes, or a payload Buffer allocated once at the frame's
 * length (checked against the limit first).
 */
export class FrameReader {
  readonly #hdr = Buffer.alloc(9);
  #hdrLen = 0;
  /** the payload of the frame being assembled, or null */
  #payload: Buffer | null = null;
  #got = 0;
  readonly #max: number;
  /** an unpadded DATA frame split across reads goes to the sink in parts (see the constructor) */
  readonly #dataParts: boolean;
  /** bytes still to come of a DATA frame delivered in parts, its flags and stream */
  #dataLeft = 0;
  #dataFlags = 0;
  #dataStream = 0;

  /**
   * With `dataParts`, an unpadded DATA frame that continues in a later read
   * is not assembled: each read's piece of it goes to the sink at once as a
   * DATA frame of its own (a view; END_STREAM on the last piece only), as
   * nghttp2 hands out data chunks. The receiver's accounting (windows,
   * lengths) is per byte, so the pieces mean what the frame means; what is
   * saved is an allocation and a copy per read (TLS records do not end where
   * frames do).
   */
  constructor(maxFrameSize = DEFAULT_MAX_FRAME, dataParts = false) {
    this.#max = maxFrameSize;
    this.#dataParts = dataParts;
  }

  /** Nothing of a frame is held (all fed bytes were whole frames). */
  get idle(): boolean {
    return this.#hdrLen === 0 && this.#payload === null && this.#dataLeft === 0;
  }

  /** A DATA frame of `len` payload bytes, of which `buf[start, end)` came now: the first piece to the sink, the rest awaited. */
  #dataBegin(flags: number, stream: number, len: number, buf: Buffer, start: number, end: number, sink: FrameSink): number {
    this.#dataLeft = len - (end - start);
    this.#dataFlags = flags;
    this.#dataStream = stream;
    return end > start ? sink.frame(FRAME.DATA, flags & ~FLAG.END_STREAM, stream, buf, start, end) : 0;
  }

  /** Parse `buf`; returns 0 or the error code that stopped it (FRAME_SIZE_ERROR, or the sink's). */
  feed(buf: Buffer, sink: FrameSink): number {
    let i = 0;
    const n = buf.length;
    if (this.#hdrLen > 0 || this.#payload !== null || this.#dataLeft > 0) {
      const r = this.#continue(buf, sink);
      if (r < 0) return -r;
      i = r;
    }
    while (n - i >= 9) {
      const len = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
      if (len > this.#max) return H2ERR.FRAME_SIZE_ERROR;
      const end = i + 9 + len;
      if (end > n && this.#dataParts && buf[i + 3] === FRAME.DATA && !(buf[i + 4]! & FLAG.PADDED)) {
        return this.#dataBegin(buf[i + 4]!, ((buf[i + 5]! & 0x7f) << 24 | buf[i + 6]! << 16 | buf[i + 7]! << 8 | buf[i + 8]!) >>> 0, len, buf, i + 9, n, sink);
      }
      if (end > n) {
        // the payload continues in a later buffer: assembled once
        buf.copy(this.#hdr, 0, i, i + 9);
        this.#hdrLen = 9;
        const p = Buffer.allocUnsafe(len);
        this.#got = buf.copy(p, 0, i + 9, n);
        this.#payload = p;
        return 0;
      }
      const e = sink.frame(buf[i + 3]!, buf[i + 4]!, ((buf[i + 5]! & 0x7f) << 24 | buf[i + 6]! << 16 | buf[i + 7]! << 8 | buf[i + 8]!) >>> 0, buf, i + 9, end);
      if (e !== 0) return e;
      i = end;
    }
    if (i < n) this.#hdrLen = buf.copy(this.#hdr, 0, i, n);
    return 0;
  }

  /** Go on with a frame begun earlier; the offset in `buf` after it, or -code on error. */
  #continue(buf: Buffer, sink: FrameSink): number {
    let i = 0;
    const h = this.#hdr;
    if (this.#dataLeft > 0) {
      const take = Math.min(this.#dataLeft, buf.length);
      this.#dataLeft -= take;
      const flags = this.#dataLeft === 0 ? this.#dataFlags : this.#dataFlags & ~FLAG.END_STREAM;
      const e = sink.frame(FRAME.DATA, flags, this.#dataStream, buf, 0, take);
      return e !== 0 ? -e : take;
    }
    if (this.#payload === null) {
      const take = Math.min(9 - this.#hdrLen, buf.length);
      buf.copy(h, this.#hdrLen, 0, take);
      this.#hdrLen += take;
      i = take;
      if (this.#hdrLen < 9) return i;
      const len = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
      if (len > this.#max) return -H2ERR.FRAME_SIZE_ERROR;
      if (buf.length - i >= len) {
        // the whole payload is in this buffer: a view
        this.#hdrLen = 0;
        const e = sink.frame(h[3]!, h[4]!, h.readUInt32BE(5) & 0x7fffffff, buf, i, i + len);
        return e !== 0 ? -e : i + len;
      }
      if (this.#dataParts && h[3] === FRAME.DATA && !(h[4]! & FLAG.PADDED)) {
        this.#hdrLen = 0;
        const e = this.#dataBegin(h[4]!, h.readUInt32BE(5) & 0x7fffffff, len, buf, i, buf.length, sink);
        return e !== 0 ? -e : buf.length;
      }
      this.#payload = Buffer.allocUnsafe(len);
      this.#got = 0;
    }
    const p = this.#payload;
    const take = Math.min(p.length - this.#got, buf.length - i);
    buf.copy(p, this.#got, i, i + take);
    this.#got += take;
    i += take;
    if (this.#got < p.length) return i;
    this.#payload = null;
    this.#hdrLen = 0;
    const e = sink.frame(h[3]!, h[4]!, h.readUInt32BE(5) & 0x7fffffff, p, 0, p.length);
    return e !== 0 ? -e : i;
  }
}

/** a slab for small frames; a frame larger than this gets its own */
const SLAB = 16 * 1024;
/** DATA payloads up to this are copied into the slab (one send); larger ones go as they are */
const COPY_MAX = 1024;

/** written bytes that go out at once rather than at the end of the turn */
const FLUSH_AT = 64 * 1024;

/**
 * Builds outgoing frames. Small frames go into a slab, DATA payloads above
 * COPY_MAX as their own Buffers (the slab's written part is never written
 * again). What was written goes to `out` at the end of the JavaScript turn
 * (process.nextTick, before any I/O), concatenated when small: the frames of
 * one library call leave in one send. 64 KiB written go at once.
 */
export class FrameWriter {
  readonly #out: (b: Buffer) => void;
  #queued = false;
  readonly #flush = (): void => this.flush();

  constructor(out: (b: Buffer) => void) {
    this.#out = out;
  }

  #queue(): void {
    if (!this.#queued) {
      this.#queued = true;
      process.nextTick(this.#flush);
    }
  }

  /** Send what was written. */
  flush(): void {
    this.#queued = false;
    const parts = this.take();
    if (parts.length === 1) this.#out(parts[0]!);
    else if (parts.length > 1) {
      let total = 0;
      for (const p of parts) total += p.length;
      if (total <= FLUSH_AT) this.#out(Buffer.concat(parts, total));
      else for (const p of parts) this.#out(p);
    }
  }

  #slab = Buffer.allocUnsafe(SLAB);
  /** where the part not taken yet begins, and where writing goes on */
  #start = 0;
  #at = 0;
  readonly #parts: Buffer[] = [];
  #bytes = 0;

  /** bytes written and not taken */
  get pending(): number {
    return this.#bytes + this.#at - this.#start;
  }

  /** Room for `n` bytes in the slab: the offset to write at. */
  #room(n: number): number {
    if (this.#at + n > this.#slab.length) {
      this.#cut();
      this.#slab = Buffer.allocUnsafe(Math.max(SLAB, n));
      this.#start = this.#at = 0;
    }
    const o = this.#at;
    this.#at += n;
    if (!this.#queued) this.#queue();
    return o;
  }

  /** The slab's written part becomes a part of its own. */
  #cut(): void {
    if (this.#at > this.#start) {
      const b = this.#slab.subarray(this.#start, this.#at);
      this.#parts.push(b);
      this.#bytes += b.length;
      this.#start = this.#at;
    }
  }

  #header(o: number, len: number, type: number, flags: number, stream: number): void {
    const s = this.#slab;
    s[o] = len >>> 16;
    s[o + 1] = (len >>> 8) & 0xff;
    s[o + 2] = len & 0xff;
    s[o + 3] = type;
    s[o + 4] = flags;
    s.writeUInt32BE(stream, o + 5);
  }

  /** Raw bytes (the connection preface). */
  raw(b: Buffer): void {
    const o = this.#room(b.length);
    b.copy(this.#slab, o);
  }

  /** A frame with a payload written by the caller into the slab at the returned offset. */
  frame(type: number, flags: number, stream: number, len: number): { buf: Buffer; at: number } {
    const o = this.#room(9 + len);
    this.#header(o, len, type, flags, stream);
    return { buf: this.#slab, at: o + 9 };
  }

  /** A frame whose payload is `payload[start, end)` (HEADERS/CONTINUATION fragments, SETTINGS). */
  framePayload(type: number, flags: number, stream: number, payload: Buffer, start = 0, end = payload.length): void {
    const len = end - start;
    const o = this.#room(9 + len);
    this.#header(o, len, type, flags, stream);
    payload.copy(this.#slab, o + 9, start, end);
  }

  /** A DATA frame: its payload is copied when small, else sent as it is (a view of the caller's Buffer). */
  data(flags: number, stream: number, payload: Buffer): void {
    if (payload.length <= COPY_MAX) {
      this.framePayload(FRAME.DATA, flags, stream, payload);
      return;
    }
    const o = this.#room(9);
    this.#header(o, payload.length, FRAME.DATA, flags, stream);
    this.#cut();
    this.#parts.push(payload);
    this.#bytes += payload.length;
    if (this.pending >= FLUSH_AT) this.flush();
    else this.#queue();
  }

  /** HEADERS (with a priority, when given) and the CONTINUATIONs a block beyond the peer's frame size needs. */
  headerBlock(id: number, endStream: boolean, block: Buffer, priority: { weight: number; parent: number; exclusive: boolean } | null, maxFrame: number): void {
    const extra = priority !== null ? 5 : 0;
    const first = Math.min(block.length, maxFrame - extra);
    const flags = (endStream ? FLAG.END_STREAM : 0) | (first === block.length ? FLAG.END_HEADERS : 0) | (priority !== null ? FLAG.PRIORITY : 0);
    const f = this.frame(FRAME.HEADERS, flags, id, extra + first);
    if (priority !== null) {
      f.buf.writeUInt32BE(((priority.exclusive ? 0x80000000 : 0) | priority.parent) >>> 0, f.at);
      f.buf[f.at + 4] = Math.min(256, Math.max(1, priority.weight)) - 1;
    }
    block.copy(f.buf, f.at + extra, 0, first);
    for (let at = first; at < block.length; at += maxFrame) {
      const end = Math.min(block.length, at + maxFrame);
      this.framePayload(FRAME.CONTINUATION, end === block.length ? FLAG.END_HEADERS : 0, id, block, at, end);
    }
  }

  u32(type: number, flags: number, stream: number, v: number): void {
    const f = this.frame(type, flags, stream, 4);
    f.buf.writeUInt32BE(v >>> 0, f.at);
  }

  rstStream(stream: number, code: number): void {
    this.u32(FRAME.RST_STREAM, 0, stream, code);
  }

  windowUpdate(stream: number, increment: number): void {
    this.u32(FRAME.WINDOW_UPDATE, 0, stream, increment);
  }

  settingsAck(): void {
    this.frame(FRAME.SETTINGS, FLAG.ACK, 0, 0);
  }

  pingAck(payload: Buffer, start: number): void {
    this.framePayload(FRAME.PING, FLAG.ACK, 0, payload, start, start + 8);
  }

  goaway(lastStream: number, code: number): void {
    const f = this.frame(FRAME.GOAWAY, 0, 0, 8);
    f.buf.writeUInt32BE(lastStream, f.at);
    f.buf.writeUInt32BE(code >>> 0, f.at + 4);
  }

  /** What was written since the last take(), in order (empty: nothing). */
  take(): Buffer[] {
    this.#cut();
    const out = this.#parts.splice(0);
    this.#bytes = 0;
    return out;
  }
}

/** A SETTINGS payload of [id, value] pairs. */
export function settingsPayload(list: readonly (readonly [number, number])[]): Buffer {
  const b = Buffer.alloc(list.length * 6);
  list.forEach(([id, v], k) => {
    b.writeUInt16BE(id, k * 6);
    b.writeUInt32BE(v >>> 0, k * 6 + 2);
  });
  return b;
}
