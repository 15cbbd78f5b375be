// The receive path of a plain TCP socket without a Buffer per chunk.
//
// Why: a paused-mode net.Socket hands out a freshly allocated 64 KiB Buffer
// for every read; a large download then spends its time in the garbage
// collector (external memory forces full collections). net.connect's
// `onread: { buffer, callback }` instead reads into memory we give it.
//
// Theory of operation. Every socket of the process reads into ONE shared
// scratch buffer (so 10,000 idle sockets cost no receive memory). Node calls
// our callback right after each read, outside any call into the library, so
// the bytes may not be consumed there (DESIGN.md §3): they are copied into
// this socket's queue of recycled 64 KiB slabs (a memcpy of data that is
// still in cache; no allocation once the slab pool is warm). recv() hands out
// views of the slabs; a drained slab goes back to the pool at once, so an idle
// socket holds no slab at all.
//
// Lifetime rule (libcurl's: the buffer passed to a write callback is only
// valid during the callback): a Buffer returned by take() stays intact until
// control returns to the event loop, because slabs are only written from
// Node's read callbacks. Whoever keeps received bytes beyond the library
// call that got them must copy them (the HTTP/1 parser's retain(), paused
// write callbacks' held data, decoders' partial headers, unrecv()).
//
// Flow control: when more than HIGH_WATER bytes are queued (the application
// stopped calling, or paused the transfer), the callback answers false and
// Node stops reading the socket (uv_read_stop); take() starts it again once
// the queue is below the mark, so a slow consumer bounds memory and TCP's
// window pushes back on the server, as with libcurl.

/** Size of the shared read buffer: the most one read(2) returns. */
export const READ_SIZE = 64 * 1024;
const SLAB_SIZE = 64 * 1024;
/** Queue more than this and the socket stops reading until take() drains it. */
export const HIGH_WATER = 256 * 1024;
/** Slabs kept for reuse across the process (the rest is left to the GC). */
const MAX_FREE_SLABS = 64;

const scratch = Buffer.allocUnsafeSlow(READ_SIZE);
const freeSlabs: Buffer[] = [];

function takeSlab(): Buffer {
  return freeSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_SIZE);
}
function giveSlab(b: Buffer): void {
  if (freeSlabs.length < MAX_FREE_SLABS) freeSlabs.push(b);
}

export class ReceiveQueue {
  /** slabs in arrival order; every one but the last is full */
  #slabs: Buffer[] = [];
  /** write offset in the last slab */
  #w = 0;
  #length = 0;
  /** the socket was told to stop reading (callback answered false) */
  #stopped = false;
  /** told when the queue turns non-empty (set by the transport) */
  onData: () => void = () => {};
  /** asked to start the socket reading again */
  onResume: () => void = () => {};

  /** The `onread` option for net.connect, bound to this queue. */
  readonly onread = {
    buffer: scratch,
    callback: (n: number): boolean => this.#append(n),
  };

  /** Bytes queued and not taken yet. */
  get length(): number {
    return this.#length;
  }

  #append(n: number): boolean {
    if (n <= 0) return true;
    const wasEmpty = this.#length === 0;
    let off = 0;
    while (off < n) {
      if (this.#slabs.length === 0 || this.#w === SLAB_SIZE) {
        this.#slabs.push(takeSlab());
        this.#w = 0;
      }
      const dst = this.#slabs[this.#slabs.length - 1]!;
      const k = Math.min(n - off, SLAB_SIZE - this.#w);
      scratch.copy(dst, this.#w, off, off + k);
      this.#w += k;
      off += k;
    }
    this.#length += n;
    if (wasEmpty) this.onData();
    if (this.#length < HIGH_WATER) return true;
    this.#stopped = true;
    return false;
  }

  /**
   * The queued bytes at the front that are contiguous in memory (one slab's
   * worth at most), removed from the queue; null when empty. See the
   * lifetime rule above.
   */
  take(): Buffer | null {
    if (this.#length === 0) return null;
    const slab = this.#slabs[0]!;
    const end = this.#slabs.length === 1 ? this.#w : SLAB_SIZE;
    // take() always empties the front slab, so reading starts at its offset 0
    const out = slab.subarray(0, end);
    this.#length -= out.length;
    this.#slabs.shift();
    giveSlab(slab);
    if (this.#slabs.length === 0) this.#w = 0;
    if (this.#stopped && this.#length < HIGH_WATER) {
      this.#stopped = false;
      this.onResume();
    }
    return out;
  }

  /** Forget everything queued (the socket is closing or changing hands). */
  clear(): void {
    for (const s of this.#slabs) giveSlab(s);
    this.#slabs = [];
    this.#w = 0;
    this.#length = 0;
  }
}
