// Per-transfer HTTP authentication (libcurl's struct auth for the host plus
// Curl_http_output_auth, Curl_http_input_auth and Curl_http_auth_act).
//
// Theory of operation. Before each request, output() decides what goes in
// the Authorization slot: with one wanted scheme it is used at once (Basic,
// Bearer, AWS SigV4; Digest waits for a nonce); with several nothing is sent
// and the server's 401 tells which ones it takes (the "probe"). A POST that
// waits for a multi-pass scheme (Digest) sends an empty body first, as curl
// does. input() collects WWW-Authenticate of a 401; act() runs when the
// response head is complete and decides whether the same URL is requested
// again with the picked scheme (the engine's retryRequest). A second 401 for
// the same credentials is an "authentication problem": the 401 is the result.
// HTTP Message Signatures (CURLAUTH_HTTPSIG) need no user: when they are the
// wanted scheme every request to the first origin is signed.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CURLE, type CURLcode } from '../codes.js';
import { CURLAUTH, CURL_NETRC, normaliseHttpAuth } from './curlauth.js';
import { basicCredentials } from './basic.js';
import { bearerCredentials } from './bearer.js';
import { bufferToText, toBytes } from '../url/url-bytes.js';
import { DigestState } from './digest.js';
import { parseChallenges, pickOneAuth } from './challenge.js';
import { parseNetrc } from './netrc.js';
import { awsSigV4 } from './aws-sigv4.js';
import { httpSignature } from './httpsig.js';
import { customHeaders, sentLines } from '../http1/custom-headers.js';
import { ntlmInput, ntlmOutput, systemNtlmEnvironment, type NtlmEnvironment, type NtlmHolder } from './ntlm.js';

/** CURLAUTH_PICKNONE: "we select to use nothing" (libcurl's internal bit 30) */
const PICKNONE = 1 << 30;
/** A server that keeps answering stale=true must not keep us busy forever. */
const MAX_AUTH_RETRIES = 10;

/** What the auth layer needs to know about the request being built. */
export interface AuthRequest {
  /** the method as sent (a byte string): what Digest and the signatures cover, never what decides a probe */
  method: string;
  /**
   * the request kind sends no body (libcurl's httpreq GET or HEAD, or NOBODY),
   * whatever CUSTOMREQUEST names: no probe then. A CONNECT is one (libcurl
   * asks its auth with HTTPREQ_GET).
   */
  bodyless: boolean;
  host: string;
  /** Host header value as sent, or null when the application replaced it */
  hostHeader: string | null;
  /** the request target (path plus query) as sent: a byte string */
  target: string;
  /** CURLOPT_HTTPHEADER (or PROXYHEADER): text, as the application gave it */
  userHeaders: readonly string[];
  /**
   * The lines of userHeaders the request sends, as bytes, once the request's
   * own filters ran (a custom Host kept from another host, ...): what an HTTP
   * signature covers. Absent: the ones libcurl's rules alone send.
   */
  headerLines?: readonly string[];
  body: Buffer | null;
  /** the user's credentials may go to this URL (same origin, or UNRESTRICTED_AUTH) */
  allowed: boolean;
  /** the connection the request goes over: NTLM's handshake state lives there */
  conn?: NtlmHolder | null;
  /** the URL's host[:port], the port only when not the scheme's default (HTTP signatures' @authority) */
  authority?: string;
}

export interface AuthOutput {
  code: CURLcode;
  message?: string;
  /** header lines to insert right after Host */
  lines: string[];
  /** send the body empty: this request only negotiates (conn->bits.authneg) */
  probe: boolean;
  /** verbose info lines */
  info: string[];
}

/** What output() answers when there are no credentials: shared, and frozen so nobody adds to it. */
const NO_AUTH: AuthOutput = Object.freeze({
  code: CURLE.OK,
  lines: Object.freeze([]) as unknown as string[],
  probe: false,
  info: Object.freeze([]) as unknown as string[],
});

export interface Credentials {
  user: string | null;
  password: string | null;
  bearer: string | null;
  fromNetrc: boolean;
}

/** The options the auth layer reads, by name, so it does not depend on the option table. */
export interface AuthOptions {
  httpAuth: number;
  username: string | null;
  password: string | null;
  bearer: string | null;
  netrc: number;
  netrcFile: string | null;
  awsSigV4: string | null;
  failOnError: boolean;
  /** CURLOPT_HTTPSIG_ALGORITHM, _KEY, _KEYID and _HEADERS (absent: no signatures) */
  httpSig?: HttpSigOptions | null;
  /**
   * Authentication with an HTTP proxy (CURLOPT_PROXYAUTH): Proxy-Authorization
   * headers, challenges in a 407's Proxy-Authenticate, no Bearer.
   */
  proxy?: boolean;
}

export interface HttpSigOptions {
  algorithm: number;
  key: string | null;
  keyid: string | null;
  components: string | null;
}

/** Read a netrc file; null when it cannot be read (libcurl treats that as "no entry"). */
function readNetrcFile(file: string | null): string | null {
  const name = file ?? join(process.env['HOME'] || homedir(), '.netrc');
  try {
    // a small local file read while setting up a request, as libcurl's fopen() does
    // its bytes as text (lossless, src/url/url-bytes.ts): credentials are text everywhere else
    return bufferToText(readFileSync(name));
  } catch {
    return null;
  }
}

export class HostAuth {
  readonly want: number;
  readonly ieStyle: boolean;
  picked = 0;
  avail = 0;
  done = false;
  multipass = false;
  problem = false;
  /** this request withheld its body to negotiate first */
  authNeg = false;
  /** CURLINFO_HTTPAUTH_AVAIL */
  availInfo = 0;
  /** CURLINFO_HTTPAUTH_USED */
  used = 0;
  #digest: DigestState | null = null;
  readonly #makeCnonce: (() => string) | undefined;
  readonly #ntlmEnv: NtlmEnvironment;
  /** NTLM's state when requests come without a connection to keep it on (sans-I/O use) */
  #ownNtlm: NtlmHolder | null = null;
  #retries = 0;
  /** credentials()'s answer, handed out again while the host and the URL's credentials are the same */
  #credsResult: { code: CURLcode; creds: Credentials } | null = null;
  #credsHost = '';
  #credsUrlUser: string | undefined;
  #credsUrlPassword: string | undefined;
  readonly #o: AuthOptions;
  readonly #header: string;
  readonly #challengeCode: number;

  /**
   * @param makeCnonce Digest's client nonce (tests fix it)
   * @param ntlmEnv NTLMv2's entropy and clock (tests fix them)
   */
  constructor(o: AuthOptions, makeCnonce?: () => string, ntlmEnv: NtlmEnvironment = systemNtlmEnvironment) {
    this.#o = o;
    this.#ntlmEnv = ntlmEnv;
    const n = normaliseHttpAuth(o.httpAuth) ?? { mask: 0, ieStyle: false };
    this.want = n.mask;
    this.ieStyle = n.ieStyle;
    this.#makeCnonce = makeCnonce;
    this.#header = o.proxy ? 'Proxy-Authorization' : 'Authorization';
    this.#challengeCode = o.proxy ? 407 : 401;
  }

  /** The Digest state, made on first use (most transfers never see a Digest challenge). */
  get digest(): DigestState {
    return (this.#digest ??= new DigestState(this.#makeCnonce));
  }

  /** Where NTLM's handshake state is: the request's connection. */
  #ntlmHolder(conn: NtlmHolder | null | undefined): NtlmHolder {
    return conn ?? (this.#ownNtlm ??= { httpNtlm: null, proxyNtlm: null });
  }

  /**
   * A brand-new connection for the next request: an NTLM handshake that was
   * done belonged to the old one, so the scheme is picked again (libcurl's
   * create_conn). Returns the verbose line, or null.
   */
  freshConnection(): string | null {
    if (this.picked !== CURLAUTH.NTLM || !this.done) return null;
    this.picked = CURLAUTH.NONE;
    this.done = false;
    return this.isProxy ? 'NTLM-proxy picked AND auth done set, clear picked' : 'NTLM picked AND auth done set, clear picked';
  }

  /** This is the proxy's authentication state. */
  get isProxy(): boolean {
    return this.#o.proxy === true;
  }

  /**
   * The credentials for a URL (libcurl's parseurlandfillconn + override_login):
   * USERNAME/PASSWORD (and USERPWD) beat the URL's; .netrc fills in what is
   * missing (OPTIONAL) or replaces the URL's password (REQUIRED).
   */
  credentials(host: string, urlUser?: string, urlPassword?: string): { code: CURLcode; message?: string; creds: Credentials } {
    // a URL that brings its own user name (a redirect's Location) replaces
    // the URL credentials used so far, as libcurl's parseurlandfillconn();
    // one without keeps them
    const sameUrlCreds = urlUser === undefined || (urlUser === this.#credsUrlUser && urlPassword === this.#credsUrlPassword);
    if (this.#credsResult !== null && this.#credsHost === host && sameUrlCreds) return this.#credsResult;
    const o = this.#o;
    let user = o.username ?? urlUser ?? null;
    let password = o.password ?? urlPassword ?? null;
    let fromNetrc = false;
    if (o.netrc !== CURL_NETRC.IGNORED && o.username === null) {
      if (o.netrc === CURL_NETRC.REQUIRED && o.password === null) password = null;
      if (password === null) {
        const text = readNetrcFile(o.netrcFile);
        const r = text === null ? { code: 1 as const } : parseNetrc(text, host, user);
        if (r.code < 0) return { code: CURLE.READ_ERROR, message: '.netrc parser error', creds: emptyCreds() };
        if (r.code === 0) {
          fromNetrc = true;
          if (r.login !== undefined) user = r.login;
          if (r.password !== undefined) password = r.password;
        }
      }
      // a password without a user gets a blank user
      if (user === null && password !== null) user = '';
    }
    this.#credsHost = host;
    this.#credsUrlUser = urlUser;
    this.#credsUrlPassword = urlPassword;
    this.#credsResult = { code: CURLE.OK, creds: { user, password, bearer: o.bearer, fromNetrc } };
    return this.#credsResult;
  }

  /** Requests are signed (CURLAUTH_HTTPSIG is the wanted scheme and an algorithm is set): no user needed. */
  get signs(): boolean {
    return this.want === CURLAUTH.HTTPSIG && (this.#o.httpSig?.algorithm ?? 0) !== 0;
  }

  /** Curl_http_output_auth for the host. */
  output(req: AuthRequest, creds: Credentials): AuthOutput {
    if (creds.user === null && creds.bearer === null && !this.signs) return this.outputNone();
    const out: AuthOutput = { code: CURLE.OK, lines: [], probe: false, info: [] };
    this.authNeg = false;
    this.used = 0;
    if (this.want && !this.picked) this.picked = this.want;
    if (!req.allowed && !creds.fromNetrc) {
      // never hand credentials to another origin after a redirect
      this.done = true;
      return out;
    }
    // .netrc may name a user and password for the new origin (its "default" entry names one for
    // every host), but the application's bearer token stays with the first: curl 8 (test 2006)
    if (!req.allowed && creds.bearer !== null) creds = { ...creds, bearer: null };
    // a custom Authorization (Proxy-Authorization) header takes the place of ours
    const customAuth = req.userHeaders.some((h) =>
      h.slice(0, this.#header.length).toLowerCase() === this.#header.toLowerCase() && /^\s*[:;]/.test(h.slice(this.#header.length)));
    let auth: string | null = null;
    const user = creds.user ?? '';
    const password = creds.password ?? '';
    if (this.picked === CURLAUTH.HTTPSIG) {
      // signatures and the key behind them stay with the first origin unless UNRESTRICTED_AUTH
      // (req.allowed), whatever credentials .netrc has for the new host
      const sig = this.#o.httpSig;
      if (req.allowed && sig && sig.algorithm !== 0) {
        const r = httpSignature({
          algorithm: sig.algorithm, key: sig.key, keyid: sig.keyid === null ? null : toBytes(sig.keyid),
          components: sig.components, method: req.method, authority: req.authority ?? req.host, target: req.target,
          headerLines: req.headerLines ?? sentLines(customHeaders(req.userHeaders)).map(toBytes), created: Math.floor(Date.now() / 1000),
        });
        if ('message' in r) return { ...out, code: r.code, message: r.message };
        out.lines.push(...r.lines);
        this.used = CURLAUTH.HTTPSIG;
      }
      this.done = true;
    } else if (this.picked === CURLAUTH.AWS_SIGV4) {
      auth = 'AWS_SIGV4';
      if (!customAuth) {
        const q = req.target.indexOf('?');
        const r = awsSigV4({
          param: this.#o.awsSigV4 === null ? null : toBytes(this.#o.awsSigV4), hostname: req.host, hostHeader: req.hostHeader, method: req.method,
          path: q < 0 ? req.target : req.target.slice(0, q), query: q < 0 ? null : req.target.slice(q + 1),
          // what is signed is what is sent: the headers' and the user's bytes
          userHeaders: req.userHeaders.map(toBytes), body: req.body, streamedBody: false, user: toBytes(user), password, now: new Date(),
        });
        if ('message' in r) return { ...out, code: r.code, message: r.message };
        out.lines.push(...r.lines);
        this.used = CURLAUTH.AWS_SIGV4;
      }
      this.done = true;
    } else if (this.picked === CURLAUTH.NTLM) {
      auth = 'NTLM';
      const r = ntlmOutput(this.#ntlmHolder(req.conn), this.isProxy, user, password, this.#ntlmEnv);
      if (r.code !== CURLE.OK) return { ...out, code: r.code, ...(r.message ? { message: r.message } : {}) };
      if (r.value !== null) {
        out.lines.push(`${this.#header}: ${r.value}`);
        this.used = CURLAUTH.NTLM;
      }
      this.done = r.done;
    } else if (this.picked === CURLAUTH.DIGEST) {
      auth = 'Digest';
      if (this.digest.nonce === null) this.done = false;
      else {
        // DIGEST_IE: the uri (and hash) stop at the query, as old IE did
        const q = req.target.indexOf('?');
        const uri = this.ieStyle && q >= 0 ? req.target.slice(0, q) : req.target;
        out.lines.push(`${this.#header}: ` + this.digest.respond({ user, password, method: req.method, uri }));
        this.used = CURLAUTH.DIGEST;
        this.done = true;
      }
    } else if (this.picked === CURLAUTH.BASIC) {
      if (creds.user !== null && !customAuth) {
        auth = 'Basic';
        out.lines.push(`${this.#header}: ` + basicCredentials(creds.user, creds.password));
        this.used = CURLAUTH.BASIC;
      }
      this.done = true;
    } else if (this.picked === CURLAUTH.BEARER) {
      if (creds.bearer !== null && !customAuth) {
        auth = 'Bearer';
        out.lines.push(`${this.#header}: ` + bearerCredentials(creds.bearer));
        this.used = CURLAUTH.BEARER;
      }
      this.done = true;
    }
    if (auth) {
      out.info.push(`${this.isProxy ? 'Proxy' : 'Server'} auth using ${auth} with user '${user}'`);
      this.multipass = !this.done;
    } else this.multipass = false;
    if (this.multipass && !this.done && !req.bodyless) {
      // the body waits until the scheme is settled: send Content-Length: 0 now
      this.authNeg = true;
      out.probe = true;
    }
    return out;
  }

  /** output() for a request without credentials (most requests): nothing to send, nothing allocated. */
  outputNone(): AuthOutput {
    this.authNeg = false;
    this.used = 0;
    this.done = true;
    return NO_AUTH;
  }

  /**
   * Curl_http_input_auth: one WWW-Authenticate value of a 401 (or
   * Proxy-Authenticate of a 407), read on connection `conn`.
   */
  input(value: string, conn?: NtlmHolder | null): string[] {
    const info: string[] = [];
    for (const c of parseChallenges(value)) {
      if (c.bit === CURLAUTH.DIGEST) {
        if (this.avail & CURLAUTH.DIGEST) {
          info.push('Ignoring duplicate digest auth header.');
          continue;
        }
        this.availInfo |= CURLAUTH.DIGEST;
        this.avail |= CURLAUTH.DIGEST;
        // stored even when Digest is not wanted (yet): ANY may pick it
        const ok = /^\s/.test(c.rest) && this.digest.decode(c.rest.replace(/^\s+/, ''));
        if (!ok) {
          info.push('Authentication problem. Ignoring this.');
          this.problem = true;
        }
      } else if (c.bit === CURLAUTH.BASIC || c.bit === CURLAUTH.BEARER) {
        this.availInfo |= c.bit;
        this.avail |= c.bit;
        if (this.picked === c.bit) {
          // we sent exactly this and still got a 401: the credentials are wrong
          this.avail = CURLAUTH.NONE;
          info.push('Authentication problem. Ignoring this.');
          this.problem = true;
        }
      } else if (c.bit === CURLAUTH.NTLM) {
        this.availInfo |= CURLAUTH.NTLM;
        this.avail |= CURLAUTH.NTLM;
        if (this.picked === CURLAUTH.NTLM) {
          // the handshake moves on: a challenge, or a restart, or a rejection
          const r = ntlmInput(this.#ntlmHolder(conn), this.isProxy, c.rest);
          info.push(...r.info);
          if (r.code === CURLE.OK) this.problem = false;
          else {
            info.push('Authentication problem. Ignoring this.');
            this.problem = true;
          }
        }
      }
      // Negotiate is not built in: not available
    }
    return info;
  }

  /**
   * Curl_http_auth_act at the end of a final response head. `retry` asks for
   * the same URL again; `failCode` is set when FAILONERROR turns the response
   * into an error. Whether a probe answered 2xx is followed by the request
   * with its body is the request kind's business (libcurl's state.httpreq):
   * authNeg says it, as output() only probes for a kind that has a body. The
   * method name does not count: "-T file -X GET" and "-d x -X HEAD" send
   * their body after the probe as curl 7.88.1 does.
   */
  act(code: number, creds: Credentials, allowed: boolean): { retry: boolean; fail: boolean } {
    if (code >= 100 && code <= 199) return { retry: false, fail: false };
    if (this.problem) return { retry: false, fail: this.#shouldFail(code, creds) };
    let mask = 0xffffffff;
    if (creds.bearer === null || this.isProxy) mask = (mask & ~CURLAUTH.BEARER) >>> 0;
    let pick = false;
    if ((creds.user !== null || creds.bearer !== null) && (code === this.#challengeCode || (this.authNeg && code < 300))) {
      const p = pickOneAuth(this.avail, (this.want & mask) >>> 0);
      this.avail = CURLAUTH.NONE;
      this.picked = p || PICKNONE;
      pick = p !== 0;
      if (!pick) this.problem = true;
    }
    let retry = false;
    if (pick) retry = true;
    else if (code < 300 && !this.done && this.authNeg) {
      // the probe got through without authentication: send the real body now
      retry = true;
      this.done = true;
    }
    // a request that would carry no credentials anyway is not worth repeating
    if (retry && !allowed && !creds.fromNetrc) retry = false;
    if (retry && ++this.#retries > MAX_AUTH_RETRIES) retry = false;
    return { retry, fail: retry ? false : this.#shouldFail(code, creds) };
  }

  /** http_should_fail with FAILONERROR */
  #shouldFail(code: number, creds: Credentials): boolean {
    if (!this.#o.failOnError || code < 400) return false;
    if (code !== 401 && code !== 407) return true;
    if (code === 401 && creds.user === null) return true;
    return this.problem;
  }
}

function emptyCreds(): Credentials {
  return { user: null, password: null, bearer: null, fromNetrc: false };
}
