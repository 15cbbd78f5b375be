// The BER subset LDAP (RFC 4511) is written in: definite lengths, tags of one
// byte, INTEGER/ENUMERATED/BOOLEAN/OCTET STRING/SEQUENCE/SET and the
// context and application tags LDAP uses. Sans-I/O: writers return Buffers,
// the reader walks a Buffer and says 'partial' when an element is not all
// there yet (the stream reader keeps the bytes and waits for more).

/** One element: its tag byte and its content (a view of the input). */
export interface BerElement {
  tag: number;
  content: Buffer;
}

export type BerRead =
  | { kind: 'ok'; element: BerElement; next: number }
  | { kind: 'partial' }
  | { kind: 'error'; message: string };

/** The largest LDAP message this client accepts (a single search entry bigger than this is refused). */
export const MAX_MESSAGE = 16 << 20;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A TLV with `tag` around `content` (Buffers are concatenated). */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

/** A two's-complement INTEGER (or ENUMERATED with tag 0x0a), minimal length. */
export function integer(n: number, tag = 0x02): Buffer {
  const bytes: number[] = [];
  let v = n;
  // bounded: a safe integer has at most 8 bytes
  for (let i = 0; i < 8; i++) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
    const top = bytes[0]!;
    if ((v === 0 && !(top & 0x80)) || (v === -1 && top & 0x80)) break;
  }
  return tlv(tag, Buffer.from(bytes));
}

/** An OCTET STRING; a string is a byte string (one char per byte, as URL decoding gives them). */
export const octets = (s: Buffer | string, tag = 0x04): Buffer => tlv(tag, typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
export const boolean = (b: boolean, tag = 0x01): Buffer => tlv(tag, Buffer.from([b ? 0xff : 0]));
export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);

/** Reads the element at `at` of `buf`. */
export function readElement(buf: Buffer, at: number, max = MAX_MESSAGE): BerRead {
  if (buf.length - at < 2) return { kind: 'partial' };
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) return { kind: 'error', message: 'multi-byte BER tag' };
  let len = buf[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) return { kind: 'error', message: 'indefinite BER length' };
    if (n > 4) return { kind: 'error', message: 'BER length too large' };
    if (buf.length - p < n) return { kind: 'partial' };
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (len > max) return { kind: 'error', message: 'BER element too large' };
  if (buf.length - p < len) return { kind: 'partial' };
  return { kind: 'ok', element: { tag, content: buf.subarray(p, p + len) }, next: p + len };
}

/** The elements inside a constructed element's content, or null when it does not parse exactly. */
export function children(content: Buffer): BerElement[] | null {
  const out: BerElement[] = [];
  let at = 0;
  // bounded: every element consumes at least two bytes
  while (at < content.length) {
    const r = readElement(content, at);
    if (r.kind !== 'ok') return null;
    out.push(r.element);
    at = r.next;
  }
  return out;
}

/** An INTEGER/ENUMERATED's value, or null when it does not fit a safe integer. */
export function readInteger(e: BerElement): number | null {
  const c = e.content;
  if (c.length === 0 || c.length > 6) return null;
  let v = c[0]! & 0x80 ? -1 : 0;
  for (const b of c) v = v * 256 + b;
  return v;
}
