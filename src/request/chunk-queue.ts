// The body chunks a BodySink holds until a reader takes them, in order.
// Most responses a request() gets are one chunk: it is kept in a field, and
// an array is made only for a second one. Besides saving the array, this
// keeps an object literal's allocation site off the path every request
// takes: V8 may allocate such an array in the old generation (see
// AttemptHooks in attempt.ts), where, dead or alive, it keeps the chunks it
// held alive through every scavenge until the next full GC.
import { Buffer } from 'node:buffer';

export class ChunkQueue {
  #first: Buffer | null = null;
  /** the chunks after the first, from #restStart on */
  #rest: Buffer[] | null = null;
  #restStart = 0;
  /** bytes held */
  size = 0;

  get empty(): boolean {
    return this.#first === null;
  }

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.#first === null) this.#first = chunk;
    else (this.#rest ??= []).push(chunk);
  }

  /** The oldest chunk, or null. */
  shift(): Buffer | null {
    const c = this.#first;
    if (c === null) return null;
    this.size -= c.length;
    const rest = this.#rest;
    if (rest !== null && this.#restStart < rest.length) {
      this.#first = rest[this.#restStart]!;
      rest[this.#restStart++] = EMPTY; // the queue keeps no reference to what it handed out
      if (this.#restStart === rest.length) {
        this.#rest = null;
        this.#restStart = 0;
      }
    } else {
      this.#first = null;
    }
    return c;
  }

  /** Every chunk joined, and the queue emptied. */
  join(): Buffer {
    const first = this.#first;
    const rest = this.#rest;
    let out: Buffer;
    if (first === null) out = EMPTY;
    else if (rest === null) out = first;
    else out = Buffer.concat([first, ...rest.slice(this.#restStart)], this.size);
    this.clear();
    return out;
  }

  /** Forget every chunk. */
  clear(): void {
    this.#first = null;
    this.#rest = null;
    this.#restStart = 0;
    this.size = 0;
  }
}

const EMPTY = Buffer.alloc(0);
