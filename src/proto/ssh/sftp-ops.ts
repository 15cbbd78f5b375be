// One SFTP request at a time, waited for without blocking: issue() sends it
// with a callback that only records the answer (ssh2 calls it from inside
// SshSession.pump(), or at once when it fails before sending); take() hands
// the answer to the state machine once it is there. The record-only callback
// keeps every application callback (writes, headers, trace) in the state
// machine, in the order libcurl makes them.
import type { SftpError } from './ssh2-lib.js';

export interface Answer<T = unknown> {
  err: SftpError | null;
  value: T;
}

export class PendingOp {
  #waiting = false;
  #answer: Answer | null = null;
  /** bumped per issue(): a late answer to an abandoned request is dropped */
  #gen = 0;

  get waiting(): boolean {
    return this.#waiting && this.#answer === null;
  }

  issue(send: (cb: (err?: SftpError | null, value?: unknown) => void) => void): void {
    const gen = ++this.#gen;
    this.#waiting = true;
    this.#answer = null;
    const cb = (err?: SftpError | null, value?: unknown): void => {
      if (gen === this.#gen && this.#answer === null) this.#answer = { err: err ?? null, value };
    };
    try {
      send(cb);
    } catch (e) {
      cb(e as SftpError);
    }
  }

  take<T>(): Answer<T> | null {
    const a = this.#answer;
    if (a === null) return null;
    this.#answer = null;
    this.#waiting = false;
    return a as Answer<T>;
  }

  /** Forget what is outstanding. */
  cancel(): void {
    this.#gen++;
    this.#waiting = false;
    this.#answer = null;
  }
}
