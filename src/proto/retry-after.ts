// Retry-After: delay-seconds or an HTTP-date, as libcurl's http.c reads it
// for CURLINFO_RETRY_AFTER: a leading decimal number wins; otherwise a date
// becomes the seconds from now (a date in the past is "now": 0).
import { curlGetdate } from '../cookies/parse-date.js';

export function retryAfterSeconds(value: string): number {
  const m = /^[ \t]*(\d+)/.exec(value);
  const n = m ? Number(m[1]) : 0;
  if (n > 0) return Math.min(n, Number.MAX_SAFE_INTEGER);
  const date = curlGetdate(value.trim());
  if (date === -1) return 0;
  return Math.max(0, date - Math.floor(Date.now() / 1000));
}
