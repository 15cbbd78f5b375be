// curl_ws_send / curl_ws_recv / curl_ws_meta for an easy handle: on the
// connection a ws:// transfer with CONNECT_ONLY=2 left, or from inside the
// write callback of a ws:// transfer that delivers frames.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import type { EasyInternals } from './internals.js';
import type { WsSession } from '../ws/ws-session.js';
import type { WsFrameMeta } from '../ws/ws-flags.js';

export interface WsRecvOutcome {
  code: CURLcode;
  /** payload bytes written into the caller's buffer */
  n: number;
  /** what the bytes are (curl_ws_frame); null in raw mode or on failure */
  meta: WsFrameMeta | null;
}

export interface WsSendOutcome {
  code: CURLcode;
  /** payload bytes sent */
  sent: number;
}

/** libcurl's checks before using the handle's WebSocket connection. */
function sessionOf(i: EasyInternals, fail: (m: string) => void): WsSession | CURLcode {
  const ws = i.ws;
  const open = ws && (i.connectOnly ? i.connectOnly.transport && !i.connectOnly.transport.closed : true);
  if (ws && open) return ws;
  if (i.opts.num(CURLOPT.CONNECT_ONLY) === 0) {
    fail('CONNECT_ONLY is required');
    return CURLE.UNSUPPORTED_PROTOCOL;
  }
  fail('connection is not setup for websocket');
  return CURLE.BAD_FUNCTION_ARGUMENT;
}

export function wsRecv(i: EasyInternals, buf: Buffer | Uint8Array, fail: (m: string) => void): WsRecvOutcome {
  const ws = sessionOf(i, fail);
  if (typeof ws === 'number') return { code: ws, n: 0, meta: null };
  const r = ws.recv(buf.length);
  if (r.code !== CURLE.OK) {
    if (r.message) fail(r.message);
    return { code: r.code, n: 0, meta: null };
  }
  buf.set(r.data);
  return { code: CURLE.OK, n: r.data.length, meta: r.meta };
}

export function wsSend(i: EasyInternals, data: Buffer | Uint8Array | string, fragsize: number, flags: number,
  inCallback: boolean, fail: (m: string) => void): WsSendOutcome {
  const ws = sessionOf(i, fail);
  if (typeof ws === 'number') return { code: ws, sent: 0 };
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const r = ws.send(bytes, fragsize, flags, inCallback);
  if (r.code !== CURLE.OK && r.message) fail(r.message);
  return { code: r.code, sent: r.sent };
}

/** curl_ws_meta: the piece being delivered, only from inside the write callback. */
export function wsMeta(i: EasyInternals, inCallback: boolean): WsFrameMeta | null {
  const ws = i.ws;
  if (!inCallback || !ws || ws.raw) return null;
  return ws.meta;
}
