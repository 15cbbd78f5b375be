// The filters a transfer's new connection is made of above its socket, in
// libcurl's order: SOCKS -> TLS to an HTTPS proxy -> HTTP CONNECT tunnel ->
// HAProxy header -> TLS to the origin (when the protocol handler says
// PROTOPT.SSL). Built when the socket is connected; the CONNECTING state
// drives it (src/cf/filter.ts has the chain's theory of operation).
import { CURLOPT } from '../easy/option-table.js';
import { CURLPROXY } from '../constants.js';
import { FilterChain, type ConnectionFilter, type FilterFacts, type FilterStep } from '../cf/filter.js';
import { TlsFilter } from '../cf/tls-filter.js';
import { HaproxyFilter } from '../cf/haproxy.js';
import { tlsConfig } from '../cf/tls-connect.js';
import { proxyTlsConfig } from '../vtls/tls-config.js';
import { resolveHost } from '../dns/resolver.js';
import { firstHop } from '../proxy/proxy-config.js';
import { PROTOPT } from '../proto/handler.js';
import { Tunnel, type TunnelEnv, type TunnelTarget } from './tunneling.js';
import { isIP } from 'node:net';
import type { ProtocolEnv } from '../proto/handler.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import { nowMs } from '../util/clock.js';
import { traceData } from '../util/trace.js';
import { CLIENTWRITE } from '../cw/client-write.js';
import type { PollEntry } from '../transport/transport.js';
import type { MultiEngine } from './engine.js';
import type { Transfer } from './transfer.js';

/** A SOCKS handshake or CONNECT exchange as a filter. */
class TunnelFilter implements ConnectionFilter {
  readonly name: string;
  readonly #tunnel: Tunnel;
  readonly timeoutMessage: string | undefined;

  constructor(name: string, tunnel: Tunnel, timeoutMessage?: string) {
    this.name = name;
    this.#tunnel = tunnel;
    this.timeoutMessage = timeoutMessage;
  }

  connect(_now: number): FilterStep {
    return this.#tunnel.step();
  }

  pollset(): PollEntry[] {
    return this.#tunnel.pollset();
  }

  nextTimeout(): number | undefined {
    return undefined;
  }

  query<K extends keyof FilterFacts>(_key: K): FilterFacts[K] | undefined {
    return undefined;
  }

  abort(): void {
    this.#tunnel.abort();
  }
}

function tunnelEnv(e: ProtocolEnv, t: Transfer): TunnelEnv {
  return {
    info: (text) => e.trace(t, text),
    trace: (type, data) => traceData(e, t, type, data),
    // a CONNECT response header: never PAUSED (only body writes pause)
    header: (line) => t.writers.write(CLIENTWRITE.HEADER | CLIENTWRITE.CONNECT, line),
    resolve: (host, port) => resolveHost(host, port, {
      ipresolve: t.opts.num(CURLOPT.IPRESOLVE),
      cacheSeconds: t.opts.num(CURLOPT.DNS_CACHE_TIMEOUT),
      servers: t.opts.str(CURLOPT.DNS_SERVERS),
      // libcurl's Curl_resolv says "Hostname x was found in DNS cache" for this lookup too
      trace: (text) => e.trace(t, text),
    }, e.dnsCacheFor(t), nowMs()),
    discard: (r) => {
      if (r.signal) e.discardTransport(r.signal);
      r.signal = null;
    },
    connected: () => {
      // Curl_verboseconnect: the first proxy, the connection's IP (an FTP data connection says the
      // control connection's line, as its TCP connect did)
      const hop = firstHop(t.proxy!);
      e.trace(t, `Connected to ${hop.host} (${t.conn!.primaryIp}) port ${hop.port} (#${t.conn!.id})`);
    },
  };
}

/** The ALPN protocols to offer: the handler's, unless SSL_ENABLE_ALPN is off. */
function alpnOf(t: Transfer): readonly string[] {
  const h = t.handler!;
  return t.opts.num(CURLOPT.SSL_ENABLE_ALPN) !== 0 ? h.alpnFor?.(t) ?? h.alpn : [];
}

/**
 * The proxy filters of a connection of `t` over `tr` that leads to `target`:
 * SOCKS, TLS to an HTTPS proxy, the HTTP CONNECT tunnel (libcurl's
 * Curl_conn_setup). The transfer's connection has them, and so has a second
 * connection a protocol makes (FTP's data connection: libcurl's
 * SECONDARYSOCKET, which opens its own tunnel).
 */
export function proxyFilters(e: ProtocolEnv, t: Transfer, tr: StreamTransport, target: TunnelTarget): ConnectionFilter[] {
  const proxy = t.proxy;
  const filters: ConnectionFilter[] = [];
  if (proxy?.socks) filters.push(new TunnelFilter('SOCKS', new Tunnel(t, tr, tunnelEnv(e, t), 'socks', target)));
  if (proxy?.http?.type === CURLPROXY.HTTPS) {
    filters.push(new TlsFilter(tr, {
      host: proxy.http.host, port: proxy.http.port, config: proxyTlsConfig(t.opts), sessions: e.sessionCacheFor(t),
      // curl 7.88 offers no ALPN to a proxy
      alpn: [], info: (text) => e.trace(t, text), proxy: true,
    }));
  }
  if (proxy?.http && proxy.tunnel) {
    filters.push(new TunnelFilter('H1-PROXY', new Tunnel(t, tr, tunnelEnv(e, t), 'connect', target, t.tunnelResumed),
      // CONNECT_phase's check in libcurl's http_proxy.c (SOCKS has none: the multi's message)
      'Proxy CONNECT aborted due to timeout'));
    t.tunnelResumed = false;
  }
  return filters;
}

/** The filters above the connected socket of `t`'s new connection. */
export function connectChain(e: MultiEngine, t: Transfer): FilterChain {
  const conn = t.conn!;
  const tr = conn.transport!;
  const url = t.url!;
  const info = (text: string): void => e.trace(t, text);
  // the tunnel leads to CONNECT_TO's host and port when set, as libcurl's conn_to_host/conn_to_port
  const host = conn.connectHost;
  const target = { host, port: conn.connectPort, ipv6: host === url.host ? url.ipv6 : isIP(host) === 6 };
  const filters = proxyFilters(e, t, tr, target);
  if (t.opts.num(CURLOPT.HAPROXYPROTOCOL) !== 0) filters.push(new HaproxyFilter(tr, conn));
  if (t.handler!.flags & PROTOPT.SSL) {
    filters.push(new TlsFilter(tr, {
      host: url.host, port: url.port, config: tlsConfig(t.opts), sessions: e.sessionCacheFor(t),
      alpn: alpnOf(t), info, proxy: false, clearable: t.handler!.tlsClearable?.(t) === true,
    }));
  }
  return new FilterChain(filters);
}
