// HTTP/2 header fields as the session hands them on, and the checks nghttp2
// makes on a received header list (RFC 9113 8.2, 8.3): the response head as
// the HTTP/1 lines curl 7.88 feeds its header code with, nghttp2's error
// names, a stream's priority, what became of a server push.
import type { CURLcode } from '../codes.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import type { H2Stream } from './stream.js';

/** What a session needs of its connection's transport. */
export type H2Transport = Pick<StreamTransport, 'recv' | 'send' | 'setUpperPending' | 'closed' | 'eof' | 'volatileRecv'>;

/** nghttp2's error code names (RFC 9113 7), for curl's messages. */
const H2_ERRORS = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];
/** nghttp2_http2_strerror */
export function h2ErrorName(code: number): string {
  return H2_ERRORS[code] ?? 'unknown';
}

/** A stream's priority (RFC 7540 5.3, sent on its HEADERS frame): weight 1-256, the stream it depends on (0: none), exclusively or not. */
export interface H2Priority {
  weight: number;
  parent: number;
  exclusive: boolean;
}

/** What became of a PUSH_PROMISE: accepted, refused (RST_STREAM CANCEL), or the connection fails (CURL_PUSH_ERROROUT). */
export type PushAnswer = 'ok' | 'deny' | 'error';


export interface H2SessionOptions {
  /** server push: the session offers it (SETTINGS_ENABLE_PUSH) when the multi has a PUSHFUNCTION */
  enablePush: boolean;
  /** the server agreed to HTTP/2 already (an h2c Upgrade's 101): a failure before its SETTINGS is not an empty reply */
  upgraded?: boolean;
  /** A PUSH_PROMISE on `owner`'s stream, offered inside a library call (offerPushes): 'ok' gives it to a new transfer. */
  onPush?: (owner: unknown, stream: H2Stream, requestHeaders: [string, string][]) => PushAnswer;
}

/** A PUSH_PROMISE received on a stream, waiting for that stream's transfer to run. */
export interface PushPromise {
  stream: H2Stream;
  headers: [string, string][];
}

/** A failure of the session or of one stream: the CURLcode and curl's message. */
export interface H2Failure {
  code: CURLcode;
  message: string;
  /** the server refused the stream before processing it (REFUSED_STREAM, or beyond a GOAWAY's last id): retry elsewhere */
  retry?: boolean;
}

/** "HTTP/2 200 \r\n" and the header lines, as curl 7.88 hands an HTTP/2 response head to its HTTP/1 header code. */
export function synthesizeHead(list: readonly (readonly [string, string])[]): Buffer {
  let status = '';
  let len = 0;
  for (const [k, v] of list) {
    if (k === ':status') status = v;
    else if (k.charCodeAt(0) !== 58) len += k.length + v.length + 4;
  }
  // "HTTP/2 " status " \r\n" lines "\r\n", written straight into one Buffer
  const out = Buffer.allocUnsafe(12 + status.length + len);
  let o = out.write('HTTP/2 ', 0, 'latin1');
  o += out.write(status, o, 'latin1');
  o += out.write(' \r\n', o, 'latin1');
  for (const [k, v] of list) {
    if (k.charCodeAt(0) === 58) continue;
    o += out.write(k, o, 'latin1');
    out[o++] = 58;
    out[o++] = 32;
    o += out.write(v, o, 'latin1');
    out[o++] = 13;
    out[o++] = 10;
  }
  out[o++] = 13;
  out[o++] = 10;
  return out;
}

/** token characters of a field name, lowercase only (RFC 9110 5.6.2; HTTP/2 forbids uppercase) */
const NAME_OK = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_OK[c.charCodeAt(0)] = 1;

/** a field value may not hold NUL, CR or LF (RFC 9113 8.2.1) */
function valueOk(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13) return false;
  }
  return true;
}

function nameOk(k: string, from: number): boolean {
  if (k.length <= from) return false;
  for (let i = from; i < k.length; i++) if (NAME_OK[k.charCodeAt(i)] !== 1) return false;
  return true;
}

/** 1 to 15 decimal digits (a content-length Number() keeps exactly) */
function digits(v: string): boolean {
  if (v.length === 0 || v.length > 15) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** connection-specific fields an HTTP/2 message must not carry (RFC 9113 8.2.2) */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * A response head's checks, as nghttp2's http messaging does: exactly one
 * :status of three digits (not 101) before any other field, no other
 * pseudo-header, names lowercase tokens, values without NUL/CR/LF, no
 * connection-specific field, TE only "trailers", one content-length of digits.
 * Returns the status (100-599), or -1 (a malformed response: a stream error).
 * `contentLength[0]` gets the content-length, or -1.
 */
export function checkResponse(list: readonly (readonly [string, string])[], contentLength: number[]): number {
  let status = -1;
  contentLength[0] = -1;
  for (let i = 0; i < list.length; i++) {
    const [k, v] = list[i]!;
    if (k.charCodeAt(0) === 58) {
      if (k !== ':status' || i !== 0 || v.length !== 3) return -1;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 100 || n > 599 || n === 101 || v.charCodeAt(0) < 49) return -1;
      status = n;
      continue;
    }
    if (!fieldOk(k, v)) return -1;
    if (k === 'content-length') {
      if (contentLength[0] !== -1 || !digits(v)) return -1;
      contentLength[0] = Number(v);
    }
  }
  return status;
}

/** A regular field (a response's, a trailer's): lowercase token name, clean value, not connection-specific. */
function fieldOk(k: string, v: string): boolean {
  if (!nameOk(k, 0) || !valueOk(v) || CONNECTION_SPECIFIC.has(k)) return false;
  return k !== 'te' || v === 'trailers';
}

/** Trailers: no pseudo-header, regular fields only. */
export function checkTrailers(list: readonly (readonly [string, string])[]): boolean {
  for (const [k, v] of list) if (!fieldOk(k, v)) return false;
  return true;
}

/** A PUSH_PROMISE's request fields: :method, :scheme, :authority, :path pseudo-headers, then regular fields. */
export function checkPromise(list: readonly (readonly [string, string])[]): boolean {
  let regular = false;
  for (const [k, v] of list) {
    if (k.charCodeAt(0) === 58) {
      if (regular || !(k === ':method' || k === ':scheme' || k === ':authority' || k === ':path') || !valueOk(v)) return false;
    } else {
      regular = true;
      if (!fieldOk(k, v)) return false;
    }
  }
  return true;
}
