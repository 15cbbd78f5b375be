// The header bytes of a transfer gathered by the engine itself: every line a
// HEADERFUNCTION would get (status lines, headers, blank lines, CONNECT
// replies, 1xx heads, trailers, FTP replies), in order, in one buffer the
// easy handle keeps from transfer to transfer.
//
// Why: node-libcurl's curly keeps the raw header text of every call, and a
// HEADERFUNCTION that copies each line costs about 2 us per request at
// bench (f)'s rates (a Buffer view per line, the client writer, a call into
// the application): more than the rest of curly's layer. Here HTTP/1 hands
// over the bytes it parsed in place (no view is made) and a head that arrived
// in one read is one copy.

/** A line whose bytes can be copied without making a Buffer of them (an in-place HTTP/1 line). */
export interface LoggableLine {
  readonly raw: Buffer;
  logTo?(log: HeadLog): void;
}

/** Lines up to this long are copied in a loop (no subarray view is made for them). */
const SHORT = 96;
/** The buffer a log starts with, and the most it keeps between transfers. */
const INITIAL = 2048;
const KEPT = 64 * 1024;

export class HeadLog {
  #bytes = Buffer.allocUnsafe(INITIAL);
  #length = 0;
  /**
   * Lines received in place are remembered as one span of the receive
   * buffer while they follow each other there (a whole head, usually) and
   * copied once: at the head's blank line, before anything else is added, and
   * when the engine is done running the transfer for now (settle(): the
   * transport may reuse that memory once back in the event loop).
   */
  #spanBuf: Uint8Array | null = null;
  #spanStart = 0;
  #spanEnd = 0;

  /** Empty, for a new transfer (a large buffer is let go). */
  clear(): void {
    if (this.#bytes.length > KEPT) this.#bytes = Buffer.allocUnsafe(INITIAL);
    this.#length = 0;
    this.#spanBuf = null;
  }

  /** Bytes [start, end) of a receive buffer that stays as it is until settle(): appended, copied later. */
  span(b: Uint8Array, start: number, end: number): void {
    if (b === this.#spanBuf && start === this.#spanEnd) {
      this.#spanEnd = end;
      return;
    }
    this.settle();
    this.#spanBuf = b;
    this.#spanStart = start;
    this.#spanEnd = end;
  }

  /** The span kept by span() copied now. */
  settle(): void {
    const b = this.#spanBuf;
    if (b === null) return;
    this.#spanBuf = null;
    this.#copy(b, this.#spanStart, this.#spanEnd);
  }

  /** Bytes [start, end) of `b` appended (copied now). */
  add(b: Uint8Array, start: number, end: number): void {
    this.settle();
    this.#copy(b, start, end);
  }

  #copy(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const at = this.#length;
    if (at + n > this.#bytes.length) this.#grow(at + n);
    const out = this.#bytes;
    if (n <= SHORT) {
      for (let i = 0; i < n; i++) out[at + i] = b[start + i]!;
    } else {
      out.set(b.subarray(start, end), at);
    }
    this.#length = at + n;
  }

  /** A received header line appended (in place when the line can). */
  line(l: LoggableLine): void {
    if (l.logTo !== undefined) l.logTo(this);
    else {
      const raw = l.raw;
      this.add(raw, 0, raw.length);
    }
  }

  #grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(need, this.#bytes.length * 2));
    this.#bytes.copy(bigger, 0, 0, this.#length);
    this.#bytes = bigger;
  }

  /** The bytes gathered, as a view valid until the next transfer of the handle. */
  bytes(): Buffer {
    this.settle();
    return this.#bytes.subarray(0, this.#length);
  }
}
