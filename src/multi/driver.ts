// The built-in driver: what perform()/poll()/wait() and easy.perform() use in
// place of an application event loop (DESIGN.md §3, last rule).
//
// It sees every socket change the registry reports (whether or not the
// application has a SOCKETFUNCTION), observes those transports, and remembers
// which became ready. perform() drains that ready set; poll() waits for it to
// become non-empty, for the engine's earliest timer, for wakeup(), or for the
// caller's timeout — whichever comes first. Readiness is level-triggered: a
// socket still ready after its transfers ran is kept for the next round.
//
// When the application drives the sockets itself (a SOCKETFUNCTION is set),
// nobody reads the ready set unless it calls poll()/wait() too, which is
// legal but rare: new sockets are then only recorded, and the first wait()
// or perform() that needs the set observes them all and looks at their
// readiness once (O(sockets), as libcurl's curl_multi_wait always is). That
// spares every transfer of an application loop an observer on its socket.
import { CURL_POLL } from '../constants.js';
import type { ReadinessObserver, Transport } from '../transport/transport.js';
import { nowMs } from '../util/clock.js';

/** The longest delay a Node timer takes (TIMEOUT_MAX), also C's INT_MAX. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How many waits in a row may answer "ready" from the microtask queue before one lets the event loop turn. */
const MAX_READY_IN_A_ROW = 64;

interface EngineView {
  timeoutMs(): number;
  /** the application's CURLMOPT_SOCKETFUNCTION, if any */
  readonly socketFn: unknown;
}

interface Waiter {
  resolve: (numfds: number) => void;
  /** nowMs() time at which the wait times out */
  deadline: number;
  wakeable: boolean;
}

export class BuiltinDriver implements ReadinessObserver {
  #engine: EngineView;
  #watched = new Map<number, { what: number; transport: Transport }>();
  #ready = new Set<number>();
  /** waits answered at once in a row because sockets were ready (see wait()) */
  #readyInARow = 0;
  /** every watched transport is observed and #ready is complete (see the top) */
  #observing = true;
  #waiter: Waiter | null = null;
  #wakeupPending = false;
  /** a wake for readiness is scheduled for the end of this event-loop turn */
  #wakeScheduled = false;
  /**
   * One timer for every wait: a wait that ends early (the usual case: a
   * socket became ready) leaves it armed but unref'ed, and the next wait
   * with the same or a later deadline only refs it again, instead of a
   * setTimeout and clearTimeout per wait (per received chunk of a download).
   * When it fires before the waiter's deadline, it is armed again.
   */
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Infinity;

  constructor(engine: EngineView) {
    this.#engine = engine;
  }

  socketChanged(s: number, what: number, transport: Transport): void {
    if (what === CURL_POLL.REMOVE) {
      this.#watched.delete(s);
      this.#ready.delete(s);
      transport.removeObserver(this);
      return;
    }
    const w = this.#watched.get(s);
    if (w) w.what = what;
    else {
      this.#watched.set(s, { what, transport });
      if (this.#engine.socketFn !== null && !this.#waiter) {
        this.#observing = false; // the application polls it: observed when someone asks (#observeAll)
        return;
      }
      if (!this.#observing) this.#observeAll();
      transport.addObserver(this);
    }
    this.readinessChanged(transport);
  }

  /** Observe every watched transport and take in the readiness of each. */
  #observeAll(): void {
    this.#observing = true;
    for (const w of this.#watched.values()) {
      w.transport.addObserver(this);
      if (w.transport.closed || w.transport.readiness() & w.what) this.#ready.add(w.transport.id);
    }
  }

  readinessChanged(t: Transport): void {
    const w = this.#watched.get(t.id);
    if (!w) return;
    if (t.closed || t.readiness() & w.what) {
      this.#ready.add(t.id);
      this.#scheduleWake(t);
    }
  }

  /**
   * Wake a waiting poll() once this event-loop turn's I/O callbacks have all
   * run (setImmediate runs right after the poll phase), so one perform()
   * serves every socket that became ready in the same turn instead of one
   * poll()/perform() round per socket. Adds no latency: nothing else could
   * run before the check phase anyway.
   */
  #scheduleWake(t: Transport): void {
    if (this.#wakeScheduled || !this.#waiter) return;
    if (this.#watched.size <= 1 && !t.readsInBursts) {
      // one socket (a single download over TCP, one chunk per read): nothing to
      // batch with, so no extra loop phase per received chunk. Over TLS the
      // records of one read arrive one callback each (a 16 KiB record, then
      // nginx's short tail of a batch of HTTP/2 frames): one round for all
      // of them, not one per record
      this.#wake(this.#ready.size);
      return;
    }
    this.#wakeScheduled = true;
    setImmediate(this.#scheduledWake);
  }

  /** the end of the turn's wake (one function for every turn: a download schedules one per received burst) */
  readonly #scheduledWake = (): void => {
    this.#wakeScheduled = false;
    if (this.#ready.size > 0) this.#wake(this.#ready.size);
  };

  /** Take the sockets seen ready since last time. */
  takeReady(): number[] {
    if (!this.#observing) this.#observeAll();
    if (this.#ready.size === 0) return [];
    const out = [...this.#ready];
    this.#ready.clear();
    return out;
  }

  /**
   * After the users of `s` ran: still ready (level-triggered) -> keep it for
   * the next round. A mark made while they ran is dropped when the socket is
   * not ready any more: an HTTP/2 session announces the events it decoded
   * for its transfers (readiness up), which then took them in the same run
   * (readiness down); kept, the mark cost a round of poll() and perform()
   * for nothing, per received chunk.
   */
  recheck(s: number): void {
    const w = this.#watched.get(s);
    if (w && (w.transport.readiness() & w.what)) this.#ready.add(s);
    else this.#ready.delete(s);
  }

  /** The engine's earliest expiry changed: a waiting poll() may need to wake sooner. */
  timerChanged(): void {
    if (!this.#waiter || this.#dueWakeScheduled) return;
    if (this.#engine.timeoutMs() !== 0) return;
    // Due now (typically: a transfer was added while poll() waited, by code that
    // ran on the results of the last perform()). Answered after this turn's
    // I/O, as a wait() entered with a transfer due is: one perform() then
    // starts it and serves the sockets that became ready meanwhile, where
    // waking at once cost a round of its own (perform() that only sends, then
    // poll()) per batch of results: ~25% more rounds for request() and curly.
    this.#dueWakeScheduled = true;
    setImmediate(this.#dueWake);
  }

  #dueWakeScheduled = false;
  readonly #dueWake = (): void => {
    this.#dueWakeScheduled = false;
    this.#wake(this.#ready.size);
  };

  wakeup(): void {
    if (this.#waiter?.wakeable) this.#wake(0);
    else this.#wakeupPending = true;
  }

  /**
   * Something happened outside any library call that the caller of a
   * pending poll()/wait() must see now (a transfer was ended by
   * easy.reset()/cleanup() from a timer): the wait returns at once. Unlike
   * wakeup(), nothing is remembered when nobody waits.
   */
  interrupt(): void {
    this.#wake(0);
  }

  /** curl_multi_poll (wakeable) / curl_multi_wait (not). Resolves with the count of ready sockets. */
  wait(timeoutMs: number, wakeable: boolean): Promise<number> {
    if (wakeable && this.#wakeupPending) {
      this.#wakeupPending = false;
      return Promise.resolve(0);
    }
    if (!this.#observing) this.#observeAll();
    if (this.#ready.size > 0) {
      // Answered from the microtask queue while sockets stay ready, a perform()/poll() loop never lets
      // the event loop turn: process.nextTick callbacks (the transports' end-of-turn sends),
      // timers and other I/O would starve. Every so many answers in a row, one goes after pending I/O.
      if (++this.#readyInARow < MAX_READY_IN_A_ROW) return Promise.resolve(this.#ready.size);
      this.#readyInARow = 0;
      return new Promise<number>((resolve) => setImmediate(() => resolve(this.#ready.size)));
    }
    this.#readyInARow = 0;
    let ms = Math.max(0, timeoutMs);
    const t = this.#engine.timeoutMs();
    if (t >= 0 && t < ms) ms = t;
    if (ms === 0) {
      if (timeoutMs <= 0) return Promise.resolve(0); // the caller asked not to wait
      // A timer is due already: a transfer with more to do and no socket to
      // wait for (file://) asks to run again at once. Answer after the event
      // loop's pending I/O, not from the microtask queue, where a loop of
      // perform() and poll() would starve every other callback until the
      // transfer ends.
      return new Promise<number>((resolve) => setImmediate(() => resolve(this.#ready.size)));
    }
    if (this.#waiter) this.#wake(0); // only one waiter at a time: the older one returns
    const deadline = nowMs() + ms;
    return new Promise<number>((resolve) => {
      this.#waiter = { resolve, deadline, wakeable };
      this.#armTimer(deadline);
    });
  }

  #armTimer(at: number): void {
    if (this.#timer && this.#timerAt <= at) {
      this.#timer.ref(); // fires at or before `at`: #onTimer re-arms if that is too early
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    // Node's timers hold at most 2^31-1 ms (a longer delay warns and fires
    // after 1 ms): a farther deadline is reached in steps, #onTimer re-arms
    this.#timer = setTimeout(() => this.#onTimer(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - nowMs()))));
  }

  #onTimer(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const w = this.#waiter;
    if (!w) return;
    // timers fire on whole milliseconds: within one of the deadline is the deadline
    if (nowMs() + 1 >= w.deadline) this.#wake(0);
    else this.#armTimer(w.deadline);
  }

  #wake(numfds: number): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = null;
    // an armed timer must not keep the process alive for a wait that is over
    this.#timer?.unref();
    w.resolve(numfds);
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
    for (const { transport } of this.#watched.values()) transport.removeObserver(this);
    this.#watched.clear();
    this.#ready.clear();
    this.#wake(0);
  }
}
