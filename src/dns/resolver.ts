// Name resolution through node:dns (getaddrinfo in libuv's thread pool), with
// libcurl's DNS cache semantics (CURLOPT_DNS_CACHE_TIMEOUT, default 60 s).
//
// A lookup in flight is represented by a SignalTransport: it gets a socket
// number, the engine polls it for IN like any socket, and it turns readable
// when the answer is in — libcurl's threaded resolver does the same with an
// eventfd. IP literals and cache hits resolve synchronously without one.
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { SignalTransport } from '../transport/transport.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type ResolveOutcome = { ok: true; addresses: ResolvedAddress[] } | { ok: false; message: string };

interface CacheEntry {
  addresses: ResolvedAddress[];
  storedAt: number;
}

/** One multi's (or share's) DNS cache. */
export class DnsCache {
  #entries = new Map<string, CacheEntry>();

  get(key: string, maxAgeSeconds: number, now: number): ResolvedAddress[] | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (maxAgeSeconds >= 0 && now - e.storedAt > maxAgeSeconds * 1000) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.addresses;
  }
  put(key: string, addresses: ResolvedAddress[], now: number): void {
    this.#entries.set(key, { addresses, storedAt: now });
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

/**
 * Resolve `host` for `ipresolve` (0 whatever, 1 v4, 2 v6).
 * `onAnswer` stores successful answers in the cache.
 */
export function resolveHost(
  host: string, port: number, ipresolve: number, cache: DnsCache, cacheSeconds: number, now: number,
): Resolution {
  const fam = isIP(host);
  if (fam) {
    if ((ipresolve === 1 && fam !== 4) || (ipresolve === 2 && fam !== 6)) {
      return Resolution.done({ ok: false, message: `Could not resolve host: ${host}` });
    }
    return Resolution.done({ ok: true, addresses: [{ address: host, family: fam as 4 | 6 }] });
  }
  const key = `${host.toLowerCase()}:${port}:${ipresolve}`;
  const cached = cacheSeconds !== 0 ? cache.get(key, cacheSeconds, now) : undefined;
  if (cached) return Resolution.done({ ok: true, addresses: cached });

  const r = new Resolution();
  const signal = new SignalTransport();
  r.signal = signal;
  const family = ipresolve === 1 ? 4 : ipresolve === 2 ? 6 : 0;
  lookup(host, { all: true, family, verbatim: true }, (err, addrs) => {
    if (r.cancelled) return;
    if (err || addrs.length === 0) {
      r.outcome = { ok: false, message: `Could not resolve host: ${host}` };
    } else {
      const addresses = addrs.map((a) => ({ address: a.address, family: (a.family === 6 ? 6 : 4) as 4 | 6 }));
      r.outcome = { ok: true, addresses };
      if (cacheSeconds !== 0) cache.put(key, addresses, performance.now());
    }
    signal.signal();
  });
  return r;
}
