// Name resolution through node:dns (getaddrinfo in libuv's thread pool), with
// libcurl's DNS cache semantics (CURLOPT_DNS_CACHE_TIMEOUT, default 60 s).
//
// A lookup in flight is represented by a SignalTransport: it gets a socket
// number, the engine polls it for IN like any socket, and it turns readable
// when the answer is in — libcurl's threaded resolver does the same with an
// eventfd. IP literals and cache hits resolve synchronously without one.
import { lookup, Resolver } from 'node:dns';
import { isIP } from 'node:net';
import { SignalTransport } from '../transport/transport.js';
import { nowMs } from '../util/clock.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * A lookup's answer. `wrongFamily`: the host is an address literal of a family
 * the transfer may not use (IPRESOLVE): libcurl takes the literal as resolved
 * and then has nothing to connect to (CURLE_COULDNT_CONNECT, no message of its
 * own); callers that only need addresses see a failed lookup.
 */
export type ResolveOutcome = { ok: true; addresses: ResolvedAddress[] } | { ok: false; message: string; wrongFamily?: boolean };

interface CacheEntry {
  addresses: ResolvedAddress[];
  /** nowMs() when stored; 0 marks a permanent entry (CURLOPT_RESOLVE without '+') */
  storedAt: number;
}

/**
 * One multi's (or share's) DNS cache, keyed "host:port" as libcurl's
 * hostcache: CURLOPT_RESOLVE entries live in it too (permanent unless added
 * with '+'), so they override lookups for every transfer using the cache.
 */
export class DnsCache {
  #entries = new Map<string, CacheEntry>();

  static key(host: string, port: number): string {
    return `${host.toLowerCase()}:${port}`;
  }

  /** The entry for key, or undefined; a stale one is dropped ("zapped"). */
  get(key: string, maxAgeSeconds: number, now: number): ResolvedAddress[] | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.storedAt !== 0 && maxAgeSeconds >= 0 && now - e.storedAt >= maxAgeSeconds * 1000) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.addresses;
  }
  has(key: string): boolean {
    return this.#entries.has(key);
  }
  put(key: string, addresses: ResolvedAddress[], now: number, permanent = false): void {
    this.#entries.set(key, { addresses, storedAt: permanent ? 0 : Math.max(now, 1) });
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
  clear(): void {
    this.#entries.clear();
  }
}

/** A resolution: done at once, or pending behind `signal`. */
export class Resolution {
  outcome: ResolveOutcome | null = null;
  signal: SignalTransport | null = null;
  #cancelled = false;

  static done(outcome: ResolveOutcome): Resolution {
    const r = new Resolution();
    r.outcome = outcome;
    return r;
  }

  cancel(): void {
    this.#cancelled = true;
    this.signal?.close();
    this.signal = null;
  }
  get cancelled(): boolean {
    return this.#cancelled;
  }
}

export interface ResolveOptions {
  ipresolve: number; // 0 whatever, 1 v4, 2 v6
  cacheSeconds: number; // CURLOPT_DNS_CACHE_TIMEOUT; -1 forever, 0 off
  /** CURLOPT_DNS_SERVERS: "host[:port],…" — ask these servers directly instead of getaddrinfo */
  servers: string | null;
  /** the handle loaded a '*' CURLOPT_RESOLVE entry (libcurl's state.wildcard_resolve) */
  wildcard?: boolean;
  /** verbose text ("Hostname x was found in DNS cache") */
  trace?: (text: string) => void;
}

function wanted(a: ResolvedAddress, ipresolve: number): boolean {
  return ipresolve === 0 || (ipresolve === 1 ? a.family === 4 : a.family === 6);
}

/**
 * Look `host`:`port` up in the cache as libcurl's fetch_addr: the exact entry,
 * then a '*' wildcard entry when the handle loaded one; stale entries and
 * entries without an address of the wanted family are dropped.
 */
function fromCache(host: string, port: number, o: ResolveOptions, cache: DnsCache, now: number): ResolvedAddress[] | undefined {
  let key = DnsCache.key(host, port);
  let hit = cache.get(key, o.cacheSeconds, now);
  if (!hit && o.wildcard) {
    key = DnsCache.key('*', port);
    hit = cache.get(key, o.cacheSeconds, now);
  }
  if (!hit) return undefined;
  const usable = hit.filter((a) => wanted(a, o.ipresolve));
  if (usable.length === 0) {
    o.trace?.("Hostname in DNS cache doesn't have needed family, zapped");
    cache.delete(key);
    return undefined;
  }
  return usable;
}

/** Resolve `host` for a transfer; answers are cached in `cache`. */
export function resolveHost(host: string, port: number, o: ResolveOptions, cache: DnsCache, now: number): Resolution {
  const { ipresolve, cacheSeconds } = o;
  const key = DnsCache.key(host, port);
  const cached = fromCache(host, port, o, cache, now);
  if (cached) {
    o.trace?.(`Hostname ${host} was found in DNS cache`);
    return Resolution.done({ ok: true, addresses: cached });
  }
  const store = (addresses: ResolvedAddress[]): void => {
    if (cacheSeconds !== 0 && addresses.length > 0) cache.put(key, addresses, nowMs());
  };
  const fam = isIP(host);
  if (fam) {
    if ((ipresolve === 1 && fam !== 4) || (ipresolve === 2 && fam !== 6)) {
      return Resolution.done({ ok: false, message: `Could not resolve host: ${host}`, wrongFamily: true });
    }
    const addresses = [{ address: host, family: fam as 4 | 6 }];
    store(addresses);
    return Resolution.done({ ok: true, addresses });
  }
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) {
    // libcurl answers "localhost" itself, never asking a resolver (RFC 6761 §6.3); 7.88's get_localhost()
    // puts 127.0.0.1 first, so IPv4 leads the happy-eyeballs race (curl 8 leads with ::1)
    const addresses = [{ address: '127.0.0.1', family: 4 as const }, { address: '::1', family: 6 as const }]
      .filter((a) => wanted(a, ipresolve));
    // and caches the answer as any other (a later lookup says "Hostname localhost was found in DNS cache")
    store(addresses);
    return Resolution.done({ ok: true, addresses });
  }

  const r = new Resolution();
  const signal = new SignalTransport();
  r.signal = signal;
  const answer = (addresses: ResolvedAddress[]): void => {
    if (r.cancelled) return;
    if (addresses.length === 0) {
      r.outcome = { ok: false, message: `Could not resolve host: ${host}` };
    } else {
      r.outcome = { ok: true, addresses };
      store(addresses);
    }
    signal.signal();
  };
  if (o.servers) queryServers(host, o.servers, ipresolve, answer);
  else {
    const family = ipresolve === 1 ? 4 : ipresolve === 2 ? 6 : 0;
    lookup(host, { all: true, family, verbatim: true }, (err, addrs) => {
      answer(err ? [] : addrs.map((a) => ({ address: a.address, family: (a.family === 6 ? 6 : 4) as 4 | 6 })));
    });
  }
  return r;
}

/** CURLOPT_DNS_SERVERS: query the given servers for A and AAAA records. */
function queryServers(host: string, servers: string, ipresolve: number, done: (a: ResolvedAddress[]) => void): void {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  try {
    resolver.setServers(servers.split(',').map((s) => s.trim()).filter(Boolean));
  } catch {
    return done([]);
  }
  const v4: ResolvedAddress[] = [];
  const v6: ResolvedAddress[] = [];
  let waiting = (ipresolve !== 2 ? 1 : 0) + (ipresolve !== 1 ? 1 : 0);
  const finish = (): void => {
    if (--waiting === 0) done([...v6, ...v4]);
  };
  if (ipresolve !== 2) {
    resolver.resolve4(host, (err, list) => {
      if (!err) for (const address of list) v4.push({ address, family: 4 });
      finish();
    });
  }
  if (ipresolve !== 1) {
    resolver.resolve6(host, (err, list) => {
      if (!err) for (const address of list) v6.push({ address, family: 6 });
      finish();
    });
  }
}
