// The decoding writers of one response (libcurl's CURL_CW_TRANSFER_DECODE and
// CURL_CW_CONTENT_DECODE phases) and how header values build them
// (Curl_build_unencoding_stack). Codings are listed in the order they were
// applied, so the last one listed is undone first. Transfer codings other
// than chunked (which the HTTP/1 parser removes) are decoded only when the
// application asked for them with CURLOPT_TRANSFER_ENCODING; content codings
// only when CURLOPT_ACCEPT_ENCODING is set and CURLOPT_HTTP_CONTENT_DECODING
// is on.
import { CURLE, type CURLcode } from '../codes.js';
import { decoderFor, type Resumable, type DecodeOutcome, type Emit } from './content-decoders.js';
import { PAUSED } from './client-write.js';

/** libcurl's MAX_ENCODE_STACK: more codings than this in one phase is an attack, not a response. */
export const MAX_ENCODE_STACK = 5;

const OK: DecodeOutcome = { code: CURLE.OK };

const EMPTY = Buffer.alloc(0);

/**
 * Decoders of one phase; write() runs input through all of them, last added
 * first. When the client pauses, every decoder on the way stops with its
 * input left (PAUSED); resume() goes on from the one nearest the client.
 */
export class DecoderStack {
  readonly #list: Resumable[] = [];

  get depth(): number {
    return this.#list.length;
  }

  add(d: Resumable): void {
    this.#list.push(d);
  }

  write(input: Buffer, emit: Emit): DecodeOutcome {
    return this.#writeAt(this.#list.length - 1, input, emit);
  }

  /** Some decoder stopped for a pause and holds input. */
  get paused(): boolean {
    return this.#list.some((d) => d.paused);
  }

  /**
   * After unpause: each stopped decoder goes on with what it kept, the one
   * nearest the client first (its output must go out before what the outer
   * ones still have makes more). Stops again at the next pause.
   */
  resume(emit: Emit): DecodeOutcome {
    for (let i = 0; i < this.#list.length; i++) {
      if (!this.#list[i]!.paused) continue;
      const r = this.#writeAt(i, EMPTY, emit);
      if (r.code !== CURLE.OK) return r;
    }
    return OK;
  }

  #writeAt(i: number, input: Buffer, emit: Emit): DecodeOutcome {
    if (i < 0) {
      const c = emit(input);
      return c === CURLE.OK ? OK : { code: c };
    }
    let failure: DecodeOutcome | null = null;
    const r = this.#list[i]!.write(input, (out) => {
      const o = this.#writeAt(i - 1, out, emit);
      if (o.code !== CURLE.OK && o.code !== PAUSED) failure = o;
      return o.code;
    });
    return failure ?? r;
  }

  close(): void {
    for (const d of this.#list) d.close();
  }
}

/** The decoders of the response being received. */
export class ResponseDecoding {
  readonly transfer = new DecoderStack();
  readonly content = new DecoderStack();
  /** a 'chunked' transfer coding was listed (later codings would be out of order) */
  sawChunked = false;

  close(): void {
    this.transfer.close();
    this.content.close();
  }
}

export interface CodingPolicy {
  /** CURLOPT_TRANSFER_ENCODING: the request asked for compressed transfer codings */
  transferRequested: boolean;
  /** CURLOPT_HTTP_TRANSFER_DECODING is 0: transfer codings are left alone */
  transferSkip: boolean;
}

export interface CodingResult {
  code: CURLcode;
  message?: string;
}

/** Split a coding list the way libcurl does: commas and blanks separate, names keep their case. */
export function codingNames(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Add the codings of one Transfer-Encoding header value. */
export function addTransferCodings(d: ResponseDecoding, value: string, p: CodingPolicy): CodingResult {
  if (p.transferSkip) return OK;
  for (const name of codingNames(value)) {
    const lower = name.toLowerCase();
    const chunked = lower === 'chunked';
    if (!p.transferRequested && !chunked) {
      // not requested: identity is harmless, anything else was not asked for
      if (d.sawChunked) return { code: CURLE.BAD_CONTENT_ENCODING, message: `A Transfer-Encoding (${name}) was listed after chunked` };
      if (lower === 'identity') continue;
      return { code: CURLE.BAD_CONTENT_ENCODING, message: `Unsolicited Transfer-Encoding (${name}) found` };
    }
    if (chunked) {
      // the parser undoes chunked; a repeated chunked is ignored (RFC 9112 6.1)
      if (d.sawChunked) continue;
      if (d.transfer.depth + 1 > MAX_ENCODE_STACK) return tooMany('transfer');
      d.sawChunked = true;
      continue;
    }
    if (d.sawChunked) {
      return { code: CURLE.BAD_CONTENT_ENCODING, message: "Reject response due to 'chunk' not being the last Transfer-Encoding" };
    }
    if (d.transfer.depth + (d.sawChunked ? 1 : 0) + 1 > MAX_ENCODE_STACK) return tooMany('transfer');
    d.transfer.add(decoderFor(name));
  }
  return OK;
}

/** Add the codings of one Content-Encoding header value. */
export function addContentCodings(d: ResponseDecoding, value: string): CodingResult {
  for (const name of codingNames(value)) {
    if (d.content.depth + 1 > MAX_ENCODE_STACK) return tooMany('content');
    d.content.add(decoderFor(name));
  }
  return OK;
}

function tooMany(phase: 'transfer' | 'content'): CodingResult {
  return { code: CURLE.BAD_CONTENT_ENCODING, message: `Reject response exceeding limit of ${MAX_ENCODE_STACK} ${phase} encodings` };
}
