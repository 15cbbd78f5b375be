// HTTP Digest (RFC 7616 / 2617) as libcurl's vauth/digest.c: parse a
// challenge into DigestState, and compute the Authorization value for a
// request. Sans-I/O; the cnonce source is injectable so tests can pin it.
//
// Strings here are "byte strings" (one char per byte): challenge values come
// off the wire that way, and user/password are turned into their UTF-8 bytes
// before they are hashed or quoted, so the request head carries exact bytes.
import { createHash, randomBytes } from 'node:crypto';
import { toBytes } from '../url/url-bytes.js';

const MAX_VALUE = 256;
const MAX_CONTENT = 1024;

type Algo = 'MD5' | 'MD5-SESS' | 'SHA-256' | 'SHA-256-SESS' | 'SHA-512-256' | 'SHA-512-256-SESS';
const ALGOS: readonly Algo[] = ['MD5', 'MD5-SESS', 'SHA-256', 'SHA-256-SESS', 'SHA-512-256', 'SHA-512-256-SESS'];
const NODE_HASH: Record<Algo, string> = {
  'MD5': 'md5', 'MD5-SESS': 'md5', 'SHA-256': 'sha256', 'SHA-256-SESS': 'sha256',
  'SHA-512-256': 'sha512-256', 'SHA-512-256-SESS': 'sha512-256',
};

/** A text credential as the byte string of its UTF-8 bytes. */
export function utf8Bytes(s: string): string {
  return toBytes(s);
}

/**
 * Curl_auth_digest_get_pair: one `name=value` or `name="quoted value"` from
 * the front of `s`. Returns null when there is no pair there.
 */
export function digestGetPair(s: string, pos: number): { name: string; value: string; end: number } | null {
  let i = pos;
  let name = '';
  while (i < s.length && s[i] !== '=' && name.length < MAX_VALUE - 1) name += s[i++];
  if (s[i] !== '=') return null;
  i++;
  let quoted = false;
  if (s[i] === '"') {
    quoted = true;
    i++;
  }
  let value = '';
  let escape = false;
  for (let c = MAX_CONTENT - 1; i < s.length && c > 0; c--, i++) {
    const ch = s[i]!;
    if (!escape) {
      if (ch === '\\' && quoted) {
        escape = true;
        continue;
      }
      if (ch === ',' && !quoted) {
        i++;
        break;
      }
      if (ch === '\r' || ch === '\n') {
        if (quoted) return null; // no closing quote
        i++;
        break;
      }
      if (ch === '"') {
        if (!quoted) return null;
        i++;
        break;
      }
    }
    escape = false;
    value += ch;
  }
  if (escape) return null;
  return { name, value, end: i };
}

/** Quote for a Digest header: backslash-escape '"' and '\' (auth_digest_string_quoted). */
function quote(s: string): string {
  return s.replace(/["\\]/g, (c) => '\\' + c);
}

export interface DigestRequest {
  user: string;
  password: string;
  method: string;
  /** request target as sent (or cut at '?' for DIGEST_IE) */
  uri: string;
}

export class DigestState {
  nonce: string | null = null;
  realm: string | null = null;
  opaque: string | null = null;
  qop: 'auth' | 'auth-int' | null = null;
  /** the algorithm token as the server wrote it (echoed back) */
  algorithm: string | null = null;
  algo: Algo = 'MD5';
  stale = false;
  userhash = false;
  nc = 0;
  cnonce: string | null = null;
  readonly #makeCnonce: () => string;

  constructor(makeCnonce?: () => string) {
    // libcurl: base64 of 32 random hex digits
    this.#makeCnonce = makeCnonce ?? (() => Buffer.from(randomBytes(16).toString('hex')).toString('base64'));
  }

  #reset(): void {
    this.nonce = this.realm = this.opaque = this.qop = this.algorithm = this.cnonce = null;
    this.algo = 'MD5';
    this.stale = false;
    this.userhash = false;
    this.nc = 0;
  }

  /**
   * Curl_auth_decode_digest_http_message: take in the parameters after
   * "Digest ". False is libcurl's CURLE_BAD_CONTENT_ENCODING: a bad
   * challenge, or a fresh nonce without stale=true after we already had one
   * (the credentials were wrong).
   */
  decode(chlg: string): boolean {
    const before = this.nonce !== null;
    this.#reset();
    let i = 0;
    let foundAuth = false;
    let foundAuthInt = false;
    for (;;) {
      while (i < chlg.length && isSpace(chlg[i]!)) i++;
      const p = digestGetPair(chlg, i);
      if (!p) break;
      i = p.end;
      const name = p.name.toLowerCase();
      const v = p.value;
      if (name === 'nonce') this.nonce = v;
      else if (name === 'stale') {
        if (v.toLowerCase() === 'true') {
          this.stale = true;
          this.nc = 1;
        }
      } else if (name === 'realm') this.realm = v;
      else if (name === 'opaque') this.opaque = v;
      else if (name === 'qop') {
        for (const tok of v.split(',')) {
          const t = tok.replace(/^[ \t\r\n\v\f]+/, '').toLowerCase();
          if (t === 'auth') foundAuth = true;
          else if (t === 'auth-int') foundAuthInt = true;
        }
        if (foundAuth) this.qop = 'auth';
        else if (foundAuthInt) this.qop = 'auth-int';
      } else if (name === 'algorithm') {
        this.algorithm = v;
        const a = ALGOS.find((x) => x === v.toUpperCase());
        if (!a) return false;
        this.algo = a;
      } else if (name === 'userhash') {
        if (v.toLowerCase() === 'true') this.userhash = true;
      }
      // unknown parameters are ignored
      while (i < chlg.length && isSpace(chlg[i]!)) i++;
      if (chlg[i] === ',') i++;
    }
    if (before && !this.stale) return false;
    if (this.nonce === null) return false;
    // "-sess" algorithms need a qop
    if (this.qop === null && this.algo.endsWith('-SESS')) return false;
    return true;
  }

  /** The value of the Authorization header ("Digest ..."), advancing nc. */
  respond(req: DigestRequest): string {
    const H = (s: string): string => createHash(NODE_HASH[this.algo]).update(Buffer.from(s, 'latin1')).digest('hex');
    if (!this.nc) this.nc = 1;
    this.cnonce ??= this.#makeCnonce();
    const user = utf8Bytes(req.user);
    const password = utf8Bytes(req.password);
    const realm = this.realm ?? '';
    const nonce = this.nonce ?? '';
    const userh = this.userhash ? H(`${user}:${realm}`) : user;
    let ha1 = H(`${user}:${realm}:${password}`);
    if (this.algo.endsWith('-SESS')) ha1 = H(`${ha1}:${nonce}:${this.cnonce}`);
    let a2 = `${req.method}:${req.uri}`;
    // libcurl hashes an empty entity body for auth-int, whatever was sent
    if (this.qop === 'auth-int') a2 += ':' + H('');
    const ha2 = H(a2);
    const nc = this.nc.toString(16).padStart(8, '0');
    const response = this.qop
      ? H(`${ha1}:${nonce}:${nc}:${this.cnonce}:${this.qop}:${ha2}`)
      : H(`${ha1}:${nonce}:${ha2}`);
    // the uri is hashed as sent on the request line, but quoted here: a '"' in the path (URLs may
    // hold one) would end the value early and let the rest pass for more parameters (curl 8, its
    // test 64; 7.88 wrote it bare)
    let out = `username="${quote(userh)}", realm="${quote(realm)}", nonce="${quote(nonce)}", uri="${quote(req.uri)}"`;
    if (this.qop) {
      out += `, cnonce="${this.cnonce}", nc=${nc}, qop=${this.qop}, response="${response}"`;
      this.nc++;
    } else out += `, response="${response}"`;
    if (this.opaque !== null) out += `, opaque="${quote(this.opaque)}"`;
    if (this.algorithm !== null) out += `, algorithm=${this.algorithm}`;
    if (this.userhash) out += ', userhash=true';
    return `Digest ${out}`;
  }
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
}
