// HTTP's per-transfer state: what the HTTP handler remembers from one request
// of a transfer to the next (redirects, authentication rounds, a 417 retry,
// a dead reused connection), which libcurl spreads over data->state and
// data->req.p.http. The handler's setup() hook puts it in the transfer's one
// protocol slot (Transfer.protoState) for the first request; every later
// request of the transfer (also after a redirect from http: to https:, the
// same implementation) finds it there. What every protocol has (URL, timing,
// sizes, response code, redirect bookkeeping the engine does) stays on the
// Transfer.
//
// Cost: one object per transfer, with every field set in the constructor so
// all instances share one shape; the exchange looks it up once per request.
import type { HostAuth } from '../auth/host-auth.js';
import type { MimeReader } from '../cr/mime-reader.js';
import type { Transfer } from '../multi/transfer.js';
import type { ProtocolState } from './handler.js';
import { CURLOPT } from '../easy/option-table.js';
import { HTTPREQ, type HttpReq } from '../easy/option-store.js';

export class HttpTransferState implements ProtocolState {
  /** authentication with the origin (created on the first request; libcurl's state.authhost) */
  auth: HostAuth | null = null;
  /** the referer to send on a followed request (AUTOREFERER; libcurl's state.referer) */
  autoReferer: string | null = null;
  /** a 301/302/303 switched the method to GET: the request carries no body (state.httpreq) */
  forceGet = false;
  /** a followed redirect dropped CUSTOMREQUEST (FOLLOWLOCATION's OBEYCODE/FIRSTONLY; state.http_ignorecustom) */
  ignoreCustom = false;
  /** a 417 answered our Expect: 100-continue: do not ask again (state.disableexpect) */
  disableExpect = false;
  /** the HTTP version of the last response, 10 for HTTP/1.0 (info.httpversion; 0 before any) */
  httpVersion = 0;
  /** where the download resumes (state.resume_from as HTTP sees it: a Content-Range of '*' zeroes it) */
  resumeFrom = 0;
  /** the current response's Content-Range starts where we resumed */
  contentRangeOk = false;
  /** the current response's Last-Modified, seconds since the epoch (req.timeofdoc) */
  timeOfDoc = 0;
  /** CURLINFO_RETRY_AFTER: seconds from the last Retry-After header (0: none or now) */
  retryAfter = 0;
  /** the MIMEPOST body, kept for all requests of the transfer so re-sends can rewind it */
  mimeSource: MimeReader | null = null;

  /** Transfer.retire(): let go of every object this state references. */
  retire(): void {
    this.auth = null;
    this.autoReferer = null;
    this.mimeSource = null;
  }
}

/**
 * The transfer's HTTP state, made on first use: normally by the handler's
 * setup(), but code that builds an HTTP request without the engine (or a
 * handler built on HTTP that has no setup of its own) gets one too.
 */
export function httpState(t: Transfer): HttpTransferState {
  const s = t.protoState;
  if (s instanceof HttpTransferState) return s;
  const h = new HttpTransferState();
  t.protoState = h;
  return h;
}

/** The transfer's HTTP state, or null when the transfer never ran HTTP (getinfo). */
export function peekHttpState(t: Transfer): HttpTransferState | null {
  const s = t.protoState;
  return s instanceof HttpTransferState ? s : null;
}

/** The HTTP handlers' setup(): the per-transfer state exists from the first request on. */
export function httpSetup(t: Transfer): null {
  httpState(t);
  return null;
}

/** The request kind of this request: the options', unless a redirect switched it to GET (state.httpreq). */
export function requestKind(t: Transfer, h: HttpTransferState): HttpReq {
  return h.forceGet ? HTTPREQ.GET : t.opts.method;
}

/** CUSTOMREQUEST for this request of the transfer: none once a followed redirect dropped it. */
export function customRequest(t: Transfer): string | null {
  const custom = t.opts.str(CURLOPT.CUSTOMREQUEST);
  return custom !== null && peekHttpState(t)?.ignoreCustom ? null : custom;
}
