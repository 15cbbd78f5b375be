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

/** Shared by every body: the options, and the 'error' listener that keeps an unread body's failure from throwing. */
const OPTIONS = { highWaterMark: BODY_HIGH_WATER_MARK };
const ignore = (): void => {};

/** The response body: a Readable whose _read() unpauses the transfer that fills it. */
export class ResponseBody extends Readable {
  readonly #source: BodySource;

  constructor(source: BodySource) {
    super(OPTIONS);
    this.#source = source;
  }

  override _read(): void {
    if (this.#source.detached) this.#source.attach();
    this.#source.wantMore();
  }

  /** (not a 'close' listener: once() costs a wrapper and its state per body) */
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // A failure after the head (abort, reset mid-body) reaches whoever reads the body
    // (text(), iteration, pipeline, an 'error' listener); a body nobody reads must not
    // take the process down with an unhandled 'error' event. Every error of a Readable
    // is emitted after its _destroy() (autoDestroy), so the listener is added here,
    // when one is due, not on every body (on() per body cost as much as its end).
    if (err && this.listenerCount('error') === 0) this.on('error', ignore);
    this.#source.streamDestroyed(this.readableEnded);
    callback(err);
  }

  override [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    if (!this.#source.detached) return super[Symbol.asyncIterator]();
    return new DirectBodyIterator(this, this.#source);
  }

  /** @internal (DirectBodyIterator) read to the end: 'end' as after Node's iterator, then autoDestroy closes the stream */
  endAfterIteration(): void {
    this.push(null);
    this.read(0);
  }

  /** @internal (DirectBodyIterator) */
  nodeIterator(): AsyncIterator<unknown> {
    return this.#readable();
  }

  /** Node's own async iterator of this Readable. */
  #readable(): AsyncIterableIterator<unknown> {
    return super[Symbol.asyncIterator]();
  }
}
