// parseTransferUrl: what the transfer engine needs from a URL, obtained the
// way libcurl's url.c (parseurlandfillconn) uses the URL API: scheme guessing
// on, unknown schemes parsed and then refused as CURLE_UNSUPPORTED_PROTOCOL,
// CURLUcode mapped to CURLcode as Curl_uc_to_curlcode does.

import { CURLE, easyStrerror } from '../codes.js';
import { CURLU, CURLUE, CURLUPART } from './url-codes.js';
import { CurlUrl } from './curl-url.js';
import { absoluteScheme } from './url-parser.js';
import { fromBytes, toBytes, urlDecode } from './url-bytes.js';
import { schemeInfo } from './url-schemes.js';
import { hostToAce } from './idn.js';


export interface TransferUrl {
  scheme: string;
  /**
   * Hostname, URL-decoded, without brackets for IPv6; "" for file: URLs. An
   * international name is in its ASCII (punycode) form, the one libcurl
   * resolves, sends in Host and CONNECT and uses for TLS.
   */
  host: string;
  /** The port to connect to: explicit, else the scheme's default (0 for file). */
  port: number;
  /**
   * The request target: path plus "?query" when the URL had a '?' (even
   * empty), as a byte string (one char per byte) the way it goes on the
   * wire: the path URL-encoded, the query's bytes as they are.
   */
  path: string;
  /** Credentials from the URL, URL-decoded (as libcurl does before use). */
  user?: string;
  password?: string;
  options?: string;
  fragment?: string;
  zoneid?: string;
  /** The normalised URL, as CURLINFO_EFFECTIVE_URL shows it. */
  href: string;
  ipv6: boolean;
  /** The handle the URL was parsed into, for resolving redirects against it. */
  handle: CurlUrl;
}

export interface ParseTransferOptions {
  /** CURLOPT_DEFAULT_PROTOCOL: used for URLs without a scheme. */
  defaultProtocol?: string;
  /** CURLOPT_PATH_AS_IS: keep "/../" and "/./" sequences. */
  pathAsIs?: boolean;
  /** CURLOPT_DISALLOW_USERNAME_IN_URL */
  disallowUser?: boolean;
}

/** Curl_uc_to_curlcode */
export function ucToCurlcode(uc: number): number {
  switch (uc) {
    case CURLUE.OK:
      return CURLE.OK;
    case CURLUE.UNSUPPORTED_SCHEME:
      return CURLE.UNSUPPORTED_PROTOCOL;
    case CURLUE.OUT_OF_MEMORY:
      return CURLE.OUT_OF_MEMORY;
    case CURLUE.USER_NOT_ALLOWED:
      return CURLE.LOGIN_DENIED;
    default:
      return CURLE.URL_MALFORMAT;
  }
}

/** Parse a URL given to a transfer (CURLOPT_URL) into what the engine uses. */
export function parseTransferUrl(url: string, opts: ParseTransferOptions = {}): { code: number; url?: TransferUrl; message?: string } {
  let input = url;
  // As url.c does: a scheme-less URL gets "<default protocol>://" in front.
  if (opts.defaultProtocol && absoluteScheme(toBytes(url), false) === null) {
    input = `${opts.defaultProtocol}://${url}`;
  }
  const h = new CurlUrl();
  const flags =
    CURLU.GUESS_SCHEME |
    CURLU.NON_SUPPORT_SCHEME |
    (opts.pathAsIs ? CURLU.PATH_AS_IS : 0) |
    (opts.disallowUser ? CURLU.DISALLOW_USER : 0);
  const rc = h.set(CURLUPART.URL, input, flags);
  if (rc) return { code: ucToCurlcode(rc) };
  return transferUrlFromHandle(h);
}

/**
 * Extract the transfer view from a handle that already holds a URL (after
 * set(URL, ...) for the first URL or a redirect).
 */
export function transferUrlFromHandle(h: CurlUrl): { code: number; url?: TransferUrl; message?: string } {
  const scheme = (h.get(CURLUPART.SCHEME).value ?? '').toLowerCase();
  // a scheme curl's URL API does not know; whether the engine transfers a known one is the protocol registry's call
  if (schemeInfo(scheme) === undefined) return { code: CURLE.UNSUPPORTED_PROTOCOL };
  const href = h.get(CURLUPART.URL);
  if (href.code || href.value === undefined) return { code: ucToCurlcode(href.code) };

  let host = h.get(CURLUPART.HOST).value ?? '';
  let ipv6 = false;
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    ipv6 = true;
  } else if (host !== '') {
    const ace = hostToAce(host);
    // curl 7.88 says no more than its strerror here
    if (ace === null) return { code: CURLE.URL_MALFORMAT, message: easyStrerror(CURLE.URL_MALFORMAT) };
    host = ace;
  }
  const port = Number(h.get(CURLUPART.PORT, CURLU.DEFAULT_PORT).value ?? '0');
  // The path goes on the wire URL-encoded (spaces, high bytes), as url.c asks.
  const path = h.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
  // An empty query still goes on the wire ("GET /a?"), as curl 7.88.1 does
  // while its effective URL drops the '?'.
  // while the query goes with its bytes as they are (curl sends "?\xff" raw)
  const q = h.get(CURLUPART.QUERY, CURLU.GET_EMPTY).value;
  const query = q === undefined ? undefined : toBytes(q);
  const out: TransferUrl = {
    scheme,
    host,
    port,
    path: query !== undefined ? `${path}?${query}` : path,
    href: href.value,
    ipv6,
    handle: h,
  };
  // Credentials are used decoded; a control byte in them is a bad URL.
  for (const [key, part] of [['user', CURLUPART.USER], ['password', CURLUPART.PASSWORD]] as const) {
    const v = h.get(part).value;
    if (v === undefined) continue;
    const d = urlDecode(toBytes(v), true);
    if (d === null) return { code: CURLE.URL_MALFORMAT };
    out[key] = fromBytes(d);
  }
  const options = h.get(CURLUPART.OPTIONS).value;
  if (options !== undefined) out.options = options;
  const fragment = h.get(CURLUPART.FRAGMENT).value;
  if (fragment !== undefined) out.fragment = fragment;
  const zoneid = h.get(CURLUPART.ZONEID).value;
  if (zoneid !== undefined) out.zoneid = zoneid;
  return { code: CURLE.OK, url: out };
}
