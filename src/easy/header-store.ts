// The response headers of a transfer, kept for curl_easy_header() and
// curl_easy_nextheader() (libcurl's lib/headers.c). Every header and trailer
// of every response is stored in arrival order with its origin and the
// number of the request it answered: 0 for the first, one more for each
// redirect followed or authentication round. Interim (1xx) responses belong
// to the request their final response answers. A new transfer starts a new
// store (a new Transfer object), so nothing leaks from the previous perform.

import { CURLH, CURLHE, type CURLHcode } from '../constants.js';

const ALL_ORIGINS = CURLH.HEADER | CURLH.TRAILER | CURLH.CONNECT | CURLH['1XX'] | CURLH.PSEUDO;
/** libcurl marks the structs it hands out as its own (copy_header_external). */
const LIBCURL_ORIGIN_MARK = 1 << 27;

/** struct curl_header. `anchor` is private to the library: pass the struct back to nextheader(). */
export interface CurlHeader {
  readonly name: string;
  readonly value: string;
  readonly amount: number;
  readonly index: number;
  readonly origin: number;
  readonly anchor: unknown;
}

interface StoredHeader {
  name: string;
  /** the name lower-cased, made on the first lookup (most transfers never ask) */
  lower: string | null;
  value: string;
  origin: number;
  request: number;
  pos: number;
}

export class HeaderStore {
  readonly #list: StoredHeader[] = [];
  /** the request the headers now arriving answer (libcurl's state.requests) */
  #request = 0;
  /** the current request's final response has been seen: the next status line is a new request */
  #finalSeen = false;

  /** A status line arrived. */
  status(): void {
    if (this.#finalSeen) {
      this.#request++;
      this.#finalSeen = false;
    }
  }

  /** The end of a response's headers: interim ones keep the request open. */
  headersEnd(interim: boolean): void {
    if (!interim) this.#finalSeen = true;
  }

  /** A header (origin HEADER or 1XX) or trailer (TRAILER) line, already unfolded and trimmed. */
  push(name: string, value: string, origin: number): void {
    this.#list.push({ name, lower: null, value, origin, request: this.#request, pos: this.#list.length });
  }

  /** curl_easy_header */
  header(name: string, index: number, origin: number, request: number): { code: CURLHcode; header?: CurlHeader } {
    if (typeof name !== 'string' || !Number.isInteger(index) || index < 0 || !Number.isInteger(origin) || !Number.isInteger(request) ||
        origin <= 0 || origin > ALL_ORIGINS || request < -1) {
      return { code: CURLHE.BAD_ARGUMENT };
    }
    if (this.#list.length === 0) return { code: CURLHE.NOHEADERS };
    if (request > this.#request) return { code: CURLHE.NOREQUEST };
    const req = request === -1 ? this.#request : request;
    const lower = name.toLowerCase();
    const matches = this.#list.filter((h) => lowerOf(h) === lower && (h.origin & origin) !== 0 && h.request === req);
    if (matches.length === 0) return { code: CURLHE.MISSING };
    if (index >= matches.length) return { code: CURLHE.BADINDEX };
    return { code: CURLHE.OK, header: external(matches[index]!, index, matches.length) };
  }

  /** curl_easy_nextheader */
  nextheader(origin: number, request: number, prev: CurlHeader | null): CurlHeader | null {
    if (request > this.#request) return null;
    const req = request === -1 ? this.#request : request;
    let start = 0;
    if (prev) {
      const anchor = prev.anchor as StoredHeader | undefined;
      if (!anchor || this.#list[anchor.pos] !== anchor) return null;
      start = anchor.pos + 1;
    }
    const pick = this.#list.slice(start).find((h) => (h.origin & origin) !== 0 && h.request === req);
    if (!pick) return null;
    let amount = 0;
    let index = 0;
    const pickLower = lowerOf(pick);
    for (const h of this.#list) {
      if (lowerOf(h) === pickLower && h.request === req && (h.origin & origin) !== 0) amount++;
      if (h === pick) index = amount - 1;
    }
    return external(pick, index, amount);
  }
}

function lowerOf(h: StoredHeader): string {
  return (h.lower ??= h.name.toLowerCase());
}

function external(h: StoredHeader, index: number, amount: number): CurlHeader {
  return { name: h.name, value: h.value, amount, index, origin: h.origin | LIBCURL_ORIGIN_MARK, anchor: h };
}
