// The full-URL parser of curl's URL API (lib/urlapi.c parseurl and friends):
// "RFC 3986 plus", not WHATWG. It splits a URL (a byte string) into the
// parts a CurlUrl handle stores, applying curl's rules in curl's order:
// junk scan, scheme (or guess), file: special case, authority (userinfo,
// port, host), fragment, query, path, dot-segment removal.

import { CURLU, CURLUE } from './url-codes.js';
import { schemeInfo } from './url-schemes.js';
import { isAlnum, isAlpha, urlDecode, urlEncodeStr } from './url-bytes.js';
import { HOST_KIND, hostnameCheck, ipv4Normalize, ipv6Parse } from './url-host.js';
import { removeDotSegments } from './dedot.js';

/** curl's CURL_MAX_INPUT_LENGTH: no input string may be longer. */
export const MAX_INPUT_LENGTH = 8000000;
/** Longest scheme curl accepts. */
export const MAX_SCHEME_LEN = 40;
/** The scheme CURLU_DEFAULT_SCHEME picks. */
export const DEFAULT_SCHEME = 'https';

/** What a URL handle holds. Strings are byte strings; undefined = not set. */
export interface UrlParts {
  scheme?: string;
  user?: string;
  password?: string;
  options?: string;
  host?: string; // IPv6 literals keep their brackets
  zoneid?: string;
  port?: string;
  portnum: number;
  path?: string;
  query?: string;
  fragment?: string;
  queryPresent: boolean; // "?" was there, even if nothing followed
  fragmentPresent: boolean; // "#" was there, even if nothing followed
  guessedScheme: boolean; // scheme came from CURLU_GUESS_SCHEME
}

export function emptyParts(): UrlParts {
  return { portnum: 0, queryPresent: false, fragmentPresent: false, guessedScheme: false };
}

/**
 * Curl_is_absolute_url: the lowercased scheme if the URL starts with one.
 * With strict, the colon must be followed by a slash (that is how parseurl
 * tells "host:port" from "scheme://"); without, any "scheme:" counts (that
 * is how set_url decides whether a URL is relative).
 */
export function absoluteScheme(url: string, strict: boolean): string | null {
  if (!isAlpha(url[0])) return null;
  let i = 1;
  for (; i < MAX_SCHEME_LEN; i++) {
    const c = url[i];
    if (!(isAlnum(c) || c === '+' || c === '-' || c === '.')) break;
  }
  if (url[i] === ':' && (!strict || url[i + 1] === '/')) return url.slice(0, i).toLowerCase();
  return null;
}

/** Curl_junkscan: too long, or control bytes (and space unless allowed). */
export function junkScan(url: string, allowSpace: boolean): number {
  if (url.length > MAX_INPUT_LENGTH) return CURLUE.MALFORMED_INPUT;
  const limit = allowSpace ? 0x1f : 0x20;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= limit || c === 0x7f) return CURLUE.MALFORMED_INPUT;
  }
  return CURLUE.OK;
}

/** A Windows drive letter prefix ("c:" or "c|"), refused in file: URLs off Windows. */
function isDrivePrefix(s: string): boolean {
  return isAlpha(s[0]) && (s[1] === ':' || s[1] === '|') && (s.length === 2 || s[2] === '/' || s[2] === '\\');
}

/**
 * Curl_parse_login_details: "user[:password][;options]". The password is
 * split on the first ':', options on the first ';' (only when the scheme
 * takes options); whichever separator comes first ends the user name.
 */
function parseLogin(login: string, wantOptions: boolean): { user: string; password?: string; options?: string } {
  const ps = login.indexOf(':');
  const os = wantOptions ? login.indexOf(';') : -1;
  const end = (a: number, b: number) => (b > a ? b : login.length); // next separator after a
  const ulen = ps >= 0 ? (os >= 0 && ps > os ? os : ps) : os >= 0 ? os : login.length;
  const r: { user: string; password?: string; options?: string } = { user: login.slice(0, ulen) };
  if (ps >= 0) r.password = login.slice(ps + 1, end(ps, os));
  if (os >= 0 && login.slice(os + 1, end(os, ps)).length > 0) r.options = login.slice(os + 1, end(os, ps));
  return r;
}

/**
 * parse_authority: userinfo, port, then the hostname: numeric IPv4 is
 * normalised, IPv6 parsed, a name is %-decoded and checked.
 */
function parseAuthority(p: UrlParts, auth: string, flags: number, hasScheme: boolean): number {
  let host = auth;
  // The first '@' ends the userinfo, as in curl (so "a@b@c" has host "b@c").
  const at = auth.indexOf('@');
  if (at >= 0) {
    const login = parseLogin(auth.slice(0, at), schemeInfo(p.scheme)?.urlOptions === true);
    if (flags & CURLU.DISALLOW_USER) return CURLUE.USER_NOT_ALLOWED;
    p.user = login.user;
    if (login.password !== undefined) p.password = login.password;
    if (login.options !== undefined) p.options = login.options;
    host = auth.slice(at + 1);
  }

  // Curl_parse_port
  let portStart = -1;
  if (host[0] === '[') {
    const close = host.indexOf(']');
    if (close < 0) return CURLUE.BAD_IPV6;
    if (close + 1 < host.length) {
      if (host[close + 1] !== ':') return CURLUE.BAD_PORT_NUMBER;
      portStart = close + 1;
    }
  } else portStart = host.indexOf(':');
  if (portStart >= 0) {
    const digits = host.slice(portStart + 1);
    host = host.slice(0, portStart);
    // A colon with nothing after it is ignored, as browsers do, but not
    // without a scheme: then "foo:" must not look like a scheme.
    if (digits === '') {
      if (!hasScheme) return CURLUE.BAD_PORT_NUMBER;
    } else {
      if (!/^[0-9]+$/.test(digits)) return CURLUE.BAD_PORT_NUMBER;
      const stripped = digits.replace(/^0+(?=.)/, '');
      const port = Number(stripped);
      if (stripped.length > 5 || port > 0xffff) return CURLUE.BAD_PORT_NUMBER;
      p.portnum = port;
      p.port = String(port); // drops leading zeros
    }
  }
  if (host === '') return CURLUE.NO_HOST;

  const v4 = ipv4Normalize(host);
  if (v4.kind === HOST_KIND.IPV4) {
    p.host = v4.host;
    return CURLUE.OK;
  }
  if (v4.kind === HOST_KIND.IPV6) {
    const r = ipv6Parse(host);
    if (r.code) return r.code;
    p.host = r.host;
    if (r.zoneid !== undefined) p.zoneid = r.zoneid;
    return CURLUE.OK;
  }
  // A name: stored URL-decoded, then checked for forbidden bytes.
  const decoded = host.includes('%') ? urlDecode(host, true) : host;
  if (decoded === null) return CURLUE.BAD_HOSTNAME;
  const chk = hostnameCheck(decoded);
  if (chk.code) return chk.code;
  p.host = decoded;
  return CURLUE.OK;
}

/** The parts parse_authority sets. */
type AuthorityParts = Pick<UrlParts, 'user' | 'password' | 'options' | 'host' | 'zoneid' | 'port' | 'portnum'>;

/**
 * The last authority parsed: a program fetching many URLs of one server
 * (curl's tool with a list of them) parses the same "user@host:port" for
 * each. parse_authority depends on nothing but the text, the scheme (does
 * it take ;options), CURLU_DISALLOW_USER and whether a scheme was given.
 */
let lastAuthority: { auth: string; scheme: string | undefined; disallowUser: number; hasScheme: boolean; code: number; parts: AuthorityParts } | undefined;

function parseAuthorityOnce(p: UrlParts, auth: string, flags: number, hasScheme: boolean): number {
  const disallowUser = flags & CURLU.DISALLOW_USER;
  const m = lastAuthority;
  if (m === undefined || m.auth !== auth || m.scheme !== p.scheme || m.disallowUser !== disallowUser || m.hasScheme !== hasScheme) {
    const q = emptyParts();
    q.scheme = p.scheme;
    const code = parseAuthority(q, auth, flags, hasScheme);
    const { user, password, options, host, zoneid, port, portnum } = q;
    lastAuthority = { auth, scheme: p.scheme, disallowUser, hasScheme, code, parts: { user, password, options, host, zoneid, port, portnum } };
  }
  const r = lastAuthority!;
  if (r.code) return r.code;
  const a = r.parts;
  if (a.user !== undefined) p.user = a.user;
  if (a.password !== undefined) p.password = a.password;
  if (a.options !== undefined) p.options = a.options;
  if (a.host !== undefined) p.host = a.host;
  if (a.zoneid !== undefined) p.zoneid = a.zoneid;
  if (a.port !== undefined) p.port = a.port;
  p.portnum = a.portnum;
  return CURLUE.OK;
}

/** The scheme CURLU_GUESS_SCHEME picks from the hostname's first label. */
function guessScheme(host: string): string {
  const h = host.toLowerCase();
  for (const s of ['ftp', 'dict', 'ldap', 'imap', 'smtp', 'pop3']) if (h.startsWith(s + '.')) return s;
  return 'http';
}

/** parseurl: parse an absolute (or scheme-less, if allowed) URL. */
export function parseUrl(url: string, flags: number): { code: number; parts?: UrlParts } {
  const junk = junkScan(url, (flags & CURLU.ALLOW_SPACE) !== 0);
  if (junk) return { code: junk };
  const p = emptyParts();
  const scheme = absoluteScheme(url, true);
  let rest: string; // path + query + fragment

  if (scheme === 'file') {
    if (url.length <= 6) return { code: CURLUE.BAD_FILE_URL }; // "file:/" is not enough
    p.scheme = 'file';
    rest = url.slice(5);
    if (rest.startsWith('//')) {
      const after = rest.slice(2);
      if (after[0] !== '/' && !isDrivePrefix(after)) {
        // RFC 8089: only an empty host, "localhost" or "127.0.0.1" is local.
        const lower = after.slice(0, 10).toLowerCase();
        if (lower !== 'localhost/' && lower !== '127.0.0.1/') return { code: CURLUE.BAD_FILE_URL };
        rest = after.slice(9);
      } else rest = after;
    }
    if ((rest[0] === '/' && isDrivePrefix(rest.slice(1))) || isDrivePrefix(rest)) {
      return { code: CURLUE.BAD_FILE_URL }; // drive letters only mean something on Windows
    }
  } else {
    let hostStart: number;
    if (scheme !== null) {
      if (!schemeInfo(scheme) && !(flags & CURLU.NON_SUPPORT_SCHEME)) return { code: CURLUE.UNSUPPORTED_SCHEME };
      let i = scheme.length + 1;
      let slashes = 0;
      while (url[i] === '/' && slashes < 4) {
        i++;
        slashes++;
      }
      if (slashes < 1 || slashes > 3) return { code: CURLUE.BAD_SLASHES };
      p.scheme = scheme;
      hostStart = i;
    } else {
      if (!(flags & (CURLU.DEFAULT_SCHEME | CURLU.GUESS_SCHEME))) return { code: CURLUE.BAD_SCHEME };
      if (flags & CURLU.DEFAULT_SCHEME) p.scheme = DEFAULT_SCHEME;
      hostStart = 0;
    }
    const m = /[/?#]/.exec(url.slice(hostStart));
    const hostEnd = m ? hostStart + m.index : url.length;
    rest = url.slice(hostEnd);
    if (hostEnd > hostStart) {
      const rc = parseAuthorityOnce(p, url.slice(hostStart, hostEnd), flags, scheme !== null);
      if (rc) return { code: rc };
      if (p.scheme === undefined) {
        p.scheme = guessScheme(p.host ?? '');
        p.guessedScheme = true;
      }
    } else if (flags & CURLU.NO_AUTHORITY) {
      p.host = '';
    } else return { code: CURLUE.NO_HOST };
  }

  const encode = (flags & CURLU.URLENCODE) !== 0;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    p.fragmentPresent = true;
    const frag = rest.slice(hash + 1);
    if (frag.length > 0) p.fragment = encode ? urlEncodeStr(frag, true, false) : frag;
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    p.queryPresent = true;
    const query = rest.slice(q + 1);
    p.query = encode ? urlEncodeStr(query, true, true) : query;
    rest = rest.slice(0, q);
  }
  let path = encode ? urlEncodeStr(rest, true, false) : rest;
  if (path.length > 1) {
    if (!(flags & CURLU.PATH_AS_IS)) path = removeDotSegments(path);
    p.path = path;
  } // else: no path or just "/": left unset, get() says "/"
  return { code: CURLUE.OK, parts: p };
}
