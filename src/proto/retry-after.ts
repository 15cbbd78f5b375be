// Retry-After: delay-seconds or an HTTP-date, as libcurl's http.c reads it
// for CURLINFO_RETRY_AFTER: a leading decimal number wins; otherwise a date
// becomes the seconds from now (a date in the past is "now": 0). A number
// too big for a curl_off_t is 0, as libcurl's failed strtoofft leaves it.
import { curlGetdate } from '../cookies/parse-date.js';

/** curl_off_t's largest value: libcurl's strtoofft fails past it and leaves 0. */
const OFF_T_MAX = 2n ** 63n - 1n;

function tooBigForOffT(digits: string): boolean {
  const d = digits.replace(/^0+/, '');
  // (a hostile header of a million digits is not handed to BigInt)
  return d.length > 19 || BigInt(d || '0') > OFF_T_MAX;
}

export function retryAfterSeconds(value: string): number {
  const m = /^[ \t]*(\d+)/.exec(value);
  if (m && tooBigForOffT(m[1]!)) return 0;
  // kept as sent (the tool caps its sleep, not this); past 2^53 as the nearest double
  const n = m ? Number(m[1]) : 0;
  if (n > 0) return n;
  const date = curlGetdate(value.trim());
  if (date === -1) return 0;
  return Math.max(0, date - Math.floor(Date.now() / 1000));
}
