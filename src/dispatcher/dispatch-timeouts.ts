// undici's per-request `headersTimeout` and `bodyTimeout` for CurlDispatcher,
// with undici's meaning (lib/dispatcher/client-h1.js): the headers must come
// within headersTimeout of the dispatch; then no more than bodyTimeout may
// pass between body chunks, except while the handler holds the body back
// (a timer that ends while paused does nothing; resuming starts it again).
// The request is aborted with undici's own HeadersTimeoutError /
// BodyTimeoutError. Unset or 0: no timer, as libcurl's default (curl
// options such as TIMEOUT_MS or LOW_SPEED_TIME still apply).
import { errors } from 'undici';

export class DispatchTimeouts {
  readonly #bodyMs: number;
  readonly #abort: (err: Error) => void;
  #timer: NodeJS.Timeout | null = null;
  #inBody = false;
  #paused = false;

  constructor(headersMs: number | null | undefined, bodyMs: number | null | undefined, abort: (err: Error) => void) {
    this.#bodyMs = bodyMs ?? 0;
    this.#abort = abort;
    if (headersMs) this.#arm(headersMs, () => this.#abort(new errors.HeadersTimeoutError()));
  }

  /** The response head was handed over: the body's timer from now. */
  headers(): void {
    this.#clear();
    this.#inBody = true;
    this.#armBody();
  }

  /** A body chunk was handed over. */
  data(): void {
    if (this.#timer) this.#timer.refresh();
  }

  /** The handler holds the body back (onHeaders or onData said false). */
  pause(): void {
    this.#paused = true;
  }

  /** The handler asked for the body again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#inBody) return;
    if (this.#timer) this.#timer.refresh();
    else this.#armBody();
  }

  /** The request ended, one way or another. */
  done(): void {
    this.#inBody = false;
    this.#clear();
  }

  #armBody(): void {
    if (!this.#bodyMs) return;
    this.#arm(this.#bodyMs, () => {
      // undici's parser ignores its body timer while paused; resume() starts it again
      this.#timer = null;
      if (!this.#paused) this.#abort(new errors.BodyTimeoutError());
    });
  }

  #arm(ms: number, fire: () => void): void {
    this.#clear();
    this.#timer = setTimeout(fire, ms);
    // the transfer keeps the process alive while it runs, not its timer
    this.#timer.unref();
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
