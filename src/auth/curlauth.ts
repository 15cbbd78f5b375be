// CURLAUTH_* bits (curl/curl.h). Values are unsigned 32-bit in libcurl; ONLY
// is bit 31, so masks are normalised with `>>> 0` before use.
export const CURLAUTH = {
  NONE: 0,
  BASIC: 1,
  DIGEST: 2,
  NEGOTIATE: 4,
  /** deprecated alias of NEGOTIATE */
  GSSNEGOTIATE: 4,
  NTLM: 8,
  DIGEST_IE: 16,
  NTLM_WB: 32,
  BEARER: 64,
  AWS_SIGV4: 128,
  /** RFC 9421 HTTP Message Signatures (curl 8.22; set by CURLOPT_HTTPSIG_ALGORITHM) */
  HTTPSIG: 256,
  ONLY: 0x80000000,
  ANY: (~16) >>> 0,
  ANYSAFE: (~(1 | 16)) >>> 0,
} as const;

/** CURLOPT_NETRC levels */
export const CURL_NETRC = { IGNORED: 0, OPTIONAL: 1, REQUIRED: 2 } as const;

/** Bits this build can authenticate with over HTTP. */
export const SUPPORTED_AUTH = (CURLAUTH.BASIC | CURLAUTH.DIGEST | CURLAUTH.NTLM | CURLAUTH.BEARER | CURLAUTH.AWS_SIGV4 | CURLAUTH.HTTPSIG) >>> 0;

/**
 * setopt(HTTPAUTH) as libcurl does it: DIGEST_IE becomes DIGEST plus the IE
 * flag, unsupported bits are dropped, and a mask with no usable bit below
 * ONLY is CURLE_NOT_BUILT_IN (reported as `null` here).
 */
export function normaliseHttpAuth(value: number): { mask: number; ieStyle: boolean } | null {
  let auth = value >>> 0;
  if (auth === CURLAUTH.NONE) return { mask: 0, ieStyle: false };
  const ieStyle = (auth & CURLAUTH.DIGEST_IE) !== 0;
  if (ieStyle) auth = ((auth | CURLAUTH.DIGEST) & ~CURLAUTH.DIGEST_IE) >>> 0;
  // no NTLM_WB (winbind's helper) or Negotiate (GSS-API) in this build
  auth = (auth & ~(CURLAUTH.NTLM_WB | CURLAUTH.NEGOTIATE)) >>> 0;
  if ((auth & 0x7fffffff) === 0) return null;
  return { mask: auth, ieStyle };
}
