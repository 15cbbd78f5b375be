// curl_easy_escape / curl_escape and curl_easy_unescape / curl_unescape:
// percent-encoding of bytes, as libcurl's escape.c. Strings are taken as
// the bytes they stand for (UTF-8, with src/url/url-bytes.ts's escaped
// bytes), so non-ASCII text is encoded byte by byte as in C. Decoding gives
// bytes (a Buffer: "%00" and bytes that are not UTF-8 survive), as C's
// char pointer with its output length does.
import { textToBuffer } from './url-bytes.js';

/** CURL_MAX_INPUT_LENGTH: libcurl refuses longer input (the result is NULL). */
const MAX_INPUT_LENGTH = 8000000;

const HEX_UPPER = '0123456789ABCDEF';

/** The bytes of `input`: its first `length` bytes, or up to the first NUL when `length` is 0 (C's strlen). */
function inputBytes(input: string | Uint8Array, length: number): Buffer | null {
  if (!Number.isInteger(length) || length < 0) return null;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new TypeError('escape/unescape: the input must be a string, a Buffer or a Uint8Array');
  }
  const all = typeof input === 'string' ? textToBuffer(input) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (length === 0) {
    const nul = all.indexOf(0);
    return nul < 0 ? all : all.subarray(0, nul);
  }
  // C reads `length` bytes whatever they are; past the end of the input there is nothing to read
  return all.subarray(0, Math.min(length, all.length));
}

const unreserved = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;

/**
 * curl_easy_escape(): every byte that is not a-z, A-Z, 0-9, '-', '.', '_' or
 * '~' becomes %XX (uppercase hex). `length` 0 takes the input up to its first
 * NUL. null where libcurl returns NULL: a negative length, or input longer
 * than libcurl's 8000000-byte limit.
 */
export function escape(input: string | Uint8Array, length = 0): string | null {
  const b = inputBytes(input, length);
  if (b === null || b.length > MAX_INPUT_LENGTH) return null;
  let out = '';
  for (const c of b) out += unreserved(c) ? String.fromCharCode(c) : '%' + HEX_UPPER[c >> 4]! + HEX_UPPER[c & 15]!;
  return out;
}

const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * curl_easy_unescape(): each %XX (two hex digits, any case) becomes its byte;
 * anything else, a lone '%' too, is kept. The result's length is C's
 * outlength. `length` 0 takes the input up to its first NUL. null where
 * libcurl returns NULL: a negative length, or input past its length limit.
 */
export function unescape(input: string | Uint8Array, length = 0): Buffer | null {
  const b = inputBytes(input, length);
  if (b === null || b.length > MAX_INPUT_LENGTH) return null;
  const out = Buffer.allocUnsafe(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25 && i + 2 < b.length) {
      const hi = hexValue(b[i + 1]!);
      const lo = hexValue(b[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}
