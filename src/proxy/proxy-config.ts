// Which proxies a transfer goes through, as libcurl's url.c decides it when it
// sets up a connection (create_conn_helper_init_proxy, detect_proxy,
// parse_proxy): CURLOPT_PROXY / PRE_PROXY, or else the environment
// (<scheme>_proxy, its uppercase form except for HTTP_PROXY, then
// all_proxy / ALL_PROXY), unless the host is in NOPROXY (or no_proxy /
// NO_PROXY). The proxy string is a URL: an optional scheme picks the proxy
// type (http, socks4, socks4a, socks5, socks5h), CURLOPT_PROXYTYPE decides
// without one; credentials in it win over PROXYUSERNAME / PROXYPASSWORD; the
// port defaults to PROXYPORT, then 1080.
//
// The result, a ProxyRoute, says how a connection reaches the origin: the
// first hop (a SOCKS proxy or the HTTP proxy), and whether the HTTP proxy
// forwards requests (absolute URLs) or is asked for a CONNECT tunnel
// (HTTPPROXYTUNNEL, or always for https://). Its key is part of the pool key.
import { CURLE } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLPROXY } from '../constants.js';
import { CurlUrl } from '../url/curl-url.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import type { OptionStore } from '../easy/option-store.js';
import { checkNoproxy } from './noproxy.js';
import { envEpoch, envVar } from '../util/env-cache.js';

export const DEFAULT_PROXY_PORT = 1080;
export const DEFAULT_HTTPS_PROXY_PORT = 443;

export interface ProxyServer {
  /** CURLPROXY_* */
  readonly type: number;
  /** host name or address, without brackets */
  readonly host: string;
  readonly ipv6: boolean;
  readonly port: number;
  readonly user: string | null;
  readonly password: string | null;
}

export interface ProxyRoute {
  /** a SOCKS proxy: the first hop (PRE_PROXY, or a socks CURLOPT_PROXY) */
  readonly socks: ProxyServer | null;
  /** an HTTP proxy (reached through `socks` when both are set) */
  readonly http: ProxyServer | null;
  /** the HTTP proxy is asked for a CONNECT tunnel rather than forwarded requests */
  readonly tunnel: boolean;
  /** what makes connections through this route interchangeable (pool key part) */
  readonly key: string;
}

export type RouteResult =
  | { code: 0; route: ProxyRoute | null; info: string[] }
  | { code: number; message: string; info: string[] };

export const isSocks = (type: number): boolean =>
  type === CURLPROXY.SOCKS4 || type === CURLPROXY.SOCKS4A || type === CURLPROXY.SOCKS5 || type === CURLPROXY.SOCKS5_HOSTNAME;

const SCHEME_TYPES: Readonly<Record<string, number>> = {
  socks5h: CURLPROXY.SOCKS5_HOSTNAME,
  socks5: CURLPROXY.SOCKS5,
  socks4a: CURLPROXY.SOCKS4A,
  socks4: CURLPROXY.SOCKS4,
  socks: CURLPROXY.SOCKS4,
  https: CURLPROXY.HTTPS,
};


/** detect_proxy: the environment's proxy for a scheme. */
function proxyFromEnv(scheme: string, info: string[]): string | null {
  const lower = `${scheme.toLowerCase()}_proxy`;
  let name = lower;
  let value = envVar(lower);
  // HTTP_PROXY is not read: a CGI environment lets any client set it with a "Proxy:" header
  if (value === null && lower !== 'http_proxy') value = envVar((name = lower.toUpperCase()));
  if (value === null) value = envVar((name = 'all_proxy'));
  if (value === null) value = envVar((name = 'ALL_PROXY'));
  if (value !== null) info.push(`Uses proxy env variable ${name} == '${value}'`);
  return value;
}

/** parse_proxy */
type ParsedProxy = { server: ProxyServer } | { code: number; message: string };

function parseProxy(text: string, defaultType: number, opts: OptionStore, optionCreds: boolean): ParsedProxy {
  const explicit = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  let type = defaultType;
  if (explicit !== undefined) {
    if (explicit in SCHEME_TYPES) type = SCHEME_TYPES[explicit]!;
    else if (explicit !== 'http') return { code: CURLE.COULDNT_CONNECT, message: `Unsupported proxy scheme for '${text}'` };
  }
  if (type === CURLPROXY.HTTPS2) {
    // HTTP/2 to the proxy needs the HTTP/2 filter
    return { code: CURLE.NOT_BUILT_IN, message: `Unsupported proxy '${text}', libcurl is built without the HTTPS-proxy support.` };
  }
  const h = new CurlUrl();
  const rc = h.set(CURLUPART.URL, explicit === undefined ? `http://${text}` : text, CURLU.NON_SUPPORT_SCHEME);
  // 7.88's parse_proxy() names the proxy only (curl 8 appends the URL API's reason)
  if (rc !== 0) return { code: CURLE.COULDNT_RESOLVE_PROXY, message: `Unsupported proxy syntax in '${text}'` };
  let host = h.get(CURLUPART.HOST, CURLU.URLDECODE).value ?? '';
  const ipv6 = host.startsWith('[');
  if (ipv6) host = host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : -1).replace(/%25.*$|%.*$/, '');
  const portText = h.get(CURLUPART.PORT).value;
  const proxyPort = opts.num(CURLOPT.PROXYPORT);
  // an HTTPS proxy without a port is on 443 (CURL_DEFAULT_HTTPS_PROXY_PORT), any other on 1080
  const port = portText !== undefined ? Number(portText) : proxyPort > 0 ? proxyPort
    : type === CURLPROXY.HTTPS ? DEFAULT_HTTPS_PROXY_PORT : DEFAULT_PROXY_PORT;
  const urlUser = h.get(CURLUPART.USER, CURLU.URLDECODE).value;
  const urlPassword = h.get(CURLUPART.PASSWORD, CURLU.URLDECODE).value;
  let user: string | null;
  let password: string | null;
  if (urlUser !== undefined || urlPassword !== undefined) {
    user = urlUser ?? '';
    password = urlPassword ?? '';
  } else if (!optionCreds) {
    user = null;
    password = null;
  } else {
    user = opts.str(CURLOPT.PROXYUSERNAME);
    password = user !== null ? opts.str(CURLOPT.PROXYPASSWORD) ?? '' : null;
  }
  return { server: { type, host, ipv6, port, user, password } };
}

/** A proxy server's identity with its credentials: its part of a route's key. */
export const serverKey = (s: ProxyServer): string =>
  `${s.type}:${s.user === null ? '' : `${encodeURIComponent(s.user)}:${encodeURIComponent(s.password ?? '')}@`}` +
  `${s.host.toLowerCase()}:${s.port}`;

const DIRECT_ROUTE: RouteResult = Object.freeze({ code: 0, route: null, info: Object.freeze([]) as unknown as string[] });

/** Per library call: schemes for which the environment names no proxy and no no_proxy is set. */
let directEpoch = -1;
let directByScheme: Record<string, boolean> = {};

function environmentIsDirect(scheme: string): boolean {
  if (directEpoch !== envEpoch()) {
    directEpoch = envEpoch();
    directByScheme = {};
  }
  let direct = directByScheme[scheme];
  if (direct === undefined) {
    direct = envVar('no_proxy') === null && envVar('NO_PROXY') === null && proxyFromEnv(scheme, []) === null;
    directByScheme[scheme] = direct;
  }
  return direct;
}

/**
 * The proxies for a transfer to `host` (no brackets) with `scheme`.
 * Errors are libcurl's: a bad proxy string is CURLE_COULDNT_RESOLVE_PROXY,
 * an unknown proxy scheme CURLE_COULDNT_CONNECT.
 */
export function proxyRoute(opts: OptionStore, scheme: string, host: string): RouteResult {
  // the common case: no proxy options, no proxy in the environment
  if (opts.str(CURLOPT.PROXY) === null && opts.str(CURLOPT.PRE_PROXY) === null && opts.str(CURLOPT.NOPROXY) === null &&
      environmentIsDirect(scheme)) {
    return DIRECT_ROUTE;
  }
  const info: string[] = [];
  let proxy = opts.str(CURLOPT.PROXY);
  let preProxy = opts.str(CURLOPT.PRE_PROXY);
  let noproxy = opts.str(CURLOPT.NOPROXY);
  if (noproxy === null) {
    const name = envVar('no_proxy') !== null ? 'no_proxy' : 'NO_PROXY';
    noproxy = envVar(name);
    if (noproxy !== null) info.push(`Uses proxy env variable ${name} == '${noproxy}'`);
  }
  const bypass = checkNoproxy(host, noproxy);
  if (bypass.match) {
    proxy = null;
    preProxy = null;
  } else if (proxy === null && preProxy === null) {
    proxy = proxyFromEnv(scheme, info);
  }
  if (bypass.spaceSeparated) info.push('space-separated NOPROXY patterns are deprecated');
  if (proxy === '') proxy = null;
  if (preProxy === '') preProxy = null;
  if (proxy === null && preProxy === null) return { code: 0, route: null, info };

  const defaultType = opts.num(CURLOPT.PROXYTYPE);
  let http: ProxyServer | null = null;
  let socks: ProxyServer | null = null;
  if (proxy !== null) {
    const r = parseProxy(proxy, defaultType, opts, true);
    if (!('server' in r)) return { ...r, info };
    if (isSocks(r.server.type)) socks = r.server;
    else http = r.server;
  }
  if (preProxy !== null) {
    // the pre-proxy is SOCKS (socks4 without a scheme); PROXYUSERNAME/PROXYPASSWORD stay the HTTP proxy's
    const r = parseProxy(preProxy, CURLPROXY.SOCKS4, opts, http === null);
    if (!('server' in r)) return { ...r, info };
    if (isSocks(r.server.type)) socks = r.server;
    else if (http === null) http = r.server;
  }
  // only plain HTTP (and FTP, libcurl's PROTOPT_PROXY_AS_HTTP) can be forwarded; the rest needs a tunnel
  const tunnel = http !== null && (opts.num(CURLOPT.HTTPPROXYTUNNEL) !== 0 || (scheme !== 'http' && scheme !== 'ftp'));
  const key = `${socks ? `socks=${serverKey(socks)};` : ''}${http ? `http=${serverKey(http)};${tunnel ? 'tunnel;' : ''}` : ''}`;
  return { code: 0, route: { socks, http, tunnel, key }, info };
}

/** The proxy a verbose "Connected to" / failure line names: the first hop. */
export function firstHop(route: ProxyRoute): ProxyServer {
  return (route.socks ?? route.http)!;
}
