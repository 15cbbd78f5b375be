// The chunked transfer-encoding reader (phase TRANSFER_ENCODE, libcurl's
// cr_chunked in http_chunks.c): every read from the reader below becomes one
// chunk; at the end of the source it adds the last chunk with the trailers
// CURLOPT_TRAILERFUNCTION supplies.
import { CURLE } from '../codes.js';
import { encodeChunk, lastChunk } from '../http1/chunked-encoder.js';
import type { ClientReader, ReadResult, RewindResult } from './client-reader.js';
import { toBytes } from '../url/url-bytes.js';

/** Asks the application for trailers; returns the lines or an error result. */
export type TrailerSource = () => { lines: string[] } | { error: ReadResult & { kind: 'error' } };

/** Room for the chunk head and its CRLFs: 8 hex digits + 2 CRLF (as libcurl deducts). */
const CHUNK_OVERHEAD = 8 + 2 + 2;
/** libcurl's CURL_CHUNKED_MINLEN: small reads are widened to make chunks of a decent size. */
const CHUNKED_MINLEN = 1024;

/**
 * The TRAILERFUNCTION's lines as [name, value] (byte strings): libcurl sends
 * only "Name: value" lines, verbatim (the text's UTF-8 bytes); others are
 * skipped with its message.
 */
export function trailerFields(lines: readonly unknown[], info: (text: string) => void): [string, string][] {
  const pairs: [string, string][] = [];
  for (const text of lines) {
    const line = toBytes(String(text));
    const colon = line.indexOf(':');
    // eslint-disable-next-line no-control-regex
    if (colon < 0 || line[colon + 1] !== ' ' || /[\0\r\n]/.test(line)) {
      info('Malformatted trailing header, skipping trailer');
      continue;
    }
    pairs.push([line.slice(0, colon), line.slice(colon + 2)]);
  }
  return pairs;
}

export class ChunkedReader implements ClientReader {
  readonly name = 'chunked';
  readonly #below: ClientReader;
  readonly #trailers: TrailerSource | null;
  readonly #info: (text: string) => void;
  #done = false;
  /** the body's end came with its last bytes: the terminating chunk goes on the next read, as in 7.88 */
  #lastNext = false;
  #failed: (ReadResult & { kind: 'error' }) | null = null;

  constructor(below: ClientReader, trailers: TrailerSource | null, info: (text: string) => void) {
    this.#below = below;
    this.#trailers = trailers;
    this.#info = info;
  }

  read(max: number): ReadResult {
    if (this.#failed) return this.#failed;
    if (this.#done) return { kind: 'eos' };
    if (this.#lastNext) return this.#terminate([]);
    const want = max < CHUNKED_MINLEN ? CHUNKED_MINLEN : max - CHUNK_OVERHEAD;
    const r = this.#below.read(want);
    if (r.kind === 'pause') return r;
    if (r.kind === 'error') return (this.#failed = r);
    const parts: Buffer[] = r.kind === 'data' ? encodeChunk(r.data) : [];
    const eos = r.kind === 'eos' || r.eos;
    if (eos && parts.length > 0) this.#lastNext = true;
    else if (eos) return this.#terminate(parts);
    if (parts.length === 0) return { kind: 'data', data: Buffer.alloc(0), eos: false };
    return { kind: 'data', data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), eos: false };
  }

  /** The terminating chunk (with the trailers, if any): the last read of the body. */
  #terminate(parts: Buffer[]): ReadResult {
    this.#lastNext = false;
    const last = this.#last();
    if (last.kind === 'error') return (this.#failed = last);
    parts.push(last.data);
    this.#done = true;
    return { kind: 'data', data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), eos: true };
  }

  #last(): { kind: 'data'; data: Buffer } | (ReadResult & { kind: 'error' }) {
    if (!this.#trailers) {
      this.#info('Signaling end of chunked upload via terminating chunk.');
      return { kind: 'data', data: lastChunk() };
    }
    const t = this.#trailers();
    if ('error' in t) return t.error;
    return { kind: 'data', data: lastChunk(trailerFields(t.lines, this.#info)) };
  }

  totalLength(): number {
    return -1;
  }
  clientLength(): number {
    return this.#below.clientLength();
  }
  needsRewind(): boolean {
    return this.#below.needsRewind();
  }
  rewind(): RewindResult {
    this.#done = false;
    this.#lastNext = false;
    this.#failed = null;
    return this.#below.rewind();
  }
}

export const TRAILER_ABORT_MESSAGE = 'operation aborted by trailing headers callback';
export const TRAILER_ABORT_CODE = CURLE.ABORTED_BY_CALLBACK;
