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

/** A stored header handed out by header()/nextheader(): where it is in which store (the struct's private anchor). */
interface Anchor {
  store: HeaderStore;
  /** index of the header (not of its first slot) */
  pos: number;
}

/** Slots per stored header in the flat list: name, value, origin + request * ORIGIN_SPAN. */
const SLOTS = 3;
const ORIGIN_SPAN = 64;

/** @internal request()'s Attempt: told when each response's head ends (an object, so that listening allocates nothing). */
export interface HeadersEndListener {
  headersEnded(interim: boolean): void;
}

export class HeaderStore {
  /**
   * Every header as SLOTS consecutive entries: one flat array instead of an
   * object per header (a transfer stores every header it receives and is
   * rarely asked about them).
   */
  readonly #list: (string | number)[] = [];
  /** the names lower-cased, made on the first lookup (most transfers never ask) */
  #lower: string[] | null = null;
  /** the request the headers now arriving answer (libcurl's state.requests) */
  #request = 0;
  /** the current request's final response has been seen: the next status line is a new request */
  #finalSeen = false;
  /** the last status line's HTTP version (10, 11, 20, ...), code and reason phrase */
  version = 0;
  code = 0;
  reason = '';
  /** where the last status line's response begins in the list (a header index) */
  #responseStart = 0;
  /** status lines so far, and whether a stored line's raw form is not known to split back into it (push's `exact`) */
  #statusLines = 0;
  #inexact = false;
  /**
   * @internal request()'s hook: a response's head ended (its headers are
   * stored), so its status and fields are read once here instead of through
   * a HEADERFUNCTION call per line. Set on the transfer's own store only.
   */
  headersEndListener: HeadersEndListener | null = null;

  /** Forget every header (the transfer is retired). */
  clear(): void {
    this.#list.length = 0;
    this.#statusLines = 0;
  }

  /** A status line arrived (`version` as 11 for HTTP/1.1; `exact`: see exactResponseHead()). */
  status(version = 0, code = 0, reason = '', exact = false): void {
    this.#statusLines++;
    if (!exact) this.#inexact = true;
    if (this.#finalSeen) {
      this.#request++;
      this.#finalSeen = false;
    }
    this.version = version;
    this.code = code;
    this.reason = reason;
    this.#responseStart = this.#count;
  }

  /** The end of a response's headers: interim ones keep the request open. */
  headersEnd(interim: boolean): void {
    if (!interim) this.#finalSeen = true;
    this.headersEndListener?.headersEnded(interim);
  }

  /**
   * The last response's fields of `origin` (HEADER, or TRAILER) as flat
   * name, value pairs, names as sent (request()'s rawHeaders/rawTrailers).
   */
  responseFields(origin: number): string[] {
    const out: string[] = [];
    const n = this.#count;
    for (let i = this.#responseStart; i < n; i++) {
      if (this.#origin(i) === origin) out.push(this.#name(i), this.#list[i * SLOTS + 1] as string);
    }
    return out;
  }

  /**
   * A header (origin HEADER or 1XX) or trailer (TRAILER) line, already
   * unfolded and trimmed. `exact`: the raw line splits into this name and
   * value the way node-libcurl splits lines (HTTP/1's HeaderEvent.exact).
   */
  push(name: string, value: string, origin: number, exact = false): void {
    if (!exact) this.#inexact = true;
    this.#list.push(name, value, origin + this.#request * ORIGIN_SPAN);
  }

  /**
   * @internal node-libcurl's curly: when this transfer got one HTTP/1
   * response, only its headers (no interim response, CONNECT reply or
   * trailer), and each raw line splits into what was stored (the status
   * line into version, code and reason at its first two spaces, each header
   * into its name and value, as node-libcurl splits them): the version
   * ("HTTP/1.1"), the reason, then the fields as flat name, value pairs. Its
   * header lines need not be parsed again. Otherwise null.
   */
  exactResponseHead(): string[] | null {
    if (this.#inexact || this.#statusLines !== 1 || (this.version !== 10 && this.version !== 11)) return null;
    const n = this.#count;
    const out: string[] = [this.version === 11 ? 'HTTP/1.1' : 'HTTP/1.0', this.reason];
    for (let i = 0; i < n; i++) {
      if (this.#origin(i) !== CURLH.HEADER) return null;
      out.push(this.#name(i), this.#list[i * SLOTS + 1] as string);
    }
    return out;
  }

  get #count(): number {
    return this.#list.length / SLOTS;
  }

  /** Headers stored so far (all origins and requests): header `i` is nameAt(i) / valueAt(i). */
  get length(): number {
    return this.#count;
  }

  nameAt(i: number): string {
    return this.#list[i * SLOTS] as string;
  }

  valueAt(i: number): string {
    return this.#list[i * SLOTS + 1] as string;
  }

  #name(i: number): string {
    return this.#list[i * SLOTS] as string;
  }

  #origin(i: number): number {
    return (this.#list[i * SLOTS + 2] as number) % ORIGIN_SPAN;
  }

  #requestOf(i: number): number {
    return Math.floor((this.#list[i * SLOTS + 2] as number) / ORIGIN_SPAN);
  }

  #lowerName(i: number): string {
    const lower = (this.#lower ??= []);
    for (let k = lower.length; k <= i; k++) lower.push(this.#name(k).toLowerCase());
    return lower[i]!;
  }

  /** Header i of the scope (origin bits, request) named `lower`? */
  #matches(i: number, lower: string, origin: number, req: number): boolean {
    return (this.#origin(i) & origin) !== 0 && this.#requestOf(i) === req && this.#lowerName(i) === lower;
  }

  /** curl_easy_header */
  header(name: string, index: number, origin: number, request: number): { code: CURLHcode; header?: CurlHeader } {
    if (typeof name !== 'string' || !Number.isInteger(index) || index < 0 || !Number.isInteger(origin) || !Number.isInteger(request) ||
        origin <= 0 || origin > ALL_ORIGINS || request < -1) {
      return { code: CURLHE.BAD_ARGUMENT };
    }
    const n = this.#count;
    if (n === 0) return { code: CURLHE.NOHEADERS };
    if (request > this.#request) return { code: CURLHE.NOREQUEST };
    const req = request === -1 ? this.#request : request;
    const lower = name.toLowerCase();
    const matches: number[] = [];
    for (let i = 0; i < n; i++) if (this.#matches(i, lower, origin, req)) matches.push(i);
    if (matches.length === 0) return { code: CURLHE.MISSING };
    if (index >= matches.length) return { code: CURLHE.BADINDEX };
    return { code: CURLHE.OK, header: this.#external(matches[index]!, index, matches.length) };
  }

  /** curl_easy_nextheader */
  nextheader(origin: number, request: number, prev: CurlHeader | null): CurlHeader | null {
    if (request > this.#request) return null;
    const req = request === -1 ? this.#request : request;
    const n = this.#count;
    let start = 0;
    if (prev) {
      const anchor = prev.anchor as Anchor | undefined;
      if (!anchor || anchor.store !== this || !(anchor.pos < n)) return null;
      start = anchor.pos + 1;
    }
    let pick = -1;
    for (let i = start; i < n && pick < 0; i++) if ((this.#origin(i) & origin) !== 0 && this.#requestOf(i) === req) pick = i;
    if (pick < 0) return null;
    const lower = this.#lowerName(pick);
    let amount = 0;
    let index = 0;
    for (let i = 0; i < n; i++) {
      if (this.#matches(i, lower, origin, req)) amount++;
      if (i === pick) index = amount - 1;
    }
    return this.#external(pick, index, amount);
  }

  #external(i: number, index: number, amount: number): CurlHeader {
    const anchor: Anchor = { store: this, pos: i };
    return { name: this.#name(i), value: this.#list[i * SLOTS + 1] as string, amount, index, origin: this.#origin(i) | LIBCURL_ORIGIN_MARK, anchor };
  }
}
