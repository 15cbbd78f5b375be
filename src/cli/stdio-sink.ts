// The tool's stdout and stderr: Node's stream for the descriptor, with what
// curl gets from a blocking fwrite(). For a pipe Node's stream never blocks:
// it queues whatever the reader has not taken yet, so a download into a slow
// pipe used to sit in memory whole. Here a transfer writing to stdout asks
// `blocked` first and pauses (CURL_WRITEFUNC_PAUSE) while more than
// SINK_HIGH_WATER waits in the queue, then resumes on 'drain'. A write error
// (EPIPE when the reader went away, ENOSPC on a full disk) is recorded, not
// thrown: the next body write fails and the transfer ends with curl's 23.
// Files and terminals are written synchronously by Node: they never block.
import type { Writable } from 'node:stream';

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
  /** Resolves when everything written so far reached the OS: true, or false when it failed. */
  flushed(): Promise<boolean>;
}

export class StreamSink implements OutputFlow {
  readonly #open: () => Writable;
  #stream: Writable | undefined;
  #error: Error | undefined;
  #waiters: (() => void)[] = [];

  /** `open` makes the stream on first use (process.stdout costs ~0.7 ms to make). */
  constructor(open: () => Writable) {
    this.#open = open;
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

  /** Queues `b` (copied: a write callback's data may be reused memory); false once the stream failed. */
  write(b: Buffer | string): boolean {
    if (this.failed) return false;
    try {
      this.#get().write(typeof b === 'string' ? b : Buffer.from(b));
    } catch (e) {
      // a synchronous stream (a file) may throw from its write
      this.#error ??= e as Error;
      return false;
    }
    return true;
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
