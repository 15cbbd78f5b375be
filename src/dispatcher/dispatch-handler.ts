// undici's two handler shapes seen from CurlDispatcher as one: the classic
// callbacks (onConnect/onHeaders/onData/onComplete/onError: what fetch and
// undici.request pass) and undici 7's controller style
// (onRequestStart/onResponseStart/onResponseData/onResponseEnd/
// onResponseError: what interceptors written for undici 7 pass).

/** The subset of undici's DispatchHandler CurlDispatcher calls (classic shape). */
export interface ClassicHandler {
  onConnect?(abort: (reason?: unknown) => void, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(rawTrailers: Buffer[] | null): void;
  onError?(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[], socket: import('node:stream').Duplex): void;
}

interface Controller {
  abort(reason?: unknown): void;
  pause(): void;
  resume(): void;
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: unknown;
}

interface ControllerHandler {
  onRequestStart?(controller: Controller, context: unknown): void;
  onResponseStart?(controller: Controller, statusCode: number, headers: Record<string, string | string[]>, statusText: string): void;
  onResponseData?(controller: Controller, chunk: Buffer): void;
  onResponseEnd?(controller: Controller, trailers: Record<string, string | string[]>): void;
  onResponseError?(controller: Controller, err: Error): void;
  onRequestUpgrade?(controller: Controller, statusCode: number, headers: Record<string, string | string[]>, socket: import('node:stream').Duplex): void;
}

function parsed(raw: Buffer[] | null): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toString('latin1').toLowerCase();
    const v = raw[i + 1]!.toString('latin1');
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** A controller-style handler behind the classic callbacks (as undici's UnwrapHandler does). */
class ControllerAdapter implements ClassicHandler {
  readonly #h: ControllerHandler;
  #abort: (reason?: unknown) => void = () => {};
  #resume: (() => void) | null = null;
  #paused = false;
  #aborted = false;
  #reason: unknown = null;
  readonly #controller: Controller;

  constructor(h: ControllerHandler) {
    this.#h = h;
    const self = this;
    this.#controller = {
      abort(reason?: unknown) {
        if (self.#aborted) return;
        self.#aborted = true;
        self.#reason = reason;
        self.#abort(reason);
      },
      pause() {
        self.#paused = true;
      },
      resume() {
        if (!self.#paused) return;
        self.#paused = false;
        self.#resume?.();
      },
      get aborted() {
        return self.#aborted;
      },
      get paused() {
        return self.#paused;
      },
      get reason() {
        return self.#reason;
      },
    };
  }

  onConnect(abort: (reason?: unknown) => void, context?: unknown): void {
    this.#abort = abort;
    this.#h.onRequestStart?.(this.#controller, context);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    this.#resume = resume;
    this.#h.onResponseStart?.(this.#controller, statusCode, parsed(rawHeaders), statusText);
    return !this.#paused;
  }

  onData(chunk: Buffer): boolean {
    this.#h.onResponseData?.(this.#controller, chunk);
    return !this.#paused;
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    this.#h.onResponseEnd?.(this.#controller, parsed(rawTrailers));
  }

  onError(err: Error): void {
    this.#h.onResponseError?.(this.#controller, err);
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[], socket: import('node:stream').Duplex): void {
    this.#h.onRequestUpgrade?.(this.#controller, statusCode, parsed(rawHeaders), socket);
  }
}

/** Either shape → the classic one. */
export function classicHandler(h: object): ClassicHandler {
  return 'onRequestStart' in h || 'onResponseStart' in h ? new ControllerAdapter(h as ControllerHandler) : (h as ClassicHandler);
}

/**
 * A handler called as undici's own Request calls it (lib/core/request.js):
 * what onHeaders or onData throws aborts the request with that error, what
 * onComplete throws becomes its onError, and onError comes at most once.
 * undici's interceptors rely on it: the retry interceptor throws from
 * onComplete to have a failed status retried through onError.
 */
export class GuardedHandler implements ClassicHandler {
  readonly #h: ClassicHandler;
  #abort: ((reason?: unknown) => void) | null = null;
  #errored = false;

  constructor(h: ClassicHandler) {
    this.#h = h;
  }

  onConnect(abort: (reason?: unknown) => void, context?: unknown): void {
    this.#abort = abort;
    this.#h.onConnect?.(abort, context);
  }

  onResponseStarted(): void {
    this.#h.onResponseStarted?.();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    try {
      return this.#h.onHeaders?.(statusCode, rawHeaders, resume, statusText) !== false;
    } catch (err) {
      this.#abort?.(err);
      return false;
    }
  }

  onData(chunk: Buffer): boolean {
    try {
      return this.#h.onData?.(chunk) !== false;
    } catch (err) {
      this.#abort?.(err);
      return false;
    }
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    try {
      this.#h.onComplete?.(rawTrailers);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onError(err: Error): void {
    if (this.#errored) return;
    this.#errored = true;
    this.#h.onError?.(err);
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[], socket: import('node:stream').Duplex): void {
    // undici's client destroys the socket with what the upgrade's handler threw
    try {
      this.#h.onUpgrade?.(statusCode, rawHeaders, socket);
    } catch (err) {
      socket.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
