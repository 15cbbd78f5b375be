// Request header lines for ranges, compression and conditions, in libcurl's
// words (lib/http.c): Range (CURLOPT_RANGE / RESUME_FROM), TE and its
// Connection token (CURLOPT_TRANSFER_ENCODING), Accept-Encoding
// (CURLOPT_ACCEPT_ENCODING) and If-Modified-Since / If-Unmodified-Since /
// Last-Modified (CURLOPT_TIMECONDITION). A custom header of the same name
// (CURLOPT_HTTPHEADER) always wins, as Curl_checkheaders() makes it.
import { CURLOPT } from '../easy/option-table.js';
import { allContentEncodings } from '../cw/content-decoders.js';
import { resumeOffset } from './http-response.js';
import { CURL_TIMECOND } from '../constants.js';
import type { Transfer } from '../multi/transfer.js';
import type { HttpTransferState } from './http-state.js';

export interface CustomHeader {
  name: string;
  line: string | null;
}

/** What an upload's Content-Range is computed from (after the body plan). */
export interface UploadRange {
  /** the request is a PUT or a POST (libcurl's http_range() only ranges those uploads) */
  upload: boolean;
  /** the bytes this request sends (Curl_creader_total_length, after a resume skipped some), -1 unknown */
  length: number;
  /** an authentication probe sends nothing: the range names the whole announced size instead */
  probeSize: number | null;
}

/**
 * http_range(): "Range: bytes=..." for a GET/HEAD when a range or resume
 * offset is set; for a PUT/POST "Content-Range: bytes ..." instead: from the
 * resume offset to the end of the whole file, the whole body for a resume
 * of -1 (the remote size is not known: everything is sent again), or the
 * given CURLOPT_RANGE over the body's length. Records the resume offset
 * the response is checked against in the transfer's HTTP state.
 */
export function rangeLine(t: Transfer, h: HttpTransferState, isGetOrHead: boolean, overridden: ReadonlySet<string>, up: UploadRange): string | null {
  const resume = resumeOffset(t);
  h.resumeFrom = resume > 0 ? resume : 0;
  const range = resume > 0 ? `${resume}-` : t.opts.str(CURLOPT.RANGE);
  if (isGetOrHead) {
    if (range === null || overridden.has('range')) return null;
    return `Range: bytes=${range}`;
  }
  if (!up.upload || overridden.has('content-range') || (range === null && resume >= 0)) return null;
  if (resume < 0) return `Content-Range: bytes 0-${up.length - 1}/${up.length}`;
  if (resume > 0) {
    const total = up.probeSize ?? resume + up.length;
    return `Content-Range: bytes ${range}${total - 1}/${total}`;
  }
  return `Content-Range: bytes ${range}/${up.length}`;
}

/** "Accept-Encoding: ..." ("" asks for every encoding this build decodes). */
export function acceptEncodingLine(t: Transfer, overridden: ReadonlySet<string>): string | null {
  const enc = t.opts.str(CURLOPT.ACCEPT_ENCODING);
  if (enc === null || overridden.has('accept-encoding')) return null;
  return `Accept-Encoding: ${enc === '' ? allContentEncodings() : enc}`;
}

/**
 * CURLOPT_TRANSFER_ENCODING: "TE: gzip" goes with the Accept lines, and TE
 * must be named in Connection, merged into the application's first
 * Connection header (which is then not sent on its own). A custom TE header
 * turns all of this off: the application handles it.
 */
export function transferEncodingLines(t: Transfer, custom: readonly CustomHeader[], overridden: ReadonlySet<string>):
    { te: string | null; connection: string | null; merged: CustomHeader | null } {
  if (!t.opts.num(CURLOPT.TRANSFER_ENCODING) || overridden.has('te')) return { te: null, connection: null, merged: null };
  const merged = custom.find((h) => h.name.toLowerCase() === 'connection') ?? null;
  const value = merged?.line ? merged.line.slice(merged.line.indexOf(':') + 1).trim() : '';
  return { te: 'TE: gzip', connection: `Connection: ${value ? `${value}, ` : ''}TE`, merged };
}

const WKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** curl's HTTP date: "Tue, 15 Nov 1994 12:45:26 GMT". */
export function httpDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${WKDAY[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTH[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, ' ')} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`;
}

const CONDITION_HEADER: Readonly<Record<number, string>> = {
  [CURL_TIMECOND.IFMODSINCE]: 'If-Modified-Since',
  [CURL_TIMECOND.IFUNMODSINCE]: 'If-Unmodified-Since',
  [CURL_TIMECOND.LASTMOD]: 'Last-Modified',
};

/** Curl_add_timecondition */
export function timeConditionLine(t: Transfer, overridden: ReadonlySet<string>): string | null {
  const name = CONDITION_HEADER[t.opts.num(CURLOPT.TIMECONDITION)];
  if (!name || overridden.has(name.toLowerCase())) return null;
  const value = t.opts.num(CURLOPT.TIMEVALUE_LARGE) || t.opts.num(CURLOPT.TIMEVALUE);
  return `${name}: ${httpDate(value)}`;
}
