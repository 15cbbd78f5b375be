// One cookie as libcurl's struct Cookie holds it, and the small pure helpers
// around it: curl's path sanitising and matching, domain tail matching, the
// Netscape file line, and the two sort orders (Cookie header, jar file).
import { isIP } from 'node:net';

export const COOKIE_PREFIX = { SECURE: 1, HOST: 2 } as const;

export interface Cookie {
  name: string;
  value: string;
  /** null only for cookies added without a host (files, COOKIELIST) that gave no Domain */
  domain: string | null;
  /**
   * the sanitised path (quotes and a trailing '/' dropped), used for matching
   * and written to the jar (curl 8; 7.88 kept the raw attribute beside it)
   */
  path: string | null;
  /** seconds since the epoch; 0 = session cookie */
  expires: number;
  /** true: the domain and its subdomains; false: the exact host */
  tailmatch: boolean;
  secure: boolean;
  httponly: boolean;
  /** set by a server during this session (preferred over file cookies) */
  livecookie: boolean;
  /** insertion counter: orders the jar and breaks ties in the header */
  creationtime: number;
  prefix: number;
}

/** Curl_host_is_ipnum */
export function isIpHost(host: string): boolean {
  return isIP(host) !== 0;
}

/**
 * RFC 6265 5.2.4 as curl does it: strip quotes, no leading '/' means '/',
 * drop a trailing '/' ("/" itself stays, so the jar never holds an empty path).
 */
export function sanitizeCookiePath(raw: string): string {
  let p = raw;
  if (p.startsWith('"')) p = p.slice(1);
  if (p.endsWith('"')) p = p.slice(0, -1);
  if (!p.startsWith('/')) return '/';
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** curl's pathmatch(): case-sensitive prefix on a '/' boundary; the query is not part of the path. */
export function pathMatch(cookiePath: string, requestUri: string): boolean {
  if (cookiePath.length === 1) return true; // "/"
  let uri = requestUri;
  const q = uri.indexOf('?');
  if (q >= 0) uri = uri.slice(0, q);
  if (uri.length === 0 || uri[0] !== '/') uri = '/';
  if (uri.length < cookiePath.length) return false;
  if (!uri.startsWith(cookiePath)) return false;
  if (uri.length === cookiePath.length) return true;
  return uri[cookiePath.length] === '/';
}

/** curl's cookie_tailmatch(): the host is the domain or ends in ".domain" (case-insensitive). */
export function cookieTailmatch(cookieDomain: string, hostname: string): boolean {
  const d = cookieDomain.toLowerCase();
  const h = hostname.toLowerCase();
  if (h.length < d.length) return false;
  if (!h.endsWith(d)) return false;
  if (h.length === d.length) return true;
  return h[h.length - d.length - 1] === '.';
}

/** An expiry as curl prints a curl_off_t (numbers this large are capped at CURL_OFF_T_MAX). */
function expiresText(n: number): string {
  return n >= 9223372036854775807 ? '9223372036854775807' : BigInt(Math.trunc(n)).toString();
}

/** A line of the Netscape cookie file, as curl's get_netscape_format() prints it. */
export function netscapeLine(co: Cookie): string {
  return (
    (co.httponly ? '#HttpOnly_' : '') +
    // tail-matching domains get Mozilla's leading dot
    (co.tailmatch && co.domain && co.domain[0] !== '.' ? '.' : '') +
    (co.domain ?? 'unknown') + '\t' +
    (co.tailmatch ? 'TRUE' : 'FALSE') + '\t' +
    (co.path ?? '/') + '\t' +
    (co.secure ? 'TRUE' : 'FALSE') + '\t' +
    expiresText(co.expires) + '\t' +
    co.name + '\t' +
    co.value
  );
}

/** The Cookie header order (curl's cookie_sort): longer path, then longer domain, then longer name, then newer (checked against curl 7.88). */
export function cookieSort(a: Cookie, b: Cookie): number {
  const pl = (b.path?.length ?? 0) - (a.path?.length ?? 0);
  if (pl) return pl;
  const dl = (b.domain?.length ?? 0) - (a.domain?.length ?? 0);
  if (dl) return dl;
  const nl = b.name.length - a.name.length;
  if (nl) return nl;
  return b.creationtime - a.creationtime;
}

/** The jar order (curl's cookie_sort_ct): newest first. */
export function cookieSortCt(a: Cookie, b: Cookie): number {
  return b.creationtime - a.creationtime;
}
