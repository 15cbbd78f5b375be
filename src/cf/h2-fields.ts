// HTTP/2 header fields and error codes as the session hands them on: the
// [name, value] list of a node:http2 header event, the response head as the
// HTTP/1 lines curl 7.88 feeds its header code with, nghttp2's error names;
// a stream's priority, what became of a server push.
import type * as http2 from 'node:http2';
import type { StreamTransport } from '../transport/stream-transport.js';

/** What a session needs of its connection's transport (an h2c Upgrade puts a filter in between: src/cf/h2-upgrade.ts). */
export type H2Transport = Pick<StreamTransport, 'recv' | 'send' | 'setUpperBlocked' | 'setUpperPending' | 'closed' | 'eof' | 'volatileRecv'>;

/** nghttp2's error code names (RFC 9113 7), for curl's messages. */
const H2_ERRORS = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];
/** nghttp2_http2_strerror */
export function h2ErrorName(code: number): string {
  return H2_ERRORS[code] ?? 'unknown';
}
/** The raw header list of a node:http2 event as [name, value] pairs, pseudo-headers included. */
export function pairs(raw: unknown, obj: http2.IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out.push([String(raw[i]), String(raw[i + 1])]);
    return out;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else if (v !== undefined) out.push([k, String(v)]);
  }
  return out;
}

/** "HTTP/2 200 \r\n" and the header lines, as curl 7.88 hands an HTTP/2 response head to its HTTP/1 header code. */
export function synthesizeHead(list: [string, string][]): Buffer {
  let status = '';
  let text = '';
  for (const [k, v] of list) {
    if (k === ':status') status = v;
    else if (!k.startsWith(':')) text += `${k}: ${v}\r\n`;
  }
  return Buffer.from(`HTTP/2 ${status} \r\n${text}\r\n`, 'latin1');
}

/** A stream's priority (RFC 7540 5.3, sent on its HEADERS frame): weight 1-256, the stream it depends on (0: none), exclusively or not. */
export interface H2Priority {
  weight: number;
  parent: number;
  exclusive: boolean;
}

/** What became of a PUSH_PROMISE: accepted, refused (RST_STREAM CANCEL), or the connection fails (CURL_PUSH_ERROROUT). */
export type PushAnswer = 'ok' | 'deny' | 'error';
