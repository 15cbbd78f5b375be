// The HAProxy PROXY protocol v1 line (CURLOPT_HAPROXYPROTOCOL, libcurl's
// cf-haproxy.c): the first bytes on a fresh connection, once it reaches the
// origin (after a SOCKS handshake or CONNECT tunnel, before TLS), naming the
// socket's own two ends - so through a proxy they are this host and the
// proxy. libcurl sends it unseen by the debug callback, and never again on a
// reused connection.
import { isIPv6 } from 'node:net';
import type { Connection } from '../conn/connection.js';

export function haproxyV1Line(conn: Connection): string {
  // a Unix socket has no addresses to tell
  if (conn.route.unixPath !== undefined) return 'PROXY UNKNOWN\r\n';
  const family = isIPv6(conn.primaryIp) ? 'TCP6' : 'TCP4';
  return `PROXY ${family} ${conn.localIp} ${conn.primaryIp} ${conn.localPort} ${conn.primaryPort}\r\n`;
}
