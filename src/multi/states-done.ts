// DONE: a transfer's request is over. Either it goes again (a redirect to
// follow, libcurl's Curl_follow; the same URL once more for authentication)
// or it ends: its connection is kept or closed and the message is queued.
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { handlerFor, SUPPORTED_SCHEMES } from '../proto/registry.js';
import { maxRedirsError, redirProtocolAllowed, resolveLocation } from '../proto/redirect.js';
import { STATE, type Transfer } from './transfer.js';
import { schemeInfo } from '../url/url-schemes.js';
import type { MultiEngine } from './engine.js';
import type { Connection } from '../conn/connection.js';
import { nowMs } from '../util/clock.js';
import { setState, setupHandler, resetForNextRequest } from './state-common.js';

export function stateDone(e: MultiEngine, t: Transfer): void {
  const now = nowMs();
  // whatever the request still holds besides the connection (file:'s descriptor)
  t.request?.abort?.();
  t.writers.resetResponse();
  // libcurl's multi_done for this request: its last progress call (Curl_pgrsDone; one that aborts ends the transfer instead)
  const next = t.result === CURLE.OK && t.followLocation === null && !t.retryRequest && t.handler?.nextRequest?.(t) === true;
  if (t.result === CURLE.OK && (t.followLocation !== null || t.retryRequest || next) && e.progress(t, true) === CURLE.OK) {
    // this response only pointed elsewhere: release its connection and go again
    const conn = t.conn;
    const keep = conn !== null && conn.reusable;
    e.releaseConnection(t);
    if (conn && conn.users === 0) traceReleased(e, t, conn, keep);
    if (t.retryRequest) {
      // the same URL once more (authentication negotiation, FOLLOW_RETRY in libcurl): not a redirect
      t.retryRequest = false;
      t.followLocation = null;
      e.trace(t, `Issue another request to this URL: '${t.effectiveUrl}'`);
      resetForNextRequest(t);
      t.isFollow = true;
      setState(e, t, STATE.CONNECT);
      return;
    }
    if (next) {
      // the protocol's next request of the same URL (an FTP wildcard's next file): its facts start over
      t.filetime = -1;
      resetForNextRequest(t);
      setState(e, t, STATE.CONNECT);
      return;
    }
    if (followRedirect(e, t, now)) return;
  }
  t.timing.total = now;
  e.clearAllExpiries(t);
  e.stopConnecting(t);
  // libcurl's multi_done: no last progress call after the callback itself aborted; this one may abort
  if (t.result !== CURLE.ABORTED_BY_CALLBACK) e.progress(t, true);
  const conn = t.conn;
  // failed after the response was complete (that last call, a callback that threw): not for reuse, as multi_done's "premature"
  if (conn && t.result !== CURLE.OK && !conn.h2 && t.request?.reusableAfterError !== true) conn.reusable = false;
  const keep = conn !== null && conn.reusable && !t.connReleased;
  e.releaseConnection(t);
  // a multiplexed connection other transfers still use: libcurl's multi_done stops before saying anything
  if (conn && !t.connReleasedTraced && conn.users === 0) {
    t.connReleasedTraced = true;
    traceReleased(e, t, conn, keep);
  }
  setState(e, t, STATE.COMPLETED);
}

/** multi_done's line for the connection the transfer let go of (a full cache may have closed it: it said so then). */
function traceReleased(e: MultiEngine, t: Transfer, conn: Connection, kept: boolean): void {
  if (!kept) e.trace(t, `Closing connection ${conn.id}`);
  else if (conn.idleSince !== -1) e.trace(t, `Connection #${conn.id} to host ${conn.displayHost} left intact`);
}

/**
 * Curl_follow: point the transfer at the Location and send it back to CONNECT.
 * Returns false (with t.result set) when the redirect must not be followed.
 */
function followRedirect(e: MultiEngine, t: Transfer, now: number): boolean {
  const loc = t.followLocation!;
  const from = t.url!;
  t.followLocation = null;
  const max = t.opts.num(CURLOPT.MAXREDIRS);
  if (max !== -1 && t.redirectCount >= max) {
    const m = maxRedirsError(max);
    t.fail(m.code, m.message);
    return false;
  }
  const resolved = resolveLocation(from, loc);
  if (!resolved.scheme) {
    const f = resolved.failure ?? { code: CURLE.URL_MALFORMAT, message: easyStrerror(CURLE.URL_MALFORMAT) };
    t.fail(f.code, f.message);
    return false;
  }
  const scheme = resolved.scheme;
  // curl 7.88's texts: a scheme its URL API does not know, then one without a handler or not allowed
  if (schemeInfo(scheme) === undefined) {
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, 'The redirect target URL could not be parsed: Unsupported URL scheme');
    return false;
  }
  if (!redirProtocolAllowed(t.opts, scheme) || !SUPPORTED_SCHEMES.has(scheme)) {
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${scheme}" not supported or disabled in libcurl`);
    return false;
  }
  if (!resolved.url) {
    // a URL of a scheme we transfer that is still unusable (a host name IDNA refuses)
    const f = resolved.failure ?? { code: CURLE.URL_MALFORMAT, message: easyStrerror(CURLE.URL_MALFORMAT) };
    t.fail(f.code, f.message);
    return false;
  }
  const next = resolved.url;
  const answered = t.handler!;
  if (!setupHandler(t, handlerFor(scheme)!)) return false;
  t.redirectCount++;
  // what the protocol of the redirecting response changes (HTTP: method switch, AUTOREFERER)
  answered.follow?.(t, from, (text) => e.trace(t, text));
  e.trace(t, `Issue another request to this URL: '${next.href}'`);
  t.url = next;
  t.effectiveUrl = next.href;
  t.timing.redirect = now - t.timing.start;
  resetForNextRequest(t);
  t.isFollow = true;
  setState(e, t, STATE.CONNECT);
  return true;
}
