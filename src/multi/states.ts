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
//   INIT -> CONNECT -> (PENDING) -> RESOLVING -> CONNECTING -> DO -> PERFORMING -> DONE -> COMPLETED -> MSGSENT
//              \-> reuse of a pooled connection goes straight to DO
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { Connection } from '../conn/connection.js';
import { resolveHost } from '../dns/resolver.js';
import { TcpConnector } from '../cf/tcp-connector.js';
import { finishTls, handshakeError, startTls, tlsKeyOf, tlsConfig } from '../cf/tls-connect.js';
import { HttpExchange } from '../proto/http.js';
import { parseUrlCached, SUPPORTED_SCHEMES } from './url-adapter.js';
import { CURLUPART } from '../url/url-codes.js';
import { maxRedirsError, redirProtocolAllowed, resolveLocation, switchesToGet } from '../proto/redirect.js';
import { EXPIRE, STATE, type Transfer, type TransferState } from './transfer.js';
import { closeDecoding } from '../proto/http-response.js';
import type { MultiEngine } from './engine.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;

export function setState(e: MultiEngine, t: Transfer, next: TransferState): void {
  if (t.state === next) return;
  e.traceState(t, t.state, next);
  t.state = next;
}

function timeoutMs(t: Transfer): number {
  return t.opts.num(CURLOPT.TIMEOUT_MS) || t.opts.num(CURLOPT.TIMEOUT) * 1000;
}
function connectTimeoutMs(t: Transfer): number {
  return t.opts.num(CURLOPT.CONNECTTIMEOUT_MS) || t.opts.num(CURLOPT.CONNECTTIMEOUT) * 1000 || DEFAULT_CONNECT_TIMEOUT_MS;
}

/** libcurl's multi_handle_timeout(): fail the transfer if a deadline passed. */
function checkTimeouts(e: MultiEngine, t: Transfer, now: number): boolean {
  const total = timeoutMs(t);
  const elapsed = Math.floor(now - t.timing.start);
  const connecting = t.state === STATE.CONNECT || t.state === STATE.RESOLVING || t.state === STATE.CONNECTING ||
    t.state === STATE.PENDING || t.state === STATE.PROTOCONNECT;
  // the deadline is checked with 1 ms of slack: timers fire on whole milliseconds
  if (total > 0 && now + 1 >= t.timing.start + total) {
    const ms = Math.max(elapsed, total);
    if (t.state === STATE.RESOLVING) t.fail(CURLE.OPERATION_TIMEDOUT, `Resolving timed out after ${ms} milliseconds`);
    else if (connecting) t.fail(CURLE.OPERATION_TIMEDOUT, `Connection timed out after ${ms} milliseconds`);
    else if (t.contentLength >= 0) {
      t.fail(CURLE.OPERATION_TIMEDOUT, `Operation timed out after ${ms} milliseconds with ${t.sizeDownload} out of ${t.contentLength} bytes received`);
    } else t.fail(CURLE.OPERATION_TIMEDOUT, `Operation timed out after ${ms} milliseconds with ${t.sizeDownload} bytes received`);
    return true;
  }
  const connDeadline = t.expiries.get(EXPIRE.CONNECTTIMEOUT);
  if (connecting && connDeadline !== undefined && now + 1 >= connDeadline) {
    const ms = connectTimeoutMs(t);
    if (t.state === STATE.RESOLVING) t.fail(CURLE.OPERATION_TIMEDOUT, `Resolving timed out after ${ms} milliseconds`);
    else t.fail(CURLE.OPERATION_TIMEDOUT, `Connection timed out after ${ms} milliseconds`);
    return true;
  }
  return false;
}

export function runTransfer(e: MultiEngine, t: Transfer): void {
  // bounded: each pass either changes state or returns
  for (let pass = 0; pass < 32; pass++) {
    const now = performance.now();
    if (t.state === STATE.MSGSENT) return;
    if (t.state !== STATE.DONE && t.state !== STATE.COMPLETED && t.result === CURLE.OK && t.state !== STATE.INIT) {
      if (checkTimeouts(e, t, now)) {
        finish(e, t, false);
        continue;
      }
    }
    const before = t.state;
    switch (t.state) {
      case STATE.INIT: stateInit(e, t, now); break;
      case STATE.CONNECT: statePendingOrConnect(e, t, now); break;
      case STATE.PENDING: statePendingOrConnect(e, t, now); break;
      case STATE.RESOLVING: stateResolving(e, t, now); break;
      case STATE.CONNECTING: stateConnecting(e, t, now); break;
      case STATE.PROTOCONNECT: stateProtoconnect(e, t, now); break;
      case STATE.DO: stateDo(e, t, now); break;
      case STATE.DID: setState(e, t, STATE.PERFORMING); break;
      case STATE.PERFORMING: statePerforming(e, t); break;
      case STATE.DONE: stateDone(e, t); break;
      case STATE.COMPLETED:
        e.postDone(t);
        setState(e, t, STATE.MSGSENT);
        return;
    }
    if (t.state === before) return;
  }
}

function stateInit(e: MultiEngine, t: Transfer, now: number): void {
  t.timing.start = now;
  const raw = t.opts.str(CURLOPT.URL);
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
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${r.url.scheme}" disabled`);
    return finish(e, t, false);
  }
  t.url = r.url;
  t.firstUrl = r.url;
  t.effectiveUrl = r.url.href;
  const total = timeoutMs(t);
  if (total > 0) e.expire(t, EXPIRE.TIMEOUT, now + total);
  setState(e, t, STATE.CONNECT);
}

/** CONNECT: reuse a pooled connection, wait for a slot (PENDING), or open a new one. */
function statePendingOrConnect(e: MultiEngine, t: Transfer, now: number): void {
  const url = t.url!;
  const probe = new Connection(url.scheme, url.host, url.port, url.scheme === 'https' ? tlsKeyOf(t.opts) : '');
  if (!t.opts.num(CURLOPT.FRESH_CONNECT)) {
    const reuse = e.poolFor(t).take(probe.key);
    if (reuse) {
      e.reuseConnection(reuse);
      t.conn = reuse;
      e.trace(t, `Re-using existing connection with host ${url.host}`);
      e.removePending(t);
      t.timing.namelookup = t.timing.connect = now;
      return setState(e, t, STATE.DO);
    }
  }
  if (!e.mayOpenConnection(t, probe.hostKey)) {
    if (t.state !== STATE.PENDING) {
      e.trace(t, 'No connections available in cache, queueing');
      e.addPending(t);
      setState(e, t, STATE.PENDING);
    }
    return;
  }
  e.removePending(t);
  e.poolFor(t).opened(probe);
  t.conn = probe;
  e.expire(t, EXPIRE.CONNECTTIMEOUT, now + connectTimeoutMs(t));
  t.resolution = resolveHost(url.host, url.port, {
    ipresolve: t.opts.num(CURLOPT.IPRESOLVE),
    cacheSeconds: t.opts.num(CURLOPT.DNS_CACHE_TIMEOUT),
    servers: t.opts.str(CURLOPT.DNS_SERVERS),
  }, e.dnsCacheFor(t), now);
  setState(e, t, STATE.RESOLVING);
}

function stateResolving(e: MultiEngine, t: Transfer, now: number): void {
  const r = t.resolution!;
  if (!r.outcome) return; // still waiting for the lookup's signal
  if (r.signal) e.discardTransport(r.signal);
  r.signal = null;
  t.timing.namelookup = now;
  if (!r.outcome.ok) {
    t.fail(CURLE.COULDNT_RESOLVE_HOST, r.outcome.message);
    return finish(e, t, false);
  }
  const url = t.url!;
  t.connector = new TcpConnector(r.outcome.addresses, {
    port: url.port,
    noDelay: t.opts.num(CURLOPT.TCP_NODELAY) !== 0,
    discard: (tr) => e.discardTransport(tr),
    onTrying: (a) => e.trace(t, `  Trying ${a.family === 6 ? `[${a.address}]` : a.address}:${url.port}...`),
  }, now);
  t.resolution = null;
  setState(e, t, STATE.CONNECTING);
}

function stateConnecting(e: MultiEngine, t: Transfer, now: number): void {
  const c = t.connector!;
  const step = c.step(now);
  const he = c.nextTimeout();
  if (he !== undefined) e.expire(t, EXPIRE.HAPPY_EYEBALLS, he);
  else e.clearExpire(t, EXPIRE.HAPPY_EYEBALLS);
  if (step.kind === 'pending') return;
  t.connector = null;
  e.clearExpire(t, EXPIRE.HAPPY_EYEBALLS);
  if (step.kind === 'failed') {
    const url = t.url!;
    const ms = Math.floor(now - t.timing.start);
    t.fail(CURLE.COULDNT_CONNECT,
      `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: ${step.message === 'Connection refused' ? easyStrerror(CURLE.COULDNT_CONNECT) : step.message}`);
    return finish(e, t, false);
  }
  const conn = t.conn!;
  conn.adopt(step.transport);
  t.numConnects++;
  t.timing.connect = now;
  e.trace(t, `Connected to ${t.url!.host} (${conn.primaryIp}) port ${conn.primaryPort}`);
  if (t.url!.scheme === 'https') {
    // the TLS handshake is part of connecting: CONNECTTIMEOUT keeps running
    const url = t.url!;
    const r = startTls(step.transport, url.host, url.port, tlsConfig(t.opts), e.sessionCacheFor(t), (s) => e.trace(t, s));
    if (r.code !== 0) {
      t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
      return finish(e, t, false);
    }
    conn.tlsPending = true;
  } else {
    e.clearExpire(t, EXPIRE.CONNECTTIMEOUT);
  }
  setState(e, t, STATE.PROTOCONNECT);
}

/** PROTOCONNECT: finish what the connection needs before the first request (the TLS handshake). */
function stateProtoconnect(e: MultiEngine, t: Transfer, now: number): void {
  const conn = t.conn!;
  if (conn.tlsPending) {
    const tr = conn.transport!;
    const url = t.url!;
    const c = tlsConfig(t.opts);
    if (tr.error || (tr.eof && !tr.connected)) {
      const h = handshakeError(tr.error ?? new Error('Connection closed during the handshake'), url.host, url.port, c, e.sessionCacheFor(t));
      t.fail(h.code, h.message);
      return finish(e, t, false);
    }
    if (!tr.connected) return; // handshake in progress
    const v = finishTls(tr, url.host, c, (s) => e.trace(t, s));
    conn.tlsFacts = v.facts;
    if (v.code !== 0) {
      t.fail(v.code, 'message' in v ? v.message : easyStrerror(v.code));
      return finish(e, t, false);
    }
    conn.tlsPending = false;
    t.timing.appconnect = now;
    e.clearExpire(t, EXPIRE.CONNECTTIMEOUT);
  }
  setState(e, t, STATE.DO);
}

function stateDo(e: MultiEngine, t: Transfer, now: number): void {
  const conn = t.conn!;
  conn.uses++;
  t.timing.appconnect ||= 0;
  t.timing.pretransfer = now;
  t.exchange = new HttpExchange(t, conn, e.sink);
  const code = t.exchange.start();
  if (code !== CURLE.OK) {
    t.fail(code, code === CURLE.BAD_FUNCTION_ARGUMENT ? 'Header contains a line break' : easyStrerror(code));
    return finish(e, t, false);
  }
  setState(e, t, STATE.DID);
}

function statePerforming(e: MultiEngine, t: Transfer): void {
  const x = t.exchange!;
  if (t.heldBody.length > 0 || t.heldHeaders.length > 0) {
    // deliver what a paused write callback held back before reading more
    const r = e.flushHeld(t);
    if (r !== CURLE.OK) return finish(e, t, false);
    if (t.pauseBits & 1) return;
    const c = x.resume();
    if (c !== CURLE.OK) {
      t.fail(c, easyStrerror(c));
      return finish(e, t, false);
    }
  }
  const code = x.step();
  if (code === CURLE.OK && e.progress(t) !== CURLE.OK) {
    t.fail(CURLE.ABORTED_BY_CALLBACK, 'Callback aborted');
    return finish(e, t, false);
  }
  if (code !== CURLE.OK) {
    if (retryOnFreshConnection(e, t, code)) return;
    t.fail(code, easyStrerror(code));
    return finish(e, t, false);
  }
  if (x.done) finish(e, t, x.reusable);
}

const CONN_MAX_RETRIES = 5;

/**
 * libcurl's Curl_retry_request: a reused connection that died before any byte
 * of the response came back was most likely closed by the server while idle
 * ("bad luck"); the same request is sent again on a fresh connection. Not
 * for uploads from a read callback, which cannot be replayed.
 */
function retryOnFreshConnection(e: MultiEngine, t: Transfer, code: number): boolean {
  const conn = t.conn;
  if (!conn || conn.uses < 2 || t.exchange?.receivedAnything) return false;
  if (code !== CURLE.SEND_ERROR && code !== CURLE.RECV_ERROR && code !== CURLE.GOT_NOTHING) return false;
  if (t.opts.num(CURLOPT.UPLOAD) && t.opts.get(CURLOPT.READFUNCTION) !== null) return false;
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

/** Move to DONE; the connection's fate is decided there. */
function finish(e: MultiEngine, t: Transfer, reusable: boolean): void {
  if (t.conn) t.conn.reusable = reusable && t.result === CURLE.OK && !t.opts.num(CURLOPT.FORBID_REUSE);
  setState(e, t, STATE.DONE);
}

function stateDone(e: MultiEngine, t: Transfer): void {
  const now = performance.now();
  closeDecoding(t);
  if (t.result === CURLE.OK && (t.followLocation !== null || t.retryRequest)) {
    // this response only pointed elsewhere: release its connection and go again
    e.progress(t);
    const conn = t.conn;
    const keep = conn !== null && conn.reusable;
    e.releaseConnection(t);
    if (conn) e.trace(t, keep ? `Connection #${conn.id} to host ${conn.host} left intact` : `Closing connection #${conn.id}`);
    if (t.retryRequest) {
      // the same URL once more (authentication negotiation, FOLLOW_RETRY in libcurl): not a redirect
      t.retryRequest = false;
      t.followLocation = null;
      e.trace(t, `Issue another request to this URL: '${t.effectiveUrl}'`);
      resetForNextRequest(t);
      setState(e, t, STATE.CONNECT);
      return;
    }
    if (followRedirect(e, t, now)) return;
  }
  t.timing.total = now;
  e.clearAllExpiries(t);
  e.stopConnecting(t);
  e.progress(t, true);
  const conn = t.conn;
  const keep = conn !== null && conn.reusable && !t.connReleased;
  e.releaseConnection(t);
  if (conn && !t.connReleasedTraced) {
    t.connReleasedTraced = true;
    if (keep) e.trace(t, `Connection #${conn.id} to host ${conn.host} left intact`);
    else if (conn.transport) e.trace(t, `Closing connection #${conn.id}`);
  }
  setState(e, t, STATE.COMPLETED);
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
    t.fail(CURLE.URL_MALFORMAT, 'URL rejected: Malformed input to a URL function');
    return false;
  }
  const scheme = resolved.scheme;
  if (!redirProtocolAllowed(t.opts, scheme) || !SUPPORTED_SCHEMES.has(scheme) || !resolved.url) {
    const known = SUPPORTED_SCHEMES.has(scheme) || ['ftp', 'ftps'].includes(scheme);
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${scheme}" ${known ? 'disabled' : 'not supported'} (in redirect)`);
    return false;
  }
  const next = resolved.url;
  t.redirectCount++;
  if (switchesToGet(t.responseCode, t.effectiveMethod, t.opts)) {
    t.forceGet = true;
    e.trace(t, t.responseCode === 303 ? `Switch to ${t.opts.num(CURLOPT.NOBODY) ? 'HEAD' : 'GET'}` : 'Switch from POST to GET');
  }
  if (t.opts.num(CURLOPT.AUTOREFERER)) {
    // the previous URL without credentials or fragment, as libcurl sends it
    const h = from.handle.dup();
    h.set(CURLUPART.USER, null);
    h.set(CURLUPART.PASSWORD, null);
    h.set(CURLUPART.FRAGMENT, null);
    t.autoReferer = h.get(CURLUPART.URL).value ?? null;
  }
  e.trace(t, `Issue another request to this URL: '${next.href}'`);
  t.url = next;
  t.effectiveUrl = next.href;
  t.timing.redirect = now - t.timing.start;
  resetForNextRequest(t);
  setState(e, t, STATE.CONNECT);
  return true;
}

/** A new request of the same transfer: per-request facts start over. */
function resetForNextRequest(t: Transfer): void {
  t.exchange = null;
  t.conn = null;
  t.connReleased = false;
  t.connReleasedTraced = false;
  t.responseCode = 0;
  t.contentLength = -1;
  t.contentType = null;
  t.redirectUrl = null;
  t.sizeDownload = 0;
  t.sizeDelivered = 0;
  closeDecoding(t);
}
