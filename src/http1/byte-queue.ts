// A FIFO of received Buffers that the HTTP/1 parser reads from without ever
// copying or re-scanning what it has already looked at.
//
// Why it exists: feeding a parser byte by byte must stay O(n). Concatenating
// every new chunk onto a growing buffer is O(n^2), and so is searching for
// LF from the start of a partial line after every feed. Here each fed Buffer
// is kept as is; reads hand out zero-copy subarrays; a partial line is kept
// as a list of pieces and joined once, when its LF arrives.
//
// The optional "tap" records every consumed piece: the parser uses it to pass
// a chunked body through undecoded (transferDecoding: false) while the
// chunked decoder still runs over it to find where the body ends.

const LF = 0x0a;
/** Shared empty result: a zero-length Buffer cannot be written to. */
const EMPTY = Buffer.alloc(0);

/** Result of readLine() when the line grew past the limit before its LF. */
export const LINE_TOO_LONG = Symbol('line-too-long');

export class ByteQueue {
  #bufs: Buffer[] = [];
  #head = 0; // index of the first unread Buffer in #bufs
  #off = 0; // read offset inside #bufs[#head]
  #length = 0; // unread bytes in #bufs (partial line pieces not included)
  #lineParts: Buffer[] = [];
  #lineLen = 0;
  #tap: Buffer[] | null = null;
  /** #bufs from this index on were pushed since the last own() (still the pusher's memory) */
  #volatileFrom = 0;
  /** #lineParts before this index are copies made by own() */
  #linePartsOwned = 0;

  /** Unread bytes, not counting a partial line already taken by readLine(). */
  get length(): number {
    return this.#length;
  }

  /** Bytes of a line started by readLine() whose LF has not arrived yet. */
  get partialLineLength(): number {
    return this.#lineLen;
  }

  push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.#bufs.push(buf);
    this.#length += buf.length;
  }

  /**
   * Copy the bytes still held that came from push() since the last own(),
   * so the pusher may reuse that memory (a transport reading into recycled
   * buffers). What was copied once is not copied again, so a long line that
   * arrives in many pieces stays O(n).
   */
  own(): void {
    const start = Math.max(this.#head, this.#volatileFrom);
    if (start < this.#bufs.length) {
      const parts = this.#bufs.slice(start);
      if (start === this.#head && this.#off > 0) {
        parts[0] = parts[0]!.subarray(this.#off);
        this.#off = 0;
      }
      this.#bufs.length = start;
      this.#bufs.push(Buffer.concat(parts)); // concat always copies, even one part
    }
    this.#volatileFrom = this.#bufs.length;
    const lp = this.#lineParts;
    if (this.#linePartsOwned < lp.length) {
      const copy = Buffer.concat(lp.slice(this.#linePartsOwned));
      lp.length = this.#linePartsOwned;
      lp.push(copy);
      this.#linePartsOwned = lp.length;
    }
    if (this.#tap && this.#tap.length > 0) this.#tap = [Buffer.concat(this.#tap)];
  }

  /** Empty, as new. */
  reset(): void {
    this.#bufs.length = 0;
    this.#head = 0;
    this.#off = 0;
    this.#length = 0;
    if (this.#lineParts.length > 0) this.#lineParts = [];
    this.#lineLen = 0;
    this.#tap = null;
    this.#volatileFrom = 0;
    this.#linePartsOwned = 0;
  }

  /** Start (or stop, with false) recording consumed bytes. */
  setTap(on: boolean): void {
    this.#tap = on ? [] : null;
  }

  /** The bytes consumed since the last drain, as one Buffer (may be empty). */
  drainTap(): Buffer {
    const t = this.#tap;
    if (!t || t.length === 0) return EMPTY;
    this.#tap = [];
    return t.length === 1 ? t[0]! : Buffer.concat(t);
  }

  /** The next unread byte, or -1 when nothing is buffered. */
  peekByte(): number {
    if (this.#length === 0) return -1;
    return this.#bufs[this.#head]![this.#off]!;
  }

  /** Consume one byte (caller checked peekByte() !== -1). */
  skipByte(): void {
    this.#consume(1);
  }

  /**
   * Up to `max` bytes from the front, as a zero-copy slice of one fed Buffer
   * (so possibly fewer than are buffered). Empty when nothing is buffered.
   */
  take(max: number): Buffer {
    if (this.#length === 0 || max <= 0) return EMPTY;
    const b = this.#bufs[this.#head]!;
    const n = Math.min(max, b.length - this.#off);
    // a whole fed Buffer goes out as it is (a large body: one view less per chunk)
    const out = this.#off === 0 && n === b.length ? b : b.subarray(this.#off, this.#off + n);
    this.#consume(n);
    return out;
  }

  /** Consume bytes up to and including the next LF; false if no LF yet (all consumed). */
  skipThroughLF(): boolean {
    while (this.#length > 0) {
      const b = this.#bufs[this.#head]!;
      const idx = b.indexOf(LF, this.#off);
      if (idx >= 0) {
        this.#consume(idx + 1 - this.#off);
        return true;
      }
      this.#consume(b.length - this.#off);
    }
    return false;
  }

  /**
   * The next complete line including its LF (and CR, if any), or null when
   * its LF has not arrived (the bytes seen so far are kept aside and not
   * scanned again). LINE_TOO_LONG once the line reaches `limit` bytes.
   */
  readLine(limit: number): Buffer | null | typeof LINE_TOO_LONG {
    while (this.#length > 0) {
      const b = this.#bufs[this.#head]!;
      const start = this.#off;
      const idx = b.indexOf(LF, start);
      const end = idx >= 0 ? idx + 1 : b.length;
      const piece = b.subarray(start, end);
      this.#consume(end - start);
      this.#lineLen += piece.length;
      if (this.#lineLen >= limit) return LINE_TOO_LONG;
      if (idx >= 0) {
        if (this.#lineParts.length === 0) {
          this.#lineLen = 0;
          return piece;
        }
        const line = Buffer.concat([...this.#lineParts, piece], this.#lineLen);
        this.#lineParts = [];
        this.#linePartsOwned = 0;
        this.#lineLen = 0;
        return line;
      }
      this.#lineParts.push(piece);
    }
    return null;
  }

  /**
   * The first unread Buffer, read in place by a caller that parses whole
   * lines straight from it (with headOffset, then advance()); undefined when
   * nothing is queued. Only meaningful while no partial line is held.
   */
  get head(): Buffer | undefined {
    return this.#length > 0 ? this.#bufs[this.#head] : undefined;
  }

  /** Read offset inside head. */
  get headOffset(): number {
    return this.#off;
  }

  /** Consume `n` bytes that the caller read in place from head (n <= head.length - headOffset). */
  advance(n: number): void {
    this.#consume(n);
  }

  /** Whether the unread bytes start with "HTTP/" (exact case) in one piece: linePrefix()'s fast path. */
  startsWithHttpSlash(): boolean {
    if (this.#lineParts.length > 0 || this.#length < 5) return false;
    const b = this.#bufs[this.#head]!;
    const o = this.#off;
    return b.length - o >= 5 && b[o] === 0x48 && b[o + 1] === 0x54 && b[o + 2] === 0x54 && b[o + 3] === 0x50 && b[o + 4] === 0x2f;
  }

  /**
   * The first `n` bytes of the current line (partial line pieces, then unread
   * bytes), stopping early at LF or when the data runs out.
   */
  linePrefix(n: number): number[] {
    const out: number[] = [];
    for (const p of this.#lineParts) {
      for (let i = 0; i < p.length && out.length < n; i++) out.push(p[i]!);
      if (out.length >= n) return out;
    }
    for (let bi = this.#head; bi < this.#bufs.length && out.length < n; bi++) {
      const b = this.#bufs[bi]!;
      for (let i = bi === this.#head ? this.#off : 0; i < b.length && out.length < n; i++) {
        out.push(b[i]!);
        if (b[i] === LF) return out;
      }
    }
    return out;
  }

  /** Put a partial line taken by readLine() back in front of the unread bytes. */
  unreadPartialLine(): void {
    if (this.#lineParts.length === 0) return;
    const parts = this.#lineParts;
    this.#lineParts = [];
    this.#linePartsOwned = 0;
    this.#lineLen = 0;
    const rest = this.#bufs.slice(this.#head);
    if (this.#off > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(this.#off);
    this.#bufs = [...parts, ...rest];
    this.#head = 0;
    this.#off = 0;
    this.#volatileFrom = 0; // not known piece by piece any more: a later own() copies it all
    for (const p of parts) this.#length += p.length;
  }

  /**
   * The unread bytes (not a partial line), left in the queue: a view when
   * they are in one fed Buffer, a copy otherwise. For looking, not parsing
   * (the exchange traces a chunked body's bytes as they came).
   */
  peekAll(): Buffer {
    if (this.#length === 0) return EMPTY;
    const first = this.#bufs[this.#head]!;
    if (first.length - this.#off === this.#length) return first.subarray(this.#off);
    const parts = this.#bufs.slice(this.#head);
    parts[0] = first.subarray(this.#off);
    return Buffer.concat(parts, this.#length);
  }

  /** Everything unread (and any partial line), removed from the queue. */
  takeAll(): Buffer {
    this.unreadPartialLine();
    const parts: Buffer[] = [];
    while (this.#length > 0) parts.push(this.take(this.#length));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  #consume(n: number): void {
    const b = this.#bufs[this.#head]!;
    if (this.#tap) this.#tap.push(b.subarray(this.#off, this.#off + n));
    this.#off += n;
    this.#length -= n;
    if (this.#off >= b.length) {
      this.#off = 0;
      this.#head++;
      // Compact now and then so a long run of tiny feeds does not keep a
      // huge array alive, without paying O(n) per shift.
      if (this.#head === this.#bufs.length) {
        this.#bufs.length = 0; // nothing else holds this array (own() and unreadPartialLine() copy)
        this.#head = 0;
        this.#volatileFrom = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#bufs.length) {
        this.#bufs = this.#bufs.slice(this.#head);
        this.#volatileFrom = Math.max(0, this.#volatileFrom - this.#head);
        this.#head = 0;
      }
    }
  }
}
