// Collects the header lines HEADERFUNCTION delivers into the last
// response's status and headers. libcurl hands over every response of a
// transfer (1xx interim ones, redirects it follows, auth challenges it
// answers) and, after the body, the trailers: a status line starts a new
// response, lines after the body are trailers.
//
// HTTP stores each header's name and value (decoded, unfolded, trimmed) for
// curl_easy_header() before it hands the line over: such a line's strings
// are taken from that store instead of decoding the bytes again. A line is
// only matched to the entry stored just before it, with the same name; any
// other order (a protocol that stores nothing, or after the callback) falls
// back to decoding for the rest of that response.

import { CURLH } from '../constants.js';

export type HeaderRecord = Record<string, string | string[]>;

/** The part of a transfer's header store (src/easy/header-store.ts) read here. */
export interface StoredHeaders {
  readonly length: number;
  nameAt(i: number): string;
  valueAt(i: number): string;
}

/** What an HTTP transfer's header store knows of its last response (read at its end, without header lines). */
export interface StoredResponse {
  readonly version: number;
  readonly code: number;
  readonly reason: string;
  responseFields(origin: number): string[];
}


/** 11 → 'HTTP/1.1', 20 → 'HTTP/2': the status line's protocol as HTTP sends it */
function protocolName(version: number): string {
  if (version === 11) return 'HTTP/1.1';
  const major = Math.floor(version / 10);
  return version >= 20 && version % 10 === 0 ? `HTTP/${major}` : `HTTP/${major}.${version % 10}`;
}

export class ResponseHead {
  status = 0;
  statusText = '';
  /** 'HTTP/1.1', 'HTTP/2', ... as on the status line */
  protocol = '';
  /** name, value, name, value ... of the last response, names as sent */
  rawHeaders: string[] = [];
  rawTrailers: string[] = [];
  /** the last header block ended (its blank line came) */
  complete = false;
  #bodyStarted = false;
  /** the store entry the next header line is expected to be, or -1: decode the line */
  #next = -1;

  /**
   * Take the last response's status and headers from an HTTP transfer's
   * header store (no status line yet: nothing changes). The same strings the
   * lines would give: HTTP stores each field decoded, unfolded and trimmed.
   */
  fromStore(store: StoredResponse): void {
    if (store.version === 0) return;
    this.protocol = protocolName(store.version);
    this.status = store.code;
    this.statusText = store.reason;
    this.rawHeaders = store.responseFields(CURLH.HEADER);
  }

  /** The trailers from the store, into the list handed out already. */
  trailersFromStore(store: StoredResponse): void {
    if (store.version !== 0) this.rawTrailers.push(...store.responseFields(CURLH.TRAILER));
  }

  /** The body began: header lines from now on are trailers. */
  bodyStarted(): void {
    this.#bodyStarted = true;
    this.#next = -1;
  }

  /** One HEADERFUNCTION line (with its CRLF). Returns true at the blank line ending a block. */
  line(buf: Buffer, store: StoredHeaders | null = null): boolean {
    // byte checks first: most lines are "Name: value", decoded once, without regular expressions
    let end = buf.length;
    if (end > 0 && buf[end - 1] === LF) {
      end--;
      if (end > 0 && buf[end - 1] === CR) end--;
    }
    if (end === 0) {
      if (!this.#bodyStarted) this.complete = true;
      return !this.#bodyStarted;
    }
    if (!this.#bodyStarted && buf[0] === H && buf[4] === SLASH) {
      const text = latin1(buf, 0, end);
      const m = /^(HTTP\/\S+) (\d{3})(?: (.*))?$/.exec(text);
      if (m) {
        this.protocol = m[1]!;
        this.status = Number(m[2]);
        this.statusText = m[3] ?? '';
        this.rawHeaders = [];
        this.complete = false;
        this.#next = store === null ? -1 : store.length;
        return false;
      }
    }
    const list = this.#bodyStarted ? this.rawTrailers : this.rawHeaders;
    const i = this.#next;
    if (i >= 0) {
      if (store!.length === i + 1 && sameName(buf, store!.nameAt(i))) {
        list.push(store!.nameAt(i), store!.valueAt(i));
        this.#next = i + 1;
        return false;
      }
      this.#next = -1;
    }
    if ((buf[0] === SP || buf[0] === HTAB) && list.length >= 2) {
      // obs-fold: continues the previous header's value
      list[list.length - 1] += ' ' + latin1(buf, 0, end).trim();
      return false;
    }
    const colon = buf.indexOf(COLON);
    if (colon <= 0 || colon >= end) return false;
    list.push(latin1(buf, 0, colon), latin1(buf, colon + 1, end).trim());
    return false;
  }
}

/** Does `buf` start with `name` and a colon? */
function sameName(buf: Buffer, name: string): boolean {
  const n = name.length;
  if (buf.length <= n || buf[n] !== COLON) return false;
  for (let k = 0; k < n; k++) if (buf[k] !== name.charCodeAt(k)) return false;
  return true;
}

/** Buffer's own latin1 decoder (what toString('latin1', ...) ends in, without its argument checks). */
const latin1 = (buf: Buffer, start: number, end: number): string => (buf as Buffer & { latin1Slice(s: number, e: number): string }).latin1Slice(start, end);

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;
const H = 72;
const SLASH = 47;

/** Flat name/value pairs → lower-case names, repeated headers as arrays (node:http's and undici's shape). */
export function headerRecord(raw: readonly string[]): HeaderRecord {
  const out: HeaderRecord = Object.create(null) as HeaderRecord;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
