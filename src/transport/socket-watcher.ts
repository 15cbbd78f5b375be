// SocketWatcher: the application's poll(2) for tscurl sockets (DESIGN.md §3),
// playing the role uv_poll_t plays for file descriptors in libcurl's multi-uv.c.
//
// Semantics are level-triggered like uv_poll: while the socket is ready for any
// of the watched events, the callback runs once per event-loop turn. Delivery
// is always asynchronous (from a setImmediate), never from inside a library
// call, so an application may start a watcher from its SOCKETFUNCTION.
// Readiness changes are batched into one setImmediate for all watchers, so
// 10,000 idle watchers cost nothing and each ready one costs O(1).
import { CURL_CSELECT, CURL_POLL } from '../constants.js';
import { lookupSocket } from './socket-table.js';
import type { ReadinessObserver, Transport } from './transport.js';

// Watchers due in the next flush, each at most once (its `queued` flag); a
// watcher stopped meanwhile stays listed and delivers nothing. Two lists
// swapped per flush, so a turn's batch allocates nothing.
let due: SocketWatcher[] = [];
let spare: SocketWatcher[] = [];
let flushScheduled = false;

function schedule(w: SocketWatcher): void {
  if (w.queued) return;
  w.queued = true;
  due.push(w);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  const batch = due;
  due = spare;
  let i = 0;
  try {
    for (; i < batch.length; i++) {
      const w = batch[i]!;
      w.queued = false;
      w.deliver();
    }
  } finally {
    // a callback threw: the watchers after it still get their turn, in the next flush
    for (i++; i < batch.length; i++) {
      batch[i]!.queued = false;
      schedule(batch[i]!);
    }
    batch.length = 0;
    spare = batch;
  }
}

export type SocketWatcherCallback = (events: number) => void;

export class SocketWatcher implements ReadinessObserver {
  readonly socket: number;
  #transport: Transport | undefined;
  #events = 0;
  #cb: SocketWatcherCallback | null = null;
  /** @internal listed for the next flush */
  queued = false;

  /** @throws TypeError when `s` is not an open tscurl socket */
  constructor(s: number) {
    if (typeof s !== 'number') throw new TypeError('SocketWatcher: socket must be a number');
    this.socket = s;
    this.#transport = lookupSocket(s);
    if (!this.#transport) throw new TypeError(`SocketWatcher: ${s} is not an open tscurl socket`);
  }

  /**
   * Watch for CURL_POLL.IN / OUT (or CURL_CSELECT bits, which are the same
   * values). Calling start() again replaces the events and the callback.
   * The callback receives CURL_CSELECT bits (IN, OUT, ERR) that are ready.
   */
  start(events: number, cb: SocketWatcherCallback): this {
    if (typeof cb !== 'function') throw new TypeError('SocketWatcher.start: callback must be a function');
    this.#events = events & (CURL_POLL.IN | CURL_POLL.OUT);
    this.#cb = cb;
    const t = this.#transport;
    if (!t || t.closed) return this;
    t.addObserver(this);
    if (this.#ready()) schedule(this);
    return this;
  }

  stop(): void {
    this.#cb = null;
    this.#events = 0;
    this.#transport?.removeObserver(this);
  }

  get active(): boolean {
    return this.#cb !== null;
  }

  readinessChanged(t: Transport): void {
    if (t.closed) {
      // the library closed the socket: a watcher on it can never fire again
      this.stop();
      this.#transport = undefined;
      return;
    }
    if (this.#ready()) schedule(this);
  }

  #ready(): number {
    const t = this.#transport;
    if (!t || !this.#cb) return 0;
    const r = t.readiness();
    const hit = r & this.#events;
    // an error is reported to anyone watching anything
    if (r & CURL_CSELECT.ERR && this.#events) return hit | CURL_CSELECT.ERR;
    return hit;
  }

  /** @internal called from the batch flush */
  deliver(): void {
    const ev = this.#ready();
    if (!ev) return;
    this.#cb!(ev);
    // level-triggered: still ready after the application had its turn -> next turn
    if (this.#ready()) schedule(this);
  }
}
