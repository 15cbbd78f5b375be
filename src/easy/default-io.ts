// libcurl's default callbacks: with no WRITEFUNCTION libcurl fwrite()s the
// body to the FILE* in WRITEDATA (stdout when unset), with no
// HEADERFUNCTION the headers to HEADERDATA's, with no READFUNCTION it
// fread()s READDATA (stdin when unset), and VERBOSE text goes to STDERR.
// A FILE* here is one of:
//   - a file descriptor (a number): written with fs.writeSync, as fwrite
//     blocks (a descriptor that answers EAGAIN is waited for);
//   - a Node Writable: written with write(); while its buffer is above its
//     highWaterMark the transfer pauses (CURL_WRITEFUNC_PAUSE) and resumes on
//     'drain', so nothing is buffered past one piece. A write error the
//     stream reports while the transfer runs ends it with CURLE_WRITE_ERROR.
//     What is still queued when the transfer ends is the application's to
//     flush (end() and 'finish'), as a C program fcloses its FILE*;
//   - for READDATA also a Node Readable (read in paused mode; the transfer
//     pauses while nothing is buffered and resumes on 'readable') and a
//     Buffer/Uint8Array (read like a memory stream).
import { writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { CURL_READFUNC_PAUSE, CURL_WRITEFUNC_PAUSE, CURLPAUSE } from '../constants.js';
import { internalsOf } from './internals.js';

/** The transfer a default callback writes or reads for (the engine's Transfer). */
export interface IoHost {
  readonly easy: unknown;
  pauseBits: number;
}

/** What a Writable, or anything written like one, must offer. */
type WritableLike = Pick<Writable, 'write' | 'on' | 'once' | 'off'> & Partial<Pick<Writable,
  'writableLength' | 'writableHighWaterMark' | 'writableNeedDrain' | 'destroyed' | 'writableEnded' | 'errored'>>;
type ReadableLike = Pick<Readable, 'read' | 'on' | 'once' | 'off'> & Partial<Pick<Readable, 'readableEnded' | 'destroyed' | 'errored'>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isFd = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isWritable(v: unknown): v is WritableLike {
  return isObject(v) && typeof v.write === 'function' && typeof v.on === 'function' && typeof v.once === 'function';
}
function isReadable(v: unknown): v is ReadableLike {
  return isObject(v) && typeof v.read === 'function' && typeof v.on === 'function' && typeof v.once === 'function';
}

/** A FILE* to write to: a file descriptor or a Node Writable (CURLOPT_STDERR's accepted values). */
export function isFileTarget(v: unknown): v is number | Writable {
  return isFd(v) || isWritable(v);
}

/** Blocks the thread for `ms`, as a blocking write() waits for its descriptor. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** fwrite to a descriptor: every byte, or false on an error. */
function writeFd(fd: number, data: Buffer): boolean {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      sleepSync(1);
    }
  }
  return true;
}

/**
 * One Writable as libcurl's FILE*: the error it reported, and the listener
 * that catches it while bytes written here are in flight (an error on the
 * application's own writes afterwards stays the application's).
 */
class WritableSink {
  readonly #s: WritableLike;
  error: Error | null = null;
  #inFlight = 0;
  #listening = false;
  readonly #onError = (e: Error): void => {
    this.error ??= e;
  };

  constructor(s: WritableLike) {
    this.#s = s;
  }

  get failed(): boolean {
    const s = this.#s;
    return this.error !== null || s.destroyed === true || s.writableEnded === true || (s.errored ?? null) !== null;
  }

  /** Above the stream's highWaterMark: the next piece would only wait in memory. */
  get blocked(): boolean {
    const s = this.#s;
    if (s.writableNeedDrain === true) return true;
    const len = s.writableLength ?? 0;
    return len > 0 && len >= (s.writableHighWaterMark ?? 16384);
  }

  write(data: Buffer): boolean {
    if (this.failed) return false;
    if (!this.#listening) {
      this.#s.on('error', this.#onError);
      this.#listening = true;
    }
    this.#inFlight++;
    try {
      // copied: the piece may be a view of memory reused after the callback returns
      this.#s.write(Buffer.from(data), (err?: Error | null) => {
        if (err) this.error ??= err;
        if (--this.#inFlight === 0) setImmediate(() => this.#idle());
      });
    } catch (err) {
      this.error ??= err as Error;
      this.#inFlight--;
      return false;
    }
    return !this.failed;
  }

  /** Nothing of ours in flight: stop listening, unless the error was ours (then it has been reported). */
  #idle(): void {
    if (this.#inFlight > 0 || !this.#listening || this.error !== null) return;
    this.#s.off('error', this.#onError);
    this.#listening = false;
  }

  /** `cb` once, when the stream drained, failed or closed. */
  whenWritable(cb: () => void): void {
    const s = this.#s;
    let done = false;
    const fire = (): void => {
      if (done) return;
      done = true;
      s.off('drain', fire);
      s.off('error', fire);
      s.off('close', fire);
      cb();
    };
    s.once('drain', fire);
    s.once('error', fire);
    s.once('close', fire);
  }
}

const sinks = new WeakMap<object, WritableSink>();
function sinkOf(s: WritableLike): WritableSink {
  let k = sinks.get(s);
  if (!k) sinks.set(s, (k = new WritableSink(s)));
  return k;
}

/** easy.pause() with `bit` cleared, if `t` is still its handle's transfer and paused that way. */
function unpause(t: IoHost, bit: number): void {
  const i = internalsOf(t.easy);
  if ((i?.transfer as unknown) !== t || !(t.pauseBits & bit)) return;
  (t.easy as { pause(bits: number): number }).pause(t.pauseBits & ~bit);
}

/**
 * libcurl's default write function: fwrite(data) to `target` (WRITEDATA or
 * HEADERDATA; null means stdout, libcurl's default). Returns data.length,
 * CURL_WRITEFUNC_PAUSE while a Writable is full (only with `mayPause`: body
 * data), or 0 when the write failed or `target` is no FILE* (the caller's
 * CURLE_WRITE_ERROR).
 */
export function defaultWrite(t: IoHost, target: unknown, data: Buffer, mayPause: boolean): number {
  const out = target ?? process.stdout;
  if (isFd(out)) return writeFd(out, data) ? data.length : 0;
  if (!isWritable(out)) return 0;
  const sink = sinkOf(out);
  if (sink.failed) return 0;
  if (mayPause && sink.blocked) {
    sink.whenWritable(() => unpause(t, CURLPAUSE.RECV));
    return CURL_WRITEFUNC_PAUSE;
  }
  if (data.length === 0) return 0;
  return sink.write(data) ? data.length : 0;
}

/** Text for CURLOPT_STDERR (VERBOSE output): its descriptor or Writable, else the process's stderr. */
export function writeStderr(target: unknown, text: string): void {
  const b = Buffer.from(text, 'latin1');
  if (isFd(target)) {
    writeFd(target, b);
    return;
  }
  if (isWritable(target)) {
    const sink = sinkOf(target);
    if (!sink.failed) sink.write(b);
    return;
  }
  process.stderr.write(b);
}

/**
 * libcurl's default read function on a Node Readable (fread on READDATA):
 * what is buffered, up to buf.length; 0 at the end of the stream;
 * CURL_READFUNC_PAUSE while nothing is buffered (the transfer resumes on
 * 'readable'); an Error when the stream failed.
 */
export function readReadable(t: IoHost, s: unknown, buf: Buffer): number | Error | null {
  if (!isReadable(s)) return null;
  if (s.errored) return s.errored;
  if (s.destroyed && !s.readableEnded) return new Error('the READDATA stream was destroyed');
  const chunk = s.read() as Buffer | string | null;
  if (chunk === null) {
    if (s.readableEnded) return 0;
    let done = false;
    const fire = (): void => {
      if (done) return;
      done = true;
      s.off('readable', fire);
      s.off('end', fire);
      s.off('error', fire);
      s.off('close', fire);
      unpause(t, CURLPAUSE.SEND);
    };
    s.once('readable', fire);
    s.once('end', fire);
    s.once('error', fire);
    s.once('close', fire);
    return CURL_READFUNC_PAUSE;
  }
  const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  const n = Math.min(b.length, buf.length);
  b.copy(buf, 0, 0, n);
  if (n < b.length) (s as unknown as Readable).unshift(b.subarray(n));
  return n;
}
