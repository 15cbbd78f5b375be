// When an HTTP connection speaks HTTP/2, and setting its session up: libcurl's
// CURLOPT_HTTP_VERSION rules. Over TLS, HTTP/2 is offered by ALPN
// ("h2,http/1.1") for NONE (libcurl's default is 2TLS since 7.62), 2_0, 2TLS
// and 2_PRIOR_KNOWLEDGE, unless SSL_ENABLE_ALPN is off; the session starts
// when the server picked "h2". Over cleartext 2_PRIOR_KNOWLEDGE speaks
// HTTP/2 at once (the connection preface), and 2_0 asks for it by HTTP/1.1
// Upgrade (h2c) on every request until a 101 switches the connection
// (src/proto/h2-upgrade.ts); neither to a proxy that forwards requests.
import { CURLOPT } from '../easy/option-table.js';
import { H2Session, type H2Transport } from '../h2/session.js';
import { h2cSettingsHeader } from '../h2/settings.js';
import { PROTOPT, type PushHook, type SetupFailure } from './handler.js';
import type { Connection } from '../conn/connection.js';
import type { Transfer } from '../multi/transfer.js';

const HTTP_VERSION_1_0 = 1;
const HTTP_VERSION_2_0 = 3;
const HTTP_VERSION_2_PRIOR_KNOWLEDGE = 5;

/** How the transfer's new connection may come to speak HTTP/2: by ALPN, by prior knowledge, by Upgrade, or not at all. */
export function h2Plan(t: Transfer): 'alpn' | 'prior' | 'upgrade' | null {
  const v = t.opts.num(CURLOPT.HTTP_VERSION);
  const h = t.handler!;
  // a CONNECT_ONLY connection is the application's to speak on (easy.send()/recv()): no session of ours on it
  if (t.opts.num(CURLOPT.CONNECT_ONLY) !== 0) return null;
  if (h.flags & PROTOPT.SSL) {
    return (v === 0 || v >= 3) && t.opts.num(CURLOPT.SSL_ENABLE_ALPN) !== 0 ? 'alpn' : null;
  }
  const forwarding = t.proxy !== null && t.proxy.http !== null && !t.proxy.tunnel;
  if (forwarding) return null;
  return v === HTTP_VERSION_2_PRIOR_KNOWLEDGE ? 'prior' : v === HTTP_VERSION_2_0 && t.url?.scheme === 'http' ? 'upgrade' : null;
}

/** The ALPN list for an HTTPS connection of this transfer. */
export function httpAlpn(t: Transfer): readonly string[] {
  if (h2Plan(t) === 'alpn') return ['h2', 'http/1.1'];
  // curl 7.88 offers HTTP/1.0 by name when asked for it (--http1.0)
  return t.opts.num(CURLOPT.HTTP_VERSION) === HTTP_VERSION_1_0 ? ['http/1.0'] : ['http/1.1'];
}

/** libcurl's IsMultiplexingPossible for HTTP: an HTTP_VERSION of 2 or more (NONE is libcurl's default, 2TLS). */
export function httpWantsMultiplex(t: Transfer): boolean {
  const v = t.opts.num(CURLOPT.HTTP_VERSION);
  return v === 0 || v >= HTTP_VERSION_2_0;
}

/**
 * The connection knows whether it multiplexes once connected: ALPN was
 * offered (curl 7.88 marks the bundle by what ALPN said, h2 or not), or it
 * speaks HTTP/2 by prior knowledge. Otherwise the first response tells.
 */
export function httpKnowsMultiplexAtConnect(t: Transfer): boolean {
  if (t.handler!.flags & PROTOPT.SSL) return t.opts.num(CURLOPT.SSL_ENABLE_ALPN) !== 0;
  return h2Plan(t) === 'prior';
}

/** The multi's push hook for each connection that may switch by Upgrade (set at PROTOCONNECT). */
const upgradePush = new WeakMap<Connection, PushHook | null>();

/** The request on this connection asks to switch to HTTP/2 (h2c): it goes out with h2cUpgradeLines(). */
export function h2cUpgradeWanted(t: Transfer, conn: Connection): boolean {
  // the option first: this runs for every HTTP/1 request
  return t.opts.num(CURLOPT.HTTP_VERSION) === HTTP_VERSION_2_0 && conn.h2 === null && conn.transport !== null &&
    upgradePush.has(conn) && h2Plan(t) === 'upgrade';
}

/** The push hook a session made by an Upgrade on this connection gets. */
export function h2cPushHook(conn: Connection): PushHook | null {
  return upgradePush.get(conn) ?? null;
}

/**
 * The request lines that ask for h2c, as curl 7.88's Curl_http2_request_upgrade
 * writes them (before the cookies and the application's headers), or none.
 * HTTP2-Settings carries the SETTINGS the session will announce.
 */
export function h2cUpgradeLines(t: Transfer): string[] {
  const conn = t.conn;
  if (conn === null || !h2cUpgradeWanted(t, conn)) return [];
  const settings = h2cSettingsHeader(h2cPushHook(conn) !== null);
  return ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', `HTTP2-Settings: ${settings}`];
}

/** PROTOCONNECT for HTTP: start the HTTP/2 session when the connection speaks it. */
export function httpConnected(t: Transfer, conn: Connection, info: (text: string) => void, push: PushHook | null): SetupFailure | null {
  if (conn.h2 !== null || conn.transport === null) return null;
  // a cleartext connection may be asked to switch by any of its requests (curl asks on each until one is answered 101)
  if (!(t.handler!.flags & PROTOPT.SSL)) upgradePush.set(conn, push);
  // curl 7.88 names the HTTP/1 that ALPN settled on, as it names HTTP/2 below
  if (conn.alpn === 'http/1.1') info('using HTTP/1.1');
  else if (conn.alpn === 'http/1.0') info('using HTTP/1.x');
  const plan = h2Plan(t);
  if (plan === null || plan === 'upgrade' || (plan === 'alpn' && conn.alpn !== 'h2')) return null;
  if (plan === 'alpn') info('using HTTP/2');
  startH2Session(t, conn, conn.transport, push);
  return null;
}

/** The connection speaks HTTP/2 from now on: its session, over the connection's transport. */
export function startH2Session(t: Transfer, conn: Connection, tr: H2Transport, push: PushHook | null, upgraded = false): H2Session {
  // server push is offered (SETTINGS_ENABLE_PUSH 1) only when the multi has a PUSHFUNCTION, as libcurl
  const session = new H2Session(tr, {
    enablePush: push !== null,
    upgraded,
    onPush: push === null ? undefined : (owner, stream, headers) => push(owner as Transfer, stream, headers),
  });
  conn.h2 = session;
  conn.httpVersion = 20;
  return session;
}
