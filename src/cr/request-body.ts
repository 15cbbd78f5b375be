// Which body a request carries and how it is framed: libcurl's set_reader(),
// Curl_http_req_set_reader() and the body part of the request head
// (Content-Length, Content-Type, Transfer-Encoding, Expect: 100-continue).
// Pure decisions over the transfer's options; the readers do the reading.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { HTTPREQ, type HttpReq } from '../easy/option-store.js';
import type { OptionStore } from '../easy/option-store.js';
import { BufReader, NullReader, type ClientReader } from './client-reader.js';
import { ChunkedReader, TRAILER_ABORT_CODE, TRAILER_ABORT_MESSAGE, type TrailerSource } from './chunked-reader.js';
import type { CallbackReader } from './callback-reader.js';
import type { MimeReader } from './mime-reader.js';
import type { TrailerCallback } from '../easy/callbacks.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { textToBuffer } from '../url/url-bytes.js';
import { CALLBACK_NAME, callbackThrew } from '../util/callback-failure.js';

/** libcurl 8's EXPECT_100_THRESHOLD: bodies above 1 MiB (or of unknown size) ask first. */
export const EXPECT_100_THRESHOLD = 1024 * 1024;
/** libcurl's MAX_INITIAL_POST_SIZE: a POSTFIELDS body below it goes out in one buffer with the head */
const MAX_INITIAL_POST_SIZE = 64 * 1024;

export interface BodyInputs {
  opts: OptionStore;
  /** the request kind after redirect rules (libcurl's state.httpreq) */
  httpreq: HttpReq;
  /** the request is an authentication probe: its body waits (conn->bits.authneg) */
  authneg: boolean;
  /** HTTP/1.1 or later may be used (Curl_use_http_1_1plus) */
  http11: boolean;
  /** the request goes out on an HTTP/2 stream: no chunked framing (DATA frames end with END_STREAM), no automatic Expect */
  http2?: boolean;
  /** RESUME_FROM(_LARGE): an upload (PUT/POST) that resumes skips this many bytes; -1 "the whole file" */
  resumeFrom: number;
  /** a 417 told us not to ask again (state.disableexpect) */
  disableExpect: boolean;
  /** the transfer's application source, created on first use */
  source: () => CallbackReader;
  /** the transfer's MIMEPOST reader (null without a Mime), created on first use */
  mime: () => MimeReader | null;
  guard: CallbackGuard;
  info: (text: string) => void;
  /** the application's headers: value of the first one named so ('' when blanked), or undefined */
  userHeader: (name: string) => string | undefined;
}

export interface BodyPlan {
  code: CURLcode;
  message?: string;
  /** what to send after the head; null for requests without a body */
  reader: ClientReader | null;
  /** "Transfer-Encoding: chunked" goes before the cookies, as libcurl's te slot */
  teLine: string | null;
  /** Content-Length / Content-Type / Expect, after the application's headers */
  bodyLines: string[];
  /** wait for 100 Continue before sending the body */
  expect100: boolean;
  /** a POSTFIELDS body libcurl sends with the head, not through its upload loop */
  inHead?: boolean;
  /** CURLINFO_CONTENT_LENGTH_UPLOAD: -1 unknown */
  uploadLength: number;
  /**
   * HTTP/2: the TRAILERFUNCTION for a body of unknown size (one HTTP/1.1
   * would send chunked, with the trailers in its last chunk): its trailers go
   * in a HEADERS frame after the body
   */
  trailers?: TrailerSource;
}

function postfieldsBuffer(o: OptionStore): Buffer | null {
  const pf = o.get(CURLOPT.POSTFIELDS) as string | Buffer | null;
  if (pf === null) return null;
  // a string is text: its UTF-8 bytes, as a C program would pass them (not each char's low byte)
  return Buffer.isBuffer(pf) ? pf : textToBuffer(pf);
}

/** The source reader (phase CLIENT) for the request kind. */
function sourceReader(b: BodyInputs, userChunked: boolean): ClientReader | null {
  const o = b.opts;
  if (b.httpreq !== HTTPREQ.PUT && b.httpreq !== HTTPREQ.POST && b.httpreq !== HTTPREQ.POST_MIME) return null;
  if (b.authneg) return new NullReader();
  if (b.httpreq === HTTPREQ.POST_MIME) return b.mime() ?? new NullReader();
  if (b.httpreq === HTTPREQ.PUT) {
    const size = o.num(CURLOPT.INFILESIZE_LARGE);
    if (size === 0) return new NullReader();
    const r = b.source();
    r.start(size);
    return r;
  }
  const pf = postfieldsBuffer(o);
  let size = o.num(CURLOPT.POSTFIELDSIZE_LARGE);
  if (pf !== null) {
    if (size < 0) size = pf.length;
    return size === 0 ? new NullReader() : new BufReader(pf.subarray(0, size));
  }
  if (size === 0) return new NullReader();
  // read from the callback; a forced "chunked" disregards the size (libcurl issue #13229)
  const r = b.source();
  r.start(userChunked ? -1 : size);
  return r;
}

function trailerSource(b: BodyInputs): TrailerSource | null {
  const fn = b.opts.get(CURLOPT.TRAILERFUNCTION) as TrailerCallback | null;
  if (!fn) return null;
  const data = b.opts.get(CURLOPT.TRAILERDATA);
  return () => {
    const list: string[] = [];
    let rc: number;
    try {
      rc = b.guard.inCallback(() => fn(list, data));
    } catch (err) {
      // a throw is CURL_TRAILERFUNC_ABORT
      const message = callbackThrew(b.guard, err, TRAILER_ABORT_CODE, CALLBACK_NAME.TRAILER);
      return { error: { kind: 'error', code: TRAILER_ABORT_CODE, message } };
    }
    if (rc !== 0) return { error: { kind: 'error', code: TRAILER_ABORT_CODE, message: TRAILER_ABORT_MESSAGE } };
    return { lines: list };
  };
}

/**
 * http_resume(): a PUT or POST resuming at an offset fast-forwards its body
 * source and announces less. Not for an
 * authentication probe, which sends nothing; -1 means "all of it" here.
 */
function resumeUpload(b: BodyInputs, reader: ClientReader): { code: CURLcode; message?: string } {
  if ((b.httpreq !== HTTPREQ.PUT && b.httpreq !== HTTPREQ.POST) || b.resumeFrom <= 0 || b.authneg) return { code: CURLE.OK };
  const r = reader.resumeFrom ? reader.resumeFrom(b.resumeFrom) : { code: CURLE.READ_ERROR };
  if (r.code === CURLE.OK) return r;
  // the first failf() is the error text: the reader's reason, else the generic one
  return { code: r.code, message: r.message ?? `Unable to resume from offset ${b.resumeFrom}` };
}

export function planBody(b: BodyInputs): BodyPlan {
  const userTe = b.userHeader('transfer-encoding');
  const userChunked = userTe !== undefined && /(^|[\s,])chunked([\s,;]|$)/i.test(userTe);
  const src = sourceReader(b, userChunked);
  const plan: BodyPlan = { code: CURLE.OK, reader: src, teLine: null, bodyLines: [], expect100: false, uploadLength: -1 };
  if (!src) return plan;
  // before the framing is chosen: the source is what skips (Curl_http_req_set_reader)
  const resumed = resumeUpload(b, src);
  if (resumed.code !== CURLE.OK) return { ...plan, ...resumed, reader: null };

  let chunky = false;
  if (userTe !== undefined) {
    // the application's Transfer-Encoding header is sent as given; chunked framing follows it
    chunky = userChunked && !b.http2;
  } else if (src.totalLength() < 0 && !b.http2) {
    if (!b.http11) return { ...plan, code: CURLE.UPLOAD_FAILED, message: 'Chunky upload is not supported by HTTP 1.0', reader: null };
    chunky = true;
    plan.teLine = 'Transfer-Encoding: chunked';
  }
  const reader = chunky ? new ChunkedReader(src, trailerSource(b), b.info) : src;
  plan.reader = reader;
  const h2Trailers = b.http2 && reader.totalLength() < 0 ? trailerSource(b) : null;
  if (h2Trailers !== null) plan.trailers = h2Trailers;

  const clen = reader.totalLength();
  plan.uploadLength = clen;
  if (clen >= 0 && !chunky && (b.authneg || b.userHeader('content-length') === undefined)) {
    plan.bodyLines.push(`Content-Length: ${clen}`);
  }
  if (b.httpreq === HTTPREQ.POST && b.userHeader('content-type') === undefined) {
    plan.bodyLines.push('Content-Type: application/x-www-form-urlencoded');
  }
  // the multipart Content-Type with its boundary (the application's type, if any, is extended)
  if (b.httpreq === HTTPREQ.POST_MIME && 'headerLines' in src) plan.bodyLines.push(...(src as MimeReader).headerLines);
  // addexpect(): the application's Expect header decides; else large or unknown bodies ask first
  const userExpect = b.userHeader('expect');
  if (userExpect !== undefined) {
    plan.expect100 = /^100-continue$/i.test(userExpect.trim());
  } else if (!b.disableExpect && b.http11 && !b.http2) {
    const client = reader.clientLength();
    if (client > EXPECT_100_THRESHOLD || client < 0) {
      plan.bodyLines.push('Expect: 100-continue');
      plan.expect100 = true;
    }
  }
  // 7.88's Curl_http_bodysend puts a POSTFIELDS body under 64 KiB in the head's buffer, unless it waits for a 100
  plan.inHead = src instanceof BufReader && src.totalLength() < MAX_INITIAL_POST_SIZE && !plan.expect100;
  return plan;
}
