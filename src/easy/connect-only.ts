// CURLOPT_CONNECT_ONLY: a transfer that stops once its connection is made
// (through proxies and TLS), and curl_easy_send / curl_easy_recv /
// curl_easy_upkeep on that connection afterwards. The connection belongs to
// the easy handle from then on: never pooled for another transfer, closed by
// the handle's next transfer, reset() or cleanup().
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import type { EasyInternals } from './internals.js';

export interface IoResult {
  code: CURLcode;
  /** bytes sent, or received into the caller's buffer */
  n: number;
}

/** libcurl's easy_connection(): the handle's CONNECT_ONLY connection, or the error naming why not. */
function connectionOf(i: EasyInternals): { ok: true; i: EasyInternals } | { ok: false; result: IoResult; message: string } {
  if (i.opts.num(CURLOPT.CONNECT_ONLY) === 0) {
    return { ok: false, result: { code: CURLE.UNSUPPORTED_PROTOCOL, n: 0 }, message: 'CONNECT_ONLY is required' };
  }
  const tr = i.connectOnly?.transport;
  if (!tr || tr.closed) return { ok: false, result: { code: CURLE.UNSUPPORTED_PROTOCOL, n: 0 }, message: 'Failed to get recent socket' };
  return { ok: true, i };
}

/** curl_easy_send: as many bytes as the socket takes now; CURLE_AGAIN when it takes none. */
export function connectOnlySend(i: EasyInternals, data: Buffer | Uint8Array | string, fail: (message: string) => void): IoResult {
  const c = connectionOf(i);
  if (!c.ok) {
    fail(c.message);
    return c.result;
  }
  const tr = i.connectOnly!.transport!;
  if (tr.error) return { code: CURLE.SEND_ERROR, n: 0 };
  if (tr.writeBlocked) return { code: CURLE.AGAIN, n: 0 };
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length === 0) return { code: CURLE.OK, n: 0 };
  const r = tr.send(buf);
  if (!r.ok) {
    fail(`Send failure: ${r.error.message}`);
    return { code: CURLE.SEND_ERROR, n: 0 };
  }
  tr.flushHeld();
  return { code: CURLE.OK, n: buf.length };
}

/**
 * curl_easy_recv into `buf`: CURLE_AGAIN when nothing is there yet, n = 0
 * with CURLE_OK when the peer closed, CURLE_RECV_ERROR on a reset.
 */
export function connectOnlyRecv(i: EasyInternals, buf: Buffer | Uint8Array, fail: (message: string) => void): IoResult {
  const c = connectionOf(i);
  if (!c.ok) {
    fail(c.message);
    return c.result;
  }
  const tr = i.connectOnly!.transport!;
  if (buf.length === 0) return { code: CURLE.OK, n: 0 };
  const r = tr.recv();
  switch (r.kind) {
    case 'again': return { code: CURLE.AGAIN, n: 0 };
    case 'eof': return { code: CURLE.OK, n: 0 };
    case 'error':
      fail(`Recv failure: ${r.error.message}`);
      return { code: CURLE.RECV_ERROR, n: 0 };
    case 'data': {
      const n = Math.min(buf.length, r.data.length);
      // copied at once: recv() may hand out a view of memory the transport reuses
      buf.set(r.data.subarray(0, n));
      if (n < r.data.length) tr.unrecv(Buffer.from(r.data.subarray(n)));
      return { code: CURLE.OK, n };
    }
  }
}

/** Close the handle's CONNECT_ONLY connection (next transfer, reset, cleanup). */
export function closeConnectOnly(i: EasyInternals): void {
  const conn = i.connectOnly;
  i.connectOnly = null;
  i.ws = null;
  conn?.transport?.close();
}
