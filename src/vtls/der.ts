// A minimal DER reader: enough of ASN.1 to walk an X.509 certificate for
// CURLINFO_CERTINFO (version, serial, algorithms, extensions, signature),
// which node:crypto does not expose. Tag-length-value, definite lengths only.
export interface Tlv {
  tag: number;
  /** the value bytes */
  value: Buffer;
  /** the whole encoding, header included */
  raw: Buffer;
}

export function readTlv(buf: Buffer, at = 0): Tlv {
  if (at + 2 > buf.length) throw new RangeError('DER: truncated');
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || at + 2 + n > buf.length) throw new RangeError('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i]!;
    hdr += n;
  }
  if (at + hdr + len > buf.length) throw new RangeError('DER: truncated');
  return { tag, value: buf.subarray(at + hdr, at + hdr + len), raw: buf.subarray(at, at + hdr + len) };
}

/** The elements of a constructed value (SEQUENCE, SET, explicit tags). */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < t.value.length;) {
    const c = readTlv(t.value, at);
    out.push(c);
    at += c.raw.length;
  }
  return out;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function oidText(value: Buffer): string {
  const parts: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}
