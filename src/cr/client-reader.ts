// Client readers: where a request body comes from (libcurl's Curl_creader,
// see CLIENT-READERS.md). The HTTP exchange pulls from the top reader of a
// small stack whenever the socket can take more bytes; readers never block and
// never touch the network.
//
// The stack for one request is one source reader (phase CLIENT: the null
// reader, a buffer, the application's READFUNCTION) optionally wrapped by a
// transfer-encoding reader (chunked). A reader MUST hand out at most `max`
// bytes of source data per read (framing may add a few), MUST report `eos` on
// or after the last data, and MUST keep failing with the same error once it
// failed.
import { CURLE, type CURLcode } from '../codes.js';

export type ReadResult =
  /** bytes to send; `eos` says they are the last ones */
  | { kind: 'data'; data: Buffer; eos: boolean }
  /** the body is complete */
  | { kind: 'eos' }
  /** the application paused sending (CURL_READFUNC_PAUSE) */
  | { kind: 'pause' }
  | { kind: 'error'; code: CURLcode; message: string };

export interface RewindResult {
  code: CURLcode;
  message?: string;
}

export interface ClientReader {
  readonly name: string;
  /** Next bytes of the body; MUST NOT block. */
  read(max: number): ReadResult;
  /** Bytes this reader delivers in total, -1 when unknown (Curl_creader_total_length). */
  totalLength(): number;
  /** The raw length the application gives, before any encoding (Curl_creader_client_length). */
  clientLength(): number;
  /** Data from the application was consumed: sending it again needs a rewind first. */
  needsRewind(): boolean;
  /** Start over from the first byte (only called when needsRewind() said so). */
  rewind(): RewindResult;
  /**
   * Skip the first `offset` bytes of a body not yet read, for a resumed upload
   * (libcurl's Curl_creader_resume_from); the lengths shrink by as much. A
   * reader without it cannot resume: CURLE_READ_ERROR, as libcurl's default.
   */
  resumeFrom?(offset: number): RewindResult;
}

/** The body of GET/HEAD and of an authentication probe: nothing (libcurl's "null" reader). */
export class NullReader implements ClientReader {
  readonly name = 'null';
  read(): ReadResult {
    return { kind: 'eos' };
  }
  totalLength(): number {
    return 0;
  }
  clientLength(): number {
    return 0;
  }
  needsRewind(): boolean {
    return false;
  }
  rewind(): RewindResult {
    return { code: CURLE.OK };
  }
}

/** Exactly these bytes (CURLOPT_POSTFIELDS): libcurl's "buf" reader. Rewinding is free. */
export class BufReader implements ClientReader {
  readonly name = 'buf';
  #buf: Buffer;
  #pos = 0;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  read(max: number): ReadResult {
    if (this.#pos >= this.#buf.length) return { kind: 'eos' };
    const n = Math.min(Math.max(1, max), this.#buf.length - this.#pos);
    const data = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return { kind: 'data', data, eos: this.#pos >= this.#buf.length };
  }
  totalLength(): number {
    return this.#buf.length;
  }
  clientLength(): number {
    return this.#buf.length;
  }
  needsRewind(): boolean {
    return false; // a fresh BufReader over the same bytes replays them
  }
  rewind(): RewindResult {
    this.#pos = 0;
    return { code: CURLE.OK };
  }
  /** cr_buf_resume_from: the bytes start later (an offset past the end cannot be resumed) */
  resumeFrom(offset: number): RewindResult {
    if (this.#pos > 0 || offset > this.#buf.length) return { code: CURLE.READ_ERROR };
    this.#buf = this.#buf.subarray(offset);
    return { code: CURLE.OK };
  }
}

// libcurl 7.88 says "We are completely uploaded and fine" when a request
// body that went through its upload loop — a read callback (-T), MIME, a
// POSTFIELDS body of 64 KiB or more, or one held for 100 Continue — has
// all been read; a small POSTFIELDS body travels in the head's buffer and
// gets no note. The note comes after the last piece's trace, so a last
// piece that arrives with the end is handed on alone and the end is told
// on the next read. Everything else passes straight through.
export class UploadEndNote implements ClientReader {
  readonly name: string;
  readonly #inner: ClientReader;
  readonly #note: () => void;
  /** the last piece went out: the next read is the end */
  #endNext = false;
  #told = false;
  readonly resumeFrom?: (offset: number) => RewindResult;

  constructor(inner: ClientReader, note: () => void) {
    this.name = inner.name;
    this.#inner = inner;
    this.#note = note;
    if (inner.resumeFrom) this.resumeFrom = (offset) => inner.resumeFrom!(offset);
  }

  read(max: number): ReadResult {
    if (this.#endNext) return this.#end();
    const r = this.#inner.read(max);
    if (r.kind === 'eos') return this.#end();
    if (r.kind === 'data' && r.eos) {
      this.#endNext = true;
      return { kind: 'data', data: r.data, eos: false };
    }
    return r;
  }

  #end(): ReadResult {
    this.#endNext = false;
    // said for a body of known size (a chunked one says so with its terminating chunk)
    if (!this.#told && this.#inner.totalLength() >= 0) {
      this.#told = true;
      this.#note();
    }
    return { kind: 'eos' };
  }

  totalLength(): number {
    return this.#inner.totalLength();
  }
  clientLength(): number {
    return this.#inner.clientLength();
  }
  needsRewind(): boolean {
    return this.#inner.needsRewind();
  }
  rewind(): RewindResult {
    this.#endNext = false;
    this.#told = false;
    return this.#inner.rewind();
  }
}
