// MD4 (RFC 1320), for NTLM's NT hash. Node's OpenSSL 3 keeps MD4 in the
// legacy provider, which is not loaded, so createHash('md4') throws: this is
// the RFC's algorithm written out. MD4 is broken as a hash; NTLM needs it
// anyway, and nothing else here may use it.

/** rotate a 32-bit word left */
function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** The MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  // padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian number
  const padded = Buffer.alloc((((data.length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const bits = data.length * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x100000000) >>> 0, padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(off + i * 4);
    const aa = a, bb = b, cc = c, dd = d;
    // round 1: F(x,y,z) = xy v not(x)z
    const f = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + ((q & r) | (~q & s)) + x[k]!) | 0, sh);
    for (const k of [0, 4, 8, 12]) {
      a = f(a, b, c, d, k, 3);
      d = f(d, a, b, c, k + 1, 7);
      c = f(c, d, a, b, k + 2, 11);
      b = f(b, c, d, a, k + 3, 19);
    }
    // round 2: G(x,y,z) = xy v xz v yz, plus 0x5A827999
    const g = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + ((q & r) | (q & s) | (r & s)) + x[k]! + 0x5a827999) | 0, sh);
    for (const k of [0, 1, 2, 3]) {
      a = g(a, b, c, d, k, 3);
      d = g(d, a, b, c, k + 4, 5);
      c = g(c, d, a, b, k + 8, 9);
      b = g(b, c, d, a, k + 12, 13);
    }
    // round 3: H(x,y,z) = x xor y xor z, plus 0x6ED9EBA1
    const h = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + (q ^ r ^ s) + x[k]! + 0x6ed9eba1) | 0, sh);
    for (const k of [0, 2, 1, 3]) {
      a = h(a, b, c, d, k, 3);
      d = h(d, a, b, c, k + 8, 9);
      c = h(c, d, a, b, k + 4, 11);
      b = h(b, c, d, a, k + 12, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
