// The stream side of node-libcurl's Curl: the response as a Readable
// (CurlFeature.StreamResponse) and the request body from a Readable
// (setUploadStream), with backpressure through libcurl's pause:
//
// - Response: the first body chunk creates the Readable and is held by the
//   engine (the write callback answers CURL_WRITEFUNC_PAUSE) until the
//   consumer reads; then every chunk is pushed, and once push() reports a full
//   buffer the next chunk is held again (paused) until the consumer's next
//   read() unpauses the transfer. Nothing piles up in memory past the
//   stream's highWaterMark plus one chunk. Destroying the stream (or a
//   consumer that errors) fails the transfer: the next write callback, at once
//   if the transfer was paused, throws the stream's error, which ends the
//   transfer (CURLE_ABORTED_BY_CALLBACK with the error as `cause`).
// - Upload: the read callback takes what the stream has buffered; when it has
//   nothing the upload pauses (CURL_READFUNC_PAUSE) and 'readable' or 'end'
//   resumes it on the next turn. A stream that errors or is destroyed before
//   'end' fails the transfer the same way.
import { Readable } from 'node:stream';
import { CURL_READFUNC_PAUSE, CURL_WRITEFUNC_PAUSE } from '../../index.js';

const PAUSE_RECV = 1;
const PAUSE_SEND = 4;

/** What the stream helpers need from the Curl instance. */
export interface StreamHost {
  readonly isRunning: boolean;
  readonly handle: { readonly pauseFlags: number; pause(bits: number): number };
  /** emit 'stream' with the response stream (status and headers taken by the host) */
  announce(stream: Readable): void;
}

export class ResponseStream {
  readonly #host: StreamHost;
  readonly #highWaterMark: number | undefined;
  stream: Readable | null = null;
  #wantMore = false;
  #inWrite = false;
  error: Error | null = null;

  constructor(host: StreamHost, highWaterMark: number | undefined) {
    this.#host = host;
    this.#highWaterMark = highWaterMark;
  }

  /** The WRITEFUNCTION in stream mode. */
  write(chunk: Buffer): number {
    if (this.error) throw this.error;
    if (!this.stream) {
      this.stream = this.#create();
      setImmediate(() => this.#host.announce(this.stream!));
      return CURL_WRITEFUNC_PAUSE;
    }
    if (!this.#wantMore) return CURL_WRITEFUNC_PAUSE;
    this.#inWrite = true;
    try {
      this.#wantMore = this.stream.push(chunk);
    } finally {
      this.#inWrite = false;
    }
    return chunk.length;
  }

  /** The transfer ended well: the stream ends after what it holds. */
  end(): void {
    this.stream?.push(null);
  }

  /** A stream for a response without a body: it ends at once. */
  static empty(): Readable {
    return new Readable({ read() { this.push(null); } });
  }

  #create(): Readable {
    const self = this;
    return new Readable({
      highWaterMark: this.#highWaterMark,
      read() {
        self.#wantMore = true;
        if (!self.#inWrite) self.#resume();
      },
      destroy(error, cb) {
        self.error = error ?? new Error('Curl response stream was unexpectedly destroyed');
        // a paused transfer sees the error at once: its held chunk comes back to write(), which throws it
        self.#resume();
        cb(null);
      },
    });
  }

  #resume(): void {
    const h = this.#host;
    if (h.isRunning && (h.handle.pauseFlags & PAUSE_RECV) !== 0) h.handle.pause(h.handle.pauseFlags & ~PAUSE_RECV);
  }
}

export class UploadStream {
  readonly stream: Readable;
  readonly #host: StreamHost;
  #ended = false;
  #paused = false;
  error: Error | null = null;
  readonly #listeners: [string, (...args: any[]) => void][] = [];

  constructor(host: StreamHost, stream: Readable) {
    this.#host = host;
    this.stream = stream;
    this.#on('readable', () => this.#wake());
    this.#on('end', () => { this.#ended = true; this.#wake(); });
    this.#on('error', (err: Error) => { this.error ??= err; this.#wake(); });
    this.#on('close', () => {
      if (!this.#ended && !this.error) this.error = new Error('Curl upload stream was unexpectedly destroyed');
      this.#wake();
    });
  }

  #on(event: string, fn: (...args: any[]) => void): void {
    this.stream.on(event, fn);
    this.#listeners.push([event, fn]);
  }

  /** The READFUNCTION: bytes copied into `buf`, 0 at the end, or a pause while the stream has nothing. */
  read(buf: Buffer): number {
    if (this.error) throw this.error;
    const data = this.stream.read(Math.min(buf.length, this.stream.readableLength || buf.length)) as Buffer | string | null;
    if (data === null) {
      if (this.#ended || this.stream.readableEnded) return 0;
      this.#paused = true;
      return CURL_READFUNC_PAUSE;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const n = bytes.copy(buf);
    if (n < bytes.length) this.stream.unshift(bytes.subarray(n));
    return n;
  }

  #wake(): void {
    if (!this.#paused) return;
    this.#paused = false;
    // on the next turn: never from inside the engine's own call that took the pause
    setImmediate(() => {
      const h = this.#host;
      if (h.isRunning && (h.handle.pauseFlags & PAUSE_SEND) !== 0) h.handle.pause(h.handle.pauseFlags & ~PAUSE_SEND);
    });
  }

  /** Stop listening to the stream (the transfer is over or another stream replaced it). */
  detach(): void {
    for (const [event, fn] of this.#listeners) this.stream.off(event, fn);
    this.#listeners.length = 0;
  }
}
