// The transfers waiting for a connection (state PENDING): those a connection
// limit held back (MAX_HOST_CONNECTIONS, MAX_TOTAL_CONNECTIONS) and those
// that wait to learn whether the server multiplexes (CURLOPT_PIPEWAIT).
//
// As libcurl 7.88's process_pending_handles(), waking is one transfer at a
// time, the longest waiting first: it goes back to CONNECT and runs soon.
// What wakes one: a transfer is done with its connection (multi_done), one
// is removed from the multi, a new connection learns at connect whether it
// multiplexes, and a woken transfer that got past CONNECT (it says
// "Transfer was pending, now try another" and wakes the next: the queue
// drains one by one while connections are to be had). One that finds none
// again goes to the back of the queue.
import { nowMs } from '../util/clock.js';
import { EXPIRE, STATE, type Transfer } from './transfer.js';
import { LIST, TransferList } from './transfer-list.js';
import { setState } from './state-common.js';
import type { MultiEngine } from './engine.js';

const NONE: readonly Transfer[] = Object.freeze([]);

export class PendingQueue {
  readonly #list = new TransferList(LIST.PENDING);
  /** woken since the engine last asked (perform() runs them before it returns: takeWoken()) */
  #woken: Transfer[] = [];

  get size(): number {
    return this.#list.size;
  }

  /** `t` waits, behind those already waiting. */
  add(t: Transfer): void {
    this.#list.add(t);
  }

  delete(t: Transfer): void {
    this.#list.delete(t);
  }

  clear(): void {
    this.#list.clear();
    this.#woken = [];
  }

  /**
   * libcurl's process_pending_handles: the first waiting transfer goes back
   * to CONNECT, to run soon: before perform() returns (takeWoken()), or when
   * its timer fires for socketAction().
   */
  wakeFirst(e: MultiEngine): void {
    const t = this.#list.first();
    if (!t) return;
    this.#list.delete(t);
    // it says so once it got past CONNECT, on every later CONNECT too (libcurl never clears the flag)
    t.previouslyPending = true;
    setState(e, t, STATE.CONNECT);
    e.expire(t, EXPIRE.RUN_NOW, nowMs());
    this.#woken.push(t);
  }

  /**
   * The transfers woken since the last call, oldest first. multi_perform
   * runs every transfer of its list in one pass, a woken one at the end of
   * it: perform() runs these before it returns, so a queue drains in one
   * call as in libcurl, not in one event-loop turn per transfer.
   */
  takeWoken(): readonly Transfer[] {
    if (this.#woken.length === 0) return NONE;
    const w = this.#woken;
    this.#woken = [];
    return w;
  }
}
