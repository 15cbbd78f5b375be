// When an HTTP connection speaks HTTP/2, and setting its session up: libcurl's
// CURLOPT_HTTP_VERSION rules. Over TLS, HTTP/2 is offered by ALPN
// ("h2,http/1.1") for NONE (libcurl's default is 2TLS since 7.62), 2_0, 2TLS
// and 2_PRIOR_KNOWLEDGE, unless SSL_ENABLE_ALPN is off; the session starts
// when the server picked "h2". Over cleartext only 2_PRIOR_KNOWLEDGE speaks
// HTTP/2 (the connection preface at once), and never to a proxy that
// forwards requests.
import { CURLOPT } from '../easy/option-table.js';
import { H2Session } from '../cf/h2-session.js';
import { PROTOPT, type PushHook, type SetupFailure } from './handler.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';

const HTTP_VERSION_2_PRIOR_KNOWLEDGE = 5;

/** How the transfer's new connection may come to speak HTTP/2: by ALPN, by prior knowledge, or not at all. */
export function h2Plan(t: Transfer): 'alpn' | 'prior' | null {
  const v = t.opts.num(CURLOPT.HTTP_VERSION);
  const h = t.handler!;
  // a CONNECT_ONLY connection is the application's to speak on (easy.send()/recv()): no session of ours on it
  if (t.opts.num(CURLOPT.CONNECT_ONLY) !== 0) return null;
  if (h.flags & PROTOPT.SSL) {
    return (v === 0 || v >= 3) && t.opts.num(CURLOPT.SSL_ENABLE_ALPN) !== 0 ? 'alpn' : null;
  }
  const forwarding = t.proxy !== null && t.proxy.http !== null && !t.proxy.tunnel;
  return v === HTTP_VERSION_2_PRIOR_KNOWLEDGE && !forwarding ? 'prior' : null;
}

/** The ALPN list for an HTTPS connection of this transfer. */
export function httpAlpn(t: Transfer): readonly string[] {
  return h2Plan(t) === 'alpn' ? ['h2', 'http/1.1'] : ['http/1.1'];
}

export function httpMayMultiplex(t: Transfer): boolean {
  return h2Plan(t) !== null;
}

/** PROTOCONNECT for HTTP: start the HTTP/2 session when the connection speaks it. */
export function httpConnected(t: Transfer, conn: Connection, info: (text: string) => void, push: PushHook | null): SetupFailure | null {
  if (conn.h2 !== null || conn.transport === null) return null;
  const plan = h2Plan(t);
  if (plan === null || (plan === 'alpn' && conn.alpn !== 'h2')) return null;
  if (plan === 'alpn') info('using HTTP/2');
  // server push is offered (SETTINGS_ENABLE_PUSH 1) only when the multi has a PUSHFUNCTION, as libcurl
  const url = t.url!;
  const host = url.ipv6 ? `[${url.host}]` : url.host;
  conn.h2 = new H2Session(conn.transport, {
    origin: `${url.scheme}://${host}:${url.port}`,
    enablePush: push !== null,
    onPush: push === null ? undefined : (owner, stream, headers) => push(owner as Transfer, stream, headers),
  });
  conn.httpVersion = 20;
  return null;
}
