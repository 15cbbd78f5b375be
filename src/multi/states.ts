// The per-transfer state machine (libcurl's multi_runsingle), one handler per
// state and one setState() that traces every transition.
//
// Theory of operation. runTransfer() is entered only from inside a call into
// the library (socketAction, perform). It first enforces the transfer's
// timeouts, then calls the handler of the current state; a handler either
// moves to another state (and the loop runs the next handler at once) or
// returns leaving the state unchanged, which means "waiting for a socket or a
// timer". Handlers never block and never await: every I/O call is the
// non-blocking kind. When the loop stops, the engine recomputes what the
// transfer polls and when it wants to be woken (engine.afterRun).
//
//   INIT -> CONNECT -> (PENDING) -> RESOLVING -> CONNECTING -> PROTOCONNECT -> DO -> PERFORMING
//              \-> reuse of a pooled connection goes straight to DO      -> DONE -> COMPLETED -> MSGSENT
//              \-> a Unix domain socket skips RESOLVING                    <-> RATELIMITING
//              \-> a handler without network (file:) goes straight to DO
// The protocol is the handler's (src/proto/handler.ts): this file never names
// one. RESOLVING is about the first hop (the SOCKS or HTTP proxy, else the
// origin). CONNECTING connects the socket, then the connection's filter chain
// above it (src/multi/connect-chain.ts: SOCKS, TLS to an HTTPS proxy, HTTP
// CONNECT, TLS to the origin), as libcurl 8 does; TUNNELING is not entered
// any more (it stays a state name, as in libcurl 8). A proxy that closes
// after asking for authentication is connected to again.
//
// This file has the loop, the deadlines, INIT, DO and PERFORMING; the states
// that get a connection are in states-connect.ts, DONE and redirects in
// states-done.ts, and what they all share in state-common.ts.
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { loadResolveList } from '../dns/resolve-list.js';
import { internalsOf, type EasyInternals } from '../easy/internals.js';
import { startUrl } from '../easy/option-store.js';
import { closeConnectOnly } from '../easy/connect-only.js';
import { parseUrlCached } from './url-adapter.js';
import { CURLPAUSE } from '../constants.js';
import { handlerFor } from '../proto/registry.js';
import { EXPIRE, STATE, PROGRESS_INTERVAL_MS, type Transfer } from './transfer.js';
import { hstsAtTransferStart } from '../proto/hsts-altsvc.js';
import type { MultiEngine } from './engine.js';
import { nowMs } from '../util/clock.js';
import { setState, finish, setupHandler, resetForNextRequest, timeoutMs, connectTimeoutMs } from './state-common.js';
import { stateConnect, stateResolving, stateConnecting, stateProtoconnect } from './states-connect.js';
import { stateDone } from './states-done.js';
export { setState };

const CONNECTING_STATES = new Set<string>([
  STATE.CONNECT, STATE.RESOLVING, STATE.CONNECTING, STATE.PENDING, STATE.TUNNELING, STATE.PROTOCONNECT,
]);

/**
 * libcurl's multi_handle_timeout() before a step: the total timeout
 * (TIMEOUT). The connect timeout is checked after the step
 * (connectTimedOut), as libcurl defers it to the last pass of a run.
 */
function checkTimeouts(e: MultiEngine, t: Transfer, now: number): boolean {
  const total = timeoutMs(t);
  // the deadline is checked with 1 ms of slack: timers fire on whole milliseconds
  if (total > 0 && now + 1 >= t.timing.start + total) {
    const ms = Math.max(Math.floor(now - t.timing.start), total);
    if (t.state === STATE.RESOLVING) t.fail(CURLE.OPERATION_TIMEDOUT, `Resolving timed out after ${ms} milliseconds`);
    else if (CONNECTING_STATES.has(t.state)) t.fail(CURLE.OPERATION_TIMEDOUT, `Connection timed out after ${ms} milliseconds`);
    else operationTimedOut(t, ms);
    return true;
  }
  return false;
}

/**
 * libcurl's multi_handle_timeout() with the connect timeout, after the step
 * of a transfer that now waits: a connecting one, or one whose request is
 * still logging in on its new connection (ProtocolRequest.loggingIn, libcurl's
 * PROTOCONNECT). A connection made in a step that ran late is not torn down
 * for it, a filter that was connecting at the deadline gives its own words
 * ("SSL connection timeout"), and a protocol's own deadline in that step
 * (a STARTTLS handshake's) has had its say first.
 */
function connectTimedOut(t: Transfer): boolean {
  const loggingIn = (t.state === STATE.PERFORMING || t.state === STATE.RATELIMITING) && t.request?.loggingIn === true;
  if (!loggingIn && !CONNECTING_STATES.has(t.state)) return false;
  const deadline = t.expiries.get(EXPIRE.CONNECTTIMEOUT);
  if (deadline === undefined) return false;
  // the clock is read only here: most waiting transfers are past their connect phase
  const now = nowMs();
  if (now + 1 < deadline) return false;
  const ms = connectTimeoutMs(t);
  if (loggingIn) operationTimedOut(t, Math.max(Math.floor(now - t.timing.start), ms));
  else if (t.state === STATE.RESOLVING) t.fail(CURLE.OPERATION_TIMEDOUT, `Resolving timed out after ${ms} milliseconds`);
  else t.fail(CURLE.OPERATION_TIMEDOUT, t.filters?.timeoutMessage() ?? `Connection timed out after ${ms} milliseconds`);
  return true;
}

/** libcurl's multi_handle_timeout() message outside RESOLVING and CONNECTING. */
function operationTimedOut(t: Transfer, ms: number): void {
  if (t.contentLength >= 0) {
    t.fail(CURLE.OPERATION_TIMEDOUT, `Operation timed out after ${ms} milliseconds with ${t.sizeDownload} out of ${t.contentLength} bytes received`);
  } else t.fail(CURLE.OPERATION_TIMEDOUT, `Operation timed out after ${ms} milliseconds with ${t.sizeDownload} bytes received`);
}

export function runTransfer(e: MultiEngine, t: Transfer): void {
  // one clock reading per run (libcurl's multi_runsingle takes Curl_now() once per
  // loop; the passes of one run are microseconds apart); a handler that waited
  // for I/O takes its own reading where the time matters
  let now = nowMs();
  // bounded: each pass either changes state or returns
  for (let pass = 0; pass < 32; pass++) {
    if (pass > 0 && (t.state === STATE.DONE || t.state === STATE.COMPLETED)) now = nowMs();
    if (t.state === STATE.MSGSENT) return;
    if (t.callbackFailure && t.state !== STATE.DONE && t.state !== STATE.COMPLETED) {
      // an application callback threw during the last step: the transfer ends here
      applyCallbackFailure(t);
      finish(e, t, false);
      continue;
    }
    if (t.state !== STATE.DONE && t.state !== STATE.COMPLETED && t.result === CURLE.OK && t.state !== STATE.INIT) {
      if (checkTimeouts(e, t, now)) {
        finish(e, t, false);
        continue;
      }
    }
    const before = t.state;
    switch (t.state) {
      case STATE.INIT: stateInit(e, t, now); break;
      case STATE.CONNECT: stateConnect(e, t, now); break;
      // waits until woken (src/multi/pending.ts puts it back to CONNECT); its deadlines still hold
      case STATE.PENDING: break;
      case STATE.RESOLVING: stateResolving(e, t, now); break;
      case STATE.CONNECTING: stateConnecting(e, t, now); break;
      case STATE.PROTOCONNECT: stateProtoconnect(e, t, now); break;
      case STATE.DO: stateDo(e, t, now); break;
      case STATE.DID: setState(e, t, STATE.PERFORMING); break;
      case STATE.PERFORMING: statePerforming(e, t, now); break;
      case STATE.RATELIMITING: stateRatelimiting(e, t, now); break;
      case STATE.DONE: stateDone(e, t); break;
      case STATE.COMPLETED:
        // (a callback that threw while DONE ran decides the result too)
        applyCallbackFailure(t);
        e.postDone(t);
        setState(e, t, STATE.MSGSENT);
        return;
    }
    if (before === STATE.CONNECT && t.conn !== null && t.state !== STATE.DONE && t.opts.hot().progress && e.progress(t) !== CURLE.OK) {
      // libcurl's multi_runsingle calls the progress callback after each step once the transfer has a
      // connection: the first time right after CONNECT picked or made one, before it is used
      finish(e, t, false);
      continue;
    }
    if (t.state === before) {
      // a callback threw in this step: the next pass ends the transfer
      if (t.callbackFailure && t.state !== STATE.DONE) continue;
      if (t.result === CURLE.OK && connectTimedOut(t)) {
        finish(e, t, false);
        continue;
      }
      // a progress callback that aborts an idle transfer finishes it now
      if (idleProgress(e, t)) continue;
      return;
    }
  }
}

/**
 * A callback threw (src/util/callback-failure.ts): the transfer fails with
 * the code and text that gave, unless something failed it first.
 */
function applyCallbackFailure(t: Transfer): void {
  const f = t.callbackFailure;
  if (f && t.result === CURLE.OK) t.fail(f.code, f.message);
}

/** States in which libcurl's multi_runsingle updates the progress callback. */
const PROGRESS_STATES = new Set<string>([
  STATE.RESOLVING, STATE.CONNECTING, STATE.TUNNELING, STATE.PROTOCONNECT, STATE.DO, STATE.PERFORMING, STATE.RATELIMITING,
]);

/**
 * A transfer that stopped for now: with a progress callback, make sure it
 * runs again within a second (an idle transfer's callback is how an
 * application aborts it), and give the callback its turn in the states
 * whose own handlers do not call it.
 */
function idleProgress(e: MultiEngine, t: Transfer): boolean {
  if (!t.opts.hot().progress || !PROGRESS_STATES.has(t.state)) return false;
  if (t.state !== STATE.PERFORMING && t.state !== STATE.RATELIMITING && e.progress(t) !== CURLE.OK) {
    finish(e, t, false);
    return true;
  }
  e.expire(t, EXPIRE.PROGRESS, t.lastProgressAt + PROGRESS_INTERVAL_MS);
  return false;
}

function stateInit(e: MultiEngine, t: Transfer, now: number): void {
  t.timing.start = now;
  // a new transfer of the handle ends what an earlier CONNECT_ONLY transfer left open
  const i = internalsOf(t.easy);
  if (i?.connectOnly) closeConnectOnly(i);
  if (i) i.ws = null;
  const raw = startUrl(t.opts);
  if (!raw) {
    t.fail(CURLE.URL_MALFORMAT, 'No URL set');
    return finish(e, t, false);
  }
  const r = parseUrlCached(t.opts, raw, t.opts.num(CURLOPT.PORT), t.opts.str(CURLOPT.DEFAULT_PROTOCOL), t.opts.num(CURLOPT.PATH_AS_IS) !== 0);
  if (r.code !== 0 || !('url' in r)) {
    t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
    return finish(e, t, false);
  }
  const allowed = t.opts.str(CURLOPT.PROTOCOLS_STR);
  if (allowed !== null && !allowed.toLowerCase().split(',').map((p) => p.trim()).some((p) => p === 'all' || p === r.url.scheme)) {
    // curl 7.88 says the same for a scheme it lacks and one PROTOCOLS_STR leaves out
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${r.url.scheme}" not supported or disabled in libcurl`);
    return finish(e, t, false);
  }
  t.url = r.url;
  t.firstUrl = r.url;
  t.effectiveUrl = r.url.href;
  if (!setupHandler(t, handlerFor(r.url.scheme)!)) return finish(e, t, false);
  t.speed.reset(now);
  if (!loadResolve(e, t, i, now)) return finish(e, t, false);
  // HSTS cache files and HSTSREADFUNCTION, as Curl_pretransfer reads them
  if (!hstsAtTransferStart(t, e)) return finish(e, t, false);
  const total = timeoutMs(t);
  if (total > 0) e.expire(t, EXPIRE.TIMEOUT, now + total);
  setState(e, t, STATE.CONNECT);
}

/**
 * Curl_loadhostpairs at the start of a transfer: a CURLOPT_RESOLVE list set
 * since the last load goes into the DNS cache the transfer uses.
 */
function loadResolve(e: MultiEngine, t: Transfer, i: EasyInternals | undefined, now: number): boolean {
  const list = t.opts.get(CURLOPT.RESOLVE) as string[] | null;
  if (!i || i.resolveLoaded === list) return true;
  i.resolveLoaded = list;
  i.wildcardResolve = false;
  if (!list) return true;
  const r = loadResolveList(list, e.dnsCacheFor(t), now, (text) => e.trace(t, text));
  i.wildcardResolve = r.wildcard;
  if (r.code !== CURLE.OK) {
    t.fail(r.code, r.message!);
    return false;
  }
  return true;
}

function stateDo(e: MultiEngine, t: Transfer, now: number): void {
  const conn = t.conn!;
  conn.uses++;
  t.timing.appconnect ||= 0;
  t.timing.pretransfer = now;
  // the engine is the guard the protocol's application callbacks run under
  t.request = t.handler!.request(t, conn, e);
  const code = t.request.start();
  if (code !== CURLE.OK) {
    // a request that said why already (libcurl's failf) is not failed again: that would echo a second line with VERBOSE
    if (t.result === CURLE.OK) t.fail(code, code === CURLE.BAD_FUNCTION_ARGUMENT ? 'Header contains a line break' : easyStrerror(code));
    return finish(e, t, false);
  }
  syncWakeAt(e, t);
  if (t.request.loggingIn !== true) e.clearExpire(t, EXPIRE.CONNECTTIMEOUT);
  setState(e, t, STATE.DID);
}

/**
 * libcurl's PERFORMING-time checks: a transfer faster than its limits goes
 * to RATELIMITING with a TOOFAST expiry (nothing is polled meanwhile).
 */
function enterRateLimit(e: MultiEngine, t: Transfer, now: number): boolean {
  // MAX_RECV_SPEED_LARGE / MAX_SEND_SPEED_LARGE (0: no limit)
  const { maxRecvSpeed: recv, maxSendSpeed: send } = t.opts.hot();
  if (!recv && !send) return false;
  const wait = t.speed.limitWait(t.sizeDownload, t.sizeUpload, recv, send, now);
  if (!wait) return false;
  t.speed.ratelimit(t.sizeDownload, t.sizeUpload, recv, send, now);
  setState(e, t, STATE.RATELIMITING);
  e.expire(t, EXPIRE.TOOFAST, now + wait);
  return true;
}

/**
 * Curl_pgrsUpdate + Curl_speedcheck: LOW_SPEED_LIMIT/LOW_SPEED_TIME. While a
 * limit is set the transfer is woken every second to look again.
 */
function speedCheck(e: MultiEngine, t: Transfer, now: number): boolean {
  t.speed.sample(t.sizeDownload + t.sizeUpload, now);
  const h = t.opts.hot();
  const limit = h.lowSpeedLimit;
  const time = h.lowSpeedTime;
  if (!(t.pauseBits & 1) && t.speed.tooSlow(limit, time, now)) {
    t.fail(CURLE.OPERATION_TIMEDOUT, `Operation too slow. Less than ${limit} bytes/sec transferred the last ${time} seconds`);
    return false;
  }
  if (limit) e.expire(t, EXPIRE.SPEEDCHECK, now + 1000);
  return true;
}

function stateRatelimiting(e: MultiEngine, t: Transfer, now: number): void {
  if (e.progress(t) !== CURLE.OK) return finish(e, t, false);
  if (!speedCheck(e, t, now)) return finish(e, t, false);
  const { maxRecvSpeed: recv, maxSendSpeed: send } = t.opts.hot();
  const wait = t.speed.limitWait(t.sizeDownload, t.sizeUpload, recv, send, now);
  if (wait) return e.expire(t, EXPIRE.TOOFAST, now + wait);
  setState(e, t, STATE.PERFORMING);
  t.speed.ratelimit(t.sizeDownload, t.sizeUpload, recv, send, now);
}

function statePerforming(e: MultiEngine, t: Transfer, now: number): void {
  if (enterRateLimit(e, t, now)) return;
  const x = t.request!;
  if (!(t.pauseBits & CURLPAUSE.RECV) && t.writers.holding) {
    // unpaused: deliver what a paused write callback held back before reading more
    const r = e.flushHeld(t);
    if (r !== CURLE.OK) return finish(e, t, false);
    if (t.pauseBits & 1) return;
    const c = x.resume();
    if (c !== CURLE.OK) {
      t.fail(c, easyStrerror(c));
      return finish(e, t, false);
    }
  }
  const recvLimit = t.opts.hot().maxRecvSpeed;
  t.recvBudget = recvLimit > 0 ? recvLimit : Infinity;
  const code = x.step();
  syncWakeAt(e, t);
  t.recvBudget = Infinity;
  // logged in: the connect phase is over (the deadline of a reused connection was never set)
  if (x.loggingIn === false) e.clearExpire(t, EXPIRE.CONNECTTIMEOUT);
  if (code === CURLE.OK && e.progress(t) !== CURLE.OK) return finish(e, t, false);
  // LOW_SPEED_* apply once logged in: libcurl checks them in PERFORMING, not in PROTOCONNECT
  if (code === CURLE.OK && !x.done && x.loggingIn !== true && !speedCheck(e, t, nowMs())) return finish(e, t, false);
  if (code !== CURLE.OK) {
    if (retryOnFreshConnection(e, t, code)) return;
    if (t.result === CURLE.OK) t.fail(code, easyStrerror(code));
    return finish(e, t, x.reusableAfterError === true);
  }
  if (x.done) finish(e, t, x.reusable);
}

/** The REQUEST expiry follows the time the request wants to run without I/O (HTTP's wait for 100 Continue). */
function syncWakeAt(e: MultiEngine, t: Transfer): void {
  const at = t.request?.wakeAt ?? null;
  if (at === null) e.clearExpire(t, EXPIRE.REQUEST);
  else if (t.expiries.get(EXPIRE.REQUEST) !== at) e.expire(t, EXPIRE.REQUEST, at);
}

const CONN_MAX_RETRIES = 5;

/**
 * libcurl's Curl_retry_request: a reused connection that died before any byte
 * of the response came back was most likely closed by the server while idle
 * ("bad luck"); the same request is sent again on a fresh connection. A body
 * from the read callback is rewound first (SEEKFUNCTION) when the next request
 * starts; if that is impossible the transfer fails there with
 * CURLE_SEND_FAIL_REWIND.
 */
function retryOnFreshConnection(e: MultiEngine, t: Transfer, code: number): boolean {
  const conn = t.conn;
  if (!conn || conn.uses < 2 || t.request?.receivedAnything) return false;
  if (code !== CURLE.SEND_ERROR && code !== CURLE.RECV_ERROR && code !== CURLE.GOT_NOTHING) return false;
  if (t.connRetries++ >= CONN_MAX_RETRIES) {
    t.result = CURLE.OK;
    t.fail(CURLE.SEND_ERROR, `Connection died, tried ${CONN_MAX_RETRIES} times before giving up`);
    return false;
  }
  // the attempt's error is not the transfer's: forget it
  t.result = CURLE.OK;
  t.errorMessage = '';
  e.trace(t, `Connection died, retrying a fresh connect (retry count: ${t.connRetries})`);
  conn.reusable = false;
  e.releaseConnection(t);
  resetForNextRequest(t);
  setState(e, t, STATE.CONNECT);
  return true;
}
