// TLS sessions kept for resumption (CURLOPT_SSL_SESSIONID_CACHE, on by
// default): one per peer (host:port plus the TLS settings key, since a
// session verified under one set of rules must not be resumed under
// another), offered to node:tls as `session` on the next connection. A multi
// keeps one cache; a share with CURL_LOCK_DATA_SSL_SESSION keeps one for all
// its easy handles. Least recently used peers are dropped beyond the limit.
//
// A resumed session shows node:tls no peer certificate, yet libcurl (through
// OpenSSL's session) still checks the host name and pinned key of a resumed
// connection: the certificate chain is kept with the session.

export interface CachedSession {
  session: Buffer;
  /** the peer's certificates, leaf first (DER) */
  chain: Buffer[];
}

/** How many peers a cache remembers (libcurl 8's default session cache size is 25 peers). */
export const SESSION_CACHE_PEERS = 25;

export class TlsSessionCache {
  #sessions = new Map<string, CachedSession>();
  readonly #limit: number;

  constructor(limit = SESSION_CACHE_PEERS) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session for a peer, marked as recently used. */
  get(peer: string): CachedSession | undefined {
    const s = this.#sessions.get(peer);
    if (s) {
      this.#sessions.delete(peer);
      this.#sessions.set(peer, s);
    }
    return s;
  }

  /** Remember the newest session of a peer (TLS 1.3 servers may send several tickets; the last one wins). */
  set(peer: string, session: CachedSession): void {
    this.#sessions.delete(peer);
    this.#sessions.set(peer, session);
    while (this.#sessions.size > this.#limit) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }

  /** A session that failed to resume, or belonged to a failed connection, is not offered again. */
  delete(peer: string): void {
    this.#sessions.delete(peer);
  }

  clear(): void {
    this.#sessions.clear();
  }
}
