// CurlUrl: curl's URL API handle (curl_url, curl_url_set, curl_url_get,
// curl_url_dup), following lib/urlapi.c rather than WHATWG.
//
// Theory of operation: the handle stores parts (see UrlParts), each a byte
// string as the URL would carry it (URL-encoded), except the host of a
// parsed URL, which is kept decoded. set(URL) parses a whole URL (or
// resolves a relative one against what the handle holds) and replaces every
// part at once, or nothing on error. set(<part>) replaces one part and
// get(URL) rebuilds the URL from the parts. Methods return CURLUcode
// numbers; only a wrong argument type throws (a programming error).

import { domainToASCII, domainToUnicode } from 'node:url';
import { CURLU, CURLUE, CURLUPART } from './url-codes.js';
import { schemeInfo } from './url-schemes.js';
import {
  easyEscape, fromBytes, isAlnum, isAlpha, isUnreserved, pctLower, toBytes, urlDecode, urlEncodeStr,
} from './url-bytes.js';
import { hostnameCheck } from './url-host.js';
import {
  DEFAULT_SCHEME, MAX_INPUT_LENGTH, MAX_SCHEME_LEN, absoluteScheme, emptyParts, parseUrl, type UrlParts,
} from './url-parser.js';

/** Result of CurlUrl.get(): the CURLUcode and, on success, the part. */
export interface UrlGetResult {
  code: number;
  value?: string;
}

type ByteResult = { code: number; value?: string };

function isAsciiName(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

export class CurlUrl {
  #p: UrlParts = emptyParts();

  /** curl_url_dup: an independent copy of the handle. */
  dup(): CurlUrl {
    const c = new CurlUrl();
    c.#p = { ...this.#p };
    return c;
  }

  /** curl_url_set. `value` null clears the part (for URL: the whole handle). */
  set(part: number, value: string | null, flags = 0): number {
    if (value !== null && typeof value !== 'string') throw new TypeError('CurlUrl.set: value must be a string or null');
    if (value === null) return this.#clear(part);
    const v = toBytes(value);
    if (v.length > MAX_INPUT_LENGTH) return CURLUE.MALFORMED_INPUT;
    const p = this.#p;
    let urlencode = (flags & CURLU.URLENCODE) !== 0;
    let leadingSlash = false;
    let skipSlash = false;
    let plusEncode = false;
    let equalsEncode = false;
    switch (part) {
      case CURLUPART.URL:
        return this.#setUrl(v, flags);
      case CURLUPART.SCHEME: {
        if (v.length < 1 || v.length > MAX_SCHEME_LEN) return CURLUE.BAD_SCHEME;
        if (!(flags & CURLU.NON_SUPPORT_SCHEME) && !schemeInfo(v)) return CURLUE.UNSUPPORTED_SCHEME;
        if (!isAlpha(v[0])) return CURLUE.BAD_SCHEME;
        for (const c of v) if (!(isAlnum(c) || c === '+' || c === '-' || c === '.')) return CURLUE.BAD_SCHEME;
        p.scheme = v;
        p.guessedScheme = false;
        return CURLUE.OK;
      }
      case CURLUPART.PORT: {
        // Decimal digits only, 0..65535 (curl 8 rules; 7.88 also skipped
        // leading whitespace and refused 0).
        if (!/^[0-9]+$/.test(v)) return CURLUE.BAD_PORT_NUMBER;
        const stripped = v.replace(/^0+(?=.)/, '');
        if (stripped.length > 5 || Number(stripped) > 0xffff) return CURLUE.BAD_PORT_NUMBER;
        p.port = stripped;
        p.portnum = Number(stripped);
        return CURLUE.OK;
      }
      case CURLUPART.PATH:
        leadingSlash = true;
        skipSlash = true;
        break;
      case CURLUPART.QUERY:
        plusEncode = urlencode;
        equalsEncode = (flags & CURLU.APPENDQUERY) !== 0;
        break;
      case CURLUPART.USER:
      case CURLUPART.PASSWORD:
      case CURLUPART.OPTIONS:
      case CURLUPART.HOST:
      case CURLUPART.ZONEID:
      case CURLUPART.FRAGMENT:
        break;
      default:
        return CURLUE.UNKNOWN_PART;
    }

    let enc = leadingSlash && v[0] !== '/' ? '/' : '';
    if (urlencode) {
      for (const c of v) {
        if (c === ' ' && plusEncode) enc += '+';
        else if (isUnreserved(c) || (c === '/' && skipSlash) || (c === '=' && equalsEncode)) {
          // APPENDQUERY keeps the first '=' so "name=value" stays a pair.
          if (c === '=') equalsEncode = false;
          enc += c;
        } else enc += pctLower(c.charCodeAt(0));
      }
    } else {
      // Percent-encoded triplets are normalised to lowercase hex, as curl does.
      enc += v.replace(/%([0-9a-fA-F]{2})/g, (m) => m.toLowerCase());
    }

    switch (part) {
      case CURLUPART.QUERY:
        if ((flags & CURLU.APPENDQUERY) && p.query) {
          const sep = p.query.endsWith('&') ? '' : '&';
          const q = p.query + sep + enc;
          if (q.length > MAX_INPUT_LENGTH) return CURLUE.TOO_LARGE;
          p.query = q;
        } else p.query = enc;
        p.queryPresent = true;
        return CURLUE.OK;
      case CURLUPART.HOST: {
        if (enc === '' && flags & CURLU.NO_AUTHORITY) {
          p.host = '';
          p.zoneid = undefined;
          return CURLUE.OK;
        }
        // Set ready-encoded unless we encoded it: decode to check it.
        const decoded = urlencode ? enc : urlDecode(enc, true);
        const chk = decoded === null || decoded === '' ? { code: CURLUE.BAD_HOSTNAME } : hostnameCheck(decoded);
        if (chk.code) return CURLUE.BAD_HOSTNAME;
        p.zoneid = chk.zoneid;
        // An IPv6 literal is stored normalised, without its zone id.
        p.host = enc[0] === '[' && chk.host !== undefined ? chk.host : enc;
        return CURLUE.OK;
      }
      case CURLUPART.USER:
        p.user = enc;
        return CURLUE.OK;
      case CURLUPART.PASSWORD:
        p.password = enc;
        return CURLUE.OK;
      case CURLUPART.OPTIONS:
        p.options = enc;
        return CURLUE.OK;
      case CURLUPART.ZONEID:
        p.zoneid = enc;
        return CURLUE.OK;
      case CURLUPART.PATH:
        p.path = enc;
        return CURLUE.OK;
      default: // FRAGMENT
        p.fragment = enc;
        p.fragmentPresent = true;
        return CURLUE.OK;
    }
  }

  /** curl_url_get. Parts come back as JS strings (bytes read as UTF-8). */
  get(part: number, flags = 0): UrlGetResult {
    const r = this.#get(part, flags);
    return r.value === undefined ? { code: r.code } : { code: r.code, value: fromBytes(r.value) };
  }

  #clear(part: number): number {
    const p = this.#p;
    switch (part) {
      case CURLUPART.URL:
        this.#p = emptyParts();
        break;
      case CURLUPART.SCHEME:
        p.scheme = undefined;
        p.guessedScheme = false;
        break;
      case CURLUPART.USER:
        p.user = undefined;
        break;
      case CURLUPART.PASSWORD:
        p.password = undefined;
        break;
      case CURLUPART.OPTIONS:
        p.options = undefined;
        break;
      case CURLUPART.HOST:
        p.host = undefined;
        break;
      case CURLUPART.ZONEID:
        p.zoneid = undefined;
        break;
      case CURLUPART.PORT:
        p.port = undefined;
        p.portnum = 0;
        break;
      case CURLUPART.PATH:
        p.path = undefined;
        break;
      case CURLUPART.QUERY:
        p.query = undefined;
        p.queryPresent = false;
        break;
      case CURLUPART.FRAGMENT:
        p.fragment = undefined;
        p.fragmentPresent = false;
        break;
      default:
        return CURLUE.UNKNOWN_PART;
    }
    return CURLUE.OK;
  }

  /** set_url: an absolute URL replaces everything; a relative one is resolved. */
  #setUrl(url: string, flags: number): number {
    const old = this.#get(CURLUPART.URL, flags);
    if (url === '') {
      // "" is a fine redirect (nothing changes) but not a URL on its own.
      return old.code ? CURLUE.MALFORMED_INPUT : CURLUE.OK;
    }
    if (absoluteScheme(url, false) !== null || old.code || old.value === undefined) {
      return this.#replace(url, flags);
    }
    return this.#redirect(old.value, url, flags);
  }

  #replace(url: string, flags: number): number {
    const r = parseUrl(url, flags);
    if (r.code || !r.parts) return r.code;
    this.#p = r.parts;
    return CURLUE.OK;
  }

  /**
   * redirect_url: glue a relative reference onto the current URL the way
   * curl does (RFC 3986 section 5.2 in effect, dot segments removed by the
   * re-parse). Spaces and high bytes in the reference get encoded, which is
   * how "Location: /a b" becomes "/a%20b".
   */
  #redirect(base: string, rel: string, flags: number): number {
    const p = this.#p;
    const protsep = (p.scheme ?? '').length + 3; // start of the host
    let useurl = rel;
    let hostChanged = false;
    let cutoff = -1;
    if (rel[0] === '/') {
      if (rel[1] === '/') {
        cutoff = protsep; // "//host/path": keep only "scheme://"
        useurl = rel.slice(2);
        hostChanged = true;
      } else cutoff = base.indexOf('/', protsep); // "/path"
    } else if (rel[0] === '#') {
      if (p.fragment !== undefined) cutoff = base.indexOf('#', protsep);
    } else {
      if (p.query) cutoff = base.indexOf('?', protsep);
      else if (p.fragment) cutoff = base.indexOf('#', protsep);
      if (rel[0] !== '?') {
        // A relative path replaces whatever follows the last slash.
        const upto = cutoff >= 0 ? cutoff : base.length;
        const slash = base.lastIndexOf('/', upto - 1);
        cutoff = slash >= protsep ? slash + 1 : -1;
      }
    }
    const prefix = cutoff >= 0 ? base.slice(0, cutoff) : base;
    const joined = prefix + urlEncodeStr(useurl, !hostChanged, false);
    // The reference is resolved, so its dot segments always go.
    return this.#replace(joined, flags & ~CURLU.PATH_AS_IS);
  }

  #get(part: number, flags: number): ByteResult {
    const p = this.#p;
    let urldecode = (flags & CURLU.URLDECODE) !== 0;
    const urlencode = (flags & CURLU.URLENCODE) !== 0;
    let plusdecode = false;
    let punycode = false;
    let depuny = false;
    let v: string | undefined;
    let missing: number;
    switch (part) {
      case CURLUPART.URL:
        return this.#getUrl(flags);
      case CURLUPART.SCHEME:
        if (flags & CURLU.NO_GUESS_SCHEME && p.guessedScheme) return { code: CURLUE.NO_SCHEME };
        v = p.scheme;
        missing = CURLUE.NO_SCHEME;
        urldecode = false;
        break;
      case CURLUPART.USER:
        v = p.user;
        missing = CURLUE.NO_USER;
        break;
      case CURLUPART.PASSWORD:
        v = p.password;
        missing = CURLUE.NO_PASSWORD;
        break;
      case CURLUPART.OPTIONS:
        v = p.options;
        missing = CURLUE.NO_OPTIONS;
        break;
      case CURLUPART.HOST:
        v = p.host;
        missing = CURLUE.NO_HOST;
        punycode = (flags & CURLU.PUNYCODE) !== 0;
        depuny = (flags & CURLU.PUNY2IDN) !== 0;
        break;
      case CURLUPART.ZONEID:
        v = p.zoneid;
        missing = CURLUE.NO_ZONEID;
        break;
      case CURLUPART.PORT: {
        missing = CURLUE.NO_PORT;
        urldecode = false;
        v = p.port;
        const info = schemeInfo(p.scheme);
        if (v === undefined && flags & CURLU.DEFAULT_PORT && info) v = String(info.defaultPort);
        else if (v !== undefined && info && info.defaultPort === p.portnum && flags & CURLU.NO_DEFAULT_PORT) v = undefined;
        break;
      }
      case CURLUPART.PATH:
        v = p.path ?? '/';
        missing = CURLUE.OK;
        break;
      case CURLUPART.QUERY:
        v = p.query;
        missing = CURLUE.NO_QUERY;
        plusdecode = urldecode;
        // A blank query counts as missing unless asked for.
        if (v === '' && !(flags & CURLU.GET_EMPTY)) v = undefined;
        break;
      case CURLUPART.FRAGMENT:
        v = p.fragment;
        missing = CURLUE.NO_FRAGMENT;
        if (v === undefined && p.fragmentPresent && flags & CURLU.GET_EMPTY) v = '';
        break;
      default:
        return { code: CURLUE.UNKNOWN_PART };
    }
    if (v === undefined) return { code: missing };
    if (plusdecode) v = v.replace(/\+/g, ' ');
    if (urldecode) {
      const d = urlDecode(v, true);
      if (d === null) return { code: CURLUE.URLDECODE };
      v = d;
    }
    if (urlencode) v = urlEncodeStr(v, true, part === CURLUPART.QUERY);
    else if (punycode || depuny) return this.#idn(v, punycode);
    return { code: CURLUE.OK, value: v };
  }

  /** CURLU_PUNYCODE / CURLU_PUNY2IDN on a hostname (byte string). */
  #idn(host: string, toPuny: boolean): ByteResult {
    if (host[0] === '[') return { code: CURLUE.OK, value: host };
    if (toPuny) {
      if (isAsciiName(host)) return { code: CURLUE.OK, value: host };
      const a = domainToASCII(fromBytes(host));
      return a ? { code: CURLUE.OK, value: a } : { code: CURLUE.BAD_HOSTNAME };
    }
    if (!isAsciiName(host) || !/(^|\.)xn--/i.test(host)) return { code: CURLUE.OK, value: host };
    const u = domainToUnicode(host);
    return u ? { code: CURLUE.OK, value: toBytes(u) } : { code: CURLUE.BAD_HOSTNAME };
  }

  #getUrl(flags: number): ByteResult {
    const p = this.#p;
    const showFragment = p.fragment !== undefined || (p.fragmentPresent && (flags & CURLU.GET_EMPTY) !== 0);
    const showQuery = (p.query !== undefined && p.query !== '') || (p.queryPresent && (flags & CURLU.GET_EMPTY) !== 0);
    const tail = (showQuery ? '?' + (p.query ?? '') : '') + (showFragment ? '#' + (p.fragment ?? '') : '');
    if (p.scheme !== undefined && p.scheme.toLowerCase() === 'file') {
      return { code: CURLUE.OK, value: `file://${p.path ?? '/'}${tail}` };
    }
    if (p.host === undefined) return { code: CURLUE.NO_HOST };
    let scheme: string;
    if (p.scheme !== undefined) scheme = p.scheme;
    else if (flags & CURLU.DEFAULT_SCHEME) scheme = DEFAULT_SCHEME;
    else return { code: CURLUE.NO_SCHEME };

    const info = schemeInfo(scheme);
    let port = p.port;
    if (port === undefined && flags & CURLU.DEFAULT_PORT && info) port = String(info.defaultPort);
    else if (port !== undefined && info && info.defaultPort === p.portnum && flags & CURLU.NO_DEFAULT_PORT) port = undefined;
    // Options only appear in URLs of schemes that use them (or unknown ones).
    const options = info && !info.urlOptions ? undefined : p.options;

    let host = p.host;
    if (host[0] === '[') {
      if (p.zoneid !== undefined) host = `${host.slice(0, -1)}%25${p.zoneid}]`;
    } else if (flags & CURLU.URLENCODE) {
      host = easyEscape(host);
    } else if (flags & (CURLU.PUNYCODE | CURLU.PUNY2IDN)) {
      const r = this.#idn(host, (flags & CURLU.PUNYCODE) !== 0);
      if (r.code || r.value === undefined) return { code: r.code };
      host = r.value;
    } else if (host.includes('%')) {
      host = easyEscape(host); // keep a stored '%' from reading as an escape
    }

    const schemePart = flags & CURLU.NO_GUESS_SCHEME && p.guessedScheme ? '' : `${scheme}://`;
    const userinfo =
      (p.user ?? '') +
      (p.password !== undefined ? ':' + p.password : '') +
      (options !== undefined ? ';' + options : '') +
      (p.user !== undefined || p.password !== undefined || options !== undefined ? '@' : '');
    const url = `${schemePart}${userinfo}${host}${port !== undefined ? ':' + port : ''}${p.path ?? '/'}${tail}`;
    return { code: CURLUE.OK, value: url };
  }
}

/** curl_url: a new, empty URL handle. */
export function curlUrl(): CurlUrl {
  return new CurlUrl();
}
