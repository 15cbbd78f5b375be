// CURLOPT_SSLVERSION: the low 16 bits name the lowest acceptable TLS version,
// the high 16 bits (CURL_SSLVERSION_MAX_*) the highest. libcurl refuses SSLv2
// and SSLv3 and out-of-range values at setopt time (BAD_FUNCTION_ARGUMENT),
// and a maximum below the minimum when connecting (SSL_CONNECT_ERROR).
import type { SecureVersion } from 'node:tls';
import { CURL_SSLVERSION } from '../constants.js';

const MIN_NAME: Readonly<Record<number, SecureVersion>> = {
  [CURL_SSLVERSION.DEFAULT]: 'TLSv1.2', // libcurl's default minimum since 8.16.0, and Node's
  [CURL_SSLVERSION.TLSv1]: 'TLSv1',
  [CURL_SSLVERSION.TLSv1_0]: 'TLSv1',
  [CURL_SSLVERSION.TLSv1_1]: 'TLSv1.1',
  [CURL_SSLVERSION.TLSv1_2]: 'TLSv1.2',
  [CURL_SSLVERSION.TLSv1_3]: 'TLSv1.3',
};
const MAX_NAME: Readonly<Record<number, SecureVersion>> = {
  [CURL_SSLVERSION.TLSv1_0]: 'TLSv1',
  [CURL_SSLVERSION.TLSv1_1]: 'TLSv1.1',
  [CURL_SSLVERSION.TLSv1_2]: 'TLSv1.2',
  [CURL_SSLVERSION.TLSv1_3]: 'TLSv1.3',
};

/** setopt's check (libcurl's setopt_SSLVERSION). */
export function validSslVersion(arg: number): boolean {
  const min = arg & 0xffff;
  const max = arg >>> 16;
  if (min < CURL_SSLVERSION.DEFAULT || min === CURL_SSLVERSION.SSLv2 || min === CURL_SSLVERSION.SSLv3 || min >= CURL_SSLVERSION.LAST) return false;
  return max < CURL_SSLVERSION.MAX_LAST >>> 16;
}

export type VersionRange = { minVersion: SecureVersion; maxVersion: SecureVersion } | { error: string };

/** The node:tls version range, or libcurl's complaint (ssl_prefs_check). */
export function versionRange(arg: number): VersionRange {
  const min = arg & 0xffff;
  const max = arg >>> 16;
  const minVersion = MIN_NAME[min];
  if (!minVersion) return { error: 'Unrecognized parameter value passed via CURLOPT_SSLVERSION' };
  if (max <= 1) return { minVersion, maxVersion: 'TLSv1.3' }; // MAX_NONE, MAX_DEFAULT
  // CURL_SSLVERSION_TLSv1 (1) means TLSv1.0 here
  if (max < Math.max(min, CURL_SSLVERSION.TLSv1_0)) return { error: 'CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION' };
  return { minVersion, maxVersion: MAX_NAME[max]! };
}
