// The tool's stdout and stderr: Node's stream for the descriptor, with what
// curl gets from a blocking fwrite(). For a pipe Node's stream never blocks:
// it queues whatever the reader has not taken yet, so a download into a slow
// pipe used to sit in memory whole. Here a transfer writing to stdout asks
// `blocked` first and pauses (CURL_WRITEFUNC_PAUSE) while more than
// SINK_HIGH_WATER waits in the queue, then resumes on 'drain'. A write error
// (EPIPE when the reader went away, ENOSPC on a full disk) is recorded, not
// thrown: the next body write fails and the transfer ends with curl's 23.
// Files and terminals are written synchronously by Node: they never block.
//
// Small writes gather in a buffer first, as curl's fwrite() on stdout does
// (stdio's buffer, BUFSIZ-sized for a pipe or file): a transfer's -i header
// lines, its body pieces and its -w text become one write(2), not one each.
// The buffer goes out when it is full, when the transfer ends (flush(): curl's
// post_per_transfer fflush()es stdout and fails the transfer with "Failed
// writing body" when that fails), before the tool writes to stderr (the order
// of the two stays what it was), at the end of the event loop's turn (a
// stream never waits in it for the network: curl would hold it until full),
// after every write with -N, and at exit.
import type { Writable } from 'node:stream';

/** What gathers before it is written: glibc's stdio buffer for a pipe or a file (st_blksize). */
export const SINK_BUFFER = 4096;

/**
 * Bytes that may wait in the stream before writers pause: large enough that
 * a fast reader gets batched writes (Node's writev of everything queued)
 * and pauses are rare, small enough to bound memory.
 */
export const SINK_HIGH_WATER = 1 << 20;

/** What a transfer needs to know about a destination that may push back. */
export interface OutputFlow {
  /** more than SINK_HIGH_WATER waits: pause until whenWritable() */
  readonly blocked: boolean;
  /** a write failed (or the stream is gone): nothing more gets through */
  readonly failed: boolean;
  /** `cb` runs once, when the queue has drained or the stream failed */
  whenWritable(cb: () => void): void;
  /**
   * Writes what the buffer gathered (curl's fflush()): false when buffered
   * bytes could not be written, by this flush or an earlier one since the
   * last call (an earlier one: before a stderr line, at the end of a turn).
   */
  flush(): boolean;
  /** Resolves when everything written so far reached the OS: true, or false when it failed. */
  flushed(): Promise<boolean>;
}

export class StreamSink implements OutputFlow {
  readonly #open: () => Writable;
  #stream: Writable | undefined;
  #error: Error | undefined;
  #waiters: (() => void)[] = [];

  readonly #buffered: boolean;

  /**
   * `open` makes the stream on first use (process.stdout costs ~0.7 ms to
   * make); `buffered` false writes each piece at once (stderr, as curl's).
   */
  constructor(open: () => Writable, buffered = true) {
    this.#open = open;
    this.#buffered = buffered;
  }

  #get(): Writable {
    if (this.#stream === undefined) {
      const s = this.#open();
      s.on('error', (e: Error) => {
        this.#error ??= e;
        this.#wake();
      });
      s.on('drain', () => this.#wake());
      s.on('close', () => this.#wake());
      this.#stream = s;
    }
    return this.#stream;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const cb of w) cb();
  }

  /**
   * Buffers `b` (copied: a write callback's data may be reused memory).
   * False when a flush it needed failed: as stdio's fwrite(), a piece that
   * fits in the buffer is taken even after the stream failed (the transfer's
   * end reports it: "Failed writing body").
   */
  write(b: Buffer | string): boolean {
    const copy = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
    this.#pending.push(copy);
    this.#pendingBytes += copy.length;
    if (this.#pendingBytes >= SINK_BUFFER || !this.#buffered) return this.flush();
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(this.#turnEnd);
    }
    return true;
  }

  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #flushQueued = false;
  readonly #turnEnd = (): void => {
    this.#flushQueued = false;
    this.#writePending();
  };

  flush(): boolean {
    this.#writePending();
    const lost = this.#lost;
    this.#lost = false;
    return !lost;
  }

  /** Buffered bytes could not be written (by any flush since the last flush() call, a stderr write's too). */
  #lost = false;

  /** Writes what gathered, before a stderr line and at exit: a failure is left for the next flush() to report. */
  writeGathered(): void {
    this.#writePending();
  }

  #writePending(): void {
    if (this.#pendingBytes === 0) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (!this.failed) {
      try {
        const s = this.#get();
        s.write(chunk);
        // a pipe whose reader is gone fails the write at once (EPIPE); the 'error' event comes a tick later
        if (s.errored) this.#error ??= s.errored;
      } catch (e) {
        // a synchronous stream (a file) may throw from its write
        this.#error ??= e as Error;
      }
    }
    if (this.failed) this.#lost = true;
  }

  get failed(): boolean {
    const s = this.#stream;
    return this.#error !== undefined || (s !== undefined && (s.destroyed || s.writableEnded));
  }

  get blocked(): boolean {
    const s = this.#stream;
    return s !== undefined && !this.failed && s.writableLength > SINK_HIGH_WATER;
  }

  whenWritable(cb: () => void): void {
    if (this.blocked) this.#waiters.push(cb);
    else queueMicrotask(cb);
  }

  async flushed(): Promise<boolean> {
    this.#writePending();
    const s = this.#stream;
    if (s === undefined) return true;
    if (!this.failed && s.writableLength > 0) {
      // an empty write's callback runs after everything queued before it
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        try {
          s.write(Buffer.alloc(0), () => resolve());
        } catch {
          resolve();
        }
      });
    }
    return !this.failed;
  }
}
