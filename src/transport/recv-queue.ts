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
// this socket's queue of recycled slabs of 64 KiB, 256 KiB or 1 MiB, sized to
// the read (a memcpy of data that is still in cache; no allocation once the
// slab pool is warm). recv() hands out
// views of the slabs; a drained slab goes back to the pool at once, so an idle
// socket holds no slab at all. A small read into an empty queue (a keep-alive
// response) is copied into a Buffer of its own from Node's shared pool
// instead: 256 sockets answering in one turn must not hold 256 slabs.
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

/**
 * Size of the shared read buffer: the most one read(2) returns. Large: a
 * download on loopback then gets ~400 KiB per read instead of 64 KiB, a
 * sixth of the rounds through the engine, so even a first download, before
 * the JIT has optimized the per-read path, keeps up with the socket. The
 * buffer is one per process, so idle sockets do not pay for it.
 */
export const READ_SIZE = 1024 * 1024;
/**
 * Queue more than this and the socket stops reading until take() drains it.
 * One full read: a consumer that keeps up (takes everything a read brought
 * before the next read) never makes the socket stop and start again (two
 * epoll_ctl calls per read); a paused transfer holds at most this plus one
 * read.
 */
export const HIGH_WATER = READ_SIZE;
/** A read of at most this many bytes into an empty queue gets a Buffer of its own (Node's pool), not a slab. */
const SMALL_READ = 4 * 1024;

/**
 * Slab sizes, largest first, with how many free ones of each are kept for
 * reuse across the process (the rest is left to the GC). A read is copied
 * into the largest slabs it fills, so a 300 KiB read takes 256 + 64 KiB,
 * not 1 MiB: no read leaves more than 64 KiB of a slab unused.
 */
const SLAB_CLASSES = [
  { size: 1024 * 1024, free: [] as Buffer[], keep: 4 },
  { size: 256 * 1024, free: [] as Buffer[], keep: 16 },
  { size: 64 * 1024, free: [] as Buffer[], keep: 64 },
] as const;

const scratch = Buffer.allocUnsafeSlow(READ_SIZE);

/** A free slab for `remaining` more bytes. */
function takeSlab(remaining: number): Buffer {
  for (let i = 0; i < SLAB_CLASSES.length - 1; i++) {
    const c = SLAB_CLASSES[i]!;
    if (remaining >= c.size) return c.free.pop() ?? Buffer.allocUnsafeSlow(c.size);
  }
  const small = SLAB_CLASSES[SLAB_CLASSES.length - 1]!;
  return small.free.pop() ?? Buffer.allocUnsafeSlow(small.size);
}
function giveSlab(b: Buffer): void {
  for (let i = 0; i < SLAB_CLASSES.length; i++) {
    const c = SLAB_CLASSES[i]!;
    if (b.length !== c.size) continue;
    if (c.free.length < c.keep) c.free.push(b);
    return;
  }
}

/** What a ReceiveQueue tells the transport reading through it. */
export interface ReceiveQueueOwner {
  /** the queue turned non-empty */
  queueData(): void;
  /** the queue drained below the mark: start the socket reading again */
  queueResume(): void;
}

export class ReceiveQueue {
  /**
   * Segments in arrival order: slabs (recycled) and small Buffers of their
   * own (a read of at most SMALL_READ bytes into an empty queue: a keep-alive
   * response). Every slab but a last one is full.
   */
  #segs: Buffer[] = [];
  /** whether #segs[i] is a slab from the pool */
  #isSlab: boolean[] = [];
  /** write offset in the last segment when it is a slab */
  #w = 0;
  #length = 0;
  /** the socket was told to stop reading (callback answered false) */
  #stopped = false;
  /**
   * Told when the queue turns non-empty, and asked to start the socket reading
   * again (the transport). An object with methods rather than two closures:
   * every queue then calls the same two functions, so V8's optimized code for
   * the receive path does not start over (deoptimize) for each new connection.
   */
  owner: ReceiveQueueOwner | null = null;

  /** The `onread` option for net.connect, bound to this queue. */
  readonly onread = {
    buffer: scratch,
    callback: (n: number): boolean => this.#append(n),
  };

  /** Bytes queued and not taken yet. */
  get length(): number {
    return this.#length;
  }

  #lastIsOpenSlab(): boolean {
    const i = this.#segs.length - 1;
    return i >= 0 && this.#isSlab[i]! && this.#w < this.#segs[i]!.length;
  }

  #append(n: number): boolean {
    if (n <= 0) return true;
    const wasEmpty = this.#length === 0;
    if (n <= SMALL_READ && !this.#lastIsOpenSlab()) {
      // Many sockets answering in one turn (keep-alive requests at high
      // concurrency) must not take a 64 KiB slab each: a small read gets a
      // Buffer of its own from Node's shared allocation pool.
      const own = Buffer.allocUnsafe(n);
      scratch.copy(own, 0, 0, n);
      this.#segs.push(own);
      this.#isSlab.push(false);
    } else {
      let off = 0;
      while (off < n) {
        if (!this.#lastIsOpenSlab()) {
          this.#segs.push(takeSlab(n - off));
          this.#isSlab.push(true);
          this.#w = 0;
        }
        const dst = this.#segs[this.#segs.length - 1]!;
        const k = Math.min(n - off, dst.length - this.#w);
        scratch.copy(dst, this.#w, off, off + k);
        this.#w += k;
        off += k;
      }
    }
    this.#length += n;
    if (wasEmpty) this.owner?.queueData();
    if (this.#length <= HIGH_WATER) return true;
    this.#stopped = true;
    return false;
  }

  /**
   * The queued bytes at the front that are contiguous in memory (one
   * segment), removed from the queue; null when empty. See the lifetime
   * rule above (a small segment is the reader's to keep, but nobody may
   * count on that).
   */
  take(): Buffer | null {
    if (this.#length === 0) return null;
    const seg = this.#segs.shift()!;
    const slab = this.#isSlab.shift()!;
    let out = seg;
    if (slab) {
      // take() always empties the front segment, so a slab's bytes start at offset 0
      out = this.#segs.length === 0 ? seg.subarray(0, this.#w) : seg;
      giveSlab(seg);
    }
    if (this.#segs.length === 0) this.#w = 0;
    this.#length -= out.length;
    if (this.#stopped && this.#length <= HIGH_WATER) {
      this.#stopped = false;
      this.owner?.queueResume();
    }
    return out;
  }

  /** Forget everything queued (the socket is closing or changing hands). */
  clear(): void {
    for (let i = 0; i < this.#segs.length; i++) if (this.#isSlab[i]) giveSlab(this.#segs[i]!);
    this.#segs = [];
    this.#isSlab = [];
    this.#w = 0;
    this.#length = 0;
  }
}
