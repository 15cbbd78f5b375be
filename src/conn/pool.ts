// The connection pool of one multi: idle connections by key for reuse, LRU
// eviction beyond MAXCONNECTS, the bundles (src/conn/bundle.ts: the
// connections per host and port, what MAX_HOST_CONNECTIONS counts, and
// whether that server multiplexes), the count behind MAX_TOTAL_CONNECTIONS,
// and the connections that multiplex (HTTP/2): those serve new transfers
// while busy, up to their stream limit. Every operation is O(1) amortised,
// or O(connections of one key) for the multiplexing ones; nothing scans all
// connections per request.
import type { Connection } from './connection.js';
import { Bundle } from './bundle.js';
import { IdleList } from './idle-list.js';

/** Why no new connection may be opened: libcurl's "No more connections allowed to host" or "... in cache". */
export const LIMIT = { NONE: 0, HOST: 1, TOTAL: 2 } as const;
export type Limit = (typeof LIMIT)[keyof typeof LIMIT];

/** A pool key's bundle and how many of the pool's connections have that key. */
interface KeyRef {
  bundle: Bundle;
  n: number;
}

/** Keys whose emptied idle lists are kept for reuse at most (see #emptied). */
const MAX_EMPTY_KEPT_KEYS = 64;

/** How well an idle connection suits a transfer: 0 not at all, 1 usable, 2 this one. */
export type ConnectionFit = 0 | 1 | 2;

/** The index of the connection to take: the newest rated 2, else the newest rated 1, else -1. */
function bestFit(list: readonly Connection[], fit: (c: Connection) => ConnectionFit): number {
  let usable = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    const f = fit(list[i]!);
    if (f === 2) return i;
    if (f === 1 && usable < 0) usable = i;
  }
  return usable;
}

export class ConnectionPool {
  /** idle connections by key; a key's list stays when it empties (see #emptied) */
  #idleByKey = new Map<string, Connection[]>();
  /** every idle connection, oldest first */
  #idleLru = new IdleList<Connection>();
  /** the bundles by host key, while they hold a connection */
  #bundles = new Map<string, Bundle>();
  /** the bundle of each pool key that has connections (looked up per request without making a host key) */
  #byKey = new Map<string, KeyRef>();
  #open = 0;
  /** the next connection's number (libcurl's conn_cache next_connection_id) */
  #nextId = 0;
  /** nowMs() of the last pruneDead() that looked */
  #lastPrune = -Infinity;
  /** connections that multiplex, by key, busy or idle */
  #multiplex = new Map<string, Set<Connection>>();
  #close: (c: Connection) => void;

  /** @param close disposes a connection (unregister its socket, then destroy) */
  constructor(close: (c: Connection) => void) {
    this.#close = close;
  }

  get openCount(): number {
    return this.#open;
  }
  get idleCount(): number {
    return this.#idleLru.size;
  }

  /** The bundle the connections of pool key `key` are in, if the pool has any of them (libcurl's Curl_conncache_find_bundle). */
  bundleOfKey(key: string): Bundle | undefined {
    return this.#byKey.get(key)?.bundle;
  }

  /** The bundle of host key `hostKey` (Connection.hostKey), if the pool has a connection there. */
  bundleOfHost(hostKey: string): Bundle | undefined {
    return this.#bundles.get(hostKey);
  }

  /**
   * May one more connection to `hostKey` be opened (limits of 0: none)?
   * As libcurl 7.88's create_conn: a full bundle closes its oldest idle
   * connection to make room, else the host's limit holds; then a full pool
   * closes its oldest idle connection, else the total limit holds. `closed`
   * hears of a connection closed to make room.
   */
  admit(hostKey: string, maxHost: number, maxTotal: number, closed?: (c: Connection) => void): Limit {
    const bundle = this.#bundles.get(hostKey);
    if (maxHost > 0 && bundle && bundle.count >= maxHost && !this.#closeOldestIdle(hostKey, closed)) return LIMIT.HOST;
    if (maxTotal > 0 && this.#open >= maxTotal && !this.#closeOldestIdle(null, closed)) return LIMIT.TOTAL;
    return LIMIT.NONE;
  }

  /** Close the oldest idle connection (of host key `hostKey`, or any): false when there is none. */
  #closeOldestIdle(hostKey: string | null, closed?: (c: Connection) => void): boolean {
    for (let c = this.#idleLru.oldest(); c; c = c.idleNext as Connection | null) {
      if (hostKey !== null && c.hostKey !== hostKey) continue;
      this.#removeIdle(c);
      this.discard(c);
      closed?.(c);
      return true;
    }
    return false;
  }

  /** A second or more since pruneDead() last looked. */
  pruneDue(now: number): boolean {
    return now - this.#lastPrune >= 1000;
  }

  /**
   * libcurl's prune_dead_connections: idle connections `dead` names (too
   * old, or their peer closed) are closed, and told to `closed`. Callers ask
   * pruneDue() first (before making `dead`): O(idle connections) once a
   * second, not per request.
   */
  pruneDead(now: number, dead: (c: Connection) => boolean, closed?: (c: Connection) => void): void {
    this.#lastPrune = now;
    for (let c = this.#idleLru.oldest(); c;) {
      const next = c.idleNext as Connection | null;
      if (dead(c)) {
        this.#removeIdle(c);
        this.discard(c);
        closed?.(c);
      }
      c = next;
    }
  }

  /** Give a connection of this cache its number (what opened() does; file:'s connections are numbered but never pooled). */
  number(c: Connection): void {
    c.id = this.#nextId++;
  }

  /** Count a new (connecting) connection, in its bundle (made for it when its host has none), and number it. */
  opened(c: Connection): void {
    this.number(c);
    this.#open++;
    let ref = this.#byKey.get(c.key);
    if (!ref) {
      let bundle = this.#bundles.get(c.hostKey);
      if (!bundle) this.#bundles.set(c.hostKey, (bundle = new Bundle(c.hostKey)));
      this.#byKey.set(c.key, (ref = { bundle, n: 0 }));
    }
    ref.n++;
    ref.bundle.count++;
    c.bundle = ref.bundle;
  }

  /**
   * Take a live idle connection for `key`. Candidates `dead` names (too old
   * for CURLOPT_MAXAGE_CONN or MAXLIFETIME_CONN, or closed by their peer)
   * are closed on the way and told to `closed`. `fit` rates a candidate
   * when connections of one key are not all alike (NTLM authenticates a
   * connection): 0 not for this transfer, 1 usable, 2 take this one at once.
   * Without it, or when it answers 2 for the first candidate, the most
   * recently used connection is taken.
   */
  take(key: string, dead?: (c: Connection) => boolean, fit?: (c: Connection) => ConnectionFit,
    closed?: (c: Connection) => void): Connection | undefined {
    const list = this.#idleByKey.get(key);
    while (list && list.length > 0) {
      const at = fit ? bestFit(list, fit) : list.length - 1; // most recently used first: warmest
      if (at < 0) return undefined;
      const c = at === list.length - 1 ? list.pop()! : list.splice(at, 1)[0]!;
      this.#idleLru.remove(c);
      if (list.length === 0) this.#emptied(key);
      if (!(dead ? dead(c) : !c.isAliveWhileIdle())) return c;
      this.discard(c);
      closed?.(c);
    }
    return undefined;
  }

  /**
   * Put a connection back for reuse. With more than `maxConns` connections
   * in the pool, busy ones included (libcurl's Curl_conncache_return_conn),
   * the oldest idle one is closed, maybe this one: returned, else null.
   */
  release(c: Connection, maxConns: number, now: number): Connection | null {
    c.idleSince = now;
    let list = this.#idleByKey.get(c.key);
    if (!list) this.#idleByKey.set(c.key, (list = []));
    list.push(c);
    this.#idleLru.push(c);
    if (maxConns <= 0 || this.#open <= maxConns) return null;
    const oldest = this.#idleLru.oldest()!;
    this.#removeIdle(oldest);
    this.discard(oldest);
    return oldest;
  }

  /** The connection multiplexes (HTTP/2): transfers may take streams on it while it is busy. */
  multiplexes(c: Connection): void {
    let set = this.#multiplex.get(c.key);
    if (!set) this.#multiplex.set(c.key, (set = new Set()));
    set.add(c);
  }

  /**
   * A multiplexing connection of `key` that takes one more stream, busy or
   * idle; an idle one leaves the idle lists. Those that can no longer start
   * streams (GOAWAY, errors) leave the set, and close if idle. A busy one with
   * `clientMax` streams (CURLMOPT_MAX_CONCURRENT_STREAMS), or as many as the
   * server allows, is passed over and told to `skipped` (curl's verbose lines).
   */
  takeMultiplex(key: string, clientMax: number, skipped?: (c: Connection, clientSide: boolean) => void): Connection | undefined {
    const set = this.#multiplex.get(key);
    if (!set) return undefined;
    for (const c of set) {
      if (!c.h2 || !c.h2.usable || c.transport === null || c.transport.closed) {
        set.delete(c);
        if (this.#idleLru.has(c)) {
          this.#removeIdle(c);
          this.discard(c);
        }
        continue;
      }
      if (c.users >= clientMax || c.users >= c.h2.maxStreams(clientMax)) {
        skipped?.(c, c.users >= clientMax);
        continue;
      }
      if (this.#idleLru.has(c)) this.#removeIdle(c);
      return c;
    }
    if (set.size === 0) this.#multiplex.delete(key);
    return undefined;
  }

  /** The connection stops taking new streams (its session ended or went away). */
  stopMultiplex(c: Connection): void {
    this.#forget(this.#multiplex, c);
  }

  /** A closed connection leaves its bundle; the last one out ends it (what it learned goes with it). */
  #leaveBundle(c: Connection): void {
    const ref = this.#byKey.get(c.key)!;
    c.bundle = null;
    if (--ref.n === 0) this.#byKey.delete(c.key);
    if (--ref.bundle.count === 0) this.#bundles.delete(ref.bundle.hostKey);
  }

  #forget(map: Map<string, Set<Connection>>, c: Connection): void {
    const set = map.get(c.key);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) map.delete(c.key);
  }

  /** Close a connection that is not idle-listed (failed, not reusable, evicted). */
  discard(c: Connection): void {
    this.#forget(this.#multiplex, c);
    // counted only when opened() counted it (a file: transfer's connection never is), and once
    if (c.bundle) {
      this.#leaveBundle(c);
      this.#open--;
    }
    this.#close(c);
  }

  /** Close every idle connection (multi cleanup). */
  closeAllIdle(): void {
    for (const c of this.#idleLru.toArray()) {
      this.#removeIdle(c);
      this.discard(c);
    }
  }

  #removeIdle(c: Connection): void {
    this.#idleLru.remove(c);
    const list = this.#idleByKey.get(c.key);
    if (!list) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#emptied(c.key);
  }

  /**
   * A key's idle list emptied. It stays for the key's next idle connection
   * (the usual case: one transfer at a time per key goes busy and idle again)
   * unless many keys are listed, so that a process visiting ever new hosts
   * keeps no list per host it ever saw.
   */
  #emptied(key: string): void {
    if (this.#idleByKey.size > MAX_EMPTY_KEPT_KEYS) this.#idleByKey.delete(key);
  }
}
