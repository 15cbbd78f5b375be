// Status lines of HTTP/1.x responses, read the way curl 7.88 reads them:
// the fast path for what every server sends ("HTTP/1.x NNN reason", read
// straight from the bytes), the general one for everything else, and the
// check that decides early whether a reply is HTTP/1.x at all. Plus the
// latin1 slicing the parser uses for every line.
import { trimOws } from './header-fields.js';

/** the blanks of HTTP/1 lines (SP, HTAB) */
export const SP = 0x20;
export const HT = 0x09;

/**
 * Bytes [start, end) as a latin1 string. Buffer's own latin1Slice (what
 * toString('latin1') ends in) skips toString's encoding lookup and argument
 * checks: one header line makes two or three of these.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (s: number, e: number) => string }).latin1Slice;
export function latin1(b: Buffer, start: number, end: number): string {
  return latin1Slice ? latin1Slice.call(b, start, end) : b.toString('latin1', start, end);
}

/** Strip the line terminator (LF or CRLF) from a latin1 line. */
export function lineText(line: Buffer): string {
  let end = line.length;
  if (end > 0 && line[end - 1] === 0x0a) end--;
  if (end > 0 && line[end - 1] === 0x0d) end--;
  return latin1(line, 0, end);
}

/** How many CRs a line holds. */
export function countCr(line: Buffer): number {
  let n = 0;
  for (let i = line.indexOf(0x0d); i >= 0; i = line.indexOf(0x0d, i + 1)) n++;
  return n;
}

/** Could these first bytes of a line still become "HTTP/"? (curl's checkhttpprefix, case-insensitive) */
export function mayBeHttpPrefix(bytes: number[]): boolean {
  const want = 'HTTP/';
  for (let i = 0; i < bytes.length && i < want.length; i++) {
    const c = bytes[i]!;
    const up = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
    if (up !== want.charCodeAt(i)) return false;
  }
  return true;
}

export interface FastStatus {
  ok: true;
  version: number;
  code: number;
  reason: string;
  /**
   * The line is "HTTP/1.x NNN", then nothing, one SP, or one SP and this
   * reason, all ASCII without CR: split at its first two spaces (as
   * node-libcurl splits a status line) it gives back this version, code and
   * reason (see HeaderStore.exactResponseHead()).
   */
  exact?: boolean;
}
/** fastStatusLine()'s result: one object, overwritten by the next call. */
const fastStatus: FastStatus = { ok: true, version: 0, code: 0, reason: '', exact: false };
/** The last reason phrase made, shared when the next is the same ("OK" after "OK"). */
let lastReason = '';

/**
 * "HTTP/1.x NNN reason" read from bytes [start, end) of b (the line without
 * its LF) — what every HTTP/1 server sends — into fastStatus; null for
 * anything else, which parseStatusLine() then judges.
 */
export function fastStatusLine(b: Buffer, start: number, lineEnd: number): FastStatus | null {
  let end = lineEnd;
  if (end > start && b[end - 1] === 0x0d) end--;
  if (end - start < 12 || b[start] !== 0x48 || b[start + 1] !== 0x54 || b[start + 2] !== 0x54 || b[start + 3] !== 0x50 ||
      b[start + 4] !== 0x2f || b[start + 5] !== 0x31 || b[start + 6] !== 0x2e || (b[start + 7] !== 0x30 && b[start + 7] !== 0x31) ||
      b[start + 8] !== SP) {
    return null;
  }
  const d0 = b[start + 9]! - 0x30;
  const d1 = b[start + 10]! - 0x30;
  const d2 = b[start + 11]! - 0x30;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
  if (end > start + 12 && b[start + 12] !== SP) return null;
  let rs = start + 12;
  let re = end;
  while (rs < re && (b[rs] === SP || b[rs] === HT)) rs++;
  while (re > rs && (b[re - 1] === SP || b[re - 1] === HT || b[re - 1] === 0x0d)) re--;
  let reason = lastReason;
  let same = reason.length === re - rs;
  for (let k = 0; same && k < reason.length; k++) same = reason.charCodeAt(k) === b[rs + k];
  if (!same) reason = lastReason = latin1(b, rs, re);
  let exact = end <= start + 13 || (rs === start + 13 && re === end);
  for (let k = rs; exact && k < re; k++) exact = b[k]! < 0x80 && b[k] !== 0x0d;
  fastStatus.exact = exact;
  fastStatus.version = 10 + (b[start + 7]! - 0x30);
  fastStatus.code = d0 * 100 + d1 * 10 + d2;
  fastStatus.reason = reason;
  return fastStatus;
}

export type StatusParse = FastStatus | { ok: false; message: string };

/** The status line after "HTTP/", with curl 7.88's acceptance rules. */
export function parseStatusLine(text: string, http2 = false): StatusParse {
  const m = /^HTTP\/(\d)(?:\.(\d))? (.*)$/is.exec(text);
  if (!m) return { ok: false, message: 'Unsupported HTTP version in response' };
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  // the head of an HTTP/2 stream, made by the session from its HEADERS frame
  if (http2 && major === 2 && m[2] === undefined) {
    const cm2 = /^(\d{3}) /.exec(m[3]!);
    if (cm2) return { ok: true, version: 20, code: Number(cm2[1]), reason: '' };
  }
  // "HTTP/2 200" or "HTTP/2.0" on an HTTP/1 connection is a protocol
  // violation (h2 is negotiated, never announced in a status line).
  if (major !== 1 || minor > 1) return { ok: false, message: `Unsupported HTTP version (${major}.${minor}) in response` };
  if (m[2] === undefined) return { ok: false, message: 'Unsupported HTTP version in response' };
  const rest = m[3]!.replace(/^[ \t]+/, '');
  const cm = /^(\d{3})(?!\d)/.exec(rest);
  if (!cm || Number(cm[1]) < 100) return { ok: false, message: 'Unsupported response code in HTTP response' };
  return { ok: true, version: major * 10 + minor, code: Number(cm[1]), reason: trimOws(rest.slice(3)) };
}

/** A status with nothing in it (for events that let go of what they pointed at). */
export const NO_STATUS: FastStatus = Object.freeze({ ok: true, version: 0, code: 0, reason: '', exact: false });
