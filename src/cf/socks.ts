// SOCKS4, SOCKS4a and SOCKS5 client handshakes (libcurl's lib/socks.c) as a
// sans-I/O state machine: start() gives the first bytes to send, feed() takes
// what the proxy answered and says what to do next (send more, wait for more,
// done, or fail with a CURLproxycode and libcurl's message). The caller does
// the I/O and, for SOCKS4 and SOCKS5 (local resolution), resolves the target
// name before starting: `address` is then set. SOCKS4a and SOCKS5h send the
// host name for the proxy to resolve.
//
//   SOCKS4:  -> VN=4 CD=1 PORT IP USERID\0 [HOST\0]      <- VN=0 CD PORT IP   (8 bytes)
//   SOCKS5:  -> 5 N METHODS                               <- 5 METHOD
//            [-> 1 ULEN USER PLEN PASS                    <- 1 STATUS]        (method 2)
//            -> 5 1 0 ATYP ADDR PORT                      <- 5 REP 0 ATYP ADDR PORT
import { isIPv4, isIPv6 } from 'node:net';
import { CURLPROXY, CURLPX } from '../constants.js';
import { CURLAUTH } from '../auth/curlauth.js';
import { v4Bytes, v6Bytes } from '../proxy/noproxy.js';
import { textToBuffer } from '../url/url-bytes.js';

/**
 * A credential as the bytes libcurl would send: text as UTF-8 (not each
 * char's low byte: U+0100 was a NUL, which in a SOCKS4a request ends the
 * user id and makes the rest of it the host name), and, as for a C string,
 * nothing from a NUL on.
 */
function cBytes(s: string): Buffer {
  const b = textToBuffer(s);
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

export interface SocksOptions {
  /** CURLPROXY_SOCKS4 / SOCKS4A / SOCKS5 / SOCKS5_HOSTNAME */
  type: number;
  /** the host to reach through the proxy (no brackets) and its port */
  host: string;
  port: number;
  /** the locally resolved address of `host` (SOCKS4 and SOCKS5 with a name); also settable by resolved() */
  address?: { address: string; family: 4 | 6 };
  /** `host` is an HTTP proxy behind the SOCKS one (--preproxy): curl 7.88 says so */
  viaHttpProxy?: boolean;
  user: string | null;
  password: string | null;
  /** CURLOPT_SOCKS5_AUTH */
  socks5Auth: number;
}

export type SocksStep =
  | { kind: 'send'; data: Buffer }
  | { kind: 'need-data' }
  | { kind: 'done'; leftover: Buffer }
  | { kind: 'error'; px: number; message: string };

type Phase = 'v4-reply' | 'v5-method' | 'v5-auth' | 'v5-reply' | 'done' | 'failed';

const REPLY_PX: Readonly<Record<number, number>> = {
  1: CURLPX.REPLY_GENERAL_SERVER_FAILURE, 2: CURLPX.REPLY_NOT_ALLOWED, 3: CURLPX.REPLY_NETWORK_UNREACHABLE,
  4: CURLPX.REPLY_HOST_UNREACHABLE, 5: CURLPX.REPLY_CONNECTION_REFUSED, 6: CURLPX.REPLY_TTL_EXPIRED,
  7: CURLPX.REPLY_COMMAND_NOT_SUPPORTED, 8: CURLPX.REPLY_ADDRESS_TYPE_NOT_SUPPORTED,
};

/** Does the SOCKS type resolve the target name locally (SOCKS4, SOCKS5)? */
export const socksResolvesLocally = (type: number): boolean => type === CURLPROXY.SOCKS4 || type === CURLPROXY.SOCKS5;

/** An IP address `host` is, as a resolver would answer it (the caller resolves only names). */
function literalAddress(host: string): { address: string; family: 4 | 6 } | undefined {
  return isIPv4(host) ? { address: host, family: 4 } : isIPv6(host) ? { address: host, family: 6 } : undefined;
}

/**
 * The message when the target name did not resolve: curl 7.88's threaded
 * resolver fails the lookup itself with this (socks.c's own "Failed to resolve
 * ... for SOCKS4 connect." is never reached), still as CURLE_PROXY.
 */
const couldNotResolve = (host: string): string => `Could not resolve host: ${host}`;

const portBytes = (port: number): number[] => [(port >> 8) & 0xff, port & 0xff];

export class SocksHandshake {
  readonly #o: SocksOptions;
  #phase: Phase;
  #buf: Buffer = Buffer.alloc(0);
  /** verbose lines produced so far (libcurl's infof) */
  readonly info: string[] = [];

  /**
   * Made before the target name is looked up: the lines libcurl says when its
   * handshake starts (before its own lookup) are in `info` at once.
   */
  constructor(o: SocksOptions) {
    this.#o = { ...o };
    this.#phase = o.type === CURLPROXY.SOCKS4 || o.type === CURLPROXY.SOCKS4A ? 'v4-reply' : 'v5-method';
    const v = o.type === CURLPROXY.SOCKS4A ? '4a' : this.v4 ? '4' : '5';
    if (o.viaHttpProxy) this.info.push(`SOCKS${v}: connecting to HTTP proxy ${o.host} port ${o.port}`);
    // curl 7.88 says "SOCKS4" here for SOCKS4a too (only its "request granted" says which), and
    // nothing for SOCKS5 (its request line says where)
    if (this.v4) this.info.push(`SOCKS4 communication to ${o.host}:${o.port}`);
  }

  /** The lookup of the target name did not answer at once (SOCKS4 says so, as libcurl). */
  resolving(): void {
    if (this.#o.type === CURLPROXY.SOCKS4) this.info.push(`SOCKS4 non-blocking resolve of ${this.#o.host}`);
  }

  /** The target name's locally resolved address, before start(). */
  resolved(address: { address: string; family: 4 | 6 }): void {
    this.#o.address = address;
  }

  get v4(): boolean {
    return this.#o.type === CURLPROXY.SOCKS4 || this.#o.type === CURLPROXY.SOCKS4A;
  }

  /** The first message, or an error found before anything is sent. */
  start(): SocksStep {
    return this.v4 ? this.#v4Request() : this.#v5Greeting();
  }

  /** Bytes from the proxy. The returned step may ask to send more. */
  feed(data: Buffer): SocksStep {
    if (this.#phase === 'done' || this.#phase === 'failed') return { kind: 'need-data' };
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, data]) : data;
    switch (this.#phase) {
      case 'v4-reply': return this.#v4Reply();
      case 'v5-method': return this.#v5Method();
      case 'v5-auth': return this.#v5AuthReply();
      case 'v5-reply': return this.#v5Reply();
    }
  }

  /** The proxy closed before the handshake was over. */
  eof(): SocksStep {
    return this.#fail(CURLPX.CLOSED, 'connection to proxy closed');
  }

  #fail(px: number, message: string): SocksStep {
    this.#phase = 'failed';
    return { kind: 'error', px, message };
  }

  #take(n: number): Buffer | null {
    if (this.#buf.length < n) return null;
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  // ---- SOCKS4 / 4a ----------------------------------------------------------

  #v4Request(): SocksStep {
    const o = this.#o;
    const is4a = o.type === CURLPROXY.SOCKS4A;
    let ip: number[];
    if (is4a) ip = [0, 0, 0, 1];
    else {
      const a = literalAddress(o.host) ?? o.address;
      if (!a) return this.#fail(CURLPX.RESOLVE_HOST, couldNotResolve(o.host));
      if (a.family !== 4) return this.#fail(CURLPX.BAD_ADDRESS_TYPE, `SOCKS4 connection to ${a.address} not supported`);
      ip = v4Bytes(a.address)!;
      this.info.push(`SOCKS4 connect to IPv4 ${a.address} (locally resolved)`);
    }
    const user = cBytes(o.user ?? '');
    if (user.length > 255) return this.#fail(CURLPX.LONG_USER, 'Too long SOCKS proxy user name');
    const parts = [Buffer.from([4, 1, ...portBytes(o.port), ...ip]), user, Buffer.from([0])];
    if (is4a) {
      const host = textToBuffer(o.host);
      if (host.length > 255) return this.#fail(CURLPX.LONG_HOSTNAME, 'SOCKS4: too long host name');
      parts.push(host, Buffer.from([0]));
    }
    return { kind: 'send', data: Buffer.concat(parts) };
  }

  #v4Reply(): SocksStep {
    const r = this.#take(8);
    if (!r) return { kind: 'need-data' };
    if (r[0] !== 0) return this.#fail(CURLPX.BAD_VERSION, 'SOCKS4 reply has wrong version, version should be 0.');
    const to = `${r[4]}.${r[5]}.${r[6]}.${r[7]}:${(r[2]! << 8) | r[3]!}. (${r[1]})`;
    switch (r[1]) {
      case 90:
        this.info.push(`SOCKS4${this.#o.type === CURLPROXY.SOCKS4A ? 'a' : ''} request granted.`);
        return this.#done();
      case 91:
        return this.#fail(CURLPX.REQUEST_FAILED, `Can't complete SOCKS4 connection to ${to}, request rejected or failed.`);
      case 92:
        return this.#fail(CURLPX.IDENTD,
          `Can't complete SOCKS4 connection to ${to}, request rejected because SOCKS server cannot connect to identd on the client.`);
      case 93:
        return this.#fail(CURLPX.IDENTD_DIFFER,
          `Can't complete SOCKS4 connection to ${to}, request rejected because the client program and identd report different user-ids.`);
      default:
        return this.#fail(CURLPX.UNKNOWN_FAIL, `Can't complete SOCKS4 connection to ${to}, Unknown.`);
    }
  }

  // ---- SOCKS5 / 5h ----------------------------------------------------------

  get #offersUserPass(): boolean {
    return (this.#o.socks5Auth & CURLAUTH.BASIC) !== 0 && this.#o.user !== null;
  }

  #v5Greeting(): SocksStep {
    const o = this.#o;
    if (!socksResolvesLocally(o.type) && !isIPv4(o.host) && !isIPv6(o.host) && textToBuffer(o.host).length > 255) {
      return this.#fail(CURLPX.LONG_HOSTNAME, 'SOCKS5: the destination hostname is too long to be resolved remotely by the proxy.');
    }
    const methods = [0];
    if (this.#offersUserPass) methods.push(2);
    return { kind: 'send', data: Buffer.from([5, methods.length, ...methods]) };
  }

  #v5Method(): SocksStep {
    const r = this.#take(2);
    if (!r) return { kind: 'need-data' };
    if (r[0] !== 5) return this.#fail(CURLPX.BAD_VERSION, 'Received invalid version in initial SOCKS5 response.');
    if (r[1] === 0) return this.#v5Request();
    if (r[1] === 2) return this.#v5Auth();
    if (r[1] === 0xff) return this.#fail(CURLPX.NO_AUTH, 'No authentication method was acceptable.');
    return this.#fail(CURLPX.UNKNOWN_MODE, 'Undocumented SOCKS5 mode attempted to be used by server.');
  }

  #v5Auth(): SocksStep {
    const user = cBytes(this.#o.user ?? '');
    const pass = cBytes(this.#o.password ?? '');
    if (user.length > 255) return this.#fail(CURLPX.LONG_USER, 'Excessive user name length for proxy auth');
    if (pass.length > 255) return this.#fail(CURLPX.LONG_PASSWD, 'Excessive password length for proxy auth');
    this.#phase = 'v5-auth';
    return { kind: 'send', data: Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]) };
  }

  #v5AuthReply(): SocksStep {
    const r = this.#take(2);
    if (!r) return { kind: 'need-data' };
    if (r[1] !== 0) return this.#fail(CURLPX.USER_REJECTED, `User was rejected by the SOCKS5 server (${r[0]} ${r[1]}).`);
    return this.#v5Request();
  }

  #v5Request(): SocksStep {
    const o = this.#o;
    let addr: number[];
    if (!socksResolvesLocally(o.type)) {
      // SOCKS5h: an address is sent as one, a name for the proxy to resolve; curl 7.88 says
      // "remotely resolved" for all three
      if (isIPv4(o.host)) addr = [1, ...v4Bytes(o.host)!];
      else if (isIPv6(o.host)) addr = [4, ...v6Bytes(o.host)!];
      else {
        const name = textToBuffer(o.host);
        addr = [3, name.length, ...name];
      }
      this.info.push(`SOCKS5 connect to ${o.host}:${o.port} (remotely resolved)`);
    } else {
      // SOCKS5: libcurl resolves an address too (Curl_resolv takes it as is) and names its family;
      // the address is printed as Curl_printable_address does, an IPv6 one without brackets
      const a = literalAddress(o.host) ?? o.address;
      if (!a) return this.#fail(CURLPX.RESOLVE_HOST, couldNotResolve(o.host));
      addr = a.family === 4 ? [1, ...v4Bytes(a.address)!] : [4, ...v6Bytes(a.address)!];
      this.info.push(`SOCKS5 connect to IPv${a.family} ${a.address}:${o.port} (locally resolved)`);
    }
    this.#phase = 'v5-reply';
    return { kind: 'send', data: Buffer.from([5, 1, 0, ...addr, ...portBytes(o.port)]) };
  }

  #v5Reply(): SocksStep {
    const b = this.#buf;
    if (b.length < 2) return { kind: 'need-data' };
    if (b[0] !== 5) return this.#fail(CURLPX.BAD_VERSION, 'SOCKS5 reply has wrong version, version should be 5.');
    if (b[1] !== 0) {
      return this.#fail(REPLY_PX[b[1]!] ?? CURLPX.REPLY_UNASSIGNED, `Can't complete SOCKS5 connection to ${this.#o.host}. (${b[1]})`);
    }
    if (b.length < 5) return { kind: 'need-data' };
    const atyp = b[3];
    const len = atyp === 1 ? 10 : atyp === 4 ? 22 : atyp === 3 ? 7 + b[4]! : -1;
    if (len < 0) return this.#fail(CURLPX.BAD_ADDRESS_TYPE, 'SOCKS5 reply has wrong address type.');
    if (!this.#take(len)) return { kind: 'need-data' };
    this.info.push('SOCKS5 request granted.');
    return this.#done();
  }

  #done(): SocksStep {
    this.#phase = 'done';
    const leftover = this.#buf;
    this.#buf = Buffer.alloc(0);
    return { kind: 'done', leftover };
  }
}
