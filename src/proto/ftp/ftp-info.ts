// The facts FTP reports about a file as if they were HTTP headers (libcurl's
// CURL_FTP_HTTPSTYLE_HEAD): with NOBODY, "Content-Length:", "Accept-ranges:"
// and "Last-Modified:" lines go to the header callback and to WRITEFUNCTION,
// NOBODY or not (libcurl writes them as CLIENTWRITE_BOTH: `curl -I ftp://...`
// prints them). And the TIMECONDITION check on the MDTM time.
import { CURLE, type CURLcode } from '../../codes.js';
import type { Transfer } from '../../multi/transfer.js';
import { PAUSED } from '../../cw/client-write.js';
import { meetsTimeCondition } from '../http-response.js';

/** Each line (without CRLF) to the header callback and to WRITEFUNCTION. */
export function fileInfoHeaders(t: Transfer, lines: string[]): CURLcode {
  for (const l of lines) {
    const b = Buffer.from(l + '\r\n', 'latin1');
    const c = t.writers.writeBoth(b);
    if (c !== CURLE.OK && c !== PAUSED) return c;
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
