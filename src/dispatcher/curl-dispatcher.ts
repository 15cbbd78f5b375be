// CurlDispatcher: an undici Dispatcher whose requests are libcurl transfers,
// so `fetch(url, { dispatcher })`, `undici.request(url, { dispatcher })` and
// `setGlobalDispatcher()` run on tscurl's engine — with SOCKS5h, netrc,
// Digest/NTLM/SigV4, cookie files, RESOLVE/CONNECT_TO, rate limits and
// every other easy option set once in `options` for all its requests.
//
// dispatch() maps undici's request (origin + path, method, headers, body:
// string, bytes, Readable or async iterable) onto an Attempt on a
// MultiRunner and feeds undici's handler: onConnect (with an abort that
// ends the transfer), onHeaders (raw header buffers; `false` or a later
// pause stops reading the socket through CURLPAUSE_RECV until resume()),
// onData, onComplete (trailers), onError (a CurlError with the CURLcode for
// transfer failures — fetch puts it in `cause`). Redirects, decoding and
// caching stay undici's (fetch does them itself), so by default no
// redirect is followed and nothing is decoded here.
import { Buffer } from 'node:buffer';
import { Dispatcher } from 'undici';
import { CURLE } from '../codes.js';
import { Attempt, type AttemptHead, type AttemptHooks } from '../request/attempt.js';
import type { BodyConsumer } from '../request/body-sink.js';
import { CurlError } from '../request/errors.js';
import { defaultRunner, type MultiRunner } from '../request/multi-runner.js';
import type { CurlOptions } from '../request/options.js';
import { UploadSource, type RequestBody } from '../request/upload-source.js';
import { classicHandler, GuardedHandler, type ClassicHandler } from './dispatch-handler.js';
import { requestHeaders, requestUrl } from './dispatch-request.js';
import { upgradeWebSocket } from './ws-upgrade.js';
import { DispatchTimeouts } from './dispatch-timeouts.js';

export interface CurlDispatcherOptions {
  /** easy options for every request, by curl's names: { PROXY: 'socks5h://...', NETRC: 1, ... } */
  options?: CurlOptions;
  /** run on this runner's multi (default: the process-wide one request() uses) */
  runner?: MultiRunner;
}

type DispatchOptions = Parameters<Dispatcher['dispatch']>[0];

class ClosedError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = code === 'UND_ERR_DESTROYED' ? 'ClientDestroyedError' : 'ClientClosedError';
    this.code = code;
  }
}

/**
 * A request's hooks and its body's consumer: the head starts the delivery
 * to undici's handler — onHeaders, then the body's chunks through onData
 * (false, or onHeaders' false, holds them until resume()), then onComplete
 * or onError. A class, as every object that lives as long as a transfer
 * (see AttemptHooks in src/request/attempt.ts).
 */
class DispatchHooks implements AttemptHooks, BodyConsumer {
  headSeen = false;
  /** settles once the body's end or error was handed over */
  delivered: Promise<void> | null = null;
  readonly #handler: ClassicHandler;
  readonly #done: (fn: () => void) => void;
  #head: AttemptHead | null = null;
  #settled: (() => void) | null = null;
  /** undici's headersTimeout/bodyTimeout for this request, when it set either */
  timeouts: DispatchTimeouts | null = null;

  constructor(handler: ClassicHandler, done: (fn: () => void) => void) {
    this.#handler = handler;
    this.#done = done;
  }

  discard(): boolean {
    return false;
  }

  onHead(h: AttemptHead): void {
    this.headSeen = true;
    this.#head = h;
    this.delivered = new Promise<void>((settled) => {
      this.#settled = settled;
      const raw = h.head.rawHeaders.map((s) => Buffer.from(s, 'latin1'));
      const handler = this.#handler;
      handler.onResponseStarted?.();
      const body = h.body;
      body.consume(this);
      const timeouts = this.timeouts;
      timeouts?.headers();
      const resume = (): void => {
        timeouts?.resume();
        body.resumeConsumer();
      };
      if (handler.onHeaders?.(h.head.status, raw, resume, h.head.statusText) === false) {
        timeouts?.pause();
        body.pauseConsumer();
      }
    });
  }

  data(chunk: Buffer): boolean {
    this.timeouts?.data();
    const more = this.#handler.onData?.(chunk) !== false;
    if (!more) this.timeouts?.pause();
    return more;
  }

  end(): void {
    this.timeouts?.done();
    const trailers = this.#head!.head.rawTrailers;
    this.#done(() => this.#handler.onComplete?.(trailers.map((s) => Buffer.from(s, 'latin1'))));
    this.#settled!();
  }

  error(err: Error): void {
    this.timeouts?.done();
    this.#done(() => this.#handler.onError?.(err));
    this.#settled!();
  }
}

export class CurlDispatcher extends Dispatcher {
  readonly #options: CurlOptions;
  readonly #runner: MultiRunner;
  readonly #inflight = new Set<Promise<void>>();
  /** running requests → their abort (what undici's onConnect hands out) */
  readonly #aborts = new Map<object, (reason?: unknown) => void>();
  #closed = false;
  #destroyed = false;

  constructor(opts: CurlDispatcherOptions = {}) {
    super();
    this.#options = { ...opts.options };
    this.#runner = opts.runner ?? defaultRunner();
  }

  override dispatch(opts: DispatchOptions, rawHandler: Dispatcher.DispatchHandler): boolean {
    const handler = new GuardedHandler(classicHandler(rawHandler));
    if (this.#destroyed || this.#closed) {
      const err = this.#destroyed
        ? new ClosedError('The client is destroyed', 'UND_ERR_DESTROYED')
        : new ClosedError('The client is closed', 'UND_ERR_CLOSED');
      queueMicrotask(() => handler.onError?.(err));
      return false;
    }
    const job = this.#run(opts, handler).catch((err: unknown) => {
      handler.onError?.(err instanceof Error ? err : new Error(String(err)));
    });
    this.#inflight.add(job);
    void job.finally(() => this.#inflight.delete(job));
    return true;
  }

  async #run(opts: DispatchOptions, handler: ClassicHandler): Promise<void> {
    if (opts.upgrade === 'websocket' && opts.method === 'GET') {
      // undici's WebSocket: the upgrade through libcurl, the frames on the connection it leaves (ws-upgrade.ts)
      return upgradeWebSocket(requestUrl(opts), requestHeaders(opts.headers, false).pairs, this.#options, this.#tracked(handler), opts.headersTimeout);
    }
    if (opts.upgrade || opts.method === 'CONNECT') {
      // libcurl leaves no raw connection after any other upgrade, nor a CONNECT tunnel to its caller
      throw Object.assign(new Error('CurlDispatcher supports no upgrade but websocket, and no CONNECT request'), { code: 'UND_ERR_NOT_SUPPORTED' });
    }
    const url = requestUrl(opts);
    const { pairs, contentLength } = requestHeaders(opts.headers, opts.body !== null && opts.body !== undefined);
    const body = opts.body as RequestBody | null | undefined;
    let attempt: Attempt | null = null;
    const upload = body === null || body === undefined ? null : new UploadSource(body, () => attempt?.resumeSend());
    // a stream of announced length goes out with that Content-Length, not chunked
    const bodySize = upload && upload.size === null ? contentLength : null;
    const headers: [string, string | null][] = pairs;
    // fetch semantics, not curl's tool defaults: no made-up Content-Type, no Expect: 100-continue
    const has = (name: string): boolean => pairs.some(([k]) => k.toLowerCase() === name);
    if (upload && !has('content-type')) headers.push(['Content-Type', null]);
    if (upload && !has('expect')) headers.push(['Expect', null]);
    let aborted: unknown = undefined;
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    const hooks = new DispatchHooks(handler, done);
    attempt = new Attempt(url, { method: opts.method, headers, options: this.#options }, upload, this.#runner, hooks, bodySize);
    const a = attempt;
    const abort = (reason?: unknown): void => {
      if (settled || aborted !== undefined) return;
      aborted = reason ?? new Error('Request aborted');
      a.cancel();
    };
    this.#aborts.set(a, abort);
    if (opts.headersTimeout || opts.bodyTimeout) hooks.timeouts = new DispatchTimeouts(opts.headersTimeout, opts.bodyTimeout, abort);
    try {
      handler.onConnect?.(abort);
      if (aborted !== undefined) {
        done(() => handler.onError?.(toError(aborted)));
        return;
      }
      const code = await a.run();
      upload?.close();
      if (aborted !== undefined) {
        if (hooks.headSeen) a.body.destroy(toError(aborted));
        done(() => handler.onError?.(toError(aborted)));
        return;
      }
      if (code !== CURLE.OK && upload?.error !== undefined) {
        const err = new CurlError(code, 'reading the request body failed', { cause: upload.error });
        if (hooks.headSeen) a.body.destroy(err);
        done(() => handler.onError?.(err));
        return;
      }
      a.finish(code);
      if (!hooks.headSeen && code !== CURLE.OK) done(() => handler.onError?.(new CurlError(code, a.easy.errorBuffer)));
      if (hooks.delivered) await hooks.delivered;
    } finally {
      hooks.timeouts?.done();
      this.#aborts.delete(a);
      a.close();
    }
  }

  /** `handler` with its abort listed while it runs, so that destroy() ends it too (the upgrade's). */
  #tracked(handler: ClassicHandler): ClassicHandler {
    const key = {};
    const forget = (): void => void this.#aborts.delete(key);
    return {
      onConnect: (abort) => {
        this.#aborts.set(key, abort);
        handler.onConnect?.(abort);
      },
      onUpgrade: (statusCode, rawHeaders, socket) => {
        forget();
        handler.onUpgrade?.(statusCode, rawHeaders, socket);
      },
      onError: (err) => {
        forget();
        handler.onError?.(err);
      },
    };
  }

  override close(callback?: () => void): Promise<void> {
    this.#closed = true;
    const p = Promise.allSettled([...this.#inflight]).then(() => undefined);
    if (callback) {
      void p.then(callback);
      return undefined as unknown as Promise<void>;
    }
    return p;
  }

  override destroy(err?: Error | null | (() => void), callback?: () => void): Promise<void> {
    if (typeof err === 'function') {
      callback = err;
      err = null;
    }
    this.#closed = true;
    this.#destroyed = true;
    const reason = err ?? new ClosedError('The client is destroyed', 'UND_ERR_DESTROYED');
    for (const abort of this.#aborts.values()) abort(reason);
    const p = Promise.allSettled([...this.#inflight]).then(() => undefined);
    if (callback) {
      void p.then(callback);
      return undefined as unknown as Promise<void>;
    }
    return p;
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
