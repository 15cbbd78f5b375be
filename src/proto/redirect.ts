// Following redirects as libcurl's Curl_follow() does: resolve Location
// against the current URL with curl's URL rules, enforce MAXREDIRS and
// REDIR_PROTOCOLS_STR, apply the method rules of 301/302/303 (POSTREDIR),
// and decide whether credentials may travel to the new origin. The engine
// (src/multi/states.ts) does the protocol-independent part; httpFollow() is
// the HTTP handlers' follow hook.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLU, CURLUPART, urlStrerror } from '../url/url-codes.js';
import { transferUrlFromHandle, ucToCurlcode, type TransferUrl } from '../url/parse-url.js';
import { fromBytes } from '../url/url-bytes.js';
import type { OptionStore } from '../easy/option-store.js';
import type { Transfer } from '../multi/transfer.js';
import { httpState } from './http-state.js';

/** CURLOPT_POSTREDIR bits */
export const CURL_REDIR = { POST_301: 1, POST_302: 2, POST_303: 4, POST_ALL: 7 } as const;

/** libcurl's default redirect protocols (since 7.65.2). */
const DEFAULT_REDIR_PROTOCOLS = ['http', 'https', 'ftp', 'ftps'];

/**
 * Resolve a Location value against the current URL: the new URL, or the
 * scheme it names when the engine cannot transfer that scheme (or, with
 * `failure`, why a URL of a scheme it can transfer is unusable: a host name
 * IDNA refuses), or nothing when it does not parse. `location` is the
 * header's bytes (a byte string): they are the URL's bytes, not text.
 */
export function resolveLocation(current: TransferUrl, location: string):
    { url?: TransferUrl; scheme?: string; failure?: { code: CURLcode; message: string } } {
  const h = current.handle.dup();
  // curl follows with URL-encoding of spaces and high bytes, as the URL API does for redirects
  const rc = h.set(CURLUPART.URL, fromBytes(location), CURLU.URLENCODE | CURLU.ALLOW_SPACE | CURLU.NON_SUPPORT_SCHEME);
  // Curl_follow: "The redirect target URL could not be parsed: <curl_url_strerror>"
  if (rc) return { failure: { code: ucToCurlcode(rc), message: `The redirect target URL could not be parsed: ${urlStrerror(rc)}` } };
  const scheme = (h.get(CURLUPART.SCHEME).value ?? '').toLowerCase();
  const r = transferUrlFromHandle(h);
  if (r.url) return { url: r.url, scheme };
  return r.message ? { scheme, failure: { code: r.code, message: r.message } } : { scheme };
}

/** Resolved Location as a string for CURLINFO_REDIRECT_URL, even for schemes we cannot transfer. */
export function resolveLocationHref(current: TransferUrl, location: string): string | null {
  const h = current.handle.dup();
  const rc = h.set(CURLUPART.URL, fromBytes(location), CURLU.URLENCODE | CURLU.ALLOW_SPACE | CURLU.NON_SUPPORT_SCHEME);
  if (rc) return null;
  return h.get(CURLUPART.URL).value ?? null;
}

export function redirProtocolAllowed(opts: OptionStore, scheme: string): boolean {
  // PROTOCOLS_STR limits every transfer; REDIR_PROTOCOLS_STR cannot widen it
  const all = opts.str(CURLOPT.PROTOCOLS_STR);
  if (all !== null) {
    const l = all.toLowerCase().split(',').map((p) => p.trim());
    if (!l.includes('all') && !l.includes(scheme.toLowerCase())) return false;
  }
  const s = opts.str(CURLOPT.REDIR_PROTOCOLS_STR);
  const list = s === null ? DEFAULT_REDIR_PROTOCOLS : s.toLowerCase().split(',').map((p) => p.trim());
  return list.includes('all') || list.includes(scheme.toLowerCase());
}

/** Does a 3xx change the method to GET? (Curl_follow's switch) */
export function switchesToGet(code: number, method: string, opts: OptionStore): boolean {
  const keep = opts.num(CURLOPT.POSTREDIR);
  const isPost = method === 'POST';
  if (code === 301) return isPost && !(keep & CURL_REDIR.POST_301);
  if (code === 302) return isPost && !(keep & CURL_REDIR.POST_302);
  if (code === 303) return method !== 'GET' && method !== 'HEAD' && (!isPost || !(keep & CURL_REDIR.POST_303));
  return false;
}

/** Credentials follow only to the same scheme, host and port (CVE-2022-27774), unless UNRESTRICTED_AUTH. */
export function sameOrigin(a: TransferUrl, b: TransferUrl): boolean {
  return a.scheme === b.scheme && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

export function maxRedirsError(max: number): { code: CURLcode; message: string } {
  return { code: CURLE.TOO_MANY_REDIRECTS, message: `Maximum (${max}) redirects followed` };
}

/** May this request of the transfer carry the user's credentials (and custom Authorization/Cookie headers)? */
export function credentialsAllowed(t: Transfer): boolean {
  if (!t.firstUrl || !t.url || t.redirectCount === 0) return true;
  return sameOrigin(t.firstUrl, t.url) || t.opts.num(CURLOPT.UNRESTRICTED_AUTH) !== 0;
}

/** The credentials the application set (USERNAME, PASSWORD, XOAUTH2_BEARER) as this request may use them. */
export interface OptionCredentials {
  username: string | null;
  password: string | null;
  bearer: string | null;
}

const NO_OPTION_CREDENTIALS: OptionCredentials = Object.freeze({ username: null, password: null, bearer: null });

/**
 * USERNAME/PASSWORD/XOAUTH2_BEARER for a protocol handler: after a redirect to
 * another scheme, host or port they are gone, as Curl_follow() clears them
 * (CVE-2022-27774), unless UNRESTRICTED_AUTH. Credentials in the new URL itself
 * and .netrc's for the new host still apply.
 */
export function optionCredentials(t: Transfer): OptionCredentials {
  if (!credentialsAllowed(t)) return NO_OPTION_CREDENTIALS;
  const o = t.opts;
  return { username: o.str(CURLOPT.USERNAME), password: o.str(CURLOPT.PASSWORD), bearer: o.str(CURLOPT.XOAUTH2_BEARER) };
}

/**
 * The HTTP handlers' follow hook: a 301/302/303 may switch the next request
 * to GET (or HEAD), and AUTOREFERER sends the URL that redirected.
 */
export function httpFollow(t: Transfer, from: TransferUrl, info: (text: string) => void): void {
  const h = httpState(t);
  if (switchesToGet(t.responseCode, t.effectiveMethod, t.opts)) {
    h.forceGet = true;
    info(t.responseCode === 303 ? `Switch to ${t.opts.num(CURLOPT.NOBODY) ? 'HEAD' : 'GET'}` : 'Switch from POST to GET');
  }
  if (t.opts.num(CURLOPT.AUTOREFERER)) {
    // the previous URL without credentials or fragment, as libcurl sends it
    const u = from.handle.dup();
    u.set(CURLUPART.USER, null);
    u.set(CURLUPART.PASSWORD, null);
    u.set(CURLUPART.FRAGMENT, null);
    h.autoReferer = u.get(CURLUPART.URL).value ?? null;
  }
}
