// Where a transfer puts the response body until somebody takes it. Most
// callers want the whole body (text(), json(), arrayBuffer()): for them the
// chunks are only gathered and joined, without a Readable — building one,
// its async iterator and its end-of-stream watchers cost more CPU than the
// rest of a small request's path in this layer. The Readable (`stream()`)
// is made on first use, fed with what was gathered so far and from then on
// with every chunk. Backpressure is libcurl's pause either way: while
// nobody takes the chunks, more than a stream's high-water mark of them
// pauses the transfer (CURLPAUSE_RECV), and reading resumes it.
import { Buffer } from 'node:buffer';
import { ChunkQueue } from './chunk-queue.js';
import { BODY_HIGH_WATER_MARK, ResponseBody, type BodySource } from './response-body.js';

/** A reader that takes the chunks as they come (CurlDispatcher's undici handler). */
export interface BodyConsumer {
  /** a chunk (a copy); false: no more until resume() */
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: Error): void;
}

/** The transfer that fills a BodySink. */
export interface BodyOwner {
  /** unpause the transfer: the reader caught up */
  resumeRecv(): void;
  /** the reader destroyed the stream before its end: the transfer should stop */
  abandon(): void;
}

export class BodySink implements BodySource {
  /** chunks nobody took yet (copies: libcurl reuses its buffer after the callback) */
  readonly #chunks = new ChunkQueue();
  #ended = false;
  #error: Error | null = null;
  #stream: ResponseBody | null = null;
  /**
   * a collect() waits for the whole body: its promise's resolve and reject
   * (two fields, not an object: see ChunkQueue on allocation)
   */
  #collectResolve: ((b: Buffer) => void) | null = null;
  #collectReject: ((err: unknown) => void) | null = null;
  /** the chunks went to a collect() already: a later stream() is empty */
  #taken = false;
  /** the transfer is paused because nobody takes the chunks */
  #held = false;
  #abandoned = false;
  #consumer: BodyConsumer | null = null;
  /** the consumer asked for no more chunks until resume() */
  #consumerPaused = false;
  #flushQueued = false;
  /** the stream exists but has no Readable reader yet: its chunks are still here (see response-body.ts) */
  #detached = false;
  /** the stream's iterator waits for a chunk, the end or an error */
  #waiter: (() => void) | null = null;
  readonly #owner: BodyOwner;

  constructor(owner: BodyOwner) {
    this.#owner = owner;
  }

  /** The reader is gone (stream destroyed early, or destroy()): the transfer should write no more. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** Every chunk was handed over and the body ended or failed. */
  get settled(): boolean {
    return this.#ended || this.#error !== null;
  }

  /** Hand a chunk over; false asks the caller to pause the transfer until the reader catches up. */
  deliver(chunk: Buffer): boolean {
    if (this.#abandoned || this.settled) return true;
    const copy = Buffer.allocUnsafe(chunk.length);
    copy.set(chunk);
    if (this.#stream && !this.#taken && !this.#detached) {
      if (this.#stream.push(copy)) return true;
      this.#held = true;
      return false;
    }
    this.#chunks.push(copy);
    if (this.#consumer) this.#queueFlush();
    this.#wake();
    if (this.#collectResolve || this.#chunks.size < BODY_HIGH_WATER_MARK) return true;
    this.#held = true;
    return false;
  }

  /** The body is complete. */
  finish(): void {
    if (this.#abandoned || this.settled) return;
    this.#ended = true;
    if (this.#consumer) this.#queueFlush();
    const resolve = this.#collectResolve;
    if (resolve) {
      this.#collectResolve = this.#collectReject = null;
      resolve(this.#chunks.join());
    }
    if (this.#detached) this.#wake();
    else this.#stream?.push(null);
  }

  /** The body failed (transfer error, abort): the reader gets `err`. */
  destroy(err: Error): void {
    if (this.settled) return;
    this.#error = err;
    this.#abandoned = true;
    this.#chunks.clear();
    if (this.#consumer) this.#queueFlush();
    const reject = this.#collectReject;
    if (reject) {
      this.#collectResolve = this.#collectReject = null;
      reject(err);
    }
    if (this.#stream && !this.#stream.destroyed) this.#stream.destroy(err);
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    if (w) {
      this.#waiter = null;
      w();
    }
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** No chunk will come any more, and none is left. */
  get ended(): boolean {
    return this.#chunks.empty && this.settled;
  }

  /** The detached stream's iterator takes the next chunk (reading it resumes a held transfer). */
  take(): Buffer | null {
    const chunk = this.#chunks.shift();
    if (chunk === null) return null;
    if (this.#held && this.#chunks.size < BODY_HIGH_WATER_MARK) {
      this.#held = false;
      this.#owner.resumeRecv();
    }
    return chunk;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** A Readable reader came: the chunks go into the stream from now on. */
  attach(): void {
    if (!this.#detached) return;
    this.#detached = false;
    const s = this.#stream!;
    for (let c = this.#chunks.shift(); c !== null; c = this.#chunks.shift()) s.push(c);
    if (this.#ended) s.push(null);
  }

  /** The whole body at once (rejects with the transfer's error). Without a stream: the chunks joined. */
  collect(): Promise<Buffer> {
    if (this.#stream || this.#taken || this.#collectResolve) return this.#collectStream();
    this.#taken = true;
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(this.#chunks.join());
    return new Promise<Buffer>((resolve, reject) => {
      this.#collectResolve = resolve;
      this.#collectReject = reject;
      if (this.#held) {
        this.#held = false;
        this.#owner.resumeRecv();
      }
    });
  }

  async #collectStream(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.stream()) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  /**
   * Hand every chunk to `consumer` as it comes, then its end or error. The
   * calls come from a microtask, never from inside a libcurl callback, so the
   * consumer may abort the transfer from them. pauseConsumer() and
   * resumeConsumer() are its own flow control (data() returning false pauses too).
   */
  consume(consumer: BodyConsumer): void {
    this.#consumer = consumer;
    this.#queueFlush();
  }

  /** The consumer wants no chunks until resumeConsumer(). */
  pauseConsumer(): void {
    this.#consumerPaused = true;
  }

  resumeConsumer(): void {
    if (!this.#consumerPaused) return;
    this.#consumerPaused = false;
    this.#queueFlush();
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  /** The consumer gets what is there, in order, until it pauses; then the end or the error. */
  #flush(): void {
    const c = this.#consumer;
    if (!c) return;
    while (!this.#consumerPaused && !this.#chunks.empty && !this.#error) {
      const chunk = this.#chunks.shift()!;
      if (!c.data(chunk)) this.#consumerPaused = true;
    }
    if (this.#error) {
      this.#consumer = null;
      c.error(this.#error);
      return;
    }
    if (this.#chunks.empty && this.#ended) {
      this.#consumer = null;
      c.end();
      return;
    }
    if (this.#held && this.#chunks.size < BODY_HIGH_WATER_MARK) {
      this.#held = false;
      this.#owner.resumeRecv();
    }
  }

  /** @internal the stream's _read(): a held transfer may go on */
  wantMore(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#owner.resumeRecv();
  }

  /** @internal the stream was destroyed: before the body's end, the transfer stops */
  streamDestroyed(ended: boolean): void {
    this.#wake();
    if (!ended && !this.settled) {
      this.#abandoned = true;
      this.#owner.abandon();
    }
  }

  /** The body as a Readable (made on first call). */
  stream(): ResponseBody {
    if (this.#stream) return this.#stream;
    const s = new ResponseBody(this);
    this.#stream = s;
    if (this.#taken) {
      // a collect() took the chunks, or waits for them: this stream has none and ends with the body
      if (this.#error) s.destroy(this.#error);
      else if (this.#ended) s.push(null);
      return s;
    }
    // the chunks stay here until a Readable reader attaches (or the iterator takes them)
    this.#detached = true;
    if (this.#error) s.destroy(this.#error);
    return s;
  }
}
