// The glue between a transfer and HostAuth (src/auth/, which knows nothing of
// transfers): builds the auth state from the transfer's options on first use,
// and gives the HTTP handler the three calls it needs (request lines, a 401's
// WWW-Authenticate, end of headers). The origin's HostAuth is HTTP's, in the
// transfer's HTTP state. The HTTP proxy's (CURLOPT_PROXYAUTH) is a second
// HostAuth in proxy mode, on the Transfer: it answers a 407's
// Proxy-Authenticate for forwarded requests and for the CONNECT exchange of a
// tunnel, which carries any protocol. As in libcurl, an authentication
// problem with either one stops both from retrying.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { credentialsAllowed } from './redirect.js';
import { HostAuth, type AuthOptions, type AuthOutput, type Credentials } from '../auth/host-auth.js';
import { peekHttpState, type HttpTransferState } from './http-state.js';
import { serverKey } from '../proxy/proxy-config.js';

/** The authentication options of a store's generation (read once, not per transfer). */
const optionMemo = new WeakMap<object, { generation: number; options: AuthOptions }>();

function authOptions(o: Transfer['opts']): AuthOptions {
  const m = optionMemo.get(o);
  if (m && m.generation === o.generation) return m.options;
  const options: AuthOptions = {
    httpAuth: o.has(CURLOPT.HTTPAUTH) ? o.num(CURLOPT.HTTPAUTH) : 1,
    username: o.str(CURLOPT.USERNAME),
    password: o.str(CURLOPT.PASSWORD),
    bearer: o.str(CURLOPT.XOAUTH2_BEARER),
    netrc: o.num(CURLOPT.NETRC),
    netrcFile: o.str(CURLOPT.NETRC_FILE),
    awsSigV4: o.str(CURLOPT.AWS_SIGV4),
    failOnError: o.num(CURLOPT.FAILONERROR) !== 0,
    httpSig: {
      algorithm: o.num(CURLOPT.HTTPSIG_ALGORITHM), key: o.str(CURLOPT.HTTPSIG_KEY),
      keyid: o.str(CURLOPT.HTTPSIG_KEYID), components: o.str(CURLOPT.HTTPSIG_HEADERS),
    },
  };
  optionMemo.set(o, { generation: o.generation, options });
  return options;
}

export function hostAuthOf(t: Transfer, h: HttpTransferState): HostAuth {
  return (h.auth ??= new HostAuth(authOptions(t.opts)));
}

/**
 * The proxy's authentication state; credentials are the HTTP proxy's of the
 * current route. A redirect may take the transfer to another proxy (an
 * https:// URL goes through https_proxy, not http_proxy): credentials that
 * came with one proxy's URL never go to another, so the state is made anew
 * for each proxy and credentials (curl 8, its test 2011; 7.88 sent them on).
 */
export function proxyAuthOf(t: Transfer): HostAuth | null {
  const http = t.proxy?.http;
  if (!http) return null;
  const key = serverKey(http);
  if (!t.proxyAuth || t.proxyAuthKey !== key) {
    t.proxyAuthKey = key;
    const o = t.opts;
    t.proxyAuth = new HostAuth({
      httpAuth: o.has(CURLOPT.PROXYAUTH) ? o.num(CURLOPT.PROXYAUTH) : 1,
      username: http.user,
      password: http.user !== null ? http.password ?? '' : null,
      bearer: null,
      netrc: 0,
      netrcFile: null,
      awsSigV4: null,
      failOnError: o.num(CURLOPT.FAILONERROR) !== 0,
      proxy: true,
    });
  }
  return t.proxyAuth;
}

function proxyCreds(t: Transfer): Credentials {
  const http = t.proxy!.http!;
  return proxyAuthOf(t)!.credentials(http.host).creds;
}

/** The custom headers that go to the proxy: PROXYHEADER with CURLHEADER_SEPARATE (the default), else HTTPHEADER. */
export function proxyHeaderList(t: Transfer): string[] {
  const separate = t.opts.has(CURLOPT.HEADEROPT) ? (t.opts.num(CURLOPT.HEADEROPT) & 1) !== 0 : true;
  return ((separate ? t.opts.get(CURLOPT.PROXYHEADER) : t.opts.get(CURLOPT.HTTPHEADER)) as string[] | null) ?? [];
}

/**
 * The Proxy-Authorization line(s) for a request to an HTTP proxy: a forwarded
 * request (target: its path; `bodyless`: its request kind sends no body) or
 * a CONNECT (method CONNECT, target host:port), which never probes: libcurl
 * asks its auth for a CONNECT as for an HTTPREQ_GET.
 */
export function proxyAuthRequestLines(t: Transfer, method: string, target: string, bodyless = true): AuthOutput {
  const a = proxyAuthOf(t);
  if (!a) return { code: CURLE.OK, lines: [], probe: false, info: [] };
  return a.output({
    method, bodyless, host: t.proxy!.http!.host, hostHeader: null, target,
    userHeaders: proxyHeaderList(t), body: null, allowed: true, conn: t.conn,
  }, proxyCreds(t));
}

/** A Proxy-Authenticate header; read only on a 407. Returns verbose info lines. */
export function proxyAuthOnChallenge(t: Transfer, code: number, value: string): string[] {
  const a = proxyAuthOf(t);
  if (code !== 407 || !a) return [];
  return a.input(value, t.conn);
}

/** libcurl's authproblem for a CONNECT: the proxy's or the origin's authentication gave up. */
export function connectAuthProblem(t: Transfer): boolean {
  // the origin's HostAuth exists once a request of this transfer was built (not before its first CONNECT)
  return proxyAuthOf(t)?.problem === true || peekHttpState(t)?.auth?.problem === true;
}

/** The end of a CONNECT response's head: should the CONNECT be sent again with (better) credentials? */
export function proxyAuthRetryConnect(t: Transfer, code: number): boolean {
  const a = proxyAuthOf(t);
  if (!a || connectAuthProblem(t)) return false;
  return a.act(code, proxyCreds(t), true).retry;
}

function credsOf(t: Transfer, h: HttpTransferState): { code: CURLcode; message?: string; creds: Credentials } {
  const url = t.url!;
  return hostAuthOf(t, h).credentials(url.host, url.user, url.password);
}

/**
 * The Authorization line(s) for the request being built (curl puts them right after Host).
 * `headerLines`: the application's header lines this request sends, as bytes (what a signature covers).
 */
export function authRequestLines(t: Transfer, h: HttpTransferState, method: string, hostHeader: string | null, body: Buffer | null,
  bodyless: boolean, headerLines?: readonly string[]): AuthOutput {
  const c = credsOf(t, h);
  if (c.code !== CURLE.OK) return { code: c.code, message: c.message ?? '', lines: [], probe: false, info: [] };
  const a = hostAuthOf(t, h);
  if (c.creds.user === null && c.creds.bearer === null && !a.signs) return a.outputNone();
  const url = t.url!;
  return a.output({
    method, bodyless, host: url.host, hostHeader, target: url.path,
    userHeaders: (t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? [], ...(headerLines ? { headerLines } : {}),
    body, allowed: credentialsAllowed(t), conn: t.conn, authority: authorityOf(t),
  }, c.creds);
}

/** The URL's authority as RFC 9421's @authority has it: host, and the port only when not the scheme's default. */
function authorityOf(t: Transfer): string {
  const url = t.url!;
  const host = url.ipv6 ? `[${url.host}]` : url.host;
  const defaultPort = t.handler?.defaultPort ?? (url.scheme === 'https' ? 443 : 80);
  return url.port === defaultPort ? host : `${host}:${url.port}`;
}

/** A WWW-Authenticate header; libcurl reads them only on a 401. Returns verbose info lines. */
export function authOnChallenge(t: Transfer, h: HttpTransferState, value: string): string[] {
  if (t.responseCode !== 401) return [];
  return hostAuthOf(t, h).input(value, t.conn);
}

/**
 * The response head is complete: ask for the same URL again when a better
 * authenticated request is possible (sets t.retryRequest), and say whether
 * FAILONERROR makes this response an error.
 */
export function authOnHeadersEnd(t: Transfer, h: HttpTransferState, viaProxy = false): { fail: boolean } {
  const a = hostAuthOf(t, h);
  const c = credsOf(t, h);
  const p = viaProxy ? proxyAuthOf(t) : null;
  if (!p) {
    const r = a.act(t.responseCode, c.creds, credentialsAllowed(t));
    if (r.retry) t.retryRequest = true;
    return { fail: r.fail };
  }
  // one authentication problem (host or proxy) ends the negotiation for both, as libcurl's authproblem
  const pc = proxyCreds(t);
  const code = t.responseCode;
  let retry = false;
  if (!a.problem && !p.problem) {
    const rp = p.act(code, pc, true);
    const rh = a.act(code, c.creds, credentialsAllowed(t));
    retry = rp.retry || rh.retry;
  }
  if (retry) t.retryRequest = true;
  return { fail: !retry && shouldFail(t, code, c.creds.user !== null, pc.user !== null, a.problem || p.problem) };
}

/** http_should_fail() with FAILONERROR, knowing about 407. */
function shouldFail(t: Transfer, code: number, hostUser: boolean, proxyUser: boolean, problem: boolean): boolean {
  if (!t.opts.num(CURLOPT.FAILONERROR) || code < 400) return false;
  if (code !== 401 && code !== 407) return true;
  if (code === 401 && !hostUser) return true;
  if (code === 407 && !proxyUser) return true;
  return problem;
}
