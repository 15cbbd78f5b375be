// The TLS filter: a TLS handshake over whatever the filters below made (a
// TCP socket, a SOCKS or CONNECT tunnel, or the TLS session to an HTTPS
// proxy, giving TLS inside TLS). The same filter serves the origin and an
// HTTPS proxy; only the peer, the settings (SSL_* or PROXY_SSL_* options)
// and the name differ.
import { CURLE } from '../codes.js';
import { CURL_POLL } from '../constants.js';
import type { TLSSocket } from 'node:tls';
import type { StreamTransport } from '../transport/stream-transport.js';
import type { PollEntry } from '../transport/transport.js';
import type { TlsSessionCache } from '../vtls/tls-session-cache.js';
import type { ServerCertFacts } from '../vtls/server-cert.js';
import { finishTls, handshakeError, startTls, type TlsConfig } from './tls-connect.js';
import { DONE, PENDING, type ConnectionFilter, type FilterFacts, type FilterStep } from './filter.js';

export interface TlsFilterParams {
  /** the name the certificate must carry, and SNI */
  host: string;
  port: number;
  config: TlsConfig;
  sessions: TlsSessionCache | null;
  /** ALPN protocols to offer (empty: no ALPN extension) */
  alpn: readonly string[];
  info: (text: string) => void;
  /** the handshake is with an HTTPS proxy, not the origin */
  proxy: boolean;
  /** the TLS layer can be shut down and taken off again, the connection going on in the clear (FTPS CCC) */
  clearable?: boolean;
}

export class TlsFilter implements ConnectionFilter {
  readonly name: string;
  // ossl_connect_common's check, for the origin and for an HTTPS proxy alike
  readonly timeoutMessage = 'SSL connection timeout';
  readonly #tr: StreamTransport;
  readonly #p: TlsFilterParams;
  #started = false;
  #facts: ServerCertFacts | null = null;
  #alpn = '';
  /** the handshake passed every check */
  #done = false;

  constructor(tr: StreamTransport, params: TlsFilterParams) {
    this.#tr = tr;
    this.#p = params;
    this.name = params.proxy ? 'TLS-PROXY' : 'TLS';
  }

  connect(_now: number): FilterStep {
    const p = this.#p;
    const tr = this.#tr;
    if (!this.#started) {
      const r = startTls(tr, p.host, p.port, p.config, p.sessions, p.info, p.alpn, p.proxy, p.clearable === true);
      if (r.code !== 0) return { kind: 'failed', code: r.code, message: 'message' in r ? r.message : '' };
      this.#started = true;
    }
    if (tr.error || (tr.eof && !tr.connected)) {
      const h = handshakeError(tr.error ?? new Error('Connection closed during the handshake'), p.host, p.port, p.config, p.sessions);
      return { kind: 'failed', code: h.code, message: h.message };
    }
    if (!tr.connected) return PENDING; // the handshake runs inside node:tls
    const v = finishTls(tr, p.host, p.config, p.info, p.proxy);
    this.#facts = v.facts;
    if (v.code !== 0) return { kind: 'failed', code: v.code || CURLE.SSL_CONNECT_ERROR, message: 'message' in v ? v.message : '' };
    this.#alpn = (tr.socket as TLSSocket).alpnProtocol || '';
    this.#done = true;
    return DONE;
  }

  pollset(): PollEntry[] {
    // OUT turns ready at 'secureConnect' or on a failure (the transport's readiness)
    return [{ transport: this.#tr, what: CURL_POLL.OUT }];
  }

  nextTimeout(): number | undefined {
    return undefined;
  }

  query<K extends keyof FilterFacts>(key: K): FilterFacts[K] | undefined {
    if (key === 'tls') return (this.#facts ?? undefined) as FilterFacts[K] | undefined;
    if (key === 'alpn') return (this.#done ? this.#alpn : undefined) as FilterFacts[K] | undefined;
    return undefined;
  }

  abort(): void {
    // the transport (and the TLS socket on it) is closed with the connection
  }
}
