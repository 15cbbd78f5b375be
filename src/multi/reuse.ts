// Which connection a transfer's request goes on, as libcurl 7.88 decides
// (url.c's ConnectionExists() and the limits in create_conn()), with its
// verbose lines:
//  - the bundle of the request's host and port (src/conn/bundle.ts) is
//    looked up: "Found bundle for host: %p [serially|can multiplex]";
//  - a request that could multiplex (HTTP, HTTP_VERSION 2 or more, the
//    multi's CURLPIPE_MULTIPLEX) waits with CURLOPT_PIPEWAIT while the
//    bundle does not know whether the server multiplexes ("Server doesn't
//    support multiplex yet, wait"); without PIPEWAIT, or when the server
//    does not multiplex, it goes on as one that cannot;
//  - a multiplexing connection with a free stream serves it, busy or not;
//    else an idle one of the same kind (most recently used first);
//  - a new connection must fit MAX_HOST_CONNECTIONS and
//    MAX_TOTAL_CONNECTIONS (an idle one is closed to make room if it helps).
// A bundle learns whether its server multiplexes when a connection finds out
// (ALPN or prior knowledge at connect, else the first response's version).
// Lines are made only with CURLOPT_VERBOSE: without it the lookup costs what
// it did before bundles (map lookups, the candidate check's closure).
import { CURLOPT } from '../easy/option-table.js';
import { hostKeyOf, type Connection } from '../conn/connection.js';
import { MULTIUSE } from '../conn/bundle.js';
import { LIMIT } from '../conn/pool.js';
import type { MultiEngine } from './engine.js';
import type { Transfer } from './transfer.js';

/** findConnection()'s answer when the transfer waits for its bundle to learn about multiplexing. */
export const WAIT = 'wait';

/** libcurl's default and floor of CURLMOPT_MAX_CONCURRENT_STREAMS. */
const DEFAULT_MAX_STREAMS = 100;

/**
 * A connection in the transfer's pool that its request may go on (pool key
 * `key`), null when there is none, or WAIT (PIPEWAIT: the bundle does not
 * know yet whether its server multiplexes).
 */
export function findConnection(e: MultiEngine, t: Transfer, key: string, now: number): Connection | null | typeof WAIT {
  const pool = e.poolFor(t);
  const verbose = t.opts.hot().verbose;
  let bundle = pool.bundleOfKey(key);
  const pipewait = t.opts.num(CURLOPT.PIPEWAIT) !== 0;
  // none of this key: the host's bundle may still hold others (another scheme, other TLS settings)
  if (!bundle && (verbose || pipewait)) bundle = pool.bundleOfHost(hostKeyOf(t.url!.host, t.url!.port, t.route!, t.proxy));
  if (!bundle) return null;
  if (verbose) e.trace(t, `Found bundle for host: ${bundle.pointer} [${bundle.multiuseText}]`);
  let multiplex = e.mux.multiplex && t.handler!.wantsMultiplex?.(t) === true;
  if (multiplex && bundle.multiuse === MULTIUSE.UNKNOWN) {
    if (pipewait) {
      if (verbose) e.trace(t, "Server doesn't support multiplex yet, wait");
      return WAIT;
    }
    if (verbose) e.trace(t, "Server doesn't support multiplex (yet)");
    multiplex = false;
  } else if (multiplex && bundle.multiuse === MULTIUSE.NO) {
    if (verbose) e.trace(t, 'Can not multiplex, even if we wanted to');
    multiplex = false;
  }
  if (multiplex) {
    // the bundle knows its server multiplexes
    const max = e.mux.maxConcurrentStreams > 0 ? e.mux.maxConcurrentStreams : DEFAULT_MAX_STREAMS;
    const c = pool.takeMultiplex(key, max, verbose ? skippedFor(e, t) : undefined);
    if (c) {
      if (verbose && c.users > 0) e.trace(t, 'Multiplexed connection found');
      return c;
    }
  }
  return pool.take(key, deadFor(e, t, now), t.handler!.connectionFit?.(t), closedFor(e, t)) ?? null;
}

/** curl's lines for a busy multiplexing connection at its stream limit. */
function skippedFor(e: MultiEngine, t: Transfer): (c: Connection, clientSide: boolean) => void {
  return (c, clientSide) => e.trace(t, `${clientSide ? 'client side ' : ''}MAX_CONCURRENT_STREAMS reached, skip (${c.users})`);
}

/**
 * libcurl's extract_if_dead for an idle connection: too old to be trusted
 * (conn_maxage: CURLOPT_MAXAGE_CONN, MAXLIFETIME_CONN), or its peer closed
 * it. With curl's lines.
 */
function deadFor(e: MultiEngine, t: Transfer, now: number): (c: Connection) => boolean {
  const maxAge = t.opts.num(CURLOPT.MAXAGE_CONN);
  const maxLife = t.opts.num(CURLOPT.MAXLIFETIME_CONN);
  return (c) => {
    let dead = false;
    const idle = Math.floor((now - c.idleSince) / 1000);
    const life = Math.floor((now - c.createdAt) / 1000);
    if (idle > maxAge) {
      e.trace(t, `Too old connection (${idle} seconds idle), disconnect it`);
      dead = true;
    } else if (maxLife && life > maxLife) {
      e.trace(t, `Too old connection (${life} seconds since creation), disconnect it`);
      dead = true;
    } else dead = !c.isAliveWhileIdle();
    if (dead && t.opts.hot().verbose) e.trace(t, `Connection ${c.id} seems to be dead`);
    return dead;
  };
}

/** curl's line for a connection closed while looking for one (Curl_disconnect's). */
function closedFor(e: MultiEngine, t: Transfer): ((c: Connection) => void) | undefined {
  return t.opts.hot().verbose ? (c) => e.trace(t, `Closing connection ${c.id}`) : undefined;
}

/** libcurl's prune_dead_connections before each connection is looked for: at most once a second per pool. */
export function pruneDeadConnections(e: MultiEngine, t: Transfer, now: number): void {
  const pool = e.poolFor(t);
  if (pool.pruneDue(now)) pool.pruneDead(now, deadFor(e, t, now), closedFor(e, t));
}

/**
 * create_conn's limits: may a new connection to `hostKey` be opened
 * (MAX_HOST_CONNECTIONS, then MAX_TOTAL_CONNECTIONS; an idle connection is
 * closed to make room when that helps)? False, with curl's line, when not.
 */
export function admitNewConnection(e: MultiEngine, t: Transfer, hostKey: string): boolean {
  const limit = e.poolFor(t).admit(hostKey, e.maxHostConnections, e.maxTotalConnections, closedFor(e, t));
  if (limit === LIMIT.HOST) e.trace(t, `No more connections allowed to host: ${e.maxHostConnections}`);
  else if (limit === LIMIT.TOTAL) e.trace(t, 'No connections available in cache');
  return limit === LIMIT.NONE;
}
