// What an HTTP exchange (src/proto/http.ts) does differently on an HTTP/2
// connection: the request head goes out as a HEADERS frame on a new stream
// of the connection's session (src/h2/session.ts) instead of bytes on the
// socket, and trailers arrive as a frame of their own. Everything else — the
// body, the response head (as "HTTP/2 200" lines), redirects, authentication,
// cookies, decoding — runs through the same code as HTTP/1, as in curl 7.88.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLINFO_TYPE } from '../constants.js';
import { CLIENTWRITE } from '../cw/client-write.js';
import { HDR } from '../http1/header-fields.js';
import type { H2Priority, H2Session, H2Stream } from '../h2/session.js';
import { internalsOf } from '../easy/internals.js';
import { trailerFields, type TrailerSource } from '../cr/chunked-reader.js';
import type { Transfer } from '../multi/transfer.js';
import type { Connection } from '../conn/connection.js';
import type { HttpTransferState } from './http-state.js';
import { h2HeaderInfo, h2Request } from './h2-request.js';
import { responseHeader } from './http-response.js';
import { traceEnabled } from '../util/trace.js';

/**
 * Open the request's stream: convert the head, trace it as curl 7.88 does
 * (the h2h3 lines, the stream id, then the head), send HEADERS (with
 * END_STREAM when no body follows): the stream, or the code the transfer failed with.
 */
export function openH2Stream(t: Transfer, session: H2Session, head: Buffer, hasBody: boolean,
  trace: (type: number, data: Buffer | string) => void): H2Stream | CURLcode {
  if (!session.usable) {
    t.fail(CURLE.HTTP2, 'Error in the HTTP2 framing layer');
    return CURLE.HTTP2;
  }
  // the trace lines are made only for verbose output: one stream per request makes this hot
  const verbose = traceEnabled(t);
  const req = h2Request(head, t.url!.scheme, verbose);
  if (verbose) {
    for (const line of h2HeaderInfo(req.headers)) trace(CURLINFO_TYPE.TEXT, line + '\n');
    trace(CURLINFO_TYPE.TEXT, `Using Stream ID: ${session.nextStreamId} (easy handle 0x${t.id.toString(16)})\n`);
  }
  const st = session.open(req.headers, !hasBody, h2Priority(t, session), t);
  if ('code' in st) {
    t.fail(st.code, st.message);
    return st.code;
  }
  if (req.trace !== null) trace(CURLINFO_TYPE.HEADER_OUT, req.trace);
  return st;
}

/**
 * CURLOPT_STREAM_WEIGHT (default 16) and STREAM_DEPENDS(_E): the stream of
 * the handle named, when that handle's transfer has one on this session
 * (else none, as libcurl's stream id 0), exclusively for STREAM_DEPENDS_E.
 */
function h2Priority(t: Transfer, session: H2Session): H2Priority {
  const weight = t.opts.num(CURLOPT.STREAM_WEIGHT) || 16;
  const exclusive = t.opts.get(CURLOPT.STREAM_DEPENDS_E) !== null;
  const dep = exclusive ? t.opts.get(CURLOPT.STREAM_DEPENDS_E) : t.opts.get(CURLOPT.STREAM_DEPENDS);
  const depTransfer = dep === null ? null : internalsOf(dep)?.transfer ?? null;
  const parent = depTransfer === null || depTransfer === t ? 0 : session.streamOf(depTransfer)?.id ?? 0;
  return { weight, parent, exclusive };
}

/**
 * The request body is all sent: END_STREAM, after the TRAILERFUNCTION's
 * trailers when the body had an unknown size (what HTTP/1.1 sends chunked,
 * the trailers in its last chunk). Asked once, inside the library call; its
 * failure (CURL_TRAILERFUNC_ABORT, a throw) fails the transfer.
 */
export function endH2Request(t: Transfer, st: H2Stream, source: TrailerSource | null, info: (text: string) => void): CURLcode {
  const fields: [string, string][] = [];
  const r = source?.();
  if (r !== undefined && 'error' in r) {
    t.fail(r.error.code, r.error.message ?? '');
    return r.error.code;
  }
  for (const [rawName, value] of trailerFields(r?.lines ?? [], info)) {
    const name = rawName.toLowerCase();
    // a field HTTP/2 cannot carry (not a token, a pseudo-header, connection-specific) is left out
    if (!TOKEN.test(name) || CONNECTION_SPECIFIC.has(name)) {
      info('Malformatted trailing header, skipping trailer');
      continue;
    }
    fields.push([name, value]);
  }
  st.endRequest(fields);
  return CURLE.OK;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host']);

/**
 * A transfer made for an accepted server push (src/multi/push.ts) takes its
 * pushed stream instead of sending a request (libcurl's
 * Curl_multi_add_perform), and so does the request an h2c Upgrade switched
 * (src/proto/h2-upgrade.ts): the stream, or null for an ordinary transfer.
 */
export function adoptPushedStream(t: Transfer, conn: Connection): H2Stream | null {
  const p = t.pushed;
  if (p === null || p.conn !== conn) return null;
  t.pushed = null;
  // the upgraded request (h2c) was this transfer's own, its method and upload already known
  if (p.upgraded === true) return p.stream;
  t.effectiveMethod = 'GET';
  t.uploadLength = -1;
  return p.stream;
}

/**
 * The PUSH_PROMISEs received on the transfer's stream go to the multi's
 * PUSHFUNCTION, as libcurl asks while it reads the parent stream's frames.
 * CURL_PUSH_ERROROUT fails the connection and with it this transfer.
 */
export function offerH2Pushes(t: Transfer, st: H2Stream): CURLcode {
  const f = st.session.offerPushes(st, t);
  if (f === null) return CURLE.OK;
  t.fail(f.code, f.message);
  return f.code;
}

/**
 * The response's trailers to the header API, the trace and the header
 * callback (CLIENTWRITE_TRAILER), as curl 7.88's on_header does for a
 * HEADERS frame after the body.
 */
export function deliverH2Trailers(t: Transfer, h: HttpTransferState, st: H2Stream,
  trace: (type: number, data: Buffer | string) => void, verbose: boolean): CURLcode {
  const list = st.trailers;
  if (list === null) return CURLE.OK;
  for (const [name, value] of list) {
    responseHeader(t, h, name, value, true, HDR.OTHER);
    const line = Buffer.from(`${name}: ${value}\r\n`, 'latin1');
    if (verbose) trace(CURLINFO_TYPE.HEADER_IN, line);
    if (t.writers.wantsHeaders) {
      const c = t.writers.write(CLIENTWRITE.HEADER | CLIENTWRITE.TRAILER, line);
      if (c !== CURLE.OK) return c;
    }
  }
  return CURLE.OK;
}
