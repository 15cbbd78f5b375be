// Byte-level helpers for the URL API and the request head. curl's URL code
// works on bytes, so the URL handle stores every part as a "byte string": a
// JS string whose char codes are 0..255, one per byte of the UTF-8 input.
// That keeps percent encoding byte-exact ("é" -> "%c3%a9") and lets %XX
// decode to any byte. The request head is a byte string too: everything the
// caller gives as text goes in through toBytes(), never by keeping each
// character's low byte (that turned U+010A into LF).
//
// Bytes that are not UTF-8 (a config file, a cookie file, a URL's %ff) still
// have to survive a trip through text: as Python's "surrogateescape" does,
// such a byte 0x80..0xFF is read as the lone surrogate U+DC80..U+DCFF, and
// toBytes() turns that surrogate back into the byte. No other code point
// ever becomes a byte below 0x80, so text cannot turn into CR, LF or NUL.
import { isUtf8 } from 'node:buffer';

const HEX = '0123456789abcdef';

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** a lone surrogate standing for a byte 0x80..0xFF (the u flag never matches half of a pair) */
const ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;

/** UTF-8 encode a JS string into a byte string. */
export function toBytes(s: string): string {
  // Fast path: pure ASCII is already its own byte string.
  if (ASCII_ONLY.test(s)) return s;
  if (!ESCAPED_BYTE.test(s)) return Buffer.from(s, 'utf8').toString('latin1');
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    // half of a pair is not an escape
    if (i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue;
    out += Buffer.from(s.slice(run, i), 'utf8').toString('latin1') + String.fromCharCode(c - 0xdc00);
    run = i + 1;
  }
  return out + Buffer.from(s.slice(run), 'utf8').toString('latin1');
}

/** toBytes() as a Buffer: the bytes a text option stands for. */
export function textToBuffer(s: string): Buffer {
  if (ASCII_ONLY.test(s) || !ESCAPED_BYTE.test(s)) return Buffer.from(s, 'utf8');
  return Buffer.from(toBytes(s), 'latin1');
}

/** Decode a byte string back to a JS string (bytes read as UTF-8; other bytes escaped). */
export function fromBytes(b: string): string {
  if (ASCII_ONLY.test(b)) return b;
  return bufferToText(Buffer.from(b, 'latin1'));
}

/**
 * Bytes as text: UTF-8, and every byte that is not part of a well-formed
 * UTF-8 sequence becomes U+DC80..U+DCFF, so toBytes() gives the bytes back.
 */
export function bufferToText(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = utf8SequenceLength(buf, i);
    if (n > 0) {
      out += buf.toString('utf8', i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i++;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629 table), 0 when there is none. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function isAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}
export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
export function isAlnum(c: string | undefined): boolean {
  return isAlpha(c) || isDigit(c);
}
export function isXdigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
/** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~" */
export function isUnreserved(c: string): boolean {
  return isAlnum(c) || c === '-' || c === '.' || c === '_' || c === '~';
}

/** "%xx" with curl's lowercase hex digits. */
export function pctLower(code: number): string {
  return '%' + HEX[code >> 4] + HEX[code & 0xf];
}

/**
 * Curl_urldecode: %XX (two hex digits) becomes the byte, anything else is
 * kept. With rejectCtrl, any resulting byte below 0x20 is an error (null).
 */
export function urlDecode(s: string, rejectCtrl: boolean): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && isXdigit(s[i + 1]) && isXdigit(s[i + 2])) {
      c = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    }
    if (rejectCtrl && c < 0x20) return null;
    out += String.fromCharCode(c);
  }
  return out;
}

/** curl_easy_escape: everything but unreserved becomes %XX (uppercase, as curl). */
export function easyEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (isUnreserved(ch)) out += ch;
    else out += '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The first '/' or '?' after the "//" of an absolute URL (find_host_sep). */
function hostSeparator(url: string): number {
  const dslash = url.indexOf('//');
  const start = dslash < 0 ? 0 : dslash + 2;
  const q = url.indexOf('?', start);
  const slash = url.indexOf('/', start);
  const qi = q < 0 ? url.length : q;
  const si = slash < 0 ? url.length : slash;
  return Math.min(si, qi);
}

/**
 * urlencode_str: what curl does to a URL it is told to encode (redirects,
 * CURLU_URLENCODE on a full URL). Only spaces and bytes >= 0x80 change: a
 * space is "%20" before the query and "+" inside it; high bytes become %xx.
 * For an absolute URL (relative=false) the scheme and authority are left alone.
 */
export function urlEncodeStr(s: string, relative: boolean, query: boolean): string {
  let left = !query;
  const hostSep = relative ? 0 : hostSeparator(s);
  let out = s.slice(0, hostSep);
  for (let i = hostSep; i < s.length; i++) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === ' ') {
      out += left ? '%20' : '+';
      continue;
    }
    if (ch === '?') left = false;
    out += c >= 0x80 ? pctLower(c) : ch;
  }
  return out;
}
