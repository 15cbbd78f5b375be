// Following redirects as libcurl's Curl_follow() does: resolve Location
// against the current URL with curl's URL rules, enforce MAXREDIRS and
// REDIR_PROTOCOLS_STR, apply the method rules of 301/302/303 (POSTREDIR)
// and FOLLOWLOCATION's modes for a custom method (curl 8.13's CURLFOLLOW_*),
// and decide whether credentials may travel to the new origin. The engine
// (src/multi/states.ts) does the protocol-independent part; httpFollow() is
// the HTTP handlers' follow hook.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLFOLLOW } from '../constants.js';
import { CURLU, CURLUPART, urlStrerror } from '../url/url-codes.js';
import { transferUrlFromHandle, ucToCurlcode, type TransferUrl } from '../url/parse-url.js';
import { fromBytes } from '../url/url-bytes.js';
import { HTTPREQ, type HttpReq, type OptionStore } from '../easy/option-store.js';
import type { Transfer } from '../multi/transfer.js';
import { httpState, customRequest, requestKind } from './http-state.js';

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

const isPostKind = (kind: HttpReq): boolean => kind === HTTPREQ.POST || kind === HTTPREQ.POST_FORM || kind === HTTPREQ.POST_MIME;

/**
 * Does a 3xx switch the request kind to GET? (Curl_follow's switch on state.httpreq.) It is the
 * kind the options made (a POST of -d, -F, a PUT of -T), not the method name: a custom
 * "-X IGLOO -d data" is a POST that loses its body on a 302, "-X POST" alone is a GET.
 */
export function switchesToGet(code: number, kind: HttpReq, opts: OptionStore): boolean {
  const keep = opts.num(CURLOPT.POSTREDIR);
  const isPost = isPostKind(kind);
  if (code === 301) return isPost && !(keep & CURL_REDIR.POST_301);
  if (code === 302) return isPost && !(keep & CURL_REDIR.POST_302);
  if (code === 303) return kind !== HTTPREQ.GET && (!isPost || !(keep & CURL_REDIR.POST_303));
  return false;
}

/**
 * CURLFOLLOW_OBEYCODE: does this response drop the custom method? A 301/302 only where it turns a
 * POST into a GET; a 303 always, unless the method is HEAD or POSTREDIR keeps a POST's 303.
 */
function obeyCodeDrops(code: number, kind: HttpReq, custom: string, opts: OptionStore): boolean {
  if (code === 301 || code === 302) return switchesToGet(code, kind, opts);
  if (code !== 303) return false;
  return custom.toUpperCase() !== 'HEAD' && !(isPostKind(kind) && opts.num(CURLOPT.POSTREDIR) & CURL_REDIR.POST_303);
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
  const code = t.responseCode;
  const kind = requestKind(t, h);
  const custom = customRequest(t);
  const mode = t.opts.num(CURLOPT.FOLLOWLOCATION);
  if (custom !== null && mode === CURLFOLLOW.FIRSTONLY) {
    h.ignoreCustom = true;
    info('Drop custom request method for next request');
  } else if (custom !== null && mode === CURLFOLLOW.OBEYCODE && obeyCodeDrops(code, kind, custom, t.opts)) {
    h.ignoreCustom = true;
    info(`Switch to GET because of ${code} response`);
  }
  if (switchesToGet(code, kind, t.opts)) {
    h.forceGet = true;
    info(code === 303 ? `Switch to ${t.opts.num(CURLOPT.NOBODY) ? 'HEAD' : 'GET'}` : 'Switch from POST to GET');
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
