// request(): one HTTP(S) — or any libcurl protocol — request as a Promise,
// on the process-wide MultiRunner so parallel calls share connections.
//
//   const res = await request('https://example.com/', { options: { FOLLOWLOCATION: 1 } });
//   res.status; res.headers; await res.text();   // or res.body.pipe(...)
//
// The promise resolves when the final response's head is known; the body
// follows as a stream. It rejects with a CurlError (libcurl's CURLcode and
// error-buffer text) when the transfer fails before that, or with the
// signal's reason when aborted. With `retry`, curl's --retry rules decide:
// transient failures and transient HTTP statuses are retried after curl's
// delays (Retry-After honoured) as long as the response was not handed over
// and the body can be sent again.
import { CURLE } from '../codes.js';
import { Attempt, type AttemptHead, type AttemptHooks } from './attempt.js';
import { CurlError } from './errors.js';
import { defaultRunner, type MultiRunner } from './multi-runner.js';
import type { RequestOptions, RetryOptions } from './options.js';
import { CurlResponse } from './response.js';
import { RetryState } from './retry-policy.js';
import { UploadSource } from './upload-source.js';

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function retryConfig(r: RequestOptions['retry'], failOnError: boolean): RetryState | null {
  if (r === undefined) return null;
  const o: RetryOptions = typeof r === 'number' ? { retries: r } : r;
  if (!(o.retries > 0)) return null;
  return new RetryState(
    {
      retries: Math.floor(o.retries),
      delayMs: o.delayMs ?? 0,
      maxTimeMs: o.maxTimeMs ?? 0,
      allErrors: o.allErrors ?? false,
      connRefused: o.connRefused ?? false,
      failOnError,
    },
    Date.now(),
  );
}

/** Sleep `ms`, or reject with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function request(url: string | URL, opts: RequestOptions = {}): Promise<CurlResponse> {
  if (opts.retry === undefined && opts.signal === undefined && (opts.body === undefined || opts.body === null)) {
    return plainRequest(String(url), opts, opts.runner ?? defaultRunner());
  }
  return retryingRequest(url, opts);
}

/**
 * plainRequest()'s hooks: the head resolves its promise, the transfer's end
 * rejects it if no head came. A class, as every object that lives as long
 * as a transfer (see AttemptHooks); it is also what the runner tells the
 * end to, so that the request makes no closure for it.
 */
class PlainRequest implements AttemptHooks {
  /** the response was handed over: a later failure goes to its body */
  #answered = false;
  readonly #resolve: (r: CurlResponse) => void;
  readonly #reject: (err: unknown) => void;
  readonly #attempt: Attempt;

  constructor(url: string, opts: RequestOptions, runner: MultiRunner, resolve: (r: CurlResponse) => void, reject: (err: unknown) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    // a refused URL or header list throws here: the promise rejects with it
    this.#attempt = new Attempt(url, opts, null, runner, this);
    this.#attempt.start(this);
  }

  discard(): boolean {
    return false;
  }

  onHead(h: AttemptHead): void {
    this.#answered = true;
    this.#resolve(new CurlResponse(h.head, h.body, h.url, 0));
  }

  transferDone(code: number): void {
    const attempt = this.#attempt;
    attempt.finish(code);
    if (!this.#answered) this.#reject(new CurlError(code, attempt.easy.errorBuffer));
    attempt.close();
  }
}

/**
 * A request with nothing to retry, abort or upload: one attempt, one
 * promise (the general path below costs an async function, an outcome
 * object and a promise more per request).
 */
function plainRequest(url: string, opts: RequestOptions, runner: MultiRunner): Promise<CurlResponse> {
  return new Promise<CurlResponse>((resolve, reject) => void new PlainRequest(url, opts, runner, resolve, reject));
}

async function retryingRequest(url: string | URL, opts: RequestOptions): Promise<CurlResponse> {
  const { signal } = opts;
  if (signal?.aborted) throw abortReason(signal);
  const runner = opts.runner ?? defaultRunner();
  const retry = retryConfig(opts.retry, Boolean(opts.options?.FAILONERROR));
  let attempt: Attempt | null = null;
  const upload =
    opts.body === undefined || opts.body === null ? null : new UploadSource(opts.body, () => attempt?.resumeSend());
  const target = String(url);
  try {
    for (;;) {
      const outcome = await runAttempt(target, opts, upload, runner, retry, (a) => (attempt = a));
      if (outcome.response) return outcome.response;
      const a = attempt!;
      const decision = retry && (!upload || upload.rewind()) ? retry.decide(a.retryFacts(outcome.code), Date.now()) : null;
      if (!decision?.retry) {
        const err = new CurlError(outcome.code, a.easy.errorBuffer);
        a.close();
        throw err;
      }
      a.close();
      await sleep(decision.sleepMs, signal);
    }
  } catch (err) {
    upload?.close();
    throw err;
  }
}

/**
 * One attempt's hooks and what it came to: the response once its head is
 * known (retried statuses are discarded), or the failure code. runAttempt()
 * resolves with this object itself (a class: see AttemptHooks).
 */
class Outcome implements AttemptHooks {
  response: CurlResponse | null = null;
  code: number = CURLE.OK;
  readonly #retry: RetryState | null;
  readonly #upload: UploadSource | null;
  readonly #resolve: (o: Outcome) => void;

  constructor(retry: RetryState | null, upload: UploadSource | null, resolve: (o: Outcome) => void) {
    this.#retry = retry;
    this.#upload = upload;
    this.#resolve = resolve;
  }

  /** a transient status with retries left: keep quiet, the attempt is retried */
  discard(a: Attempt): boolean {
    const retry = this.#retry;
    return retry !== null && (this.#upload?.replayable ?? true) && retry.wouldRetry(a.retryFacts(CURLE.OK), Date.now());
  }

  onHead(h: AttemptHead): void {
    this.response = new CurlResponse(h.head, h.body, h.url, this.#retry?.count ?? 0);
    this.#resolve(this);
  }

  /** the transfer ended before a response was handed over */
  failed(code: number): void {
    this.code = code;
    this.#resolve(this);
  }
}

/**
 * One attempt: resolves with the response once its head is known, or with
 * the failure code (no response) when the transfer ended before.
 */
function runAttempt(
  url: string,
  opts: RequestOptions,
  upload: UploadSource | null,
  runner: MultiRunner,
  retry: RetryState | null,
  publish: (a: Attempt) => void,
): Promise<Outcome> {
  const { signal } = opts;
  return new Promise<Outcome>((resolve, reject) => {
    const outcome = new Outcome(retry, upload, resolve);
    const attempt = new Attempt(url, opts, upload, runner, outcome);
    publish(attempt);
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      attempt.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    attempt.run().then((code) => {
      signal?.removeEventListener('abort', onAbort);
      upload?.close();
      if (aborted) {
        const reason = abortReason(signal!);
        if (outcome.response) attempt.body.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        else reject(reason);
        attempt.close();
        return;
      }
      if (code === CURLE.ABORTED_BY_CALLBACK && upload?.error !== undefined) {
        const err = new CurlError(code, 'reading the request body failed', { cause: upload.error });
        if (outcome.response) attempt.body.destroy(err);
        else reject(err);
        attempt.close();
        return;
      }
      attempt.finish(code);
      if (!outcome.response) outcome.failed(code);
      else attempt.close();
    }, reject);
  });
}
