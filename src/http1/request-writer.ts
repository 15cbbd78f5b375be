// The request head of HTTP/1.x: request line, header lines in the order the
// caller gives them, blank line. Which headers, in which order, and their
// values (curl: Host, Authorization, User-Agent, Accept, ...) are the HTTP
// protocol module's business; this only serializes them exactly.
//
// A head is built as a byte string (one char per byte, see
// src/url/url-bytes.ts): text from the application is UTF-8 encoded into it
// with toBytes() before it gets here. The last line of defence is here too:
// a line holding CR, LF or NUL would let a value forge lines (or be cut
// short by the receiver), and a char above U+00FF is text that skipped
// toBytes(), whose low byte might be CR or LF (U+010A, U+FF0D).

/** What must never be inside one line of a request head. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LINE = /[\0\r\n\u0100-\uffff]/;

/**
 * Why these head lines (without their CRLF) must not be sent, or null when
 * they may: curl's words for a CR or LF in a header, for a NUL, or for a
 * character that is not a byte. One regex scan per line.
 */
export function headLinesProblem(lines: readonly string[]): string | null {
  for (const line of lines) {
    if (!UNSAFE_IN_LINE.test(line)) continue;
    if (/[\r\n]/.test(line)) return 'Header contains a line break';
    if (line.includes('\0')) return 'Header contains a NUL byte';
    return 'Header is not a byte string';
  }
  return null;
}

/** Lines (each without CRLF) as the bytes of a request head: CRLF after each, then the blank line. */
export function headBytes(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

/**
 * `METHOD target HTTP/1.x\r\nName: value\r\n...\r\n` from byte strings. A
 * header given with an empty value is written as "Name:" with nothing after
 * the colon, the way curl sends `-H "Name;"`. CR, LF or NUL in any part would
 * let a value inject lines, and a char above U+00FF is not a byte: either
 * throws a TypeError (caller bug).
 */
export function serializeRequestHead(
  method: string,
  target: string,
  version: '1.0' | '1.1',
  headers: ReadonlyArray<readonly [string, string]>,
): Buffer {
  if (/[\r\n ]/.test(method) || method === '' || UNSAFE_IN_LINE.test(method)) throw new TypeError('invalid request method');
  if (UNSAFE_IN_LINE.test(target)) throw new TypeError('request target contains CR, LF, NUL or a char that is not a byte');
  let s = `${method} ${target} HTTP/${version}\r\n`;
  for (const [name, value] of headers) {
    if (/[\r\n:]/.test(name) || name === '' || UNSAFE_IN_LINE.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (UNSAFE_IN_LINE.test(value)) throw new TypeError(`header ${name} contains CR, LF, NUL or a char that is not a byte`);
    s += value === '' ? `${name}:\r\n` : `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${s}\r\n`, 'latin1');
}
