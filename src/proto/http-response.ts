// What libcurl's http.c derives from response headers beyond framing (which
// the HTTP/1 parser owns): the decoding writers (Transfer-Encoding,
// Content-Encoding), the document time (Last-Modified, for FILETIME and
// TIMECONDITION), whether a resumed download got its range (Content-Range),
// the header API store, and at the end of the headers libcurl's
// Curl_http_firstwrite() checks (resume and time condition). The exchange
// calls these hooks with the transfer's HTTP state (src/proto/http-state.ts);
// they never do I/O.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { HTTPREQ } from '../easy/option-store.js';
import { CURLH, CURL_TIMECOND } from '../constants.js';
import { parseDate, PARSEDATE } from '../cookies/parse-date.js';
import type { Transfer } from '../multi/transfer.js';
import { HDR, type HeaderId } from '../http1/header-fields.js';
import { requestKind, type HttpTransferState } from './http-state.js';
import { hstsAltSvcHeader } from './hsts-altsvc.js';


export interface HookResult {
  code: CURLcode;
  message?: string;
  /** verbose lines (libcurl's infof) */
  info?: string[];
  /** the body of this response is not for the application (416 to a resume) */
  ignoreBody?: boolean;
  /** the transfer is complete now; the rest of the response is not read (the connection closes) */
  stop?: boolean;
}

const OK: HookResult = { code: CURLE.OK };
const OVERFLOW_NOTE: HookResult = { code: CURLE.OK, info: ['Overflow Content-Length: value'] };

/** The byte offset a download resumes from (RESUME_FROM(_LARGE)), 0 for none. */
export function resumeOffset(t: Transfer): number {
  return t.opts.num(CURLOPT.RESUME_FROM_LARGE) || t.opts.num(CURLOPT.RESUME_FROM);
}

/** A 416 to a resumed GET: the file is most likely complete already; not an error, even with FAILONERROR. */
export function rangeNotSatisfiableOk(t: Transfer, h: HttpTransferState): boolean {
  return h.resumeFrom > 0 && t.effectiveMethod === 'GET' && t.responseCode === 416;
}

/** The response has no body to decode (libcurl's http_bodyless, and HEAD). */
function bodyless(t: Transfer): boolean {
  const c = t.responseCode;
  return t.effectiveMethod === 'HEAD' || c === 204 || c === 304 || (c >= 100 && c < 200);
}

/** Curl_getdate_capped: a date past what fits is the latest time, a bad one -1. */
function getdateCapped(value: string): number {
  const r = parseDate(value);
  if (r.rc === PARSEDATE.LATER) return 0x7fffffff;
  return r.rc === PARSEDATE.OK ? r.time : -1;
}

/** Release the decoders of the response that was being received. */
export function closeDecoding(t: Transfer): void {
  t.writers.resetResponse();
}

/** A status line arrived: a new response starts. `exact`: the line splits back into version, code and reason (FastStatus.exact). */
export function responseStatus(t: Transfer, h: HttpTransferState, reason: string, exact = false): void {
  t.headerStore.status(h.httpVersion, t.responseCode, reason, exact);
  closeDecoding(t);
  h.contentRangeOk = false;
  h.timeOfDoc = 0;
}

/**
 * One complete header or trailer line of the current response; `id` classifies its name (HDR.OTHER for a trailer);
 * `exact`: the raw line splits into the same name and value (HeaderEvent.exact).
 */
export function responseHeader(
  t: Transfer, h: HttpTransferState, name: string, value: string, trailer: boolean, id: HeaderId, exact = false,
): HookResult {
  const interim = t.responseCode >= 100 && t.responseCode < 200;
  t.headerStore.push(name, value, trailer ? CURLH.TRAILER : interim ? CURLH['1XX'] : CURLH.HEADER, exact);
  if (trailer) return OK;
  const o = t.opts;
  switch (id) {
    case HDR.TRANSFER_ENCODING: {
      if (bodyless(t)) return OK;
      return t.writers.addTransferCodings(value, {
        transferRequested: o.num(CURLOPT.TRANSFER_ENCODING) !== 0,
        transferSkip: o.num(CURLOPT.HTTP_TRANSFER_DECODING) === 0,
      });
    }
    case HDR.CONTENT_ENCODING:
      // decoded only when the application asked for encodings (ACCEPT_ENCODING set, even to "")
      if (bodyless(t) || o.str(CURLOPT.ACCEPT_ENCODING) === null || o.num(CURLOPT.HTTP_CONTENT_DECODING) === 0) return OK;
      return t.writers.addContentCodings(value);
    case HDR.LAST_MODIFIED:
      if (t.responseCode >= 200 && (o.num(CURLOPT.TIMECONDITION) !== 0 || o.num(CURLOPT.FILETIME) !== 0)) {
        h.timeOfDoc = getdateCapped(value);
        if (o.num(CURLOPT.FILETIME)) t.filetime = h.timeOfDoc;
      }
      return OK;
    case HDR.CONTENT_RANGE: {
      // "bytes N-M/T", "bytes: N-", "N-", "*/T": the first number is where the data starts
      const m = /^[^0-9*]*([0-9]+|\*)/.exec(value);
      if (m && m[1] !== '*') {
        if (Number(m[1]) === h.resumeFrom) h.contentRangeOk = true;
      } else if (m && t.responseCode < 300) {
        h.resumeFrom = 0; // the range is unsatisfiable: get everything
      }
      return OK;
    }
    default:
      // Strict-Transport-Security and Alt-Svc (over HTTPS) feed the HSTS and alt-svc caches
      return hstsAltSvcHeader(t, name, value);
  }
}

/** Curl_meets_timecondition (also file://, against the file's time) */
export function meetsTimeCondition(t: Transfer, timeofdoc: number, info: string[]): boolean {
  const value = t.opts.num(CURLOPT.TIMEVALUE_LARGE) || t.opts.num(CURLOPT.TIMEVALUE);
  if (timeofdoc === 0 || value === 0) return true;
  if (t.opts.num(CURLOPT.TIMECONDITION) === CURL_TIMECOND.IFUNMODSINCE) {
    if (timeofdoc >= value) {
      info.push('The requested document is not old enough');
      t.conditionUnmet = true;
      return false;
    }
    return true;
  }
  if (timeofdoc <= value) {
    info.push('The requested document is not new enough');
    t.conditionUnmet = true;
    return false;
  }
  return true;
}

/** The end of a response's headers. `ignoringBody`: the exchange already drops this body (a redirect we follow). */
export function responseHeadersEnd(t: Transfer, h: HttpTransferState, interim: boolean, ignoringBody: boolean): HookResult {
  t.headerStore.headersEnd(interim);
  if (interim) return OK;
  const o = t.opts;
  const timecond = o.num(CURLOPT.TIMECONDITION);
  // libcurl 7.88 counts any 304 as an unmet condition, also one answering a
  // custom If-None-Match (CURLINFO_CONDITION_UNMET's "If-Match-*" case)
  if (t.responseCode === 304) t.conditionUnmet = true;
  if (rangeNotSatisfiableOk(t, h)) {
    // "Requested Range Not Satisfiable" to a resume: not an error, and the body is not the file's
    return { code: CURLE.OK, ignoreBody: true };
  }
  if (ignoringBody) return OK;
  // a download's resume (libcurl's httpreq GET): not an upload that -X names "GET" (curl case 1001)
  const download = requestKind(t, h) === HTTPREQ.GET;
  if (h.resumeFrom > 0 && !h.contentRangeOk && download) {
    if (t.contentLength === h.resumeFrom) {
      // the resume point is the end of the file: fine even without range support
      return { code: CURLE.OK, info: ['The entire document is already downloaded'], stop: true };
    }
    return { code: CURLE.RANGE_ERROR, message: "HTTP server doesn't seem to support byte ranges. Cannot resume." };
  }
  const ranged = h.resumeFrom > 0 || o.str(CURLOPT.RANGE) !== null;
  if (timecond !== 0 && !ranged) {
    // RFC 9110 13.1.3: a server that ignored the condition; curl acts as if it said 304
    const info: string[] = [];
    if (!meetsTimeCondition(t, h.timeOfDoc, info)) {
      t.responseCode = 304;
      info.push('Simulate an HTTP 304 response');
      return { code: CURLE.OK, info, stop: true };
    }
    if (info.length) return { code: CURLE.OK, info };
  }
  return OK;
}

/** CURLOPT_MAXFILESIZE(_LARGE), 0 for no limit. */
function maxFilesize(t: Transfer): number {
  return t.opts.num(CURLOPT.MAXFILESIZE_LARGE) || t.opts.num(CURLOPT.MAXFILESIZE);
}

/**
 * libcurl refuses a download it knows is too big before reading it: a final
 * response whose Content-Length (known, not chunked, body not ignored, not a
 * 204/304) exceeds MAXFILESIZE (http_size), or whose Content-Length overflows
 * while a maximum is set. Both are "Maximum file size exceeded".
 */
export function exceedsMaxFilesize(t: Transfer, contentLength: number | null, overflow: boolean): HookResult {
  const max = maxFilesize(t);
  // an overflowing Content-Length without a limit: 7.88 says so, and reads until close
  if (overflow && max <= 0) return OVERFLOW_NOTE;
  if (max <= 0 || t.responseCode === 204 || t.responseCode === 304) return OK;
  if (overflow || (contentLength !== null && contentLength > max)) {
    return { code: CURLE.FILESIZE_EXCEEDED, message: 'Maximum file size exceeded' };
  }
  return OK;
}
