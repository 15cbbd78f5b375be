// International host names, as libcurl with libidn2 handles them
// (url.c's Curl_idnconvert_hostname): a name that is all ASCII is used as
// given; any other name is converted to its ASCII ("punycode", ACE) form,
// which is what DNS, the Host header, the CONNECT line and TLS SNI then
// carry. A name IDNA refuses is a bad URL (CURLE_URL_MALFORMAT).
//
// The conversion is UTS #46 as node:url's domainToASCII does it. libidn2
// (IDNA2008 after UTS #46 mapping) refuses some names that UTS #46 alone
// would map, so these are refused here too, for every label of a name that
// is not all ASCII (checked against curl 7.88.1 with libidn2 2.3.3): a label
// longer than 63 bytes, with a character other than letters, digits, '-'
// and '_' after mapping, or whose Unicode form starts or ends with '-' or
// has "--" in its third and fourth places (U+FF0D FULLWIDTH HYPHEN-MINUS
// maps to '-': curl refuses "a\uFF0D.example", it does not send "a-").
// Empty labels pass, as curl lets "a\uFF0E.example" through as "a..example".
import { domainToASCII, domainToUnicode } from 'node:url';

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** U+D800..U+DFFF: a byte that was not UTF-8 (see url-bytes.ts); never a host name */
const SURROGATE = /[\uD800-\uDFFF]/;
const ACE_LABEL = /^[a-z0-9_-]+$/;
const MAX_LABEL = 63;

/** The name to connect to and to send for `host` (a decoded host name, not an IP literal); null when IDNA refuses it. */
export function hostToAce(host: string): string | null {
  if (ASCII_ONLY.test(host)) return host;
  if (SURROGATE.test(host)) return null;
  const ace = domainToASCII(host);
  if (ace === '') return null;
  // one trailing dot (an absolute name) is kept, as the input had it
  const labels = (ace.endsWith('.') ? ace.slice(0, -1) : ace).split('.');
  for (const label of labels) {
    if (label === '') continue;
    if (label.length > MAX_LABEL || !ACE_LABEL.test(label)) return null;
    const u = label.startsWith('xn--') ? domainToUnicode(label) : label;
    if (u === '' || u.startsWith('-') || u.endsWith('-') || u.slice(2, 4) === '--') return null;
  }
  return ace;
}
