// A connection: one transport to one origin (later: through proxies and TLS
// filters), its identity for the pool, and the facts getinfo reports about it.
import type { StreamTransport } from '../transport/stream-transport.js';
import type { ServerCertFacts } from '../vtls/server-cert.js';

let nextConnectionId = 0;

export class Connection {
  /** CURLINFO_CONN_ID: unique per process, as libcurl's per multi. */
  readonly id = nextConnectionId++;
  /** Pool key: connections with equal keys are interchangeable. */
  readonly key: string;
  /** Key for CURLMOPT_MAX_HOST_CONNECTIONS (host:port). */
  readonly hostKey: string;
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  transport: StreamTransport | null = null;
  primaryIp = '';
  primaryPort = 0;
  localIp = '';
  localPort = 0;
  /** The protocol said the connection can carry another request. */
  reusable = false;
  /** Number of transfers this connection has served. */
  uses = 0;
  idleSince = 0;

  /** The TLS handshake has started but not finished. */
  tlsPending = false;
  /** what the TLS handshake found out (CURLINFO_SSL_VERIFYRESULT, CURLINFO_CERTINFO) */
  tlsFacts: ServerCertFacts | null = null;

  /** @param keySuffix settings that make otherwise equal connections different (TLS verification, CAs) */
  constructor(scheme: string, host: string, port: number, keySuffix = '') {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.hostKey = `${host.toLowerCase()}:${port}`;
    this.key = `${scheme}://${this.hostKey}${keySuffix}`;
  }

  adopt(t: StreamTransport): void {
    this.transport = t;
    const s = t.socket;
    this.primaryIp = s.remoteAddress ?? '';
    this.primaryPort = s.remotePort ?? 0;
    this.localIp = s.localAddress ?? '';
    this.localPort = s.localPort ?? 0;
  }

  isAliveWhileIdle(): boolean {
    return this.transport !== null && this.transport.isAliveWhileIdle();
  }
}
