// The features this build of the library has, by curl_version_info's
// names. FEATURES is the one list: `--version`'s Features line,
// versionInfo().features/featureNames and the checks that refuse what is
// not built (CURLOPT_HTTP_VERSION 2 and 3) all read it, so a feature is
// claimed exactly when it works. Add a name when its feature lands, never
// before. (A leaf module: the option store imports it.)

/** The `features` bits of curl_version_info_data (curl.h's CURL_VERSION_*). */
export const CURL_VERSION = {
  IPV6: 1 << 0, KERBEROS4: 1 << 1, SSL: 1 << 2, LIBZ: 1 << 3, NTLM: 1 << 4, GSSNEGOTIATE: 1 << 5, DEBUG: 1 << 6,
  ASYNCHDNS: 1 << 7, SPNEGO: 1 << 8, LARGEFILE: 1 << 9, IDN: 1 << 10, SSPI: 1 << 11, CONV: 1 << 12,
  CURLDEBUG: 1 << 13, TLSAUTH_SRP: 1 << 14, NTLM_WB: 1 << 15, HTTP2: 1 << 16, GSSAPI: 1 << 17,
  KERBEROS5: 1 << 18, UNIX_SOCKETS: 1 << 19, PSL: 1 << 20, HTTPS_PROXY: 1 << 21, MULTI_SSL: 1 << 22,
  BROTLI: 1 << 23, ALTSVC: 1 << 24, HTTP3: 1 << 25, ZSTD: 1 << 26, UNICODE: 1 << 27, HSTS: 1 << 28,
  GSASL: 1 << 29, THREADSAFE: 1 << 30,
} as const;

/** Feature names (as curl_version_info's feature_names spells them) with their bit, 0 for names without one. */
export const FEATURE_BITS: Readonly<Record<string, number>> = {
  'alt-svc': CURL_VERSION.ALTSVC, AsynchDNS: CURL_VERSION.ASYNCHDNS, brotli: CURL_VERSION.BROTLI,
  Debug: CURL_VERSION.DEBUG, gsasl: CURL_VERSION.GSASL, 'GSS-API': CURL_VERSION.GSSAPI, HSTS: CURL_VERSION.HSTS,
  HTTP2: CURL_VERSION.HTTP2, HTTP3: CURL_VERSION.HTTP3, 'HTTPS-proxy': CURL_VERSION.HTTPS_PROXY, IDN: CURL_VERSION.IDN,
  IPv6: CURL_VERSION.IPV6, Kerberos: CURL_VERSION.KERBEROS5, Largefile: CURL_VERSION.LARGEFILE, libz: CURL_VERSION.LIBZ,
  MultiSSL: CURL_VERSION.MULTI_SSL, NTLM: CURL_VERSION.NTLM, NTLM_WB: CURL_VERSION.NTLM_WB, PSL: CURL_VERSION.PSL,
  SPNEGO: CURL_VERSION.SPNEGO, SSL: CURL_VERSION.SSL, SSPI: CURL_VERSION.SSPI, threadsafe: CURL_VERSION.THREADSAFE,
  'TLS-SRP': CURL_VERSION.TLSAUTH_SRP, Unicode: CURL_VERSION.UNICODE, UnixSockets: CURL_VERSION.UNIX_SOCKETS,
  zstd: CURL_VERSION.ZSTD,
};

/**
 * The features this build has, each one working end to end:
 * alt-svc and HSTS (their caches, files and options), AsynchDNS (node:dns never blocks), brotli/libz/zstd (content decoding),
 * HTTPS-proxy (TLS to the proxy), HTTPSIG (RFC 9421 request signatures), IDN (UTS #46 host names), IPv6,
 * Largefile (64-bit sizes), NTLM (HTTP and proxy), PSL (cookie domains), SSL,
 * UnixSockets.
 */
export const FEATURES: readonly string[] = [
  'alt-svc', 'AsynchDNS', 'brotli', 'HSTS', 'HTTP2', 'HTTPS-proxy', 'HTTPSIG', 'IDN', 'IPv6', 'Largefile', 'libz', 'NTLM', 'PSL', 'SSL',
  'UnixSockets', 'zstd',
];

/** Whether this build has a feature (a curl_version_info feature name). */
export function hasFeature(name: string): boolean {
  return FEATURES.includes(name);
}

/**
 * CURLOPT_HTTP_VERSION values this build can honour: 1.0, 1.1 and NONE
 * always; the HTTP/2 ones only with the HTTP2 feature, the HTTP/3 ones only
 * with HTTP3. libcurl without nghttp2 answers CURLE_UNSUPPORTED_PROTOCOL
 * for the others, and so does tscurl.
 */
export function httpVersionBuilt(v: number): boolean {
  if (v === 30 || v === 31) return hasFeature('HTTP3');
  if (v >= 3) return hasFeature('HTTP2') && v <= 5;
  return v >= 0;
}

