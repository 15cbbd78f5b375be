// The request body of request() and CurlDispatcher as a READFUNCTION: a
// string or bytes are copied out as asked; a Readable or any async iterable
// is pulled one chunk at a time, and while the next chunk is on its way the
// callback answers CURL_READFUNC_PAUSE — libcurl's way of saying "no data
// yet" — and the owner unpauses the transfer when it arrives. So a slow
// producer never blocks the event loop and a fast one is held back by the
// connection (backpressure: nothing is pulled before libcurl asks).
import { Buffer } from 'node:buffer';
import { CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE } from '../constants.js';

export type RequestBody = string | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array | string>;

export class UploadSource {
  /** bytes in all, when known before the transfer (string and bytes) */
  readonly size: number | null;
  readonly #fixed: Buffer | null;
  readonly #iterable: AsyncIterable<Uint8Array | string> | null;
  #iterator: AsyncIterator<Uint8Array | string> | null = null;
  #chunk: Buffer | null = null;
  #offset = 0;
  #ended = false;
  #pulling = false;
  /** the transfer is paused waiting for the next chunk */
  #waiting = false;
  /** what the producer threw (the transfer then ends with CURLE_ABORTED_BY_CALLBACK) */
  error: unknown = undefined;
  /** some byte was handed to libcurl (a retry cannot replay a stream after that) */
  started = false;
  readonly #onReady: () => void;

  /** onReady: data (or the end) arrived while the transfer waited for it: unpause it. */
  constructor(body: RequestBody, onReady: () => void) {
    this.#onReady = onReady;
    if (typeof body === 'string') this.#fixed = Buffer.from(body, 'utf8');
    else if (body instanceof ArrayBuffer) this.#fixed = Buffer.from(body);
    else if (body instanceof Uint8Array) this.#fixed = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else this.#fixed = null;
    this.#iterable = this.#fixed ? null : (body as AsyncIterable<Uint8Array | string>);
    if (this.#iterable && typeof this.#iterable[Symbol.asyncIterator] !== 'function') {
      throw new TypeError('request body must be a string, Buffer, Uint8Array, ArrayBuffer, Readable or async iterable');
    }
    this.size = this.#fixed ? this.#fixed.length : null;
    this.#chunk = this.#fixed;
  }

  /** A fixed body can be sent again (a retry or a 307 redirect); a stream only before its first byte. */
  get replayable(): boolean {
    return this.#fixed !== null || !this.started;
  }

  /** Start over for another attempt (fixed bodies only). */
  rewind(): boolean {
    if (!this.#fixed) return !this.started;
    this.#chunk = this.#fixed;
    this.#offset = 0;
    return true;
  }

  /** CURLOPT_READFUNCTION */
  read = (buf: Buffer): number => {
    if (this.error !== undefined) return CURL_READFUNC_ABORT;
    if (this.#chunk && this.#offset < this.#chunk.length) {
      const n = this.#chunk.copy(buf, 0, this.#offset);
      this.#offset += n;
      this.started = true;
      return n;
    }
    if (this.#fixed || this.#ended) return 0;
    this.#pull();
    if (this.#chunk && this.#offset < this.#chunk.length) return this.read(buf);
    if (this.#ended) return 0;
    this.#waiting = true;
    return CURL_READFUNC_PAUSE;
  };

  /** Let go of the producer (the request ended or was aborted). */
  close(): void {
    this.#ended = true;
    const it = this.#iterator;
    this.#iterator = null;
    if (it?.return) void Promise.resolve(it.return()).catch(() => {});
  }

  #pull(): void {
    if (this.#pulling || this.#ended) return;
    this.#iterator ??= this.#iterable![Symbol.asyncIterator]();
    this.#pulling = true;
    this.#iterator.next().then(
      (r) => {
        this.#pulling = false;
        if (r.done) this.#ended = true;
        else {
          const v = r.value;
          this.#chunk = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
          this.#offset = 0;
        }
        this.#ready();
      },
      (err: unknown) => {
        this.#pulling = false;
        this.error = err ?? new Error('request body stream failed');
        this.#ready();
      },
    );
  }

  #ready(): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    this.#onReady();
  }
}
