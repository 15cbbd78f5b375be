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
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { Connection, connectionKey, type ConnectionRoute } from '../conn/connection.js';
import { resolveHost } from '../dns/resolver.js';
import { TcpConnector } from '../cf/tcp-connector.js';
import { UnixConnector } from '../cf/unix-connector.js';
import { localBind } from '../cf/local-bind.js';
import { connectTarget } from '../conn/connect-to.js';
import { loadResolveList } from '../dns/resolve-list.js';
import { internalsOf } from '../easy/internals.js';
import { closeConnectOnly } from '../easy/connect-only.js';
import { tlsKey as tlsKeyFor, tlsKeyOf } from '../cf/tls-connect.js';
import { proxyTlsConfig } from '../vtls/tls-config.js';
import { CURLPAUSE, CURLPROXY } from '../constants.js';
import { parseUrlCached } from './url-adapter.js';
import { handlerFor, SUPPORTED_SCHEMES } from '../proto/registry.js';
import { PROTOPT, type ProtocolHandler } from '../proto/handler.js';
import { CURLUPART } from '../url/url-codes.js';
import { maxRedirsError, redirProtocolAllowed, resolveLocation, switchesToGet } from '../proto/redirect.js';
import { EXPIRE, STATE, PROGRESS_INTERVAL_MS, type Transfer, type TransferState } from './transfer.js';
import { firstHop, proxyRoute } from '../proxy/proxy-config.js';
import { connectChain } from './connect-chain.js';
import { closeDecoding } from '../proto/http-response.js';
import type { MultiEngine } from './engine.js';
import { nowMs } from '../util/clock.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;

export function setState(e: MultiEngine, t: Transfer, next: TransferState): void {
  if (t.state === next) return;
  e.traceState(t, t.state, next);
  t.state = next;
}

function timeoutMs(t: Transfer): number {
  return t.opts.hot().timeoutMs;
}
function connectTimeoutMs(t: Transfer): number {
  return t.opts.hot().connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS;
}

/** libcurl's multi_handle_timeout(): fail the transfer if a deadline passed. */
function checkTimeouts(e: MultiEngine, t: Transfer, now: number): boolean {
  const total = timeoutMs(t);
  const elapsed = Math.floor(now - t.timing.start);
  const connecting = t.state === STATE.CONNECT || t.state === STATE.RESOLVING || t.state === STATE.CONNECTING ||
    t.state === STATE.PENDING || t.state === STATE.TUNNELING || t.state === STATE.PROTOCONNECT;
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
      case STATE.CONNECT: statePendingOrConnect(e, t, now); break;
      case STATE.PENDING: statePendingOrConnect(e, t, now); break;
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
    if (t.state === before) {
      // a callback threw in this step: the next pass ends the transfer
      if (t.callbackFailure && t.state !== STATE.DONE) continue;
      // a progress callback that aborts an idle transfer finishes it now
      if (idleProgress(e, t)) continue;
      return;
    }
  }
}

/**
 * A callback threw (src/multi/callback-failure.ts): the transfer fails with
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
  if (!setupHandler(t, handlerFor(r.url.scheme)!)) return finish(e, t, false);
  t.speed.reset(now);
  if (!loadResolve(e, t, now)) return finish(e, t, false);
  const total = timeoutMs(t);
  if (total > 0) e.expire(t, EXPIRE.TIMEOUT, now + total);
  setState(e, t, STATE.CONNECT);
}

/** The handler of the request's URL, and its per-request setup (libcurl's setup_connection). */
function setupHandler(t: Transfer, h: ProtocolHandler): boolean {
  t.handler = h;
  const failure = h.setup?.(t) ?? null;
  if (failure) t.fail(failure.code, failure.message);
  return failure === null;
}

/**
 * Curl_loadhostpairs at the start of a transfer: a CURLOPT_RESOLVE list set
 * since the last load goes into the DNS cache the transfer uses.
 */
function loadResolve(e: MultiEngine, t: Transfer, now: number): boolean {
  const i = internalsOf(t.easy);
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

/** CURLOPT_UNIX_SOCKET_PATH or ABSTRACT_UNIX_SOCKET (one storage in libcurl: the last set wins). */
function unixSocketOf(t: Transfer): { path: string; abstract: boolean } | null {
  const path = t.opts.str(CURLOPT.UNIX_SOCKET_PATH);
  if (path !== null) return { path, abstract: false };
  const abs = t.opts.str(CURLOPT.ABSTRACT_UNIX_SOCKET);
  return abs !== null ? { path: abs, abstract: true } : null;
}

/** The route of a request that goes where its URL says (never modified). */
const DIRECT: ConnectionRoute = Object.freeze({});

/**
 * Where this request's socket goes: a Unix socket, or CONNECT_TO's host and
 * port (dropped when equal to the URL's, as libcurl's create_conn does).
 */
function routeOf(e: MultiEngine, t: Transfer): ConnectionRoute | null {
  const url = t.url!;
  const unix = unixSocketOf(t);
  if (unix) return { unixPath: unix.path, abstractUnix: unix.abstract };
  const list = t.opts.get(CURLOPT.CONNECT_TO) as string[] | null;
  if (list === null) return DIRECT;
  const r = connectTarget(list, url.host, url.port, url.ipv6);
  if (r.code !== 0 || !('target' in r)) {
    t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
    return null;
  }
  for (const line of r.info) e.trace(t, line);
  const route: ConnectionRoute = {};
  if (r.target.host !== null && r.target.host.toLowerCase() !== url.host.toLowerCase()) route.connectHost = r.target.host;
  if (r.target.port !== null && r.target.port !== url.port) route.connectPort = r.target.port;
  return route;
}

/** libcurl's conn_maxage(): an idle connection too old to be trusted is closed, not reused. */
function tooOld(e: MultiEngine, t: Transfer, now: number): (c: Connection) => boolean {
  const maxAge = t.opts.num(CURLOPT.MAXAGE_CONN);
  const maxLife = t.opts.num(CURLOPT.MAXLIFETIME_CONN);
  return (c) => {
    const idle = Math.floor((now - c.idleSince) / 1000);
    if (idle > maxAge) {
      e.trace(t, `Too old connection (${idle} seconds idle), disconnect it`);
      return true;
    }
    const life = Math.floor((now - c.createdAt) / 1000);
    if (maxLife && life > maxLife) {
      e.trace(t, `Too old connection (${life} seconds since creation), disconnect it`);
      return true;
    }
    return false;
  };
}

/** CONNECT: reuse a pooled connection, wait for a slot (PENDING), or open a new one. */
function statePendingOrConnect(e: MultiEngine, t: Transfer, now: number): void {
  const url = t.url!;
  if (t.state === STATE.CONNECT || !t.route) {
    t.route = routeOf(e, t);
    if (!t.route) return finish(e, t, false);
  }
  if (t.state === STATE.CONNECT) {
    // which proxies, if any (CURLOPT_PROXY, the environment, NOPROXY): decided per request, as libcurl does
    const r = proxyRoute(t.opts, url.scheme, url.host);
    for (const line of r.info) e.trace(t, line);
    if (r.code !== 0) {
      t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
      return finish(e, t, false);
    }
    // a Unix domain socket is local: the transfer goes to it, not to a proxy
    t.proxy = 'route' in r && t.route.unixPath === undefined ? r.route : null;
  }
  const handler = t.handler!;
  if (handler.flags & PROTOPT.NONETWORK) {
    // the handler does its own I/O (file:): a connection without a socket, never pooled
    t.conn = new Connection(url.scheme, url.host, url.port, '', t.route, null);
    t.timing.namelookup = t.timing.connect = now;
    return setState(e, t, STATE.DO);
  }
  // TLS settings keep otherwise equal connections apart: the origin's, and an HTTPS proxy's
  let tlsKey = handler.flags & PROTOPT.SSL ? tlsKeyOf(t.opts) : '';
  if (t.proxy?.http?.type === CURLPROXY.HTTPS) tlsKey += `|proxy${tlsKeyFor(proxyTlsConfig(t.opts))}`;
  if (!t.opts.hot().freshConnect && !(handler.flags & PROTOPT.NOREUSE) && t.opts.num(CURLOPT.CONNECT_ONLY) === 0) {
    const key = connectionKey(url.scheme, url.host, url.port, tlsKey, t.route, t.proxy);
    const reuse = e.poolFor(t).take(key, tooOld(e, t, now));
    if (reuse) {
      e.reuseConnection(reuse);
      t.conn = reuse;
      if (t.opts.hot().verbose) {
        e.trace(t, `Re-using existing connection #${reuse.id} with ${reuse.proxy ? 'proxy' : 'host'} ${reuse.displayHost}`);
      }
      e.removePending(t);
      t.timing.namelookup = t.timing.connect = now;
      return setState(e, t, STATE.DO);
    }
  }
  const probe = new Connection(url.scheme, url.host, url.port, tlsKey, t.route, t.proxy);
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
  const unix = t.route.unixPath;
  if (unix !== undefined) {
    // nothing to resolve: the socket path is the address
    t.timing.namelookup = now;
    const c = new UnixConnector({ path: unix, abstract: !!t.route.abstractUnix },
      (tr) => e.discardTransport(tr), (text) => e.trace(t, text));
    probe.primaryIp = c.printable;
    t.connector = c;
    return setState(e, t, STATE.CONNECTING);
  }
  const wildcard = internalsOf(t.easy)?.wildcardResolve ?? false;
  const hop = firstHopOf(t);
  t.resolution = resolveHost(hop.host, hop.port, {
    ipresolve: t.opts.num(CURLOPT.IPRESOLVE),
    cacheSeconds: t.opts.num(CURLOPT.DNS_CACHE_TIMEOUT),
    servers: t.opts.str(CURLOPT.DNS_SERVERS),
    wildcard,
    trace: (text) => e.trace(t, text),
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
    if (t.proxy) t.fail(CURLE.COULDNT_RESOLVE_PROXY, `Could not resolve proxy: ${firstHopOf(t).host}`);
    else t.fail(CURLE.COULDNT_RESOLVE_HOST, r.outcome.message);
    return finish(e, t, false);
  }
  t.firstHopAddresses = r.outcome.addresses;
  t.resolution = null;
  startConnector(e, t, now);
}

/** Where the TCP connection goes: the first proxy, or the origin (CONNECT_TO's target if set). */
function firstHopOf(t: Transfer): { host: string; port: number } {
  return t.proxy ? firstHop(t.proxy) : { host: t.conn!.connectHost, port: t.conn!.connectPort };
}

function startConnector(e: MultiEngine, t: Transfer, now: number): void {
  const port = firstHopOf(t).port;
  const keepAlive = t.opts.num(CURLOPT.TCP_KEEPALIVE) !== 0;
  t.connector = new TcpConnector(t.firstHopAddresses!, {
    port,
    bind: localBind(t.opts.str(CURLOPT.INTERFACE), t.opts.num(CURLOPT.LOCALPORT), t.opts.num(CURLOPT.LOCALPORTRANGE)),
    noDelay: t.opts.num(CURLOPT.TCP_NODELAY) !== 0,
    keepAliveIdle: keepAlive ? t.opts.num(CURLOPT.TCP_KEEPIDLE) : null,
    discard: (tr) => e.discardTransport(tr),
    trace: (text) => e.trace(t, text),
    onFail: (message) => t.fail(CURLE.INTERFACE_FAILED, message),
    onTrying: (a) => e.trace(t, `  Trying ${a.family === 6 ? `[${a.address}]` : a.address}:${port}...`),
  }, now);
  setState(e, t, STATE.CONNECTING);
}

function stateConnecting(e: MultiEngine, t: Transfer, now: number): void {
  if (t.connector) {
    // the socket filter: TCP with happy eyeballs, or a Unix socket
    const c = t.connector;
    const step = c.step(now);
    const he = c.nextTimeout();
    if (he !== undefined) e.expire(t, EXPIRE.HAPPY_EYEBALLS, he);
    else e.clearExpire(t, EXPIRE.HAPPY_EYEBALLS);
    if (step.kind === 'pending') return;
    t.connector = null;
    e.clearExpire(t, EXPIRE.HAPPY_EYEBALLS);
    const conn = t.conn!;
    if (step.kind === 'failed') {
      t.osErrno = step.errno ?? 0;
      const ms = Math.floor(now - t.timing.start);
      const code = step.code ?? CURLE.COULDNT_CONNECT;
      const hop = firstHopOf(t);
      // a Unix socket is named by the URL's host in this message, as libcurl does
      const host = conn.route.unixPath !== undefined ? t.url!.host : hop.host;
      const why = code !== CURLE.COULDNT_CONNECT || step.message === 'Connection refused' ? easyStrerror(code) : step.message;
      t.fail(code, `Failed to connect to ${host} port ${hop.port} after ${ms} ms: ${why}`);
      return finish(e, t, false);
    }
    const unixName = conn.route.unixPath !== undefined ? conn.primaryIp : null;
    conn.adopt(step.transport);
    if (unixName !== null) {
      // libcurl reports the socket path as the "IP" of a Unix socket connection, and port 0
      conn.primaryIp = unixName;
      conn.primaryPort = 0;
    }
    t.numConnects++;
    t.timing.connect = now;
    // curl 7.88 names the URL's host (a proxy's when there is one) and the port it connected to
    const shown = t.proxy ? firstHopOf(t) : { host: t.url!.host, port: conn.connectPort };
    e.trace(t, `Connected to ${shown.host} (${conn.primaryIp}) port ${shown.port} (#${conn.id})`);
    t.filters = connectChain(e, t);
  }
  // the filters above the socket: tunnels through proxies, TLS
  const chain = t.filters!;
  const step = chain.connect(now);
  if (step.kind === 'pending') return;
  const conn = t.conn!;
  // what the handshakes found, also when one failed (CURLINFO_SSL_VERIFYRESULT tells why)
  conn.tlsFacts = chain.queryFilter('TLS', 'tls') ?? null;
  conn.proxyTlsFacts = chain.queryFilter('TLS-PROXY', 'tls') ?? null;
  if (step.kind === 'failed') {
    t.fail(step.code, step.message);
    return finish(e, t, false);
  }
  if (step.kind === 'reconnect') {
    // the proxy closed after a 407 we can answer: a new connection to it, the same addresses
    if (conn.transport) e.discardTransport(conn.transport);
    conn.transport = null;
    t.filters = null;
    startConnector(e, t, now);
    return stateConnecting(e, t, now);
  }
  t.filters = null;
  conn.alpn = chain.queryFilter('TLS', 'alpn') ?? '';
  // the TLS handshake with the origin is what CURLINFO_APPCONNECT_TIME measures
  if (conn.tlsFacts) t.timing.appconnect = now;
  e.clearExpire(t, EXPIRE.CONNECTTIMEOUT);
  setState(e, t, STATE.PROTOCONNECT);
}

/** PROTOCONNECT: what the protocol does once per new connection before its first request (libcurl's connect_it). */
function stateProtoconnect(e: MultiEngine, t: Transfer, _now: number): void {
  if (connectOnly(t)) {
    // CONNECT_ONLY: the transfer ends here; the connection stays for easy.send()/recv()
    t.conn!.connectOnly = true;
    return finish(e, t, true);
  }
  setState(e, t, STATE.DO);
}

/**
 * CURLOPT_CONNECT_ONLY asks to stop once connected: 1 always, 2 for
 * protocols without an upgrade step of their own (WebSocket does its
 * upgrade first, then stops).
 */
function connectOnly(t: Transfer): boolean {
  const v = t.opts.num(CURLOPT.CONNECT_ONLY);
  return v === 1 || (v === 2 && !t.handler!.upgradeConnectOnly);
}

function stateDo(e: MultiEngine, t: Transfer, now: number): void {
  const conn = t.conn!;
  conn.uses++;
  t.timing.appconnect ||= 0;
  t.timing.pretransfer = now;
  t.request = t.handler!.request(t, conn, e.sink);
  const code = t.request.start();
  if (code !== CURLE.OK) {
    // a request that said why already (libcurl's failf) is not failed again: that would echo a second line with VERBOSE
    if (t.result === CURLE.OK) t.fail(code, code === CURLE.BAD_FUNCTION_ARGUMENT ? 'Header contains a line break' : easyStrerror(code));
    return finish(e, t, false);
  }
  syncWakeAt(e, t);
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
  if (!(t.pauseBits & CURLPAUSE.RECV) && (t.heldBody.length > 0 || t.heldHeaders.length > 0 || t.resumeAfterPause)) {
    // unpaused: deliver what a paused write callback held back before reading more
    t.resumeAfterPause = false;
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
  if (code === CURLE.OK && e.progress(t) !== CURLE.OK) return finish(e, t, false);
  if (code === CURLE.OK && !x.done && !speedCheck(e, t, nowMs())) return finish(e, t, false);
  if (code !== CURLE.OK) {
    if (retryOnFreshConnection(e, t, code)) return;
    if (t.result === CURLE.OK) t.fail(code, easyStrerror(code));
    return finish(e, t, false);
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

/** Move to DONE; the connection's fate is decided there. */
function finish(e: MultiEngine, t: Transfer, reusable: boolean): void {
  if (t.conn) t.conn.reusable = reusable && t.result === CURLE.OK && !t.opts.hot().forbidReuse;
  setState(e, t, STATE.DONE);
}

function stateDone(e: MultiEngine, t: Transfer): void {
  const now = nowMs();
  // whatever the request still holds besides the connection (file:'s descriptor)
  t.request?.abort?.();
  closeDecoding(t);
  // (a progress callback that aborts here ends the transfer instead)
  if (t.result === CURLE.OK && (t.followLocation !== null || t.retryRequest) && e.progress(t) === CURLE.OK) {
    // this response only pointed elsewhere: release its connection and go again
    const conn = t.conn;
    const keep = conn !== null && conn.reusable;
    e.releaseConnection(t);
    if (conn) e.trace(t, keep ? `Connection #${conn.id} to host ${conn.displayHost} left intact` : `Closing connection ${conn.id}`);
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
  // libcurl's multi_done: no last progress call after the callback itself aborted; this one may abort
  if (t.result !== CURLE.ABORTED_BY_CALLBACK) e.progress(t, true);
  const conn = t.conn;
  // failed after the response was complete (that last call, a callback that threw): not for reuse, as multi_done's "premature"
  if (conn && t.result !== CURLE.OK) conn.reusable = false;
  const keep = conn !== null && conn.reusable && !t.connReleased;
  e.releaseConnection(t);
  if (conn && !t.connReleasedTraced) {
    t.connReleasedTraced = true;
    if (keep) e.trace(t, `Connection #${conn.id} to host ${conn.displayHost} left intact`);
    else e.trace(t, `Closing connection ${conn.id}`);
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
  if (!redirProtocolAllowed(t.opts, scheme) || !SUPPORTED_SCHEMES.has(scheme) || (!resolved.url && !resolved.failure)) {
    const known = SUPPORTED_SCHEMES.has(scheme) || ['ftp', 'ftps'].includes(scheme);
    t.fail(CURLE.UNSUPPORTED_PROTOCOL, `Protocol "${scheme}" ${known ? 'disabled' : 'not supported'} (in redirect)`);
    return false;
  }
  if (!resolved.url) {
    // a URL of a scheme we transfer that is still unusable (a host name IDNA refuses)
    t.fail(resolved.failure!.code, resolved.failure!.message);
    return false;
  }
  const next = resolved.url;
  if (!setupHandler(t, handlerFor(scheme)!)) return false;
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
  closeDecoding(t);
}
