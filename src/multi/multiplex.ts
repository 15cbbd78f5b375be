// What the engine does with a multiplexed (HTTP/2) connection when one of
// its transfers lets go of it: the connection goes on serving the others, goes
// to the idle pool after the last one, or closes then when its session can
// take no new streams (GOAWAY, an error). Transfers queued for a connection
// (limits, PIPEWAIT) look again whenever a stream slot opens.
import type { Connection } from '../conn/connection.js';
import { nowMs } from '../util/clock.js';
import type { MultiEngine } from './engine.js';
import type { Transfer } from './transfer.js';

export type PushCallback = (parent: unknown, easy: unknown, numHeaders: number, headers: unknown, userp: unknown) => number;

/** A multi's multiplexing options. */
export class MultiplexOptions {
  /** CURLMOPT_PIPELINING: CURLPIPE_MULTIPLEX (2) by default, as libcurl since 7.62 */
  pipelining = 2;
  /** CURLMOPT_MAX_CONCURRENT_STREAMS */
  maxConcurrentStreams = 100;
  /** CURLMOPT_PUSHFUNCTION / PUSHDATA: server push is refused without a function */
  pushFn: PushCallback | null = null;
  pushData: unknown = null;

  get multiplex(): boolean {
    return (this.pipelining & 2) !== 0;
  }
}

/** `t`'s stream on multiplexed connection `c` is over (c.users already counts it out). */
export function releaseStream(e: MultiEngine, t: Transfer, c: Connection, maxIdle: number): void {
  const pool = e.poolFor(t);
  const usable = c.h2 !== null && c.h2.usable && !t.opts.hot().forbidReuse;
  if (!usable) pool.stopMultiplex(c);
  if (c.users === 0) {
    if (usable && c.transport && !c.transport.closed) {
      c.transport.setIdle(true);
      pool.release(c, maxIdle, nowMs());
    } else {
      pool.discard(c);
    }
  }
  e.wakeAllPending();
}

/** A connection that might have multiplexed failed before it could tell: PIPEWAIT transfers go on their own. */
export function multiplexFailed(e: MultiEngine, t: Transfer, c: Connection): void {
  c.mayMultiplex = false;
  e.poolFor(t).connectedMultiplex(c, false);
  e.wakeAllPending();
}

/** A connection switched to HTTP/2 mid-request (an h2c Upgrade): with multiplexing on, other transfers may take streams on it. */
export function multiplexStarted(e: MultiEngine, t: Transfer, c: Connection): void {
  if (!e.mux.multiplex) return;
  e.poolFor(t).connectedMultiplex(c, true);
  e.wakeAllPending();
}
