// The server side of NTLM for tests: hands out a type-2 challenge for a
// type-1, checks a type-3 against the password it knows (NTLMv1 or NTLMv2
// responses) and, like IIS, treats authentication as a property of the
// connection: the type-3 must come over the connection that got the
// challenge, and a connection that authenticated stays authenticated. No
// sockets: the HTTP test servers call it with each request's connection id
// and Authorization (or Proxy-Authorization) value.
import { createHmac } from 'node:crypto';
import { lmHash, lmResponse, ntHash, ntlmv2Hash, widen } from '../../src/auth/ntlm-core.js';

export interface NtlmAuthorityOptions {
  user: string;
  password: string;
  domain?: string;
  /** challenge with NTLMv2 (the NTLM2 session key flag and target info), else plain NTLMv1 */
  v2?: boolean;
  /** UNICODE flag in the challenge: the client then sends its names widened */
  unicode?: boolean;
  /** the 8 challenge bytes (fixed by default, so messages are reproducible) */
  challenge?: Buffer;
  /** the type-2 flags instead of those `v2` and `unicode` make */
  flags?: number;
}

/** What the server answers one request. */
export type NtlmVerdict =
  /** no NTLM at all in the request: ask for it */
  | { kind: 'ask' }
  /** a type-1 came: send this type-2 (a header value "NTLM ...") */
  | { kind: 'challenge'; value: string }
  /** the connection is authenticated (now or before) */
  | { kind: 'ok'; user: string; domain: string; workstation: string; ntlmv2: boolean }
  /** a type-3 that does not verify, or that came over another connection */
  | { kind: 'reject'; why: string };

export const FLAG = { UNICODE: 0x1, OEM: 0x2, REQUEST_TARGET: 0x4, NTLM: 0x200, ALWAYS_SIGN: 0x8000, NTLM2: 0x80000, TARGET_INFO: 0x800000 };

/** MS-NLMP's example target info: NetBIOS domain "Domain", computer "Server" */
export const TARGET_INFO = Buffer.concat([
  Buffer.from([2, 0, 12, 0]), widen(Buffer.from('Domain')), Buffer.from([1, 0, 12, 0]), widen(Buffer.from('Server')), Buffer.alloc(4),
]);

function secbuf(msg: Buffer, at: number): Buffer {
  const len = msg.readUInt16LE(at);
  const off = msg.readUInt32LE(at + 4);
  return msg.subarray(off, off + len);
}

export class NtlmAuthority {
  readonly #o: NtlmAuthorityOptions;
  /** the challenge given on each connection */
  readonly #challenged = new Map<number, Buffer>();
  /** the connections that authenticated, and as whom */
  readonly #authenticated = new Map<number, NtlmVerdict>();
  /** every type-3 received, decoded, for assertions */
  readonly type3s: { connectionId: number; flags: number; user: string; domain: string; workstation: string; lm: Buffer; nt: Buffer }[] = [];

  constructor(o: NtlmAuthorityOptions) {
    this.#o = o;
  }

  get flags(): number {
    if (this.#o.flags !== undefined) return this.#o.flags;
    let f = FLAG.OEM | FLAG.REQUEST_TARGET | FLAG.NTLM | FLAG.ALWAYS_SIGN | 0x10000;
    if (this.#o.v2) f |= FLAG.NTLM2 | FLAG.TARGET_INFO;
    if (this.#o.unicode) f |= FLAG.UNICODE;
    return f;
  }

  /** The type-2 message this server sends. */
  type2(): Buffer {
    const name = Buffer.from('CC');
    const ti = this.flags & FLAG.TARGET_INFO ? TARGET_INFO : Buffer.alloc(0);
    const m = Buffer.alloc(48 + name.length + ti.length);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(2, 8);
    m.writeUInt16LE(name.length, 12);
    m.writeUInt16LE(name.length, 14);
    m.writeUInt32LE(48, 16);
    m.writeUInt32LE(this.flags, 20);
    (this.#o.challenge ?? Buffer.from('0123456789abcdef', 'hex')).copy(m, 24);
    m.writeUInt16LE(ti.length, 40);
    m.writeUInt16LE(ti.length, 42);
    m.writeUInt32LE(48 + name.length, 44);
    name.copy(m, 48);
    ti.copy(m, 48 + name.length);
    return m;
  }

  /** Judge one request that came over connection `id` with this Authorization value. */
  judge(id: number, authorization: string | undefined): NtlmVerdict {
    const m = /^NTLM\s+(\S+)$/.exec(authorization ?? '');
    if (!m) {
      return this.#authenticated.get(id) ?? { kind: 'ask' };
    }
    const msg = Buffer.from(m[1]!, 'base64');
    if (msg.subarray(0, 8).toString('latin1') !== 'NTLMSSP\0') return { kind: 'reject', why: 'not NTLMSSP' };
    const type = msg.readUInt32LE(8);
    if (type === 1) {
      const t2 = this.type2();
      this.#challenged.set(id, t2.subarray(24, 32));
      this.#authenticated.delete(id);
      return { kind: 'challenge', value: `NTLM ${t2.toString('base64')}` };
    }
    if (type !== 3) return { kind: 'reject', why: `message type ${type}` };
    const challenge = this.#challenged.get(id);
    this.#challenged.delete(id);
    const unicode = (msg.readUInt32LE(60) & FLAG.UNICODE) !== 0;
    const text = (b: Buffer): string => (unicode ? b.toString('utf16le') : b.toString('latin1'));
    const got = {
      connectionId: id, flags: msg.readUInt32LE(60), lm: secbuf(msg, 12), nt: secbuf(msg, 20),
      domain: text(secbuf(msg, 28)), user: text(secbuf(msg, 36)), workstation: text(secbuf(msg, 44)),
    };
    this.type3s.push(got);
    // the handshake is per connection: a type-3 without a challenge on this connection cannot verify
    if (!challenge) return { kind: 'reject', why: 'type-3 on a connection that got no challenge' };
    if (got.user.toUpperCase() !== this.#o.user.toUpperCase() || got.domain !== (this.#o.domain ?? '')) {
      return { kind: 'reject', why: `unknown user ${got.domain}\\${got.user}` };
    }
    const pw = Buffer.from(this.#o.password, 'utf8');
    let good: boolean;
    if (got.nt.length === 24) {
      good = got.nt.equals(lmResponse(ntHash(pw), challenge)) && got.lm.equals(lmResponse(lmHash(pw), challenge));
    } else {
      // NTLMv2: the first 16 bytes sign the challenge and the rest (the blob)
      const v2 = ntlmv2Hash(Buffer.from(got.user, 'utf8'), Buffer.from(got.domain, 'utf8'), ntHash(pw));
      const proof = createHmac('md5', v2).update(challenge).update(got.nt.subarray(16)).digest();
      const lmv2 = createHmac('md5', v2).update(challenge).update(got.lm.subarray(16)).digest();
      good = proof.equals(got.nt.subarray(0, 16)) && lmv2.equals(got.lm.subarray(0, 16)) &&
        got.nt.subarray(44, got.nt.length - 4).equals(this.flags & FLAG.TARGET_INFO ? TARGET_INFO : Buffer.alloc(0));
    }
    if (!good) return { kind: 'reject', why: 'wrong response (password)' };
    const ok: NtlmVerdict = { kind: 'ok', user: got.user, domain: got.domain, workstation: got.workstation, ntlmv2: got.nt.length > 24 };
    this.#authenticated.set(id, ok);
    return ok;
  }
}
