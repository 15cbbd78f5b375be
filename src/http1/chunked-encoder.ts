// Chunked transfer-coding for request bodies (RFC 9112 7.1), byte for byte
// what libcurl's chunked client reader sends: "<hex>\r\n<data>\r\n" per
// chunk with lower-case hex and no extensions, then "0\r\n" + trailers +
// "\r\n".

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * One chunk as the Buffers to write (head, the caller's data unchanged,
 * CRLF), so the payload is never copied. An empty `data` yields no Buffers:
 * a zero-size chunk would end the body, use lastChunk() for that.
 */
export function encodeChunk(data: Buffer): Buffer[] {
  if (data.length === 0) return [];
  return [Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF];
}

/**
 * The last chunk and the trailer section that ends the body. Trailer names
 * and values are byte strings (one char per byte), written as given; CR, LF
 * or NUL inside them would forge extra fields, and a char above U+00FF is
 * not a byte: those throw a TypeError (a programming error, not input).
 */
export function lastChunk(trailers: ReadonlyArray<readonly [string, string]> = []): Buffer {
  let s = '0\r\n';
  for (const [name, value] of trailers) {
    // eslint-disable-next-line no-control-regex
    if (/[\0\r\n\u0100-\uffff]/.test(name + value)) throw new TypeError('trailer contains CR, LF, NUL or a char that is not a byte');
    s += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${s}\r\n`, 'latin1');
}
