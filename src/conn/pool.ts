// The connection pool of one multi: idle connections by key for reuse, LRU
// eviction beyond MAXCONNECTS, and the counts behind MAX_HOST_CONNECTIONS and
// MAX_TOTAL_CONNECTIONS, and the connections that multiplex (HTTP/2): those
// serve new transfers while busy, up to their stream limit, and transfers
// that may wait for one being connected (PIPEWAIT) can see it. Every
// operation is O(1) amortised, or O(connections of one key) for the
// multiplexing ones; nothing scans all connections per request.
import type { Connection } from './connection.js';
import { IdleList } from './idle-list.js';

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
  #openPerHost = new Map<string, number>();
  #open = 0;
  /** connections that multiplex, by key, busy or idle */
  #multiplex = new Map<string, Set<Connection>>();
  /** connections still connecting that may turn out to multiplex (PIPEWAIT waits for them), by key */
  #maybeMultiplex = new Map<string, Set<Connection>>();
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

  /** May a new connection to hostKey be opened under the given limits (0 = unlimited)? */
  mayOpen(hostKey: string, maxHost: number, maxTotal: number): boolean {
    if (maxTotal > 0 && this.#open >= maxTotal) return false;
    if (maxHost > 0 && (this.#openPerHost.get(hostKey) ?? 0) >= maxHost) return false;
    return true;
  }

  /** Make room for one more connection by closing the oldest idle one, if that helps. */
  evictIdleFor(hostKey: string, maxHost: number, maxTotal: number): boolean {
    for (let c = this.#idleLru.oldest(); c; c = c.idleNext as Connection | null) {
      const totalFull = maxTotal > 0 && this.#open >= maxTotal;
      if (totalFull || c.hostKey === hostKey) {
        this.#removeIdle(c);
        this.discard(c);
        return this.mayOpen(hostKey, maxHost, maxTotal);
      }
    }
    return false;
  }

  /** Count a new (connecting) connection. */
  opened(c: Connection): void {
    this.#open++;
    this.#openPerHost.set(c.hostKey, (this.#openPerHost.get(c.hostKey) ?? 0) + 1);
  }

  /**
   * Take a live idle connection for `key`, closing dead ones found on the way,
   * and those `tooOld` names a reason for (CURLOPT_MAXAGE_CONN, MAXLIFETIME_CONN).
   * `fit` rates a candidate when connections of one key are not all alike
   * (NTLM authenticates a connection): 0 not for this transfer, 1 usable, 2
   * take this one at once. Without it, or when it answers 2 for the first
   * candidate, the most recently used connection is taken.
   */
  take(key: string, tooOld?: (c: Connection) => boolean, fit?: (c: Connection) => ConnectionFit): Connection | undefined {
    const list = this.#idleByKey.get(key);
    while (list && list.length > 0) {
      const at = fit ? bestFit(list, fit) : list.length - 1; // most recently used first: warmest
      if (at < 0) return undefined;
      const c = at === list.length - 1 ? list.pop()! : list.splice(at, 1)[0]!;
      this.#idleLru.remove(c);
      if (list.length === 0) this.#emptied(key);
      if (c.isAliveWhileIdle() && !tooOld?.(c)) return c;
      this.discard(c);
    }
    return undefined;
  }

  /** Put a connection back for reuse; closes the oldest idle ones beyond maxIdle. */
  release(c: Connection, maxIdle: number, now: number): void {
    c.idleSince = now;
    let list = this.#idleByKey.get(c.key);
    if (!list) this.#idleByKey.set(c.key, (list = []));
    list.push(c);
    this.#idleLru.push(c);
    while (this.#idleLru.size > Math.max(0, maxIdle)) {
      const oldest = this.#idleLru.oldest()!;
      this.#removeIdle(oldest);
      this.discard(oldest);
    }
  }

  /** A connection being made may turn out to multiplex (an HTTP/2 offer): PIPEWAIT transfers may wait for it. */
  connectingMayMultiplex(c: Connection): void {
    let set = this.#maybeMultiplex.get(c.key);
    if (!set) this.#maybeMultiplex.set(c.key, (set = new Set()));
    set.add(c);
  }

  /** The connection finished connecting: it multiplexes (`yes`) or it does not. */
  connectedMultiplex(c: Connection, yes: boolean): void {
    this.#forget(this.#maybeMultiplex, c);
    if (!yes) return;
    let set = this.#multiplex.get(c.key);
    if (!set) this.#multiplex.set(c.key, (set = new Set()));
    set.add(c);
  }

  /** A connection of `key` is being connected that may multiplex. */
  mayMultiplexSoon(key: string): boolean {
    return (this.#maybeMultiplex.get(key)?.size ?? 0) > 0;
  }

  /**
   * A multiplexing connection of `key` that takes one more stream
   * (`fits`), busy or idle; an idle one leaves the idle lists. Those that can
   * no longer start streams (GOAWAY, errors) leave the set, and close if idle.
   */
  takeMultiplex(key: string, fits: (c: Connection) => boolean): Connection | undefined {
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
      if (!fits(c)) continue;
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

  #forget(map: Map<string, Set<Connection>>, c: Connection): void {
    const set = map.get(c.key);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) map.delete(c.key);
  }

  /** Close a connection that is not idle-listed (failed, not reusable, evicted). */
  discard(c: Connection): void {
    this.#forget(this.#multiplex, c);
    this.#forget(this.#maybeMultiplex, c);
    const n = (this.#openPerHost.get(c.hostKey) ?? 1) - 1;
    if (n <= 0) this.#openPerHost.delete(c.hostKey);
    else this.#openPerHost.set(c.hostKey, n);
    this.#open--;
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
