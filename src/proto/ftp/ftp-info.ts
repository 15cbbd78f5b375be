// The facts FTP reports about a file as if they were HTTP headers (libcurl's
// CURL_FTP_HTTPSTYLE_HEAD): with NOBODY, "Content-Length:", "Accept-ranges:"
// and "Last-Modified:" lines go to the header callback, and into the body
// stream with CURLOPT_HEADER (`curl -I ftp://...` prints them). libcurl 7.88
// writes them as CLIENTWRITE_BOTH, which reaches WRITEFUNCTION even without
// CURLOPT_HEADER; here NOBODY keeps every body write away from it, so they
// are header lines. And the TIMECONDITION check on the MDTM time.
import { CURLE, type CURLcode } from '../../codes.js';
import type { Transfer } from '../../multi/transfer.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import { meetsTimeCondition } from '../http-response.js';

/** Each line (without CRLF) to the header callback (and the body stream with CURLOPT_HEADER). */
export function fileInfoHeaders(t: Transfer, lines: string[]): CURLcode {
  for (const l of lines) {
    const b = Buffer.from(l + '\r\n', 'latin1');
    const h = t.writers.write(CLIENTWRITE.HEADER, b);
    if (h !== CURLE.OK && h !== PAUSED) return h;
  }
  return CURLE.OK;
}

/** TIMECONDITION against the file's MDTM time (t.filetime); false: the document is not wanted. */
export function timeConditionMet(t: Transfer, info: (line: string) => void): boolean {
  if (t.filetime < 0) return true;
  const lines: string[] = [];
  const met = meetsTimeCondition(t, t.filetime, lines);
  for (const l of lines) info(l);
  if (!met) t.conditionUnmet = true;
  return met;
}
