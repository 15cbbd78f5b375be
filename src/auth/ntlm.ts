// NTLM over HTTP (libcurl's lib/vauth/ntlm.c and lib/http_ntlm.c): the three
// messages and the per-connection handshake state. Sans-I/O.
//
// NTLM authenticates a connection, not a request: the type-1 (negotiate)
// request, the server's type-2 (challenge) in a 401/407 and our type-3
// (authenticate) must all go over one connection, which is then
// authenticated for what follows on it. So the state lives on the connection
// (libcurl's conn->http_ntlm_state / proxy_ntlm_state, conn->ntlm /
// proxyntlm), one for the server and one for the proxy, and the pool keeps
// such a connection for transfers with the same credentials
// (src/proto/http-ntlm.ts).
import { randomBytes } from 'node:crypto';
import { CURLE, type CURLcode } from '../codes.js';
import { textToBuffer } from '../url/url-bytes.js';
import { lmHash, lmResponse, lmv2Response, ntHash, ntlmv2Hash, ntlmv2Response, fileTime } from './ntlm-core.js';

/** NTLM flags (MS-NLMP 2.2.2.5), the ones libcurl names */
export const NTLMFLAG = {
  NEGOTIATE_UNICODE: 1 << 0,
  NEGOTIATE_OEM: 1 << 1,
  REQUEST_TARGET: 1 << 2,
  NEGOTIATE_NTLM_KEY: 1 << 9,
  NEGOTIATE_ALWAYS_SIGN: 1 << 15,
  NEGOTIATE_NTLM2_KEY: 1 << 19,
  NEGOTIATE_TARGET_INFO: 1 << 23,
} as const;

/** Where the handshake on a connection is (libcurl's curlntlm). */
export const NTLMSTATE = { NONE: 0, TYPE1: 1, TYPE2: 2, TYPE3: 3, LAST: 4 } as const;
export type NtlmStateValue = (typeof NTLMSTATE)[keyof typeof NTLMSTATE];

/** "NTLMSSP" and its terminating zero */
const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** libcurl's NTLM_BUFSIZE: a type-3 message must fit in it */
const NTLM_BUFSIZE = 1024;
/**
 * The workstation name sent in type-3. libcurl sends this fixed name (the
 * one Firefox uses) so as not to leak the real host name.
 */
const NTLM_HOSTNAME = Buffer.from('WORKSTATION', 'latin1');

/** The handshake with one peer (the server or the proxy) over one connection. */
export class NtlmConnState {
  state: NtlmStateValue = NTLMSTATE.NONE;
  /** the type-2 message's flags, echoed in type-3 */
  flags = 0;
  /** the server's challenge */
  nonce: Buffer = Buffer.alloc(8);
  targetInfo: Buffer = Buffer.alloc(0);
  /** the credentials this handshake was made with: a connection is only handed on to transfers with the same ones */
  user: string | null = null;
  password: string | null = null;

  /** Curl_auth_cleanup_ntlm: forget what the last challenge said. */
  cleanup(): void {
    this.targetInfo = Buffer.alloc(0);
  }
}

/** What a connection carries for NTLM: one state for the server, one for the proxy. */
export interface NtlmHolder {
  httpNtlm: NtlmConnState | null;
  proxyNtlm: NtlmConnState | null;
}

/** The state for the server or the proxy on a connection, made on first use. */
export function ntlmStateOf(holder: NtlmHolder, proxy: boolean): NtlmConnState {
  if (proxy) return (holder.proxyNtlm ??= new NtlmConnState());
  return (holder.httpNtlm ??= new NtlmConnState());
}

/**
 * The type-1 (negotiate) message: libcurl's flags (OEM, request target,
 * NTLM, NTLM2 session key, always sign) and no domain or workstation.
 */
export function ntlmType1(): Buffer {
  const m = Buffer.alloc(32);
  SIGNATURE.copy(m, 0);
  m.writeUInt32LE(1, 8);
  m.writeUInt32LE(NTLMFLAG.NEGOTIATE_OEM | NTLMFLAG.REQUEST_TARGET | NTLMFLAG.NEGOTIATE_NTLM_KEY |
    NTLMFLAG.NEGOTIATE_NTLM2_KEY | NTLMFLAG.NEGOTIATE_ALWAYS_SIGN, 12);
  // domain and workstation security buffers: empty, at offset 0
  return m;
}

export interface NtlmResult {
  code: CURLcode;
  /** verbose info lines */
  info: string[];
}

/**
 * Curl_auth_decode_ntlm_type2_message: the flags, the challenge and, when
 * the flags say so, the target info (checked to lie inside the message).
 */
export function decodeType2(msg: Buffer, s: NtlmConnState): NtlmResult {
  s.flags = 0;
  const bad: NtlmResult = { code: CURLE.BAD_CONTENT_ENCODING, info: ['NTLM handshake failure (bad type-2 message)'] };
  if (msg.length < 32 || !msg.subarray(0, 8).equals(SIGNATURE) || msg.readUInt32LE(8) !== 2) return bad;
  s.flags = msg.readUInt32LE(20);
  s.nonce = Buffer.from(msg.subarray(24, 32));
  if (s.flags & NTLMFLAG.NEGOTIATE_TARGET_INFO) {
    let len = 0;
    if (msg.length >= 48) {
      len = msg.readUInt16LE(40);
      const off = msg.readUInt32LE(44);
      if (len > 0) {
        if (off > msg.length || off + len > msg.length || off < 48) {
          return {
            code: CURLE.BAD_CONTENT_ENCODING,
            info: ['NTLM handshake failure (bad type-2 message). Target Info Offset Len is set incorrect by the peer', ...bad.info],
          };
        }
        s.targetInfo = Buffer.from(msg.subarray(off, off + len));
      }
    }
    if (len === 0) s.targetInfo = Buffer.alloc(0);
  }
  return { code: CURLE.OK, info: [] };
}

/** What a type-3 message needs that is not in the state: the entropy and the clock (injectable for tests). */
export interface NtlmEnvironment {
  /** 8 random bytes: the client challenge of an NTLMv2 response */
  clientChallenge(): Buffer;
  /** the time, in Unix seconds, stamped into an NTLMv2 response */
  now(): number;
}

/** Each byte followed by a zero byte: libcurl's "Unicode" (unicodecpy) */
function widenBytes(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length * 2);
  for (let i = 0; i < b.length; i++) out[i * 2] = b[i]!;
  return out;
}

/**
 * Curl_auth_create_ntlm_type3_message. `userp` may carry a domain
 * ("DOMAIN\user" or "DOMAIN/user"). With the NTLM2 session key flag in the
 * challenge ("extended security": such servers take NTLMv2) the responses
 * are LMv2 and NTLMv2, else LM and NT (v1). Credentials are byte strings.
 */
export function ntlmType3(s: NtlmConnState, userp: Buffer, password: Buffer, env: NtlmEnvironment):
  { code: CURLcode; message?: string; msg?: Buffer } {
  const unicode = (s.flags & NTLMFLAG.NEGOTIATE_UNICODE) !== 0;
  let sep = userp.indexOf(0x5c); // '\\'
  if (sep < 0) sep = userp.indexOf(0x2f); // '/'
  const domain = sep >= 0 ? userp.subarray(0, sep) : Buffer.alloc(0);
  const user = sep >= 0 ? userp.subarray(sep + 1) : userp;
  const host = NTLM_HOSTNAME;

  let lmresp: Buffer;
  let ntresp: Buffer;
  if (s.flags & NTLMFLAG.NEGOTIATE_NTLM2_KEY) {
    // "Full NTLM version 2. Although this cannot be negotiated, it is used
    // here if available, as servers featuring extended security are likely
    // supporting also NTLMv2." (libcurl)
    const entropy = env.clientChallenge();
    const v2 = ntlmv2Hash(user, domain, ntHash(password));
    lmresp = lmv2Response(v2, entropy, s.nonce);
    ntresp = ntlmv2Response(v2, entropy, s.nonce, s.targetInfo, fileTime(env.now()));
  } else {
    ntresp = lmResponse(ntHash(password), s.nonce);
    lmresp = lmResponse(lmHash(password), s.nonce);
  }

  const dom = unicode ? widenBytes(domain) : domain;
  const usr = unicode ? widenBytes(user) : user;
  const hst = unicode ? widenBytes(host) : host;
  const lmrespoff = 64;
  const ntrespoff = lmrespoff + 24;
  const domoff = ntrespoff + ntresp.length;
  const useroff = domoff + dom.length;
  const hostoff = useroff + usr.length;
  let size = 64 + 24;
  if (ntresp.length + size > NTLM_BUFSIZE) return { code: CURLE.OUT_OF_MEMORY, message: 'incoming NTLM message too big' };
  size += ntresp.length;
  if (size + usr.length + dom.length + hst.length >= NTLM_BUFSIZE) {
    return { code: CURLE.OUT_OF_MEMORY, message: 'user + domain + host name too big' };
  }

  const head = Buffer.alloc(64);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(3, 8);
  const secbuf = (at: number, len: number, off: number): void => {
    head.writeUInt16LE(len, at);
    head.writeUInt16LE(len, at + 2);
    head.writeUInt16LE(off, at + 4); // 16 bits and two zero bytes, as libcurl writes them
  };
  secbuf(12, 24, lmrespoff);
  secbuf(20, ntresp.length, ntrespoff);
  secbuf(28, dom.length, domoff);
  secbuf(36, usr.length, useroff);
  secbuf(44, hst.length, hostoff);
  // 52: the session key buffer, empty
  head.writeUInt32LE(s.flags >>> 0, 60);
  const msg = Buffer.concat([head, lmresp, ntresp, dom, usr, hst]);
  s.cleanup();
  return { code: CURLE.OK, msg };
}

/** Curl_base64_decode: strict, whole quantums, at most two '=', nothing else. */
function base64Strict(text: string): Buffer | null {
  if (text.length === 0 || text.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** ISSPACE: the blanks libcurl skips */
const SPACES = /^[ \t\n\v\f\r]+/;

/**
 * Curl_input_ntlm: what a "NTLM" challenge (the header value from the
 * scheme name on: `rest` is what follows "NTLM") does to the handshake.
 */
export function ntlmInput(holder: NtlmHolder, proxy: boolean, rest: string): NtlmResult {
  const s = ntlmStateOf(holder, proxy);
  const b64 = rest.replace(SPACES, '');
  if (b64.length > 0) {
    const msg = base64Strict(b64);
    if (msg === null) return { code: CURLE.BAD_CONTENT_ENCODING, info: [] };
    const r = decodeType2(msg, s);
    if (r.code !== CURLE.OK) return r;
    s.state = NTLMSTATE.TYPE2;
    return r;
  }
  const info: string[] = [];
  if (s.state === NTLMSTATE.LAST) {
    info.push('NTLM auth restarted');
    cleanupBoth(holder);
  } else if (s.state === NTLMSTATE.TYPE3) {
    info.push('NTLM handshake rejected');
    cleanupBoth(holder);
    s.state = NTLMSTATE.NONE;
    return { code: CURLE.REMOTE_ACCESS_DENIED, info };
  } else if (s.state >= NTLMSTATE.TYPE1) {
    info.push('NTLM handshake failure (internal error)');
    return { code: CURLE.REMOTE_ACCESS_DENIED, info };
  }
  s.state = NTLMSTATE.TYPE1;
  return { code: CURLE.OK, info };
}

/** Curl_http_auth_cleanup_ntlm: both handshakes of the connection forget their challenge data. */
function cleanupBoth(holder: NtlmHolder): void {
  holder.httpNtlm?.cleanup();
  holder.proxyNtlm?.cleanup();
}

export interface NtlmOutput {
  code: CURLcode;
  message?: string;
  /** the header value ("NTLM <base64>"), or null when nothing is sent */
  value: string | null;
  /** the authentication is settled for this request (type-3 sent, or the connection is authenticated) */
  done: boolean;
}

/**
 * Curl_output_ntlm: what this request says. A connection that carried our
 * type-3 is authenticated: later requests on it send nothing.
 */
export function ntlmOutput(holder: NtlmHolder, proxy: boolean, user: string, password: string, env: NtlmEnvironment): NtlmOutput {
  const s = ntlmStateOf(holder, proxy);
  s.user = user;
  s.password = password;
  if (s.state === NTLMSTATE.TYPE3) s.state = NTLMSTATE.LAST;
  switch (s.state) {
    case NTLMSTATE.TYPE2: {
      const r = ntlmType3(s, textToBuffer(user), textToBuffer(password), env);
      if (r.code !== CURLE.OK) return { code: r.code, ...(r.message ? { message: r.message } : {}), value: null, done: false };
      s.state = NTLMSTATE.TYPE3;
      return { code: CURLE.OK, value: `NTLM ${r.msg!.toString('base64')}`, done: true };
    }
    case NTLMSTATE.LAST:
      return { code: CURLE.OK, value: null, done: true };
    default:
      // NONE and TYPE1, and whatever else: (re)start with a type-1
      s.cleanup();
      return { code: CURLE.OK, value: `NTLM ${ntlmType1().toString('base64')}`, done: false };
  }
}

/** The real entropy and clock. */
export const systemNtlmEnvironment: NtlmEnvironment = {
  clientChallenge: () => randomBytes(8),
  now: () => Date.now() / 1000,
};
