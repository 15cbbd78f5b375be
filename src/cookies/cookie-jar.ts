// The cookie store: libcurl's struct CookieInfo and lib/cookie.c, sans-I/O.
//
// Theory of operation. add() takes one line, either the value of a Set-Cookie
// header (httpheader) or a Netscape cookie-file line, and applies curl's rules
// in curl's order: parse; __Secure-/__Host- prefixes; drop session cookies
// read from a file when a new session was asked for; evict expired cookies;
// the public-suffix check; refuse a non-secure cookie that would overlay a
// secure one; then replace a cookie with the same name, domain and path (it
// keeps its creation time) or append. Cookies live in 256 buckets keyed by
// the domain's last two labels, as in libcurl: lookups for a host only see
// that host's bucket, and the bucket order is CURLINFO_COOKIELIST's order.
// `running` is false while a file is being read: file cookies are not "live",
// may be secure without a secure transfer, and print no verbose lines.
import {
  COOKIE_PREFIX, cookieSort, cookieSortCt, cookieTailmatch, isIpHost, netscapeLine, pathMatch,
  sanitizeCookiePath, type Cookie,
} from './cookie.js';
import { curlGetdate } from './parse-date.js';
import { curlGetLines } from './get-line.js';
import { isCookieDomainAcceptable } from './psl.js';

/** libcurl's limits (cookie.h, http.h). */
export const COOKIE_LIMITS = {
  /** name and value are each below this, together at most this */
  MAX_NAME: 4096,
  /** longer Set-Cookie lines and cookie-file lines are discarded */
  MAX_COOKIE_LINE: 5000,
  /** cookies in one request's Cookie header */
  MAX_COOKIE_SEND_AMOUNT: 150,
  /** Set-Cookie headers accepted from one response */
  MAX_SET_COOKIE_AMOUNT: 50,
  /** bytes of the generated Cookie: header */
  MAX_COOKIE_HEADER_LEN: 8190,
} as const;

const HASH_SIZE = 256;
/**
 * RFC 6265bis 5.6.1/5.6.2 (curl 8): a server cookie lives at most 400 days,
 * however far its Expires or Max-Age reaches. Cookies read from files keep
 * their expiry: the user wrote those.
 */
export const COOKIE_MAX_AGE = 400 * 24 * 3600;
/**
 * The 400-day cap; a capped time is rounded to the nearest minute as curl 8
 * does, so that a jar written twice within a second or two reads the same.
 */
function capExpires(expires: number, now: number): number {
  const cap = now + COOKIE_MAX_AGE;
  return expires > cap ? Math.floor((cap + 30) / 60) * 60 : expires;
}
/** Longer Expires values are not dates (curl 8's MAX_DATE_LENGTH): the cookie stays a session cookie. */
const MAX_DATE_LENGTH = 80;
const OFF_T_MAX = 2n ** 63n - 1n;
/** CURL_OFF_T_MAX as a number: a cap the jar prints back as 9223372036854775807 */
export const EXPIRES_MAX = Number(OFF_T_MAX);

export interface AddArgs {
  /** true: the value of a Set-Cookie header; false: a Netscape file line */
  httpheader: boolean;
  /** true while reading a file: expired cookies are evicted once afterwards */
  noexpire?: boolean;
  line: string;
  /** the host the header came from (null for files and COOKIELIST) */
  domain?: string | null;
  /** the request path, for the default path */
  path?: string | null;
  /** the transfer is a secure context (https, or localhost/127.0.0.1/::1) */
  secure: boolean;
}

/** Bytes a server cookie may not contain: \x01-\x1f except TAB, and \x7f. */
const INVALID_OCTETS = /[\x01-\x08\x0a-\x1f\x7f]/;
const BLANK = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** The domain's bucket: djb2 over the upper-cased last two labels; IPs and no domain use 0. */
export function cookieHash(domain: string | null): number {
  if (!domain || isIpHost(domain)) return 0;
  const last = domain.lastIndexOf('.');
  let top = domain;
  if (last >= 0) {
    const first = domain.lastIndexOf('.', last - 1);
    if (first >= 0 && first < last) top = domain.slice(first + 1);
  }
  let h = 5381n;
  const mask = 2n ** 64n - 1n;
  for (const ch of top) {
    h = (h + (h << 5n)) & mask;
    h ^= BigInt(ch.toUpperCase().charCodeAt(0) & 0xff);
  }
  return Number(h % BigInt(HASH_SIZE));
}

/** curlx_strtoofft: 0 = ok, 1 = overflow, 2 = invalid. */
function strtoofft(s: string): { rc: 0 | 1 | 2; value: number } {
  let i = 0;
  while (BLANK(s[i])) i++;
  const rest = s.slice(i);
  if (rest[0] === '-' || /^\s/.test(rest)) return { rc: 2, value: 0 };
  const m = /^\+?(\d+)/.exec(rest);
  if (!m) return { rc: 2, value: 0 };
  const big = BigInt(m[1]!);
  if (big > OFF_T_MAX) return { rc: 1, value: EXPIRES_MAX };
  return { rc: 0, value: Number(big) };
}

export type CookieLog = (text: string) => void;

export class CookieJar {
  readonly #buckets: Cookie[][] = Array.from({ length: HASH_SIZE }, () => []);
  #count = 0;
  #lastct = 0;
  #nextExpiration = Infinity;
  /** false while reading a file (libcurl's c->running) */
  running = true;
  /** drop session cookies read from files (COOKIESESSION) */
  newsession = false;
  /** seconds since the epoch; replaceable for tests */
  now: () => number = () => Math.floor(Date.now() / 1000);
  log: CookieLog = () => {};

  get size(): number {
    return this.#count;
  }

  /** Curl_cookie_add: the cookie stored (or replaced), or null when the line was refused. */
  add(a: AddArgs): Cookie | null {
    const domain = a.domain ?? null;
    const now = this.now();
    const co = a.httpheader ? this.#parseHeader(a.line, domain, a.path ?? null, a.secure, now) : this.#parseNetscape(a.line, a.secure);
    if (!co) return null;

    if (co.prefix & COOKIE_PREFIX.SECURE && !co.secure) return null;
    if (co.prefix & COOKIE_PREFIX.HOST) {
      // __Host-: secure, path "/", and no Domain (host-only)
      if (!(co.secure && co.path === '/' && !co.tailmatch)) return null;
    }
    // a new session: session cookies from files are forgotten
    if (!this.running && this.newsession && !co.expires) return null;

    co.livecookie = this.running;
    co.creationtime = ++this.#lastct;
    if (!a.noexpire) this.removeExpired();

    if (domain && co.domain && !isIpHost(co.domain) && !isCookieDomainAcceptable(domain, co.domain)) {
      this.log(`cookie '${co.name}' dropped, domain '${domain}' must not set cookies for '${co.domain}'`);
      return null;
    }

    const bucket = this.#buckets[cookieHash(co.domain)]!;
    let replaceAt = -1;
    for (let i = 0; i < bucket.length; i++) {
      const old = bucket[i]!;
      // names are case-sensitive (RFC 6265 5.3 step 11; curl 8): "a" and "A" are two cookies
      if (old.name !== co.name) continue;
      const sameDomain = old.domain && co.domain ? old.domain.toLowerCase() === co.domain.toLowerCase() : !old.domain && !co.domain;
      // a non-secure cookie may not overlay a secure one on the same leading path segment
      // (the leading segment is compared ignoring case, as curl 8 still does: it refuses more)
      if (sameDomain && old.path !== null && co.path !== null && old.secure && !co.secure && !a.secure) {
        const sep = old.path.indexOf('/', 1);
        const len = sep >= 0 ? sep : old.path.length;
        if (old.path.slice(0, len).toLowerCase() === co.path.slice(0, len).toLowerCase() && co.path.length >= len) {
          this.log(`cookie '${co.name}' for domain '${co.domain}' dropped, would overlay an existing cookie`);
          return null;
        }
      }
      if (replaceAt >= 0) continue;
      let replace = old.domain && co.domain
        ? old.domain.toLowerCase() === co.domain.toLowerCase() && old.tailmatch === co.tailmatch
        : !old.domain && !co.domain;
      if (replace) {
        // paths are case-sensitive (RFC 6265 5.1.4; curl 8): "/a" and "/A" are two cookies
        replace = old.path !== null && co.path !== null ? old.path === co.path : old.path === null && co.path === null;
      }
      // a live cookie (from a server) wins over the same cookie read from a file
      if (replace && !co.livecookie && old.livecookie) return null;
      if (replace) replaceAt = i;
    }
    if (replaceAt >= 0) {
      co.creationtime = bucket[replaceAt]!.creationtime;
      bucket[replaceAt] = co;
    } else {
      bucket.push(co);
      this.#count++;
    }
    if (this.running) {
      this.log(`${replaceAt >= 0 ? 'Replaced' : 'Added'} cookie ${co.name}="${co.value}" for domain ${co.domain ?? '(null)'}, path ${co.path ?? '(null)'}, expire ${co.expires}`);
    }
    if (co.expires && co.expires < this.#nextExpiration) this.#nextExpiration = co.expires;
    return co;
  }

  #parseHeader(line: string, domain: string | null, path: string | null, secure: boolean, now: number): Cookie | null {
    if (line.length > COOKIE_LIMITS.MAX_COOKIE_LINE) return null;
    const co = newCookie();
    let name: string | null = null;
    let p = 0;
    const s = line;
    const stop = (chars: string, from: number): number => {
      let i = from;
      while (i < s.length && !chars.includes(s[i]!)) i++;
      return i;
    };
    while (BLANK(s[p])) p++;
    for (;;) {
      while (BLANK(s[p])) p++;
      const nameEnd = stop(';\t\r\n=', p);
      let nlen = nameEnd - p;
      if (nlen > 0) {
        const namep = p;
        p = nameEnd;
        while (nlen && BLANK(s[namep + nlen - 1])) nlen--;
        const pname = s.slice(namep, namep + nlen);
        let sep = false;
        let value = '';
        if (s[p] === '=') {
          const vstart = p + 1;
          const vend = stop(';\r\n', vstart);
          sep = true;
          p = vend;
          value = s.slice(vstart, vend);
          let a = 0, b = value.length;
          while (b > a && BLANK(value[b - 1])) b--;
          while (b > a && BLANK(value[a])) a++;
          value = value.slice(a, b);
          if (value.includes('\t')) {
            this.log('cookie contains TAB, dropping');
            return null;
          }
        }
        const vlen = value.length;
        if (nlen >= COOKIE_LIMITS.MAX_NAME - 1 || vlen >= COOKIE_LIMITS.MAX_NAME - 1 || nlen + vlen > COOKIE_LIMITS.MAX_NAME) {
          this.log(`oversized cookie dropped, name/val ${nlen} + ${vlen} bytes`);
          return null;
        }
        // prefixes are looked for on every name, as libcurl does
        if (nlen >= 7 && pname.startsWith('__')) {
          const low = pname.toLowerCase();
          if (low.startsWith('__secure-')) co.prefix |= COOKIE_PREFIX.SECURE;
          else if (low.startsWith('__host-')) co.prefix |= COOKIE_PREFIX.HOST;
        }
        const lname = pname.toLowerCase();
        let done = false;
        if (name === null) {
          // the first pair is the cookie itself and must have a '='
          if (!sep) return null;
          name = pname;
          co.name = pname;
          co.value = value;
          done = true;
          if (INVALID_OCTETS.test(co.value) || INVALID_OCTETS.test(co.name)) {
            this.log('invalid octets in name/value, cookie dropped');
            return null;
          }
        } else if (!vlen) {
          // "secure" and "httponly" also count when written as "secure="
          done = true;
          if (lname === 'secure') {
            // only a secure context, or a file, may set a secure cookie
            if (secure || !this.running) co.secure = true;
            else return null;
          } else if (lname === 'httponly') co.httponly = true;
          else if (sep) done = false;
        }
        if (done) {
          // nothing more for this pair
        } else if (lname === 'path') {
          co.path = sanitizeCookiePath(value);
        } else if (lname === 'domain' && vlen) {
          let v = value;
          if (v[0] === '.') v = v.slice(1);
          const isIp = isIpHost(domain ?? v);
          if (!domain || (isIp && v === domain) || (!isIp && cookieTailmatch(v, domain))) {
            co.domain = v;
            if (!isIp) co.tailmatch = true;
          } else {
            this.log(`skipped cookie with bad tailmatch domain: ${v}`);
            return null;
          }
        } else if (lname === 'max-age') {
          const r = strtoofft(value[0] === '"' ? value.slice(1) : value);
          if (r.rc === 1) co.expires = capExpires(EXPIRES_MAX, now);
          else if (r.rc === 2) co.expires = 1; // negative or bad: expire now
          else if (!r.value) co.expires = 1;
          else co.expires = capExpires(now + r.value, now);
        } else if (lname === 'expires') {
          // Max-Age wins when it came first; unparsable dates make a session cookie
          if (!co.expires && vlen < MAX_DATE_LENGTH) {
            co.expires = curlGetdate(value);
            if (co.expires === 0) co.expires = 1;
            else if (co.expires < 0) co.expires = 0;
            else co.expires = capExpires(co.expires, now);
          }
        }
        // Version and anything unknown are ignored
      }
      while (BLANK(s[p])) p++;
      if (s[p] === ';') p++;
      else break;
    }
    if (name === null) return null;
    if (!co.domain && domain) co.domain = domain;
    if (co.path === null && path) {
      // the default path (RFC 6265 5.1.4): the request path up to its last '/', query not included
      const q = path.indexOf('?');
      const slash = (q >= 0 ? path.slice(0, q) : path).lastIndexOf('/');
      if (slash >= 0) {
        co.path = sanitizeCookiePath(path.slice(0, slash + 1));
      }
    }
    return co;
  }

  #parseNetscape(input: string, secure: boolean): Cookie | null {
    const co = newCookie();
    let line = input;
    if (line.startsWith('#HttpOnly_')) {
      line = line.slice(10);
      co.httponly = true;
    }
    if (line[0] === '#') return null; // a comment
    const cr = line.indexOf('\r');
    if (cr >= 0) line = line.slice(0, cr);
    const nl = line.indexOf('\n');
    if (nl >= 0) line = line.slice(0, nl);
    // strtok on TAB: empty fields collapse
    const tokens = line.split('\t').filter((f) => f.length > 0);
    let fields = 0;
    for (let k = 0; k < tokens.length; k++, fields++) {
      const f = tokens[k]!;
      switch (fields) {
        case 0:
          co.domain = f[0] === '.' ? f.slice(1) : f;
          break;
        case 1:
          co.tailmatch = f.toUpperCase() === 'TRUE';
          break;
        case 2:
        case 3:
          if (fields === 2 && f !== 'TRUE' && f !== 'FALSE') {
            co.path = sanitizeCookiePath(f);
            break;
          }
          if (fields === 2) {
            // the path field may be left out: this is already the secure flag
            co.path = '/';
            fields++;
          }
          co.secure = false;
          if (f.toUpperCase() === 'TRUE') {
            if (secure || this.running) co.secure = true;
            else return null;
          }
          break;
        case 4: {
          const r = strtoofft(f);
          if (r.rc !== 0) return null;
          co.expires = r.value;
          break;
        }
        case 5: {
          co.name = f;
          const low = f.toLowerCase();
          if (low.startsWith('__secure-')) co.prefix |= COOKIE_PREFIX.SECURE;
          else if (low.startsWith('__host-')) co.prefix |= COOKIE_PREFIX.HOST;
          break;
        }
        case 6:
          co.value = f;
          break;
      }
    }
    if (fields === 6) {
      co.value = ''; // a cookie with blank contents
      fields++;
    }
    if (fields !== 7) return null;
    // control octets are refused from files too (curl 8): they would go out in the Cookie header
    if (INVALID_OCTETS.test(co.name) || INVALID_OCTETS.test(co.value)) return null;
    return co;
  }

  /** remove_expired: evicts cookies whose time has passed (a cookie expiring this second stays). */
  removeExpired(): void {
    const now = this.now();
    if (now < this.#nextExpiration && this.#nextExpiration !== Infinity) return;
    this.#nextExpiration = Infinity;
    for (const bucket of this.#buckets) {
      for (let i = 0; i < bucket.length; ) {
        const co = bucket[i]!;
        if (co.expires && co.expires < now) {
          bucket.splice(i, 1);
          this.#count--;
        } else {
          if (co.expires && co.expires < this.#nextExpiration) this.#nextExpiration = co.expires;
          i++;
        }
      }
    }
  }

  /**
   * Curl_cookie_getlist: the cookies to send to host/path, in Cookie header
   * order. Secure cookies only in a secure context.
   */
  getList(host: string, path: string, secure: boolean): Cookie[] {
    this.removeExpired();
    const isIp = isIpHost(host);
    const out: Cookie[] = [];
    for (const co of this.#buckets[cookieHash(host)]!) {
      if (co.secure && !secure) continue;
      const domainOk = !co.domain ||
        (co.tailmatch && !isIp && cookieTailmatch(co.domain, host)) ||
        ((!co.tailmatch || isIp) && host.toLowerCase() === co.domain.toLowerCase());
      if (!domainOk) continue;
      // a domain cookie for a public suffix (".co.uk") is never sent: a Set-Cookie could not make
      // one, but a cookie file or COOKIELIST line can, and it would reach every site under the
      // suffix (curl 8, its test 409; 7.88 sent it). The host itself may be the suffix ("localhost").
      if (co.tailmatch && !isIp && co.domain!.length !== host.length && !isCookieDomainAcceptable(host, co.domain!)) continue;
      if (co.path !== null && !pathMatch(co.path, path)) continue;
      out.push({ ...co });
      if (out.length >= COOKIE_LIMITS.MAX_COOKIE_SEND_AMOUNT) {
        this.log(`Included max number of cookies (${out.length}) in request!`);
        break;
      }
    }
    return out.sort(cookieSort);
  }

  /** Curl_cookie_list (CURLINFO_COOKIELIST): bucket order, expired ones too, no domain-less ones. */
  list(): string[] {
    const out: string[] = [];
    for (const bucket of this.#buckets) for (const co of bucket) if (co.domain) out.push(netscapeLine(co));
    return out;
  }

  /** The jar file contents as cookie_output() writes them: header, then newest first. */
  netscapeFile(): string {
    this.removeExpired();
    let s =
      '# Netscape HTTP Cookie File\n' +
      '# https://curl.se/docs/http-cookies.html\n' +
      '# This file was generated by libcurl! Edit at your own risk.\n\n';
    const all: Cookie[] = [];
    for (const bucket of this.#buckets) for (const co of bucket) if (co.domain) all.push(co);
    for (const co of all.sort(cookieSortCt)) s += netscapeLine(co) + '\n';
    return s;
  }

  /** Curl_cookie_clearall */
  clearAll(): void {
    for (const bucket of this.#buckets) bucket.length = 0;
    this.#count = 0;
  }

  /** Curl_cookie_clearsess: session cookies (no expiry) go. */
  clearSession(): void {
    for (const bucket of this.#buckets) {
      for (let i = bucket.length - 1; i >= 0; i--) {
        if (!bucket[i]!.expires) {
          bucket.splice(i, 1);
          this.#count--;
        }
      }
    }
  }

  /** Reads a cookie file (its bytes as a byte string): Netscape lines and "Set-Cookie:" header lines (Curl_cookie_init). */
  loadText(text: string): void {
    const wasRunning = this.running;
    this.running = false;
    try {
      // overlong lines, NUL bytes and a last line without a newline as libcurl's Curl_get_line sees them
      for (const raw of curlGetLines(text, COOKIE_LIMITS.MAX_COOKIE_LINE)) {
        let line = raw;
        let httpheader = false;
        if (line.slice(0, 11).toLowerCase() === 'set-cookie:') {
          line = line.slice(11);
          httpheader = true;
        }
        let i = 0;
        while (BLANK(line[i])) i++;
        this.add({ httpheader, noexpire: true, line: line.slice(i), secure: true });
      }
      this.removeExpired();
    } finally {
      this.running = wasRunning;
    }
  }
}

function newCookie(): Cookie {
  return {
    name: '', value: '', domain: null, path: null, expires: 0, tailmatch: false,
    secure: false, httponly: false, livecookie: false, creationtime: 0, prefix: 0,
  };
}
