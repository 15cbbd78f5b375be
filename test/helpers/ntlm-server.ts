// The server side of NTLM for tests: hands out a type-2 challenge for a
// type-1, checks a type-3 against the password it knows (NTLMv1 or NTLMv2
// responses) and, like IIS, treats authentication as a property of the
// connection: the type-3 must come over the connection that got the
// challenge, and a connection that authenticated stays authenticated.
// NtlmAuthority has no sockets: a test's HTTP server or proxy calls it with
// each request's connection id and Authorization (or Proxy-Authorization)
// value. startNtlmServer() is such a web server, with ways to misbehave.
import { createHmac } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { lmHash, lmResponse, ntHash, ntlmv2Hash, widen } from '../../src/auth/ntlm-core.js';

export interface NtlmAccount {
  user: string;
  password: string;
  domain?: string;
}

export interface NtlmAuthorityOptions {
  /** who may log in */
  accounts: NtlmAccount[];
  /** challenge with NTLMv2 (the NTLM2 session key flag and target info), else plain NTLMv1 */
  v2?: boolean;
  /** UNICODE flag in the challenge: the client then sends its names widened */
  unicode?: boolean;
  /** the 8 challenge bytes (by default each connection gets its own, so a type-3 only verifies where it belongs) */
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

  /** The type-2 message this server sends on connection `id`. */
  type2(id = 0): Buffer {
    const name = Buffer.from('CC');
    const ti = this.flags & FLAG.TARGET_INFO ? TARGET_INFO : Buffer.alloc(0);
    const m = Buffer.alloc(48 + name.length + ti.length);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(2, 8);
    m.writeUInt16LE(name.length, 12);
    m.writeUInt16LE(name.length, 14);
    m.writeUInt32LE(48, 16);
    m.writeUInt32LE(this.flags, 20);
    const challenge = this.#o.challenge ?? Buffer.from('0123456789abcdef', 'hex');
    challenge.copy(m, 24);
    if (!this.#o.challenge) m.writeUInt32LE(id, 28);
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
      const t2 = this.type2(id);
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
    const account = this.#o.accounts.find((a) => a.user.toUpperCase() === got.user.toUpperCase() && (a.domain ?? '') === got.domain);
    if (!account) return { kind: 'reject', why: `unknown user ${got.domain}\\${got.user}` };
    const pw = Buffer.from(account.password, 'utf8');
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

/** One request the NTLM web server got, and what it made of it. */
export interface NtlmLogEntry {
  connectionId: number;
  method: string;
  target: string;
  /** the Authorization value, if any */
  authorization: string | undefined;
  body: Buffer;
  verdict: NtlmVerdict['kind'];
  why?: string;
}

export interface NtlmServerOptions {
  /** the challenge headers of the first 401 (default: just "NTLM") */
  offer?: string[];
  /**
   * What becomes of the connection that carried the challenge: kept (the
   * default), closed after saying "Connection: close", answered in HTTP/1.0
   * (which closes too), or closed without a word.
   */
  afterChallenge?: 'keep' | 'announce-close' | 'http10' | 'silent-close';
}

export interface NtlmServer {
  port: number;
  log: NtlmLogEntry[];
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A web server that wants NTLM (loopback only): a 401 with the offered
 * schemes, a 401 with a type-2 for a type-1, the page for a verified type-3
 * and for every later request on an authenticated connection, a bare "NTLM"
 * 401 for a type-3 that does not verify.
 */
export async function startNtlmServer(authority: NtlmAuthority, o: NtlmServerOptions = {}): Promise<NtlmServer> {
  const log: NtlmLogEntry[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((sock) => {
    const id = connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // bounded by the bytes received: each pass takes one whole request off the buffer
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const headers = new Map<string, string>();
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers.set(l.slice(0, c).toLowerCase(), l.slice(c + 1).trim());
        }
        const len = Number(headers.get('content-length') ?? 0);
        if (buf.length < end + 4 + len) return;
        const body = Buffer.from(buf.subarray(end + 4, end + 4 + len));
        buf = buf.subarray(end + 4 + len);
        const [method = '', target = ''] = lines[0]!.split(' ');
        const authorization = headers.get('authorization');
        const v = authority.judge(id, authorization);
        log.push({ connectionId: id, method, target, authorization, body, verdict: v.kind, ...(v.kind === 'reject' ? { why: v.why } : {}) });
        reply(sock, v, body);
      }
    });
  });
  const reply = (sock: Socket, v: NtlmVerdict, body: Buffer): void => {
    if (v.kind === 'ok') {
      const page = `hello ${v.domain ? `${v.domain}\\` : ''}${v.user} (${v.ntlmv2 ? 'NTLMv2' : 'NTLMv1'}), ${body.length} bytes received`;
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${page.length}\r\n\r\n${page}`);
      return;
    }
    const denied = 'denied';
    if (v.kind !== 'challenge') {
      const offer = v.kind === 'ask' ? o.offer ?? ['NTLM'] : ['NTLM'];
      sock.write(`HTTP/1.1 401 Unauthorized\r\n${offer.map((c) => `WWW-Authenticate: ${c}\r\n`).join('')}Content-Length: ${denied.length}\r\n\r\n${denied}`);
      return;
    }
    const after = o.afterChallenge ?? 'keep';
    const status = after === 'http10' ? 'HTTP/1.0 401 Unauthorized' : 'HTTP/1.1 401 Unauthorized';
    const close = after === 'announce-close' ? 'Connection: close\r\n' : '';
    sock.write(`${status}\r\nWWW-Authenticate: ${v.value}\r\n${close}Content-Length: ${denied.length}\r\n\r\n${denied}`);
    if (after !== 'keep') sock.end();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    log,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
