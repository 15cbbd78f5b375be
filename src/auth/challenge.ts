// Reading WWW-Authenticate and choosing a scheme, as libcurl's
// Curl_http_input_auth() and pickoneauth() do. Sans-I/O.
import { CURLAUTH } from './curlauth.js';

/** The schemes named in one WWW-Authenticate value, each with its parameters. */
export interface ChallengeItem {
  /** CURLAUTH bit, or 0 for a scheme libcurl does not know */
  bit: number;
  /** what follows the scheme name up to the end of the value (Digest parses it) */
  rest: string;
}

const SCHEMES: readonly (readonly [string, number])[] = [
  ['Negotiate', CURLAUTH.NEGOTIATE],
  ['NTLM', CURLAUTH.NTLM],
  ['Digest', CURLAUTH.DIGEST],
  ['Basic', CURLAUTH.BASIC],
  ['Bearer', CURLAUTH.BEARER],
];

/** is_valid_auth_separator: the scheme name ends at NUL, ',' or a space */
function separates(c: string | undefined): boolean {
  return c === undefined || c === ',' || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
}

/**
 * Scan a header value the way libcurl does: look for a known scheme at the
 * current position, then skip to after the next comma. Several schemes may
 * share one header; parameters that follow a comma are scanned too but never
 * look like a scheme name followed by a separator.
 */
export function parseChallenges(value: string): ChallengeItem[] {
  const out: ChallengeItem[] = [];
  let i = 0;
  while (i < value.length && /\s/.test(value[i]!)) i++;
  while (i < value.length) {
    for (const [name, bit] of SCHEMES) {
      if (value.slice(i, i + name.length).toLowerCase() === name.toLowerCase() && separates(value[i + name.length])) {
        out.push({ bit, rest: value.slice(i + name.length) });
        break;
      }
    }
    while (i < value.length && value[i] !== ',') i++;
    if (value[i] === ',') i++;
    while (i < value.length && /\s/.test(value[i]!)) i++;
  }
  return out;
}

/**
 * pickoneauth: the preferred scheme among those offered and wanted. The order
 * is libcurl's: Negotiate, Bearer, Digest, NTLM, NTLM_WB, Basic, AWS_SIGV4.
 * Returns CURLAUTH.NONE when nothing fits.
 */
export function pickOneAuth(avail: number, want: number): number {
  const a = (avail & want) >>> 0;
  for (const bit of [CURLAUTH.NEGOTIATE, CURLAUTH.BEARER, CURLAUTH.DIGEST, CURLAUTH.NTLM, CURLAUTH.NTLM_WB, CURLAUTH.BASIC, CURLAUTH.AWS_SIGV4]) {
    if (a & bit) return bit;
  }
  return CURLAUTH.NONE;
}
