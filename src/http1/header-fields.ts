// Parsing of the few response header values that decide HTTP/1 framing and
// connection reuse (Content-Length, Transfer-Encoding, Connection), with the
// leniency curl has: values are read the way libcurl's strtoofft and
// Curl_compareheader read them, not the way RFC 9110 grammar would.

export type ContentLengthValue =
  | { kind: 'ok'; length: number }
  | { kind: 'invalid' } // curl: "Invalid Content-Length: value" (CURLE_WEIRD_SERVER_REPLY)
  | { kind: 'overflow' }; // curl: "Overflow Content-Length: value" (info only; size unknown)

/** The decimal number of one list element (digits, blanks around them allowed). */
function leadingNumber(s: string): ContentLengthValue {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  // only digits: "-2" and "+2" are invalid (libcurl 8's curlx_str_number)
  if (s[i] === '-' || s[i] === '+') return { kind: 'invalid' };
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === start) return { kind: 'invalid' };
  // libcurl 8 (curl's test 768) rejects anything but blanks after the number: "6badness" is invalid
  for (let j = i; j < s.length; j++) if (s[j] !== ' ' && s[j] !== '\t') return { kind: 'invalid' };
  // up to 15 digits is always exact and far below 2^63
  if (i - start <= 15) return { kind: 'ok', length: Number(s.slice(start, i)) };
  // Beyond 2^53 a JS number cannot count bytes exactly; libcurl overflows at
  // 2^63. Either way the size is treated as unknown.
  const digits = s.slice(start, i).replace(/^0+(?=\d)/, '');
  // libcurl's off_t holds up to 2^63-1: such a length is valid (and a close
  // before it is CURLE_PARTIAL_FILE, curl test 2093); beyond it, it overflows
  if (digits.length > 19 || BigInt(digits) > 0x7fffffffffffffffn) return { kind: 'overflow' };
  return { kind: 'ok', length: Number(digits) };
}

/**
 * The value as a number when it is plainly one — 1 to 15 ASCII digits, what
 * servers send — or -1: parseContentLength() would say { kind: 'ok' } with
 * this length, and Number(value) is exact.
 */
export function plainLength(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return Number(value);
}

/**
 * One Content-Length header value. curl 7.88 takes the leading number and
 * ignores the rest ("2x", "2, 2" both mean 2); a comma list whose elements
 * disagree ("2, 3") is reported as 'conflict' here because it is the same
 * request-smuggling hazard as two differing headers (RFC 9112 6.3).
 */
export function parseContentLength(value: string): ContentLengthValue | { kind: 'conflict' } {
  if (!value.includes(',')) return leadingNumber(value);
  const parts = value.split(',');
  const first = leadingNumber(parts[0]!);
  if (first.kind !== 'ok' || parts.length === 1) return first;
  for (const el of parts.slice(1)) {
    const v = leadingNumber(el);
    if (v.kind === 'ok' && v.length !== first.length) return { kind: 'conflict' };
  }
  return first;
}

/** Lower-cased tokens of a comma-separated list, parameters (";q=1") dropped. */
export function tokenList(value: string): string[] {
  const out: string[] = [];
  for (const el of value.split(',')) {
    const semi = el.indexOf(';');
    const t = (semi >= 0 ? el.slice(0, semi) : el).trim().toLowerCase();
    if (t) out.push(t);
  }
  return out;
}

/** Case-insensitive ASCII equality (header names are latin1 strings). */
export function nameIs(name: string, lowerWanted: string): boolean {
  return name.length === lowerWanted.length && name.toLowerCase() === lowerWanted;
}

/** Strip SP/HTAB (and a stray CR) at both ends; String#trim would also eat latin1 NBSP. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t' || s[b - 1] === '\r')) b--;
  return s.slice(a, b);
}

/**
 * The response header names some part of the receive path acts on (framing,
 * connection reuse, redirects, cookies, authentication, decoding, the
 * document time), plus a few every server sends whose name strings are worth
 * sharing. Everything else is OTHER. The id lets the receive path dispatch
 * once, on an integer, instead of lower-casing and comparing every name.
 */
export const HDR = {
  OTHER: 0,
  CONTENT_LENGTH: 1,
  TRANSFER_ENCODING: 2,
  CONNECTION: 3,
  CONTENT_TYPE: 4,
  CONTENT_ENCODING: 5,
  CONTENT_RANGE: 6,
  LOCATION: 7,
  RETRY_AFTER: 8,
  SET_COOKIE: 9,
  WWW_AUTHENTICATE: 10,
  PROXY_AUTHENTICATE: 11,
  LAST_MODIFIED: 12,
  // named only so their strings can be shared (see internedName)
  SERVER: 13,
  DATE: 14,
  ETAG: 15,
  ACCEPT_RANGES: 16,
  CACHE_CONTROL: 17,
  EXPIRES: 18,
  VARY: 19,
  KEEP_ALIVE: 20,
  /** what an HTTP/1.0 proxy says about keeping the connection */
  PROXY_CONNECTION: 21,
} as const;
export type HeaderId = (typeof HDR)[keyof typeof HDR];

/** Lower-case name of each id (index = id). */
const HDR_NAMES: readonly string[] = [
  '', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'content-encoding', 'content-range',
  'location', 'retry-after', 'set-cookie', 'www-authenticate', 'proxy-authenticate', 'last-modified',
  'server', 'date', 'etag', 'accept-ranges', 'cache-control', 'expires', 'vary', 'keep-alive',
  'proxy-connection',
];
const HDR_BY_NAME = new Map<string, HeaderId>(HDR_NAMES.map((n, i) => [n, i as HeaderId]));
/** Ids by name length, so a name is compared with at most three candidates. */
const HDR_BY_LENGTH: HeaderId[][] = [];
for (let i = 1; i < HDR_NAMES.length; i++) (HDR_BY_LENGTH[HDR_NAMES[i]!.length] ??= []).push(i as HeaderId);

/** The id of a header name given as a string (any case). */
export function headerIdOf(name: string): HeaderId {
  const c = HDR_BY_LENGTH[name.length];
  if (!c) return HDR.OTHER;
  return HDR_BY_NAME.get(name.toLowerCase()) ?? HDR.OTHER;
}

/**
 * Bytes [start, end) equal `lower` ignoring ASCII case. Only letters fold:
 * what String#toLowerCase does to latin1 never yields an ASCII letter from
 * anything but its upper-case form, so this is `toLowerCase() === lower`.
 */
function bytesEqualLower(b: Uint8Array, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const w = lower.charCodeAt(i);
    const c = b[start + i]!;
    if (w >= 0x61 && w <= 0x7a ? (c | 0x20) !== w : c !== w) return false;
  }
  return true;
}

/** The id of the header name in bytes [start, end). */
export function headerIdOfBytes(b: Uint8Array, start: number, end: number): HeaderId {
  const c = HDR_BY_LENGTH[end - start];
  if (!c) return HDR.OTHER;
  for (const id of c) if (bytesEqualLower(b, start, HDR_NAMES[id]!)) return id;
  return HDR.OTHER;
}

/** Whether the string is exactly the bytes [start, end) read as latin1. */
function sameLatin1(s: string, b: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

/**
 * A string cache per header id: the last name (in its exact case) and value
 * seen for it. Servers send the same names, and mostly the same values
 * (Server, Content-Type, Connection...), response after response: comparing
 * a few bytes costs less than making (and later collecting) new strings.
 */
const lastName: string[] = HDR_NAMES.map(() => '');
const lastValue: string[] = HDR_NAMES.map(() => '');
/** Values longer than this are not compared (or kept): they rarely repeat. */
const MAX_SHARED_VALUE = 64;

/** The name in bytes [start, end) of a known header (id != OTHER) as a string, shared when it repeats. */
export function internedName<B extends Uint8Array>(id: HeaderId, b: B, start: number, end: number, latin1: (b: B, s: number, e: number) => string): string {
  const last = lastName[id]!;
  if (sameLatin1(last, b, start, end)) return last;
  return (lastName[id] = latin1(b, start, end));
}

/** The value in bytes [start, end) of a known header (id != OTHER) as a string, shared when it repeats. */
export function internedValue<B extends Uint8Array>(id: HeaderId, b: B, start: number, end: number, latin1: (b: B, s: number, e: number) => string): string {
  if (end - start > MAX_SHARED_VALUE) return latin1(b, start, end);
  const last = lastValue[id]!;
  if (sameLatin1(last, b, start, end)) return last;
  return (lastValue[id] = latin1(b, start, end));
}

/**
 * HeaderEvent.exact for an in-place header line: the value [vs, ve) ends the
 * line (at `end`, before its CR when `crEnd`) and follows the colon directly
 * or after one SP/HTAB, and the line is ASCII with no CR but the last. `bits`
 * is every byte of the line OR-ed, plus 0x100 per CR.
 */
export function splitsBack(b: Uint8Array, colon: number, vs: number, ve: number, end: number, crEnd: boolean, bits: number): boolean {
  if ((bits & 0x80) !== 0 || bits >>> 8 !== (crEnd ? 1 : 0) || ve !== end) return false;
  return vs === colon + 1 || (vs === colon + 2 && (b[colon + 1] === 0x20 || b[colon + 1] === 0x09));
}
