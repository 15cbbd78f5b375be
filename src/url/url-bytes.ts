// Byte-level helpers for the URL API. curl's URL code works on bytes, so the
// URL handle stores every part as a "byte string": a JS string whose char
// codes are 0..255, one per byte of the UTF-8 input. That keeps percent
// encoding byte-exact ("é" -> "%c3%a9") and lets %XX decode to any byte.

const HEX = '0123456789abcdef';

/** UTF-8 encode a JS string into a byte string. */
export function toBytes(s: string): string {
  // Fast path: pure ASCII is already its own byte string.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Decode a byte string back to a JS string (bytes read as UTF-8). */
export function fromBytes(b: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(b)) return b;
  return Buffer.from(b, 'latin1').toString('utf8');
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
