// The states that get a transfer a connection (libcurl's multi_runsingle
// CONNECT, RESOLVING, CONNECTING and PROTOCONNECT): a connection from the
// pool (src/multi/reuse.ts decides which, or that the transfer waits in
// PENDING, src/multi/pending.ts), or the name lookup of the first hop, the
// socket, then the connection's filter chain (src/multi/connect-chain.ts),
// then the protocol's own connect step. CONNECT_ONLY transfers end after it.
import { CURLE, easyStrerror } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { Connection, connectionKey, hostKeyOf, type ConnectionRoute } from '../conn/connection.js';
import { MULTIUSE } from '../conn/bundle.js';
import { resolveHost } from '../dns/resolver.js';
import { TcpConnector } from '../cf/tcp-connector.js';
import { UnixConnector } from '../cf/unix-connector.js';
import { UdpConnector } from '../cf/udp-connector.js';
import { FilterChain } from '../cf/filter.js';
import { localBind } from '../cf/local-bind.js';
import { connectTarget } from '../conn/connect-to.js';
import { internalsOf } from '../easy/internals.js';
import { tlsKey as tlsKeyFor, tlsKeyOf } from '../cf/tls-connect.js';
import { proxyTlsConfig } from '../vtls/tls-config.js';
import { CURLPROXY } from '../constants.js';
import { PROTOPT } from '../proto/handler.js';
import { altSvcRoute, hstsUpgrade } from '../proto/hsts-altsvc.js';
import { EXPIRE, STATE, type Transfer } from './transfer.js';
import { firstHop, proxyRoute } from '../proxy/proxy-config.js';
import { connectChain } from './connect-chain.js';
import { offerPush } from './push.js';
import type { H2Stream } from '../h2/session.js';
import type { MultiEngine } from './engine.js';
import { setState, finish, connectTimeoutMs, setupHandler } from './state-common.js';
import { WAIT, admitNewConnection, findConnection, pruneDeadConnections } from './reuse.js';

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
  // no CONNECT_TO entry for this origin: an alt-svc alternative may say where to go
  if (list === null) return altSvcRoute(t, (text) => e.trace(t, text)) ?? DIRECT;
  const r = connectTarget(list, url.host, url.port, url.ipv6);
  if (r.code !== 0 || !('target' in r)) {
    t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
    return null;
  }
  for (const line of r.info) e.trace(t, line);
  if (r.target.host === null && r.target.port === null) return altSvcRoute(t, (text) => e.trace(t, text)) ?? DIRECT;
  const route: ConnectionRoute = {};
  if (r.target.host !== null && r.target.host.toLowerCase() !== url.host.toLowerCase()) route.connectHost = r.target.host;
  if (r.target.port !== null && r.target.port !== url.port) route.connectPort = r.target.port;
  return route;
}

/**
 * CONNECT: reuse a pooled connection, wait for one (PENDING), or open a new
 * one. A transfer that waited before wakes the next waiting one once it got
 * past this, as libcurl's multi_runsingle does after Curl_connect().
 */
export function stateConnect(e: MultiEngine, t: Transfer, now: number): void {
  connectOrWait(e, t, now);
  if (t.previouslyPending && t.state !== STATE.PENDING) {
    e.trace(t, 'Transfer was pending, now try another');
    e.pending.wakeFirst(e);
  }
}

function connectOrWait(e: MultiEngine, t: Transfer, now: number): void {
  if (t.pushed !== null) {
    // an accepted server push: its response comes on the connection it was promised on
    const conn = t.pushed.conn;
    conn.users++;
    t.conn = conn;
    t.timing.namelookup = t.timing.connect = now;
    return setState(e, t, STATE.DO);
  }
  // HSTS: an http:// URL of a known HSTS host goes to https:// before anything else (libcurl's create_conn)
  const hsts = hstsUpgrade(t, (text) => e.trace(t, text));
  if (hsts === 'failed' || (hsts === 'upgraded' && !setupHandler(t, t.handler!))) return finish(e, t, false);
  const url = t.url!;
  t.route = routeOf(e, t);
  if (!t.route) return finish(e, t, false);
  // which proxies, if any (CURLOPT_PROXY, the environment, NOPROXY): decided per request, as libcurl does
  const r = proxyRoute(t.opts, url.scheme, url.host);
  for (const line of r.info) e.trace(t, line);
  if (r.code !== 0) {
    t.fail(r.code, 'message' in r ? r.message : easyStrerror(r.code));
    return finish(e, t, false);
  }
  // a Unix domain socket is local: the transfer goes to it, not to a proxy; no proxy carries UDP datagrams (TFTP)
  t.proxy = 'route' in r && t.route.unixPath === undefined && !(t.handler!.flags & PROTOPT.UDP) ? r.route : null;
  const handler = t.handler!;
  if (handler.flags & PROTOPT.NONETWORK) {
    // the handler does its own I/O (file:): a connection without a socket, never pooled,
    // but numbered by the cache as libcurl adds it there ("Closing connection 0")
    t.conn = new Connection(url.scheme, url.host, url.port, '', t.route, null);
    e.poolFor(t).number(t.conn);
    t.timing.namelookup = t.timing.connect = now;
    return setState(e, t, STATE.DO);
  }
  // TLS settings keep otherwise equal connections apart: the origin's, and an HTTPS proxy's
  let tlsKey = handler.flags & PROTOPT.SSL ? tlsKeyOf(t.opts) : '';
  if (t.proxy?.http?.type === CURLPROXY.HTTPS) tlsKey += `|proxy${tlsKeyFor(proxyTlsConfig(t.opts))}`;
  pruneDeadConnections(e, t, now);
  let wait = false;
  // FRESH_CONNECT holds for the transfer's first request, not for a redirect or another round of authentication
  if ((!t.opts.hot().freshConnect || t.isFollow) && !(handler.flags & PROTOPT.NOREUSE) && t.opts.num(CURLOPT.CONNECT_ONLY) === 0) {
    const found = findConnection(e, t, connectionKey(url.scheme, url.host, url.port, tlsKey, t.route, t.proxy), now);
    if (found === WAIT) wait = true;
    else if (found) {
      e.reuseConnection(found);
      found.users++;
      t.conn = found;
      if (t.opts.hot().verbose) {
        e.trace(t, `Re-using existing connection #${found.id} with ${found.proxy ? 'proxy' : 'host'} ${found.displayHost}`);
      }
      t.timing.namelookup = t.timing.connect = now;
      return setState(e, t, STATE.DO);
    }
  }
  if (wait || !admitNewConnection(e, t, hostKeyOf(url.host, url.port, t.route, t.proxy))) {
    // libcurl's CURLE_NO_CONNECTION_AVAILABLE: to the back of the queue, until woken (src/multi/pending.ts)
    e.trace(t, 'No connections available.');
    e.pending.add(t);
    return setState(e, t, STATE.PENDING);
  }
  // made only now: a connection's number is taken when it joins the pool, as libcurl's connection_id
  const probe = new Connection(url.scheme, url.host, url.port, tlsKey, t.route, t.proxy);
  e.poolFor(t).opened(probe);
  probe.users = 1;
  t.conn = probe;
  handler.newConnection?.(t, (text) => e.trace(t, text));
  e.expire(t, EXPIRE.CONNECTTIMEOUT, now + connectTimeoutMs(t));
  const unix = t.route.unixPath;
  if (unix !== undefined && !(handler.flags & PROTOPT.UDP)) {
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

export function stateResolving(e: MultiEngine, t: Transfer, now: number): void {
  const r = t.resolution!;
  if (!r.outcome) return; // still waiting for the lookup's signal
  if (r.signal) e.discardTransport(r.signal);
  r.signal = null;
  t.timing.namelookup = now;
  if (!r.outcome.ok) {
    // an address literal of a family IPRESOLVE rules out: curl 7.88 resolves it, tries nothing and fails to connect
    if (r.outcome.wrongFamily) t.fail(CURLE.COULDNT_CONNECT, '');
    else if (t.proxy) t.fail(CURLE.COULDNT_RESOLVE_PROXY, `Could not resolve proxy: ${firstHopOf(t).host}`);
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
  if (t.handler!.flags & PROTOPT.UDP) {
    // a datagram socket: bound, not connected (libcurl's cf-socket for TRNSPRT_UDP)
    t.connector = new UdpConnector(t.firstHopAddresses!, {
      port,
      bind: localBind(t.opts.str(CURLOPT.INTERFACE), t.opts.num(CURLOPT.LOCALPORT), t.opts.num(CURLOPT.LOCALPORTRANGE)),
      trace: (text) => e.trace(t, text),
      discard: (tr) => e.discardTransport(tr),
      onTrying: (a) => e.trace(t, `  Trying ${a.family === 6 ? `[${a.address}]` : a.address}:${port}...`),
    });
    return setState(e, t, STATE.CONNECTING);
  }
  const keepAlive = t.opts.num(CURLOPT.TCP_KEEPALIVE) !== 0;
  t.connector = new TcpConnector(t.firstHopAddresses!, {
    port,
    bind: localBind(t.opts.str(CURLOPT.INTERFACE), t.opts.num(CURLOPT.LOCALPORT), t.opts.num(CURLOPT.LOCALPORTRANGE)),
    noDelay: t.opts.num(CURLOPT.TCP_NODELAY) !== 0,
    happyEyeballsMs: t.opts.num(CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS),
    keepAliveIdle: keepAlive ? t.opts.num(CURLOPT.TCP_KEEPIDLE) : null,
    discard: (tr) => e.discardTransport(tr),
    trace: (text) => e.trace(t, text),
    onFail: (message) => t.fail(CURLE.INTERFACE_FAILED, message),
    onTrying: (a) => e.trace(t, `  Trying ${a.family === 6 ? `[${a.address}]` : a.address}:${port}...`),
  }, now);
  setState(e, t, STATE.CONNECTING);
}

export function stateConnecting(e: MultiEngine, t: Transfer, now: number): void {
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
    if ('datagram' in step) {
      // UDP: nothing above the socket (no proxy, no TLS)
      conn.adoptDatagram(step.datagram, step.remote);
      t.numConnects++;
      t.timing.connect = now;
      e.trace(t, `Connected to ${t.url!.host} (${conn.primaryIp}) port ${conn.primaryPort} (#${conn.id})`);
      t.filters = new FilterChain([]);
      return stateConnecting(e, t, now);
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
    t.tunnelResumed = true;
    startConnector(e, t, now);
    return stateConnecting(e, t, now);
  }
  t.filters = null;
  conn.alpn = chain.queryFilter('TLS', 'alpn') ?? '';
  // the TLS handshake with the origin is what CURLINFO_APPCONNECT_TIME measures
  if (conn.tlsFacts) t.timing.appconnect = now;
  // CONNECTTIMEOUT stays until DO: a protocol that logs in in its request keeps it until logged in
  setState(e, t, STATE.PROTOCONNECT);
}

/** PROTOCONNECT: what the protocol does once per new connection before its first request (libcurl's connect_it). */
export function stateProtoconnect(e: MultiEngine, t: Transfer, _now: number): void {
  const conn = t.conn!;
  const push = e.mux.pushFn !== null ? (parent: Transfer, st: H2Stream, h: [string, string][]) => offerPush(e, parent, conn, st, h) : null;
  const failure = t.handler!.connected?.(t, conn, (text) => e.trace(t, text), push) ?? null;
  if (conn.h2 !== null && e.mux.multiplex) e.poolFor(t).multiplexes(conn);
  if (conn.bundle !== null && t.handler!.multiplexKnownAtConnect?.(t)) {
    // ALPN or prior knowledge told whether the server multiplexes: its bundle knows, and the
    // first transfer waiting for a connection looks again (libcurl's Curl_multiuse_state)
    conn.bundle.multiuse = conn.h2 !== null ? MULTIUSE.MULTIPLEX : MULTIUSE.NO;
    e.pending.wakeFirst(e);
  }
  if (failure) {
    t.fail(failure.code, failure.message);
    return finish(e, t, false);
  }
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
