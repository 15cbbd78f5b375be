// The HTTP and HTTPS protocol handlers: HTTP/1.x over a plain or TLS
// connection. Both hand each request to an HttpExchange (src/proto/http.ts).
import { CURLPROTO } from '../constants.js';
import { HttpExchange } from './http.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';

const httpRequest: ProtocolHandler['request'] = (t, conn, guard): ProtocolRequest => new HttpExchange(t, conn, guard);

export const HTTP_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'http',
  defaultPort: 80,
  protocol: CURLPROTO.HTTP,
  flags: 0,
  alpn: [],
  request: httpRequest,
});

export const HTTPS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'https',
  defaultPort: 443,
  protocol: CURLPROTO.HTTPS,
  flags: PROTOPT.SSL,
  alpn: ['http/1.1'],
  request: httpRequest,
});
