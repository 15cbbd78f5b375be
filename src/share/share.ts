// Share: the public share handle (curl_share_*). A share object holds data
// that several easy handles use together: cookies, the DNS cache, the
// connection pool, TLS sessions and the HSTS cache (and, trivially, the
// public suffix list, which is one process-wide table here). Easy handles join with CURLOPT_SHARE.
import { CURLSHE, type CURLSHcode } from '../codes.js';
import { DnsCache } from '../dns/resolver.js';
import { ConnectionPool } from '../conn/pool.js';
import { TlsSessionCache } from '../vtls/tls-session-cache.js';

/** curl_share_setopt options. */
export const CURLSHOPT = { NONE: 0, SHARE: 1, UNSHARE: 2, LOCKFUNC: 3, UNLOCKFUNC: 4, USERDATA: 5 } as const;
/** What can be shared (curl_lock_data). */
export const CURL_LOCK_DATA = {
  NONE: 0, SHARE: 1, COOKIE: 2, DNS: 3, SSL_SESSION: 4, CONNECT: 5, PSL: 6, HSTS: 7,
} as const;

export interface ShareInternals {
  kinds: Set<number>;
  dnsCache: DnsCache;
  /** the shared connection pool, made on first use */
  pool: ConnectionPool | null;
  /** TLS sessions for resumption (CURL_LOCK_DATA_SSL_SESSION) */
  sslSessions: TlsSessionCache;
  /** cookie state of the cookie engine, keyed by this share instead of by easy handle */
  users: number;
  /** the shared HSTS cache (src/easy/easy-hsts.ts makes it on first use; unsharing HSTS drops it, as libcurl frees it) */
  hsts: object | null;
}

const table = new WeakMap<object, ShareInternals>();

export function shareInternals(s: unknown): ShareInternals | undefined {
  return typeof s === 'object' && s !== null ? table.get(s) : undefined;
}

/** Kinds this build can share. */
const SUPPORTED = new Set<number>([
  CURL_LOCK_DATA.COOKIE, CURL_LOCK_DATA.DNS, CURL_LOCK_DATA.SSL_SESSION, CURL_LOCK_DATA.CONNECT, CURL_LOCK_DATA.PSL, CURL_LOCK_DATA.HSTS,
]);

export class Share {
  #i: ShareInternals = { kinds: new Set(), dnsCache: new DnsCache(), pool: null, sslSessions: new TlsSessionCache(), users: 0, hsts: null };
  #closed = false;

  constructor() {
    table.set(this, this.#i);
  }

  /** curl_share_setopt */
  setopt(option: number, value: unknown): CURLSHcode {
    if (this.#closed) return CURLSHE.INVALID;
    switch (option) {
      case CURLSHOPT.SHARE:
      case CURLSHOPT.UNSHARE: {
        if (typeof value !== 'number') return CURLSHE.BAD_OPTION;
        // libcurl: do not change what is shared while handles use it
        if (this.#i.users > 0) return CURLSHE.IN_USE;
        if (value <= CURL_LOCK_DATA.SHARE || value > CURL_LOCK_DATA.HSTS) return CURLSHE.BAD_OPTION;
        if (!SUPPORTED.has(value)) return CURLSHE.NOT_BUILT_IN;
        if (option === CURLSHOPT.SHARE) this.#i.kinds.add(value);
        else this.#i.kinds.delete(value);
        if (value === CURL_LOCK_DATA.HSTS && option === CURLSHOPT.UNSHARE) this.#i.hsts = null;
        return CURLSHE.OK;
      }
      case CURLSHOPT.LOCKFUNC:
      case CURLSHOPT.UNLOCKFUNC:
        // JavaScript runs one thread per isolate: locks are never needed, but accepted as libcurl does
        return value === null || typeof value === 'function' ? CURLSHE.OK : CURLSHE.BAD_OPTION;
      case CURLSHOPT.USERDATA:
        return CURLSHE.OK;
      default:
        return CURLSHE.BAD_OPTION;
    }
  }

  /** curl_share_cleanup: refused while easy handles still use the share. */
  cleanup(): CURLSHcode {
    if (this.#closed) return CURLSHE.INVALID;
    if (this.#i.users > 0) return CURLSHE.IN_USE;
    this.#i.pool?.closeAllIdle();
    this.#i.dnsCache.clear();
    this.#i.sslSessions.clear();
    this.#closed = true;
    table.delete(this);
    return CURLSHE.OK;
  }
}

/** The shared pool of a share that shares connections (made on first use). */
export function sharedPool(i: ShareInternals): ConnectionPool {
  // idle pooled connections are registered with no multi, so closing them is just closing the socket
  return (i.pool ??= new ConnectionPool((c) => {
    c.idleSince = -1;
    c.transport?.close();
  }));
}
