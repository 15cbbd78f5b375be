// One transfer of a request() call: an easy handle set up from the options,
// run on a MultiRunner, reporting the final response's head as soon as it
// is known and filling the body stream. The head is final at the blank line
// of a 2xx response (libcurl follows no redirect and answers no auth
// challenge after one), at the first body byte (libcurl delivers no body of
// a response it follows or retries), or at the end of the transfer.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLPAUSE } from '../constants.js';
import { Easy } from '../easy/easy.js';
import { CURLINFO } from '../easy/info-table.js';
import { CURLOPT } from '../easy/option-table.js';
import type { MultiRunner, TransferDone } from './multi-runner.js';
import { applyCurlOptions, applyMethod, headerLines, type Progress, type RequestOptions } from './options.js';
import { ResponseHead } from './response-head.js';
import { BodySink, type BodyOwner } from './body-sink.js';
import { CurlError } from './errors.js';
import type { UploadSource } from './upload-source.js';
import { internalsOf } from '../easy/internals.js';
import type { HeaderStore, HeadersEndListener } from '../easy/header-store.js';

/**
 * What an attempt reports when the final response's head is known: the
 * attempt itself (an object made per report would be one more per request;
 * see the note on allocation at AttemptHooks).
 */
export interface AttemptHead {
  readonly head: ResponseHead;
  readonly body: BodySink;
  /** CURLINFO_EFFECTIVE_URL of the transfer */
  readonly url: string;
}

/**
 * Implemented by a class, not given as an object literal: an object that
 * lives as long as a transfer and points at its young objects must never be
 * allocated in the old generation. V8 pretenures an object literal's
 * allocation site once its first objects happened to survive a scavenge
 * (measured: request()'s `{ discard, onHead }` was, after warm-up, in every
 * run); each such object, dead or alive, is then a root for
 * every scavenge until the next full GC, and keeps its request's whole graph
 * alive and promoted: 1.5 MB promoted per scavenge, GC 1.4 us per request
 * instead of 0.3. Class instances have no allocation site and stay young.
 */
export interface AttemptHooks {
  /** the final response's head is known: the body stream starts filling after this */
  onHead(h: AttemptHead): void;
  /**
   * Should this response be thrown away because the attempt will be retried
   * (a transient HTTP status with retries left)? Asked once, before its body.
   */
  discard(attempt: Attempt): boolean;
}

const ECONNREFUSED = 111;

/**
 * A request with no curl options, body or progress callback needs nothing on
 * its handle but the URL, its method and its header list: such handles are
 * kept by the runner, by method and headers, and re-used for the next
 * request with the same ones, so what libcurl keeps per handle (the parsed
 * URL, the request head it built) serves the next request too, as in a
 * libcurl program that re-adds its handles. A kept handle is never given
 * any other option, so it sends what a fresh one would. Its callbacks reach
 * the attempt of the moment through this slot.
 */
export interface KeptHandle {
  easy: Easy;
  attempt: Attempt | null;
  url: string;
  /** method and header lines: what the handle was set up with */
  key: string;
  /**
   * An HTTP(S) URL's handle has no HEADERFUNCTION: the head is read from the
   * transfer's header store when it ends (one call per response instead of
   * one JavaScript callback per header line, each with its own line Buffer).
   */
  storeHeads: boolean;
  /**
   * CURLINFO_EFFECTIVE_URL of a transfer of `url`, read once per URL: a kept
   * handle follows no redirect, so each transfer of the same URL ends there.
   */
  effectiveUrl: string | null;
}

/** URLs whose heads come from the header store (HTTP stores every header; other protocols deliver lines only). */
const HTTP_URL = /^https?:\/\//i;
let lastUrl = '';
let lastUrlIsHttp = false;

/** HTTP_URL.test(url), remembered for the last URL (requests mostly repeat one) */
function isHttpUrl(url: string): boolean {
  if (url !== lastUrl) {
    lastUrlIsHttp = HTTP_URL.test(url);
    lastUrl = url;
  }
  return lastUrlIsHttp;
}

/**
 * The runner's key for handles set up alike: how heads are read, then the
 * method's length, the method and the lines (which have no LF: headerLines
 * refuses them).
 */
function keptKey(storeHeads: boolean, method: string, lines: readonly string[]): string {
  return `${storeHeads ? 'S' : 'L'}${method.length}:${method}${lines.length ? `\n${lines.join('\n')}` : ''}`;
}

/** The keys of a GET without headers, made once: the everyday call makes no string for its key. */
const NO_LINES: string[] = [];
const BARE_GET_STORE = keptKey(true, 'GET', NO_LINES);
const BARE_GET_LINES = keptKey(false, 'GET', NO_LINES);

/** Can the request run on a kept handle? Not with curl options, a body or a progress callback. */
function keepable(opts: RequestOptions, upload: UploadSource | null): boolean {
  if (upload || opts.onProgress) return false;
  return !opts.options || Object.keys(opts.options).length === 0;
}

/** A new handle to keep for requests with this method and these header lines (set up as the constructor would). */
function newKeptHandle(key: string, method: string, lines: string[], storeHeads: boolean): KeptHandle {
  const h: KeptHandle = { easy: new Easy(), attempt: null, url: '', key, storeHeads, effectiveUrl: null };
  if (lines.length) h.easy.setopt(CURLOPT.HTTPHEADER, lines);
  h.easy.setopt(CURLOPT.SUPPRESS_CONNECT_HEADERS, 1);
  applyMethod(h.easy, method, null, false);
  if (!storeHeads) h.easy.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => h.attempt!.onHeader(line));
  h.easy.setopt(CURLOPT.WRITEFUNCTION, (data: Buffer) => h.attempt!.onData(data));
  return h;
}

export class Attempt implements AttemptHead, HeadersEndListener, BodyOwner {
  readonly easy: Easy;
  readonly #kept: KeptHandle | null;
  readonly head = new ResponseHead();
  readonly body: BodySink;
  readonly #runner: MultiRunner;
  readonly #hooks: AttemptHooks;
  /** CURLINFO_EFFECTIVE_URL, read when the head is reported */
  url = '';
  #headSent = false;
  #discarding = false;
  #recvPaused = false;
  /** close() ran: the handle may already serve another request, so nothing here touches it any more */
  #closed = false;
  /** the header store of this attempt's transfer (made when the handle is added), once a header arrived */
  #store: HeaderStore | null = null;
  /** a kept handle without HEADERFUNCTION: the store its heads are read from (set when the handle is added) */
  #heads: HeaderStore | null = null;

  /** bodySize: the upload's length when the caller knows it and the source does not (a stream with a Content-Length) */
  constructor(
    url: string,
    opts: RequestOptions,
    upload: UploadSource | null,
    runner: MultiRunner,
    hooks: AttemptHooks,
    bodySize: number | null = null,
  ) {
    this.#runner = runner;
    this.#hooks = hooks;
    // the reader destroying the body stream early frees the transfer too (abandon())
    this.body = new BodySink(this);
    // a header list that cannot be sent: the request takes the path below, which reports it in its turn
    let lines: string[] | null = null;
    const bare = opts.headers === undefined && opts.method === undefined;
    if (!bare) {
      try {
        lines = headerLines(opts.headers);
      } catch {
        lines = null;
      }
    }
    if ((bare || lines) && keepable(opts, upload)) {
      const storeHeads = isHttpUrl(url);
      let key: string;
      let method = 'GET';
      if (bare) {
        key = storeHeads ? BARE_GET_STORE : BARE_GET_LINES;
        lines = NO_LINES;
      } else {
        if (opts.method !== undefined) method = opts.method.toUpperCase();
        key = keptKey(storeHeads, method, lines!);
      }
      const h = runner.takeKeptHandle(key) ?? newKeptHandle(key, method, lines!, storeHeads);
      this.#kept = h;
      this.easy = h.easy;
      h.attempt = this;
      if (h.url !== url) {
        if (h.easy.setopt(CURLOPT.URL, url) !== CURLE.OK) {
          const err = new CurlError(CURLE.URL_MALFORMAT, h.easy.errorBuffer);
          h.easy.cleanup();
          throw err;
        }
        h.url = url;
        h.effectiveUrl = null;
      }
      return;
    }
    this.#kept = null;
    const easy = (this.easy = new Easy());
    const bad = applyCurlOptions(easy, opts.options);
    const failed = bad
      ? new CurlError(bad.code, `option ${bad.name} refused`)
      : easy.setopt(CURLOPT.URL, url) !== CURLE.OK
        ? new CurlError(CURLE.URL_MALFORMAT, easy.errorBuffer)
        : null;
    try {
      if (failed) throw failed;
      lines = headerLines(opts.headers);
    } catch (err) {
      easy.cleanup(); // nothing of a request that never starts stays behind
      throw err;
    }
    if (lines.length) easy.setopt(CURLOPT.HTTPHEADER, lines);
    // a proxy's CONNECT response is not the response the caller asked for
    easy.setopt(CURLOPT.SUPPRESS_CONNECT_HEADERS, 1);
    applyMethod(easy, opts.method ?? 'GET', upload?.size ?? bodySize, upload !== null);
    if (upload) easy.setopt(CURLOPT.READFUNCTION, upload.read);
    easy.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => this.onHeader(line));
    easy.setopt(CURLOPT.WRITEFUNCTION, (data: Buffer) => this.onData(data));
    if (opts.onProgress) {
      const report = opts.onProgress;
      easy.setopt(CURLOPT.NOPROGRESS, 0);
      easy.setopt(CURLOPT.XFERINFOFUNCTION, (_c: unknown, dt: number, dn: number, ut: number, un: number) => {
        const p: Progress = { downloadTotal: dt, downloaded: dn, uploadTotal: ut, uploaded: un };
        report(p);
        return 0;
      });
    }
  }

  /** Run the transfer; settles with its CURLcode. */
  run(): Promise<CURLcode> {
    return new Promise<CURLcode>((resolve) => this.start(resolve));
  }

  /** Run the transfer; `done` gets its CURLcode (see MultiRunner.start). */
  start(done: TransferDone): void {
    this.#runner.start(this.easy, done);
    // (a handle that could not be added has been closed by `done` already)
    if (this.#kept?.storeHeads && !this.#closed) {
      // the transfer (and its store) was made by the add; its hook reports each head's end
      const store = internalsOf(this.easy)?.transfer?.headerStore ?? null;
      if (store) {
        this.#heads = store;
        store.headersEndListener = this;
      }
    }
  }

  /** @internal the header store's hook: a response's head ended. As onHeader() at the blank line. */
  headersEnded(interim: boolean): void {
    const code = this.#heads!.code;
    if (interim || this.#headSent || code < 200 || code >= 300) return;
    this.#discarding = this.#hooks.discard(this);
    if (!this.#discarding) this.#sendHead();
  }

  /** @internal the body's reader destroyed the stream before its end */
  abandon(): void {
    this.cancel();
  }

  /** End the transfer now (abort). */
  cancel(): void {
    if (this.#closed) return;
    this.#runner.cancel(this.easy, CURLE.ABORTED_BY_CALLBACK);
  }

  /** Unpause sending (the upload source has data again). */
  resumeSend(): void {
    if (this.#closed) return;
    this.easy.pause(this.#recvPaused ? CURLPAUSE.RECV : CURLPAUSE.CONT);
    this.#runner.wake();
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  /** The transfer is over: announce the head if nothing did yet, end the stream. */
  finish(code: CURLcode): void {
    if (code === CURLE.OK) {
      if (!this.#headSent && !this.#discarding) this.#discarding = this.#hooks.discard(this);
      if (this.#discarding) return;
      this.#sendHead();
      if (this.#heads) this.head.trailersFromStore(this.#heads);
      this.body.finish();
    } else if (this.#headSent) {
      this.body.destroy(new CurlError(code, this.easy.errorBuffer));
    }
  }

  /** What --retry needs to know about the finished attempt. */
  retryFacts(code: CURLcode): { code: number; scheme: string; responseCode: number; retryAfter: number; connRefused: boolean } {
    const num = (id: number): number => Number(this.easy.getinfo(id) ?? 0);
    return {
      code,
      scheme: String(this.easy.getinfo(CURLINFO.SCHEME) ?? ''),
      responseCode: num(CURLINFO.RESPONSE_CODE),
      retryAfter: num(CURLINFO.RETRY_AFTER),
      connRefused: num(CURLINFO.OS_ERRNO) === ECONNREFUSED,
    };
  }

  /** The attempt is over: its handle goes back to the runner (a kept one) or is cleaned up. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // the transfer (and its store) stays with the handle until its next add: it must not keep this attempt,
    // its body and response alive that long (they would outlive young-generation GC and cost old-generation work)
    if (this.#heads) {
      this.#heads.headersEndListener = null;
      this.#heads = null;
    }
    const h = this.#kept;
    if (!h) {
      this.easy.cleanup();
      return;
    }
    h.attempt = null;
    this.#runner.giveKeptHandle(h);
  }

  /** HEADERFUNCTION */
  onHeader(line: Buffer): number {
    // the transfer's header store: HTTP's decoded names and values, which the head takes instead of decoding again
    const store = (this.#store ??= internalsOf(this.easy)?.transfer?.headerStore ?? null);
    const ended = this.head.line(line, store);
    if (ended && !this.#headSent && this.head.status >= 200 && this.head.status < 300) {
      this.#discarding = this.#hooks.discard(this);
      if (!this.#discarding) this.#sendHead();
    }
    return line.length;
  }

  /** WRITEFUNCTION */
  onData(data: Buffer): number {
    if (!this.#headSent && !this.#discarding) {
      this.#discarding = this.#hooks.discard(this);
      if (!this.#discarding) this.#sendHead();
    }
    if (this.#discarding) return data.length;
    this.head.bodyStarted();
    if (this.body.abandoned) {
      // the reader gave up on the body: a short count ends the transfer (CURLE_WRITE_ERROR)
      // rather than download for nobody
      return 0;
    }
    if (!this.body.deliver(data)) {
      this.#recvPaused = true;
      this.easy.pause(CURLPAUSE.RECV);
    }
    return data.length;
  }

  /** @internal the body's reader caught up: unpause the transfer */
  resumeRecv(): void {
    if (!this.#recvPaused || this.#closed) return;
    this.#recvPaused = false;
    this.easy.pause(CURLPAUSE.CONT);
    this.#runner.wake();
  }

  #sendHead(): void {
    if (this.#headSent) return;
    this.#headSent = true;
    if (this.#heads) this.head.fromStore(this.#heads);
    this.head.bodyStarted();
    const kept = this.#kept;
    this.url = kept ? (kept.effectiveUrl ??= this.#effectiveUrl()) : this.#effectiveUrl();
    this.#hooks.onHead(this);
  }

  #effectiveUrl(): string {
    return String(this.easy.getinfo(CURLINFO.EFFECTIVE_URL) ?? '');
  }
}
