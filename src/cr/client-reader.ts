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
