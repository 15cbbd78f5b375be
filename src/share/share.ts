// Share: the public share handle (curl_share_*). A share object holds data
// that several easy handles use together: cookies, the DNS cache, the
// connection pool, TLS sessions and the HSTS cache (and, trivially, the
// public suffix list, which is one process-wide table here). Easy handles join with CURLOPT_SHARE.
import { sayFarewell } from '../conn/connection.js';
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

/** What a lock is asked for (curl_lock_access). */
export const CURL_LOCK_ACCESS = { NONE: 0, SHARED: 1, SINGLE: 2 } as const;

/** CURLSHOPT_LOCKFUNC: lock `data` (a CURL_LOCK_DATA kind) for `easy`, the handle about to use it. */
export type ShareLockCallback = (easy: unknown, data: number, access: number, clientp: unknown) => void;
/** CURLSHOPT_UNLOCKFUNC */
export type ShareUnlockCallback = (easy: unknown, data: number, clientp: unknown) => void;

export interface ShareInternals {
  kinds: Set<number>;
  lock: ShareLockCallback | null;
  unlock: ShareUnlockCallback | null;
  userdata: unknown;
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
  #i: ShareInternals = {
    // curl_share_init: the share itself is always "shared" (CURL_LOCK_DATA_SHARE locks attach and detach)
    kinds: new Set([CURL_LOCK_DATA.SHARE]), lock: null, unlock: null, userdata: null,
    dnsCache: new DnsCache(), pool: null, sslSessions: new TlsSessionCache(), users: 0, hsts: null,
  };
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
      // JavaScript runs one thread per isolate, so nothing needs the locks; they are still
      // called around every use of shared data, as libcurl does (applications count or trace with them)
      case CURLSHOPT.LOCKFUNC:
        if (value !== null && typeof value !== 'function') return CURLSHE.BAD_OPTION;
        this.#i.lock = value as ShareLockCallback | null;
        return CURLSHE.OK;
      case CURLSHOPT.UNLOCKFUNC:
        if (value !== null && typeof value !== 'function') return CURLSHE.BAD_OPTION;
        this.#i.unlock = value as ShareUnlockCallback | null;
        return CURLSHE.OK;
      case CURLSHOPT.USERDATA:
        this.#i.userdata = value;
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
    sayFarewell(c);
    c.transport?.close();
  }));
}

/**
 * Curl_share_lock / Curl_share_unlock around `fn`: the application's lock
 * callbacks run only for a kind the share shares (and for
 * CURL_LOCK_DATA_SHARE), with the easy handle about to use the data. A lock
 * callback returns nothing in libcurl, so one that throws is not reported.
 */
export function withShareLock<R>(sh: ShareInternals, easy: unknown, data: number, fn: () => R): R {
  if ((!sh.lock && !sh.unlock) || !sh.kinds.has(data)) return fn();
  try {
    sh.lock?.(easy, data, CURL_LOCK_ACCESS.SINGLE, sh.userdata);
  } catch {
    // a void callback: nothing to report it to
  }
  try {
    return fn();
  } finally {
    try {
      sh.unlock?.(easy, data, sh.userdata);
    } catch {
      // as above
    }
  }
}

/**
 * `obj` (a share's DNS cache, connection pool or TLS session cache) as
 * `easy` sees it: every method call between the share's lock and unlock
 * callbacks. Without lock callbacks it is `obj` itself.
 */
export function lockedView<T extends object>(sh: ShareInternals, data: number, easy: object, obj: T): T {
  if (!sh.lock && !sh.unlock) return obj;
  let byEasy = views.get(obj);
  if (!byEasy) views.set(obj, (byEasy = new WeakMap()));
  let v = byEasy.get(easy) as T | undefined;
  if (!v) {
    v = new Proxy(obj, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => withShareLock(sh, easy, data, () => (value as (...a: unknown[]) => unknown).apply(target, args));
      },
      set(target, prop, value) {
        return Reflect.set(target, prop, value, target);
      },
    });
    byEasy.set(easy, v);
  }
  return v;
}
const views = new WeakMap<object, WeakMap<object, object>>();
