// The HAProxy PROXY protocol v1 line (CURLOPT_HAPROXYPROTOCOL, libcurl's
// cf-haproxy.c): the first bytes on a fresh connection, once it reaches the
// origin (after a SOCKS handshake or CONNECT tunnel, before TLS), naming the
// socket's own two ends - so through a proxy they are this host and the
// proxy. libcurl sends it unseen by the debug callback, and never again on a
// reused connection.
import { isIPv6 } from 'node:net';
import type { Connection } from '../conn/connection.js';
import type { StreamTransport } from '../transport/stream-transport.js';
import { CURLE } from '../codes.js';
import { DONE, PassThroughFilter, type FilterStep } from './filter.js';

export function haproxyV1Line(conn: Connection): string {
  // a Unix socket has no addresses to tell
  if (conn.route.unixPath !== undefined) return 'PROXY UNKNOWN\r\n';
  const family = isIPv6(conn.primaryIp) ? 'TCP6' : 'TCP4';
  return `PROXY ${family} ${conn.localIp} ${conn.primaryIp} ${conn.localPort} ${conn.primaryPort}\r\n`;
}

/**
 * The filter that writes the HAProxy header (CURLOPT_HAPROXYPROTOCOL) once the
 * tunnels are up: written through at once, as it must reach the socket before
 * a TLS ClientHello from the filter above.
 */
export class HaproxyFilter extends PassThroughFilter {
  readonly name = 'HAPROXY';
  readonly #tr: StreamTransport;
  readonly #line: string;

  constructor(tr: StreamTransport, conn: Connection) {
    super();
    this.#tr = tr;
    this.#line = haproxyV1Line(conn);
  }

  override connect(_now: number): FilterStep {
    const sent = this.#tr.send(this.#line);
    if (!sent.ok) return { kind: 'failed', code: CURLE.SEND_ERROR, message: `Send failure: ${sent.error.message}` };
    this.#tr.flushHeld();
    return DONE;
  }
}
