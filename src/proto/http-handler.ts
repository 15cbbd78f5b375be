// The HTTP and HTTPS protocol handlers: HTTP/1.x over a plain or TLS
// connection. Both hand each request to an HttpExchange (src/proto/http.ts)
// and share one per-transfer state (src/proto/http-state.ts), made by
// setup() on the first request and kept across redirects between them.
import { CURLPROTO } from '../constants.js';
import { HttpExchange } from './http.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';
import { httpSetup } from './http-state.js';
import { httpFollow } from './redirect.js';
import { ntlmConnectionFit, ntlmNewConnection } from './http-ntlm.js';
import { h2cUpgradeWanted, httpAlpn, httpConnected, httpKnowsMultiplexAtConnect, httpWantsMultiplex } from './h2-connect.js';
import { H2cUpgrade } from './h2-upgrade.js';

/** HTTP/2 on http and https connections (not on ws/wss: their upgrade is HTTP/1.1's). */
const H2_HOOKS = Object.freeze({
  wantsMultiplex: httpWantsMultiplex,
  multiplexKnownAtConnect: httpKnowsMultiplexAtConnect,
  connected: httpConnected,
} satisfies Partial<ProtocolHandler>);

/**
 * The hooks of every protocol that speaks HTTP/1.x requests (http, https,
 * and ws/wss for their upgrade): HTTP's per-transfer state, what a redirect
 * changes, and NTLM's hold on a connection.
 */
export const HTTP_FAMILY_HOOKS = Object.freeze({
  setup: httpSetup,
  follow: httpFollow,
  connectionFit: ntlmConnectionFit,
  newConnection: ntlmNewConnection,
} satisfies Partial<ProtocolHandler>);

// a request that asks to switch to HTTP/2 (h2c) is one that may go on as HTTP/2 after a 101
const httpRequest: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest =>
  h2cUpgradeWanted(t, conn) ? new H2cUpgrade(t, conn, guard) : new HttpExchange(t, conn, guard);

export const HTTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'http',
  defaultPort: 80,
  protocol: CURLPROTO.HTTP,
  flags: 0,
  alpn: [],
  request: httpRequest,
  ...HTTP_FAMILY_HOOKS,
  ...H2_HOOKS,
});

export const HTTPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'https',
  defaultPort: 443,
  protocol: CURLPROTO.HTTPS,
  flags: PROTOPT.SSL,
  alpn: ['http/1.1'],
  alpnFor: httpAlpn,
  request: httpRequest,
  ...HTTP_FAMILY_HOOKS,
  ...H2_HOOKS,
});
