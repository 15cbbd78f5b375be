// A connection: one transport to one origin, possibly through proxies (a
// SOCKS proxy, an HTTP proxy forwarding requests or tunnelling with CONNECT)
// and TLS, its identity for the pool, and the facts getinfo reports about it.
import type { StreamTransport } from '../transport/stream-transport.js';
import type { UdpTransport } from '../transport/udp-transport.js';
import type { ServerCertFacts } from '../vtls/server-cert.js';
import { firstHop, type ProxyRoute } from '../proxy/proxy-config.js';
import { nowMs } from '../util/clock.js';
import type { NtlmConnState, NtlmHolder } from '../auth/ntlm.js';
import type { H2Session } from '../h2/session.js';
import type { IdleLinks, IdleList } from './idle-list.js';
import { MULTIUSE, type Bundle } from './bundle.js';

export interface ConnectionRoute {
  connectHost?: string;
  connectPort?: number;
  unixPath?: string;
  abstractUnix?: boolean;
  /** an alt-svc alternative chose connectHost/connectPort (requests say "Alt-Used") */
  altUsed?: boolean;
}

/**
 * The pool key of a connection with these properties: connections with equal
 * keys are interchangeable (the Connection constructor's parameters).
 */
export function connectionKey(scheme: string, host: string, port: number, keySuffix: string,
  route: ConnectionRoute, proxy: ProxyRoute | null): string {
  if (proxy && proxy.http && !proxy.tunnel) return `proxy|${proxy.key}`;
  const origin = `${scheme}://${host.toLowerCase()}:${port}${keySuffix}`;
  let via = '';
  if (route.unixPath !== undefined) via = `|${route.abstractUnix ? 'abstract' : 'unix'}:${route.unixPath}`;
  else if (route.connectHost !== undefined || route.connectPort !== undefined) {
    via = `|to:${route.connectHost?.toLowerCase() ?? ''}:${route.connectPort ?? ''}`;
  }
  return proxy ? `${origin}${via}|${proxy.key}` : origin + via;
}

/**
 * The host key of a connection with these properties: libcurl's bundle key
 * (conncache.c's hashkey()), what MAX_HOST_CONNECTIONS counts by. Through an
 * HTTP proxy that forwards requests it names that proxy; otherwise (direct,
 * a CONNECT tunnel, SOCKS) the host the requests go to.
 */
export function hostKeyOf(host: string, port: number, route: ConnectionRoute, proxy: ProxyRoute | null): string {
  if (proxy?.http && !proxy.tunnel) return `${proxy.http.host.toLowerCase()}:${proxy.http.port}`;
  return `${(route.connectHost ?? host).toLowerCase()}:${port}`;
}

export class Connection implements NtlmHolder, IdleLinks {
  /**
   * CURLINFO_CONN_ID, the N of "#N": numbered by the connection cache it
   * joins (ConnectionPool.number()), so unique per multi or per share that
   * shares connections, as libcurl's connection_id; -1 until then.
   */
  id = -1;
  /** Pool key: connections with equal keys are interchangeable. */
  readonly key: string;
  /** Key for CURLMOPT_MAX_HOST_CONNECTIONS and the pool's bundles (hostKeyOf). */
  readonly hostKey: string;
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  /** the proxies this connection goes through, or null for a direct one */
  readonly proxy: ProxyRoute | null;
  /** the host libcurl names in "Connection #N to host H": the first proxy, else the origin */
  readonly displayHost: string;
  transport: StreamTransport | null = null;
  /** the pool's idle list links (src/conn/idle-list.ts) */
  idlePrev: IdleLinks | null = null;
  idleNext: IdleLinks | null = null;
  idleList: IdleList<IdleLinks> | null = null;
  /**
   * A UDP protocol's socket (TFTP; handler flag PROTOPT.UDP) in place of the
   * stream transport, which stays null: the protocol sends and receives
   * datagrams on it itself and reports it in its request's pollset().
   */
  datagram: UdpTransport | null = null;
  primaryIp = '';
  primaryPort = 0;
  localIp = '';
  localPort = 0;
  /** The protocol said the connection can carry another request. */
  reusable = false;
  /** bytes arriving while idle do not make it dead (RTSP's interleaved RTP: libcurl's rtsp_conncheck) */
  idleInputOk = false;
  /** made for a CONNECT_ONLY transfer: it belongs to that easy handle, never to the pool */
  connectOnly = false;
  /** the pool's bundle it is counted in (src/conn/bundle.ts), null when not pooled or closed */
  bundle: Bundle | null = null;
  #httpVersion = 0;
  /** the HTTP/2 session when the connection speaks HTTP/2 (ALPN h2 or prior knowledge): it multiplexes */
  h2: H2Session | null = null;
  /** transfers using the connection now (more than one only when it multiplexes) */
  users = 0;
  /** Number of transfers this connection has served. */
  uses = 0;
  idleSince = 0;

  /** what the TLS handshake with the origin found out (CURLINFO_SSL_VERIFYRESULT, CURLINFO_CERTINFO) */
  tlsFacts: ServerCertFacts | null = null;
  /** what the TLS handshake with an HTTPS proxy found out (CURLINFO_PROXY_SSL_VERIFYRESULT) */
  proxyTlsFacts: ServerCertFacts | null = null;
  /** the protocol ALPN agreed on with the origin, '' when none */
  alpn = '';

  /** Where the socket goes: CONNECT_TO's host and port, or a Unix socket. */
  readonly route: ConnectionRoute;
  /** nowMs() at creation (CURLOPT_MAXLIFETIME_CONN) */
  readonly createdAt = nowMs();
  /** the HTTP CONNECT response code of the tunnel (CURLINFO_HTTP_CONNECTCODE) */
  connectCode = 0;
  /**
   * What the protocol says before the connection closes (libcurl's
   * handler->disconnect: FTP's, POP3's and SMTP's QUIT, IMAP's LOGOUT), set while a
   * goodbye is due; the engine calls it once, right before closing.
   */
  farewell: (() => void) | null = null;
  /** NTLM authenticates a connection: the handshake with the server on this one (made on first use) */
  httpNtlm: NtlmConnState | null = null;
  /** ... and with the HTTP proxy */
  proxyNtlm: NtlmConnState | null = null;
  /**
   * A protocol's session that lasts as long as the connection and serves its
   * next transfer too (SSH's authenticated session); opaque here.
   */
  protoSession: object | null = null;

  /**
   * @param keySuffix settings that make otherwise equal connections different (TLS verification, CAs)
   * @param route a connect-to target or Unix socket: part of the identity, as in libcurl's ConnectionExists
   * @param proxy the proxies: connections through a forwarding HTTP proxy serve any origin (libcurl
   *   matches them on the proxy alone); tunnels and SOCKS connections stay per origin
   */
  constructor(scheme: string, host: string, port: number, keySuffix = '', route: ConnectionRoute = {}, proxy: ProxyRoute | null = null) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.route = route;
    this.proxy = proxy;
    this.key = connectionKey(scheme, host, port, keySuffix, route, proxy);
    this.displayHost = proxy ? firstHop(proxy).host : host;
    this.hostKey = hostKeyOf(host, port, route, proxy);
  }

  /** the HTTP version of the last response on it (10, 11, 20; 0 before any): an HTTP/1.0 server gets HTTP/1.0 requests */
  get httpVersion(): number {
    return this.#httpVersion;
  }
  /**
   * An HTTP/1 response tells the connection's bundle that the server does not
   * multiplex, HTTP/2 that it does (libcurl 7.88 marks the bundle as it reads
   * the status line, whatever the bundle knew: the last one to find out wins).
   */
  set httpVersion(v: number) {
    this.#httpVersion = v;
    if (this.bundle !== null && v >= 10) this.bundle.multiuse = v >= 20 ? MULTIUSE.MULTIPLEX : MULTIUSE.NO;
  }

  /** The host the origin side connects to (CONNECT_TO's, else the URL's). */
  get connectHost(): string {
    return this.route.connectHost ?? this.host;
  }
  /** The port the origin side connects to (CONNECT_TO's, else the URL's): libcurl's conn->port. */
  get connectPort(): number {
    return this.route.connectPort ?? this.port;
  }

  /** Requests on this connection go to an HTTP proxy that forwards them (absolute URLs, Proxy-* headers). */
  get forwardingProxy(): boolean {
    return this.proxy !== null && this.proxy.http !== null && !this.proxy.tunnel;
  }

  adopt(t: StreamTransport): void {
    this.transport = t;
    const s = t.socket;
    this.primaryIp = s.remoteAddress ?? '';
    this.primaryPort = s.remotePort ?? 0;
    this.localIp = s.localAddress ?? '';
    this.localPort = s.localPort ?? 0;
  }

  /** A UDP protocol's bound socket, sending to `remote` (libcurl's conn->ip_addr). */
  adoptDatagram(t: UdpTransport, remote: { address: string; port: number }): void {
    this.datagram = t;
    const local = t.local();
    this.primaryIp = remote.address;
    this.primaryPort = remote.port;
    this.localIp = local.address;
    this.localPort = local.port;
  }

  isAliveWhileIdle(): boolean {
    if (this.h2) {
      // a session reads its socket itself: PINGs and SETTINGS are not signs of death, a GOAWAY is
      this.h2.pump();
      return this.transport !== null && !this.transport.closed && this.h2.usable;
    }
    return this.transport !== null && this.transport.isAliveWhileIdle(this.idleInputOk);
  }
}

/** The connection is about to close: the protocol's goodbye, once (Connection.farewell). */
export function sayFarewell(c: Connection): void {
  const bye = c.farewell;
  c.farewell = null;
  if (bye && c.transport) bye();
}
