// What request() resolves with: the final response's status and headers as
// soon as they are known, and its body as a Readable that the transfer
// fills. Backpressure is libcurl's pause: when the stream's buffer is full
// the transfer is paused (CURLPAUSE_RECV, so the socket is no longer read
// and TCP holds the server back), and reading from the stream unpauses it.
import type { Buffer } from 'node:buffer';
import type { BodySink } from './body-sink.js';
import { headerRecord, type HeaderRecord, type ResponseHead } from './response-head.js';
import type { ResponseBody } from './response-body.js';

export { ResponseBody } from './response-body.js';

export class CurlResponse {
  readonly status: number;
  readonly statusText: string;
  /** 'HTTP/1.1', 'HTTP/2', ... from the status line ('' for protocols without one) */
  readonly protocol: string;
  /** header names as the server sent them, alternating with their values */
  readonly rawHeaders: readonly string[];
  #headers: HeaderRecord | null = null;
  /** CURLINFO_EFFECTIVE_URL: the last URL, after redirects */
  readonly url: string;
  readonly #body: BodySink;
  /** the number of attempts the retry option made beyond the first */
  readonly retries: number;
  readonly #rawTrailers: string[];

  /**
   * @internal made by request() from the final response's head: `url` is
   * CURLINFO_EFFECTIVE_URL (after redirects), `retries` the number of
   * attempts the retry option made beyond the first; the trailers fill
   * `head.rawTrailers` when the body has ended.
   */
  constructor(head: ResponseHead, body: BodySink, url: string, retries: number) {
    this.status = head.status;
    this.statusText = head.statusText;
    this.protocol = head.protocol;
    this.rawHeaders = head.rawHeaders;
    this.url = url;
    this.#body = body;
    this.retries = retries;
    this.#rawTrailers = head.rawTrailers;
  }

  /** The body as a Readable (made on first use: text(), json() and the like need none). */
  get body(): ResponseBody {
    return this.#body.stream();
  }

  /** lower-case names; a repeated header is an array (built on first use) */
  get headers(): HeaderRecord {
    return (this.#headers ??= headerRecord(this.rawHeaders));
  }

  /** Trailer fields (HTTP chunked or HTTP/2), complete once the body has ended. */
  get trailers(): HeaderRecord {
    return headerRecord(this.#rawTrailers);
  }

  /** The whole body as bytes (rejects with the transfer's CurlError if it fails midway). */
  bytes(): Promise<Buffer> {
    return this.#body.collect();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /** The body parsed as JSON; a parse failure rejects with the SyntaxError, the response attached as `response`. */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      if (err instanceof Error) Object.defineProperty(err, 'response', { value: this, enumerable: false });
      throw err;
    }
  }
}
