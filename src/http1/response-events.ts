// The events of the HTTP/1.x response parser (response-parser.ts) and its
// options: what a caller of next() gets. With reuseEvents the common events
// are one object per kind and parser, whose raw line is cut from the
// received Buffer only when someone reads it (InPlace* below).
import { HDR, type HeaderId } from './header-fields.js';
import type { FastStatus } from './status-line.js';
import type { HeadLog } from '../cw/head-log.js';

/**
 * A response header. `id` classifies the name (HDR.OTHER for names nothing
 * acts on); `size` is raw.length, readable without making `raw` (see
 * ResponseParserOptions.reuseEvents).
 */
export interface HeaderEvent {
  type: 'header';
  name: string;
  value: string;
  raw: Buffer;
  id: HeaderId;
  size: number;
  /**
   * The raw line is `name` + ':' + at most one SP or HTAB + `value` + CRLF
   * (or LF), all ASCII, with no other CR: splitting it as node-libcurl does
   * gives `name` and `value` back (see HeaderStore.exactResponseFields()).
   */
  exact?: boolean;
}

/** `size` is raw.length, readable without making `raw` (reuseEvents). */
export interface StatusEvent {
  type: 'status';
  version: number;
  code: number;
  reason: string;
  raw: Buffer;
  size: number;
  /** the line splits back into version, code and reason (FastStatus.exact) */
  exact?: boolean;
}
export interface HeadersEndEvent {
  type: 'headers-end';
  interim: boolean;
  raw: Buffer;
  size: number;
}

export type ParseEvent =
  | StatusEvent
  | HeaderEvent
  | HeadersEndEvent
  | { type: 'data'; data: Buffer }
  | { type: 'trailer'; name: string; value: string; raw: Buffer }
  | { type: 'end' }
  | { type: 'need-data' }
  | { type: 'error'; code: number; message: string };

export type Framing =
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** `noEndIndicator`: an HTTP/1.1 response with neither length nor chunks nor "Connection: close" (curl says so) */
  | { kind: 'close'; noEndIndicator?: boolean }
  | { kind: 'none' };

export interface ResponseParserOptions {
  /** Request method: HEAD and CONNECT change what has a body. */
  method: string;
  /** Limit for all header lines of the response, interim ones included (curl's MAX_HTTP_RESP_HEADER_SIZE). */
  maxHeaderBytes?: number;
  /** A single header line may not reach this many bytes (curl's CURL_MAX_HTTP_HEADER). */
  maxHeaderLineBytes?: number;
  /** CURLOPT_HTTP09_ALLOWED. */
  http09Allowed?: boolean;
  /** CURLOPT_IGNORE_CONTENT_LENGTH: read until close instead. */
  ignoreContentLength?: boolean;
  /** CURLOPT_HTTP_TRANSFER_DECODING: false passes chunked framing through as 'data' (still finding the end). */
  transferDecoding?: boolean;
  /** The response comes from a proxy that forwards requests: its HTTP/1.0 "Proxy-Connection: keep-alive" keeps the connection. */
  viaProxy?: boolean;
  /** The connection carried an HTTP/1.x response before: an HTTP/0.9 reply is then weird, not 0.9. */
  reusedConnection?: boolean;
  /**
   * 'header' and 'data' events may be one object per parser, overwritten by
   * the next next() call, and a header's `raw` is made only when read. For a
   * caller that handles each event before asking for the next one (the
   * exchange); one that keeps events must leave this off.
   */
  reuseEvents?: boolean;
  /** The head is an HTTP/2 stream's, as "HTTP/2 NNN" lines (curl 7.88's): the body ends with the stream (eof()). */
  http2?: boolean;
}

export const MAX_HTTP_RESP_HEADER_SIZE = 300 * 1024;
export const CURL_MAX_HTTP_HEADER = 100 * 1024;
/** Header lines a response may have, interim responses' included (curl 8's MAX_HTTP_RESP_HEADER_COUNT). */
export const MAX_HTTP_RESP_HEADER_COUNT = 5000;

// The errors the response parser (response-parser.ts) reports:
//
//   eof before a complete final status line  CURLE_GOT_NOTHING  "Empty reply from server"
//   eof inside the final response's headers  headers end there; framing decides
//                                            (curl 7.88 returns 0 or 18 the same way)
//   eof before Content-Length bytes          CURLE_PARTIAL_FILE "transfer closed with N bytes remaining to read"
//   eof inside a chunked body                CURLE_PARTIAL_FILE "transfer closed with outstanding read data remaining"
//   not "HTTP/" and 0.9 not allowed          CURLE_UNSUPPORTED_PROTOCOL "Received HTTP/0.9 when not allowed"
//   HTTP/2, HTTP/3, HTTP/1.2 ...             CURLE_UNSUPPORTED_PROTOCOL "Unsupported HTTP version (X.Y) in response"
//   status code not 3 digits or < 100        CURLE_UNSUPPORTED_PROTOCOL "Unsupported response code in HTTP response"
//   header line without a colon              CURLE_WEIRD_SERVER_REPLY "Header without colon"
//   NUL byte in the status line or a header  CURLE_WEIRD_SERVER_REPLY "Nul byte in header"
//   Content-Length empty/negative/garbage    CURLE_WEIRD_SERVER_REPLY "Invalid Content-Length: value"
//   Content-Length values that differ        CURLE_WEIRD_SERVER_REPLY (curl 7.88 lets the last win;
//                                            we follow RFC 9112 6.3 against response smuggling)
//   all header lines > maxHeaderBytes        CURLE_RECV_ERROR "Too large response headers: N > MAX"
//   one header line >= maxHeaderLineBytes    CURLE_TOO_LARGE (libcurl >= 8.6 dynbuf limit; 7.88 said 27)
//   a CR inside a header line                CURLE_WEIRD_SERVER_REPLY "Stray CR in a response header" (curl 8)
//   more than 5000 header lines              CURLE_TOO_LARGE "Too many response headers, 5000 is max" (curl 8)
//   two Location headers that differ         CURLE_WEIRD_SERVER_REPLY "Multiple Location headers" (curl 8;
//                                            message-framing.ts)
// Checked against curl 7.88.1 with a raw TCP server (test/unit/http1-parser.test.ts), the curl 8 ones
// against curl's own cases 2105, 747 and 772.

const EMPTY = Buffer.alloc(0);

/** A header the parser holds until the next line shows it is not continued (obs-fold). */
export interface PendingHeader {
  name: string;
  value: string;
  raw: Buffer[];
  /** raw lines before this index are copies (retain()) */
  owned: number;
}

/**
 * A line parsed in place (reuseEvents): one object per kind and parser,
 * whose raw line is cut from the received Buffer only when someone reads it.
 */
export class InPlaceLine {
  size = 0;
  #buf: Buffer = EMPTY;
  #start = 0;

  protected at(buf: Buffer, start: number, size: number): void {
    this.#buf = buf;
    this.#start = start;
    this.size = size;
  }

  get raw(): Buffer {
    return this.#buf.subarray(this.#start, this.#start + this.size);
  }

  /** The line's bytes into a head log, without a Buffer made for them. */
  logTo(log: HeadLog): void {
    log.span(this.#buf, this.#start, this.#start + this.size);
  }
}

export class InPlaceHeader extends InPlaceLine implements HeaderEvent {
  readonly type = 'header' as const;
  name = '';
  value = '';
  id: HeaderId = HDR.OTHER;
  exact = false;

  set(buf: Buffer, start: number, size: number, name: string, value: string, id: HeaderId, exact: boolean): this {
    this.at(buf, start, size);
    this.name = name;
    this.value = value;
    this.id = id;
    this.exact = exact;
    return this;
  }
}

export class InPlaceStatus extends InPlaceLine implements StatusEvent {
  readonly type = 'status' as const;
  version = 0;
  code = 0;
  reason = '';
  exact = false;

  set(buf: Buffer, start: number, size: number, st: FastStatus): this {
    this.at(buf, start, size);
    this.version = st.version;
    this.code = st.code;
    this.reason = st.reason;
    this.exact = st.exact === true;
    return this;
  }
}

export class InPlaceEnd extends InPlaceLine implements HeadersEndEvent {
  readonly type = 'headers-end' as const;
  interim = false;

  set(buf: Buffer, start: number, size: number, interim: boolean): this {
    this.at(buf, start, size);
    this.interim = interim;
    return this;
  }

  /** The blank line ends the head: its bytes are copied now. */
  override logTo(log: HeadLog): void {
    super.logTo(log);
    log.settle();
  }
}

/** The reusable events of one parser (reuseEvents). */
export interface InPlaceEvents {
  header: InPlaceHeader;
  status: InPlaceStatus;
  end: InPlaceEnd;
  data: { type: 'data'; data: Buffer };
}

/** The event with its bytes copied (see ResponseParser.retain()). */
export function ownEvent(ev: ParseEvent): ParseEvent {
  if (ev.type === 'data') return { type: 'data', data: Buffer.from(ev.data) };
  if ('raw' in ev && ev.raw.length > 0) return { ...ev, raw: Buffer.from(ev.raw) };
  return ev;
}

/** A parser's reusable events, pointing at nothing. */
export function inPlaceEvents(): InPlaceEvents {
  return { header: new InPlaceHeader(), status: new InPlaceStatus(), end: new InPlaceEnd(), data: { type: 'data', data: EMPTY } };
}
