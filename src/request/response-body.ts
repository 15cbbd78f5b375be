// The response body as a Readable (request()'s `res.body`), made by the
// BodySink on first use. Backpressure is libcurl's pause: when the stream's
// buffer is full the transfer is paused (CURLPAUSE_RECV, so the socket is no
// longer read and TCP holds the server back), and reading unpauses it.
//
// Until a Readable reader comes (_read(): read(), 'data', pipe, 'readable')
// the chunks stay in the sink, and `for await` takes them from there one by
// one: a body iterated that way does not go through the Readable's buffer,
// its async iterator and its end-of-stream watchers, which cost more CPU per
// small response than the rest of request(). The stream ends as Node's own
// iterator leaves it ('end', then destroyed), and a break or a throw destroys
// it as Node's does (the transfer stops).
//
// The Readable's own state is made when something first uses it, not when
// the body is made: a body only iterated never needs it, and making it
// (Readable's constructor) and ending it ('end', autoDestroy, 'close', two
// process.nextTick turns) cost a small response as much again as the rest of
// iterating it. ResponseBody is therefore a Readable by prototype whose
// constructor does not run Readable's: the first read of `_readableState`,
// the field through which every Readable method and Node's stream utilities
// (pipeline, finished, ...) reach the state, runs `Readable.call(this)`,
// the constructor's documented form for prototype-style subclasses. A body
// iterated to its end before that gets the state a finished stream has.
import { Readable } from 'node:stream';
import { DirectBodyIterator } from './body-iterator.js';

/** How much body is buffered for a reader (or before there is one) before the transfer is paused. */
export const BODY_HIGH_WATER_MARK = 64 * 1024;

/** Where the chunks wait while the stream is detached (the BodySink). */
export interface BodySource {
  /** the chunks are still with the source: nothing was pushed into the stream */
  readonly detached: boolean;
  /** a Readable reader came: push what is there, and every chunk from now on */
  attach(): void;
  /** the next chunk, or null when none is there now */
  take(): Buffer | null;
  /** no chunk will come any more (after the last one was taken) */
  readonly ended: boolean;
  /** settles when a chunk, the end or an error comes */
  wait(): Promise<void>;
  /** the Readable wants data (its _read()): the transfer may go on */
  wantMore(): void;
  /** the stream was destroyed, after its end or before it */
  streamDestroyed(ended: boolean): void;
}

/** The flags of Readable's state that a finished stream has set (kept settable by Node for userland streams). */
interface FinishedFlags {
  flowing: boolean | null;
  dataEmitted: boolean;
  ended: boolean;
  endEmitted: boolean;
  destroyed: boolean;
  closed: boolean;
  closeEmitted: boolean;
}

/** Shared by every body: the options, and the 'error' listener that keeps an unread body's failure from throwing. */
const OPTIONS = { highWaterMark: BODY_HIGH_WATER_MARK };
const ignore = (): void => {};

/** Readable's constructor called on an existing object (Node's streams are functions for exactly this). */
const initReadable = Readable as unknown as { call(self: Readable, options: typeof OPTIONS): void };

export interface ResponseBody extends Readable {}

/** The response body: a Readable whose _read() unpauses the transfer that fills it. */
export class ResponseBody {
  readonly #source: BodySource;
  /** the Readable's state: made on first use (see the top of this file) */
  #state: FinishedFlags | undefined = undefined;
  /** the direct iterator read the body to its end before the state was made */
  #iteratedToEnd = false;
  /** ... and took at least one chunk */
  #iteratedData = false;

  constructor(source: BodySource) {
    this.#source = source;
  }

  /** Where every Readable method finds its state: made here on first use. */
  get _readableState(): FinishedFlags {
    if (this.#state === undefined) {
      // the constructor assigns _readableState, which lands in the setter below
      initReadable.call(this, OPTIONS);
      const st = this.#state!;
      if (this.#iteratedToEnd) {
        st.ended = st.endEmitted = st.destroyed = st.closed = st.closeEmitted = true;
        ResponseBody.#asIterated(st, this.#iteratedData);
      }
    }
    return this.#state!;
  }

  set _readableState(state: FinishedFlags) {
    this.#state = state;
  }

  _read(): void {
    if (this.#source.detached) this.#source.attach();
    this.#source.wantMore();
  }

  /** (not a 'close' listener: once() costs a wrapper and its state per body) */
  _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // A failure after the head (abort, reset mid-body) reaches whoever reads the body
    // (text(), iteration, pipeline, an 'error' listener); a body nobody reads must not
    // take the process down with an unhandled 'error' event. Every error of a Readable
    // is emitted after its _destroy() (autoDestroy), so the listener is added here,
    // when one is due, not on every body (on() per body cost as much as its end).
    if (err && this.listenerCount('error') === 0) this.on('error', ignore);
    this.#source.streamDestroyed(this.readableEnded);
    callback(err);
  }

  /** Decoded chunks are the Readable's business: its buffer takes the chunks from here on (the iterator follows). */
  setEncoding(encoding: BufferEncoding): this {
    Readable.prototype.setEncoding.call(this, encoding);
    if (this.#source.detached) this.#source.attach();
    return this;
  }

  /** A chunk put back goes before the rest, in the Readable's buffer: the chunks follow it there. */
  unshift(chunk: unknown, encoding?: BufferEncoding): void {
    if (this.#source.detached) this.#source.attach();
    Readable.prototype.unshift.call(this, chunk, encoding);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    if (!this.#source.detached) return this.#readable() as AsyncIterableIterator<Buffer>;
    return new DirectBodyIterator(this, this.#source);
  }

  /** @internal (DirectBodyIterator) destroyed: by the caller or an error (no state yet: not destroyed) */
  get destroyedEarly(): boolean {
    return this.#state !== undefined && this.destroyed;
  }

  /**
   * @internal (DirectBodyIterator) read to the end (`tookData`: at least one
   * chunk): 'end' as after Node's iterator, then autoDestroy closes the stream
   */
  endAfterIteration(tookData: boolean): void {
    if (this.#state === undefined) {
      // nobody can have listened for 'end' or 'close' (on() makes the state): the state is made finished
      this.#iteratedToEnd = true;
      this.#iteratedData = tookData;
      this.#source.streamDestroyed(true);
      return;
    }
    ResponseBody.#asIterated(this.#state, tookData);
    this.push(null);
    this.read(0);
  }

  /** What Node's async iterator leaves: a paused stream ('readable' mode), which read data if there was any. */
  static #asIterated(st: FinishedFlags, tookData: boolean): void {
    st.flowing = false;
    if (tookData) st.dataEmitted = true;
  }

  /** @internal (DirectBodyIterator) */
  nodeIterator(): AsyncIterator<unknown> {
    return this.#readable();
  }

  /** Node's own async iterator of this Readable. */
  #readable(): AsyncIterableIterator<unknown> {
    return Readable.prototype[Symbol.asyncIterator].call(this);
  }
}
Object.setPrototypeOf(ResponseBody.prototype, Readable.prototype);
Object.setPrototypeOf(ResponseBody, Readable);
