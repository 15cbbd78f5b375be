// The multi's multiplexing options, a connection that switches to HTTP/2 by
// Upgrade, and which transfers a socket event of a multiplexed connection
// concerns. (When a stream ends: src/multi/conn-return.ts.)
import type { Connection } from '../conn/connection.js';
import type { MultiEngine } from './engine.js';
import { STATE, type Transfer } from './transfer.js';

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

/**
 * A connection switched to HTTP/2 mid-request (an h2c Upgrade): with
 * multiplexing on, other transfers may take streams on it. Its bundle learned
 * that from the 101 (Connection.httpVersion); nobody waiting is woken for it,
 * as in libcurl 7.88.
 */
export function multiplexStarted(e: MultiEngine, t: Transfer, c: Connection): void {
  if (!e.mux.multiplex) return;
  e.poolFor(t).multiplexes(c);
}

/**
 * The transfers a socket event concerns, to run in this order: every one
 * polling the socket, except those whose request says the event has nothing
 * for them (quiet(): an HTTP/2 stream without events on a connection many
 * streams share), so an event costs O(streams it concerns) in runs. A paused
 * transfer or one whose writers hold data always runs; timers still bring
 * the others back for their progress and speed checks. A copy: running may
 * change the socket's users.
 */
export function concernedUsers(users: Set<Transfer>): Transfer[] {
  const out: Transfer[] = [];
  for (const t of users) if (concernedBy(t)) out.push(t);
  return out;
}

function concernedBy(t: Transfer): boolean {
  const x = t.request;
  if (x === null || x.quiet === undefined || t.state !== STATE.PERFORMING || t.pauseBits !== 0 || t.writers.holding) return true;
  return !x.quiet();
}
