// `for await (const chunk of res.body)` while the body is detached (no
// Readable reader yet): the chunks straight from the BodySink, one promise
// per step. An async generator did the same with a generator object and
// two more promise turns per chunk; on a small response that was a good
// part of what iterating cost over text(). The stream ends as after Node's
// own iterator ('end', then autoDestroy closes it), and a break or a throw
// in the loop destroys it as Node's does (the transfer stops).
import type { BodySource } from './response-body.js';

/** What the iterator needs of the body stream (a ResponseBody). */
export interface IteratedStream {
  /** destroyed by the caller or an error (read without making the Readable's state: see response-body.ts) */
  readonly destroyedEarly: boolean;
  readonly errored: Error | null;
  destroy(): void;
  /** the end, as Node's iterator leaves a stream it read to the end (`tookData`: it yielded a chunk) */
  endAfterIteration(tookData: boolean): void;
  /** Node's own async iterator of the stream (a Readable reader came meanwhile) */
  nodeIterator(): AsyncIterator<unknown>;
}

/** One step's answer (a class: see AttemptHooks in attempt.ts on object literals). */
class Step implements IteratorYieldResult<Buffer> {
  constructor(
    readonly value: Buffer,
    readonly done: false,
  ) {}
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

export class DirectBodyIterator implements AsyncIterableIterator<Buffer> {
  readonly #stream: IteratedStream;
  readonly #src: BodySource;
  #finished = false;
  /** a chunk was yielded */
  #tookData = false;
  /** Node's iterator, once a Readable reader took over */
  #node: AsyncIterator<unknown> | null = null;

  constructor(stream: IteratedStream, src: BodySource) {
    this.#stream = stream;
    this.#src = src;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.#node) return this.#node.next() as Promise<IteratorResult<Buffer>>;
    if (this.#finished) return Promise.resolve(DONE);
    const s = this.#stream;
    const src = this.#src;
    if (s.destroyedEarly) {
      this.#finished = true;
      return Promise.reject(s.errored ?? prematureClose());
    }
    if (!src.detached) {
      // a Readable reader came meanwhile: the rest goes through the stream
      this.#node = s.nodeIterator();
      return this.#node.next() as Promise<IteratorResult<Buffer>>;
    }
    const c = src.take();
    if (c !== null) {
      this.#tookData = true;
      return Promise.resolve(new Step(c, false));
    }
    if (src.ended) {
      this.#finished = true;
      s.endAfterIteration(this.#tookData);
      return Promise.resolve(DONE);
    }
    return src.wait().then(() => this.next());
  }

  /** The loop was left early (break, return, a throw in its body): the stream is destroyed. */
  return(): Promise<IteratorResult<Buffer>> {
    if (this.#node) return (this.#node.return?.() ?? Promise.resolve(DONE)) as Promise<IteratorResult<Buffer>>;
    if (!this.#finished) {
      this.#finished = true;
      if (!this.#stream.destroyedEarly && this.#src.detached) this.#stream.destroy();
    }
    return Promise.resolve(DONE);
  }
}
