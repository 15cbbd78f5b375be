// Where HSTS and alt-svc meet a transfer (libcurl's url.c and http.c
// hooks). The caches themselves are src/hsts and src/altsvc, a handle's
// state around them src/easy/easy-hsts.ts and easy-altsvc.ts; this file
// decides when they apply:
//   - at transfer start, HSTS cache files and HSTSREADFUNCTION are read
//     (Curl_pretransfer);
//   - before each request connects (libcurl's create_conn: the first URL,
//     every redirect), an http:// URL whose host the HSTS cache knows
//     becomes https:// ("Switched from HTTP to HTTPS due to HSTS => ...");
//     then an https:// URL without a CONNECT_TO match connects to an
//     alt-svc alternative if the cache has a usable one ("Alt-svc
//     connecting from [h1]a:443 to [h1]b:8443"), and its requests carry
//     "Alt-Used: host:port";
//   - Strict-Transport-Security and Alt-Svc response headers are only taken
//     over HTTPS (TLS to the origin), from the URL's host and port.
// Which alternatives are usable: h1 always; h2 and h3 once the build has
// the HTTP2 / HTTP3 feature (src/features.ts). Others are parsed, kept and
// saved, but not connected to.
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLUPART } from '../url/url-codes.js';
import { transferUrlFromHandle } from '../url/parse-url.js';
import { timeNow } from '../util/curl-stamp.js';
import { hstsCacheOf, hstsTransferStart } from '../easy/easy-hsts.js';
import { altSvcCacheOf } from '../easy/easy-altsvc.js';
import { ALPN, alpnName, type AlpnId } from '../altsvc/altsvc-cache.js';
import type { ConnectionRoute } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';
import { PROTOPT } from './handler.js';
import { handlerFor } from './registry.js';
import { redirProtocolAllowed } from './redirect.js';
import type { HookResult } from './http-response.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { hasFeature } from '../features.js';

const OK: HookResult = { code: CURLE.OK };

/**
 * Curl_pretransfer: HSTS files named since the last transfer and the read
 * callback. False (the transfer failed with its reason) to stop.
 */
export function hstsAtTransferStart(t: Transfer, guard: CallbackGuard): boolean {
  const f = hstsTransferStart(t.easy, t.opts, guard, t);
  if (f) t.fail(f.code, f.message);
  return f === null;
}

/**
 * The HSTS upgrade of create_conn: 'upgraded' when the URL became https://
 * (t.url, the effective URL and t.handler changed; the caller runs the
 * handler's setup), 'failed' when https is not allowed (t.fail said why).
 */
export function hstsUpgrade(t: Transfer, trace: (text: string) => void): 'none' | 'upgraded' | 'failed' {
  const url = t.url!;
  if (url.scheme !== 'http') return 'none';
  const cache = hstsCacheOf(t.easy);
  if (!cache || !cache.lookup(url.host, true, timeNow())) return 'none';
  const follow = t.redirectCount > 0;
  // the scheme it becomes must be allowed (for a redirect, also by REDIR_PROTOCOLS_STR), as findprotocol() checks
  if (!(follow ? redirProtocolAllowed(t.opts, 'https') : protocolAllowed(t, 'https'))) {
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, 'Protocol "https" not supported or disabled in libcurl');
    return 'failed';
  }
  const h = url.handle.dup();
  h.set(CURLUPART.SCHEME, 'https');
  // CURLOPT_PORT still wins over the URL's port
  const port = t.opts.num(CURLOPT.PORT);
  if (port > 0) h.set(CURLUPART.PORT, String(port));
  const r = transferUrlFromHandle(h);
  if (!r.url) {
    t.fail(r.code || CURLE.URL_MALFORMAT, r.message ?? easyStrerror(r.code || CURLE.URL_MALFORMAT));
    return 'failed';
  }
  if (t.firstUrl === t.url) t.firstUrl = r.url;
  t.url = r.url;
  t.effectiveUrl = r.url.href;
  t.handler = handlerFor('https')!;
  trace(`Switched from HTTP to HTTPS due to HSTS => ${r.url.href}`);
  return 'upgraded';
}

/** CURLOPT_PROTOCOLS_STR lets this scheme through. */
function protocolAllowed(t: Transfer, scheme: string): boolean {
  const allowed = t.opts.str(CURLOPT.PROTOCOLS_STR);
  return allowed === null || allowed.toLowerCase().split(',').map((p) => p.trim()).some((p) => p === 'all' || p === scheme);
}

/** ALPN bits of the alternatives this build can connect to (libcurl's allowed_versions). */
function builtVersions(): number {
  return ALPN.H1 | (hasFeature('HTTP2') ? ALPN.H2 : 0) | (hasFeature('HTTP3') ? ALPN.H3 : 0);
}

/**
 * create_conn's alt-svc step, for a request no CONNECT_TO entry matched:
 * where an https:// request connects instead, or null.
 */
export function altSvcRoute(t: Transfer, trace: (text: string) => void): ConnectionRoute | null {
  const url = t.url!;
  if (url.scheme !== 'https') return null;
  const cache = altSvcCacheOf(t.easy);
  if (!cache) return null;
  const built = builtVersions();
  const versions = built & cache.flags;
  const now = timeNow();
  // with HTTP/2 built, an h2 origin's alternatives are looked for first
  let src: AlpnId = ALPN.H2;
  let as = built & ALPN.H2 ? cache.lookup(ALPN.H2, url.host, url.port, versions, now) : null;
  if (!as) {
    src = ALPN.H1;
    as = cache.lookup(ALPN.H1, url.host, url.port, versions, now);
  }
  if (!as) return null;
  trace(`Alt-svc connecting from [${alpnName(src)}]${url.host}:${url.port} to [${alpnName(as.dstAlpn)}]${as.dstHost}:${as.dstPort}`);
  return { connectHost: as.dstHost, connectPort: as.dstPort, altUsed: true };
}

/** "Alt-Used: host:port" for a request on a connection alt-svc chose, unless the application sends its own. */
export function altUsedLine(t: Transfer, overridden: ReadonlySet<string>): string | null {
  const route = t.conn?.route;
  if (!route?.altUsed || overridden.has('alt-used')) return null;
  return `Alt-Used: ${route.connectHost}:${route.connectPort}`;
}

/** The ALPN id of the response's HTTP version (conn->httpversion). */
function responseAlpn(t: Transfer): AlpnId {
  const v = t.conn?.httpVersion ?? 0;
  return v === 30 ? ALPN.H3 : v === 20 ? ALPN.H2 : ALPN.H1;
}

/**
 * A response header that may be Strict-Transport-Security or Alt-Svc; any
 * other name costs one length comparison.
 */
export function hstsAltSvcHeader(t: Transfer, name: string, value: string): HookResult {
  if (name.length === 25) {
    if (name.toLowerCase() !== 'strict-transport-security' || !(t.handler!.flags & PROTOPT.SSL)) return OK;
    const cache = hstsCacheOf(t.easy);
    if (!cache || cache.parseHeader(t.url!.host, value, timeNow())) return OK;
    return { code: CURLE.OK, info: ['Illegal STS header skipped'] };
  }
  if (name.length === 7) {
    if (name.toLowerCase() !== 'alt-svc' || !(t.handler!.flags & PROTOPT.SSL)) return OK;
    const cache = altSvcCacheOf(t.easy);
    if (!cache) return OK;
    const info: string[] = [];
    // libcurl parses the rest of the header line, CRLF included (it decides where an empty option value ends)
    cache.parseHeader(`${value}\r\n`, responseAlpn(t), t.url!.host, t.url!.port, timeNow(), (line) => info.push(line));
    return info.length ? { code: CURLE.OK, info } : OK;
  }
  return OK;
}
