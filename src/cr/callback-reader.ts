// The application's body source (libcurl's cr_in "fread" reader): the
// CURLOPT_READFUNCTION callback, or without one the default that reads
// CURLOPT_READDATA the way fread() reads a FILE*. One instance lives for the
// whole transfer, so a re-sent request (redirect, authentication, a dead
// reused connection) knows whether bytes were consumed and must be rewound
// through CURLOPT_SEEKFUNCTION.
import { readSync, fstatSync } from 'node:fs';
import { CURLE } from '../codes.js';
import { CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE } from '../constants.js';
import type { ReadCallback, SeekCallback } from '../easy/callbacks.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { ClientReader, ReadResult, RewindResult } from './client-reader.js';
import { CALLBACK_NAME, callbackThrew } from '../util/callback-failure.js';
import { readReadable, type IoHost } from '../easy/default-io.js';

/** CURLOPT_SEEKFUNCTION return values and the origin libcurl passes. */
export const CURL_SEEKFUNC = { OK: 0, FAIL: 1, CANTSEEK: 2 } as const;
export const SEEK_SET = 0;

/**
 * What READDATA is read as when there is no READFUNCTION (libcurl: fread on a
 * FILE*). Here: a Buffer or Uint8Array is read like a memory stream, a number
 * is a file descriptor (fs.readSync), a Node Readable is read in paused mode
 * (src/easy/default-io.ts: the transfer pauses until it has data), and null
 * means stdin (fd 0), libcurl's default. A regular file or a buffer can be
 * rewound (fseek); a pipe or a stream cannot.
 */
class DefaultSource {
  readonly #data: unknown;
  readonly #transfer: IoHost | null;
  #pos = 0;
  #seekable: boolean | null = null;

  constructor(readData: unknown, transfer: IoHost | null) {
    this.#data = readData ?? 0;
    this.#transfer = transfer;
  }

  read(buf: Buffer): number | Error {
    const d = this.#data;
    if (this.#transfer) {
      const r = readReadable(this.#transfer, d, buf);
      if (r !== null) return r;
    }
    if (d instanceof Uint8Array) {
      const n = Math.min(buf.length, d.length - this.#pos);
      if (n <= 0) return 0;
      buf.set(d.subarray(this.#pos, this.#pos + n));
      this.#pos += n;
      return n;
    }
    if (typeof d !== 'number') return new TypeError('READDATA is neither a Buffer, a Readable nor a file descriptor');
    try {
      const n = readSync(d, buf, 0, buf.length, this.#isFile(d) ? this.#pos : null);
      this.#pos += n;
      return n;
    } catch (err) {
      return err as Error;
    }
  }

  /** fseek(in, 0, SEEK_SET): true when it worked. */
  rewind(): boolean {
    const d = this.#data;
    if (d instanceof Uint8Array || (typeof d === 'number' && this.#isFile(d))) {
      this.#pos = 0;
      return true;
    }
    return false;
  }

  #isFile(fd: number): boolean {
    if (this.#seekable === null) {
      try {
        this.#seekable = fstatSync(fd).isFile();
      } catch {
        this.#seekable = false;
      }
    }
    return this.#seekable;
  }
}

export interface CallbackReaderConfig {
  read: ReadCallback | null;
  readData: unknown;
  seek: SeekCallback | null;
  seekData: unknown;
  guard: CallbackGuard;
  /** the transfer reading: a Readable READDATA resumes it when data arrives */
  transfer?: IoHost;
}

export class CallbackReader implements ClientReader {
  readonly name = 'cr-in';
  readonly #c: CallbackReaderConfig;
  readonly #default: DefaultSource | null;
  #total = -1;
  #readLen = 0;
  #eos = false;
  #usedCallback = false;
  #failed: (ReadResult & { kind: 'error' }) | null = null;

  constructor(c: CallbackReaderConfig) {
    this.#c = c;
    this.#default = c.read ? null : new DefaultSource(c.readData, c.transfer ?? null);
  }

  /** A new request begins: `total` is its INFILESIZE/POSTFIELDSIZE (-1 unknown). */
  start(total: number): void {
    this.#total = total;
    this.#readLen = 0;
    this.#eos = false;
    this.#failed = null;
  }

  read(max: number): ReadResult {
    if (this.#failed) return this.#failed;
    if (this.#eos) return { kind: 'eos' };
    let blen = Math.max(1, max);
    // respect the announced length: never read past it
    if (this.#total >= 0) blen = Math.max(0, Math.min(blen, this.#total - this.#readLen));
    let n = 0;
    let buf: Buffer | null = null;
    if (blen > 0) {
      buf = Buffer.alloc(blen);
      const r = this.#invoke(buf);
      if (typeof r !== 'number') return this.#fail(CURLE.READ_ERROR, r.failed);
      n = r;
    }
    switch (n) {
      case 0:
        if (this.#total >= 0 && this.#readLen < this.#total) {
          return this.#fail(CURLE.READ_ERROR,
            `client read function EOF fail, only ${this.#readLen}/${this.#total} of needed bytes read`);
        }
        this.#eos = true;
        return { kind: 'eos' };
      case CURL_READFUNC_ABORT:
        return this.#fail(CURLE.ABORTED_BY_CALLBACK, 'operation aborted by callback');
      case CURL_READFUNC_PAUSE:
        return { kind: 'pause' };
    }
    if (!Number.isInteger(n) || n < 0 || n > blen) return this.#fail(CURLE.READ_ERROR, 'read function returned funny value');
    this.#readLen += n;
    if (this.#total >= 0) this.#eos = this.#readLen >= this.#total;
    return { kind: 'data', data: buf!.subarray(0, n), eos: this.#eos };
  }

  /** One read: the count (or a CURL_READFUNC_* value), or why reading failed. */
  #invoke(buf: Buffer): number | { failed: string } {
    this.#usedCallback = true;
    const fn = this.#c.read;
    if (!fn) {
      const r = this.#default!.read(buf);
      return typeof r === 'number' ? r : { failed: `read function failed: ${r.message}` };
    }
    try {
      return this.#c.guard.inCallback(() => fn(buf, this.#c.readData));
    } catch (err) {
      // a throw is a failed read (README "Callbacks that throw")
      return { failed: callbackThrew(this.#c.guard, err, CURLE.READ_ERROR, CALLBACK_NAME.READ) };
    }
  }

  #fail(code: number, message: string): ReadResult & { kind: 'error' } {
    return (this.#failed = { kind: 'error', code, message });
  }

  totalLength(): number {
    return this.#total;
  }
  clientLength(): number {
    return this.#total;
  }
  needsRewind(): boolean {
    return this.#usedCallback;
  }

  /**
   * cr_in_resume_from: SEEKFUNCTION(offset, SEEK_SET); when that cannot seek
   * (or there is none) the bytes are read and dropped. A known total shrinks
   * by the offset, and nothing left means the file is already uploaded.
   */
  resumeFrom(offset: number): RewindResult {
    if (this.#readLen > 0) return { code: CURLE.READ_ERROR };
    const seek = this.#c.seek;
    let seekErr: number = CURL_SEEKFUNC.CANTSEEK;
    let thrown: string | null = null;
    if (seek) {
      try {
        seekErr = this.#c.guard.inCallback(() => seek(this.#c.seekData, offset, SEEK_SET));
      } catch (err) {
        // a throw is CURL_SEEKFUNC_FAIL
        thrown = callbackThrew(this.#c.guard, err, CURLE.READ_ERROR, CALLBACK_NAME.SEEK);
        seekErr = CURL_SEEKFUNC.FAIL;
      }
    }
    if (seekErr !== CURL_SEEKFUNC.OK) {
      if (seekErr !== CURL_SEEKFUNC.CANTSEEK) return { code: CURLE.READ_ERROR, message: thrown ?? 'Could not seek stream' };
      const scratch = Buffer.alloc(4096);
      let passed = 0;
      while (passed < offset) {
        const want = Math.min(scratch.length, offset - passed);
        const r = this.#invoke(scratch.subarray(0, want));
        if (typeof r !== 'number') return { code: CURLE.READ_ERROR, message: r.failed };
        const n = typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : 0;
        passed += n;
        // greater-than (CURL_READFUNC_ABORT and other funny values) ends it as EOF does
        if (n === 0 || n > want) return { code: CURLE.READ_ERROR, message: `Could only read ${passed} bytes from the input` };
      }
    }
    // the source now stands at the offset: a re-sent request must rewind first
    this.#usedCallback = true;
    if (this.#total > 0) {
      this.#total -= offset;
      if (this.#total <= 0) return { code: CURLE.PARTIAL_FILE, message: 'File already completely uploaded' };
    }
    return { code: CURLE.OK };
  }

  /** cr_in_rewind: SEEKFUNCTION(0, SEEK_SET), else fseek for the default reader, else fail. */
  rewind(): RewindResult {
    if (!this.#usedCallback) return { code: CURLE.OK };
    const seek = this.#c.seek;
    if (seek) {
      let err: number;
      try {
        err = this.#c.guard.inCallback(() => seek(this.#c.seekData, 0, SEEK_SET));
      } catch (thrown) {
        // a throw is CURL_SEEKFUNC_FAIL
        return { code: CURLE.SEND_FAIL_REWIND, message: callbackThrew(this.#c.guard, thrown, CURLE.SEND_FAIL_REWIND, CALLBACK_NAME.SEEK) };
      }
      if (err) return { code: CURLE.SEND_FAIL_REWIND, message: `seek callback returned error ${err}` };
    } else if (!this.#default || !this.#default.rewind()) {
      return { code: CURLE.SEND_FAIL_REWIND, message: 'necessary data rewind was not possible' };
    }
    this.#usedCallback = false;
    this.start(this.#total);
    return { code: CURLE.OK };
  }
}
