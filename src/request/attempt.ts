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
import type { MultiRunner } from './multi-runner.js';
import { applyCurlOptions, applyMethod, headerLines, type Progress, type RequestOptions } from './options.js';
import { ResponseHead } from './response-head.js';
import { ResponseBody } from './response.js';
import { CurlError } from './errors.js';
import type { UploadSource } from './upload-source.js';

export interface AttemptHead {
  head: ResponseHead;
  body: ResponseBody;
  url: string;
}

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

export class Attempt {
  readonly easy = new Easy();
  readonly head = new ResponseHead();
  readonly body: ResponseBody;
  readonly #runner: MultiRunner;
  readonly #hooks: AttemptHooks;
  #headSent = false;
  #discarding = false;
  #recvPaused = false;

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
    this.body = new ResponseBody(() => this.#unpauseRecv());
    const easy = this.easy;
    const bad = applyCurlOptions(easy, opts.options);
    const failed = bad
      ? new CurlError(bad.code, `option ${bad.name} refused`)
      : easy.setopt(CURLOPT.URL, url) !== CURLE.OK
        ? new CurlError(CURLE.URL_MALFORMAT, easy.errorBuffer)
        : null;
    let lines: string[] = [];
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
    easy.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => this.#onHeader(line));
    easy.setopt(CURLOPT.WRITEFUNCTION, (data: Buffer) => this.#onData(data));
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
    return this.#runner.perform(this.easy);
  }

  /** End the transfer now (abort). */
  cancel(): void {
    this.#runner.cancel(this.easy, CURLE.ABORTED_BY_CALLBACK);
  }

  /** Unpause sending (the upload source has data again). */
  resumeSend(): void {
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

  close(): void {
    this.easy.cleanup();
  }

  #onHeader(line: Buffer): number {
    const ended = this.head.line(line);
    if (ended && !this.#headSent && this.head.status >= 200 && this.head.status < 300) {
      this.#discarding = this.#hooks.discard(this);
      if (!this.#discarding) this.#sendHead();
    }
    return line.length;
  }

  #onData(data: Buffer): number {
    if (!this.#headSent && !this.#discarding) {
      this.#discarding = this.#hooks.discard(this);
      if (!this.#discarding) this.#sendHead();
    }
    if (this.#discarding) return data.length;
    this.head.bodyStarted();
    if (this.body.destroyed) {
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

  #unpauseRecv(): void {
    if (!this.#recvPaused) return;
    this.#recvPaused = false;
    this.easy.pause(CURLPAUSE.CONT);
    this.#runner.wake();
  }

  #sendHead(): void {
    if (this.#headSent) return;
    this.#headSent = true;
    this.head.bodyStarted();
    this.#hooks.onHead({ head: this.head, body: this.body, url: String(this.easy.getinfo(CURLINFO.EFFECTIVE_URL) ?? '') });
  }
}
