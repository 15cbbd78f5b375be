// The request head of HTTP/1.x: request line, header lines in the order the
// caller gives them, blank line. Which headers, in which order, and their
// values (curl: Host, Authorization, User-Agent, Accept, ...) are the HTTP
// protocol module's business; this only serializes them exactly.

/**
 * `METHOD target HTTP/1.x\r\nName: value\r\n...\r\n` as latin1 bytes. A
 * header given with an empty value is written as "Name:" with nothing after
 * the colon, the way curl sends `-H "Name;"`. CR or LF in any part would
 * let a value inject lines, so that throws a TypeError (caller bug).
 */
export function serializeRequestHead(
  method: string,
  target: string,
  version: '1.0' | '1.1',
  headers: ReadonlyArray<readonly [string, string]>,
): Buffer {
  if (/[\r\n ]/.test(method) || method === '') throw new TypeError('invalid request method');
  if (/[\r\n]/.test(target)) throw new TypeError('request target contains CR or LF');
  let s = `${method} ${target} HTTP/${version}\r\n`;
  for (const [name, value] of headers) {
    if (/[\r\n:]/.test(name) || name === '') throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${name} contains CR or LF`);
    s += value === '' ? `${name}:\r\n` : `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${s}\r\n`, 'latin1');
}
