// What the state handlers of src/multi/states*.ts share: the one state setter,
// the move to DONE, the handler lookup per request and the reset between the
// requests of one transfer, and the transfer's deadlines.
import { CURLE } from '../codes.js';
import { type ProtocolHandler } from '../proto/handler.js';
import { STATE, type Transfer, type TransferState } from './transfer.js';
import type { MultiEngine } from './engine.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;

export function setState(e: MultiEngine, t: Transfer, next: TransferState): void {
  if (t.state === next) return;
  e.traceState(t, t.state, next);
  t.state = next;
}

export function timeoutMs(t: Transfer): number {
  return t.opts.hot().timeoutMs;
}
export function connectTimeoutMs(t: Transfer): number {
  return t.opts.hot().connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS;
}

/** The handler of the request's URL, and its per-request setup (libcurl's setup_connection). */
export function setupHandler(t: Transfer, h: ProtocolHandler): boolean {
  t.handler = h;
  const failure = h.setup?.(t) ?? null;
  if (failure) t.fail(failure.code, failure.message);
  return failure === null;
}

/** Move to DONE; the connection's fate is decided there. */
export function finish(e: MultiEngine, t: Transfer, reusable: boolean): void {
  // a multiplexed connection outlives a failed stream: its session says whether it goes on; otherwise a
  // failed request leaves its connection usable only when the protocol says so (FTP's 550 to RETR)
  const ok = t.result === CURLE.OK || t.request?.reusableAfterError === true;
  if (t.conn) t.conn.reusable = t.conn.h2 ? t.conn.h2.usable : reusable && ok && !t.opts.hot().forbidReuse;
  setState(e, t, STATE.DONE);
}

/** A new request of the same transfer: per-request facts start over. */
export function resetForNextRequest(t: Transfer): void {
  t.request?.abort?.();
  t.request = null;
  t.route = null;
  t.conn = null;
  t.filters = null;
  t.connReleased = false;
  t.connReleasedTraced = false;
  t.responseCode = 0;
  t.contentLength = -1;
  t.contentType = null;
  t.redirectUrl = null;
  t.sizeDownload = 0;
  t.sizeDelivered = 0;
  t.writers.resetResponse();
}
