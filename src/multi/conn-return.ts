// What becomes of a connection when a transfer is done with it (libcurl
// 7.88's multi_done and Curl_conncache_return_conn): a multiplexed one goes
// on serving its other streams; a CONNECT_ONLY one stays with its easy
// handle; a reusable one goes back to the pool, where a full cache (more
// connections than CURLMOPT_MAXCONNECTS, or 4 per transfer of the multi)
// closes its oldest idle one, maybe this one; any other is closed.
import { CURLE } from '../codes.js';
import type { Connection } from '../conn/connection.js';
import { internalsOf } from '../easy/internals.js';
import { nowMs } from '../util/clock.js';
import type { MultiEngine } from './engine.js';
import type { Transfer } from './transfer.js';

/** `t` lets go of `c` (its pollset is already empty). */
export function returnConnection(e: MultiEngine, t: Transfer, c: Connection): void {
  if (c.datagram) {
    // a UDP protocol's socket (TFTP) serves one transfer: it is closed, never pooled
    e.discardTransport(c.datagram);
    c.datagram = null;
  }
  c.users = Math.max(0, c.users - 1);
  if (c.idleSince === -1) return; // already closed
  if (c.h2) return releaseStream(e, t, c);
  if (c.connectOnly && c.transport && !c.transport.closed && t.result === CURLE.OK) {
    // CONNECT_ONLY: the easy handle keeps it for send()/recv(), out of every pool
    const i = internalsOf(t.easy);
    if (i) {
      i.connectOnly = c;
      c.reusable = false;
      return;
    }
  }
  if (c.transport && c.reusable && !c.transport.closed) toPool(e, t, c);
  else e.poolFor(t).discard(c);
  c.reusable = false;
}

/** `t`'s stream on multiplexed connection `c` is over (c.users already counts it out). */
function releaseStream(e: MultiEngine, t: Transfer, c: Connection): void {
  const pool = e.poolFor(t);
  const usable = c.h2 !== null && c.h2.usable && !t.opts.hot().forbidReuse;
  if (!usable) pool.stopMultiplex(c);
  if (c.users > 0) return; // the other streams go on
  if (usable && c.transport && !c.transport.closed) toPool(e, t, c);
  else pool.discard(c);
}

/** Idle in the pool; a full cache closes its oldest idle connection, with curl's lines. */
function toPool(e: MultiEngine, t: Transfer, c: Connection): void {
  c.transport!.setIdle(true); // an idle pooled connection must not keep the process alive
  // libcurl's limit counts every connection of the cache, busy ones too
  const max = e.maxConnects > 0 ? e.maxConnects : 4 * Math.max(1, e.transferCount);
  const closed = e.poolFor(t).release(c, max, nowMs());
  if (closed && t.opts.hot().verbose) {
    e.trace(t, 'Connection cache is full, closing the oldest one');
    e.trace(t, `Closing connection ${closed.id}`);
  }
}
