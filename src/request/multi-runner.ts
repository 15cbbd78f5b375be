// MultiRunner: a Multi driven by Node's event loop for the Promise layers
// (request(), CurlDispatcher). It owns one Multi with the built-in socket
// driver and runs libcurl's classic loop — perform(), drain infoRead(),
// poll() — only while it has transfers, so an idle runner keeps nothing
// alive (idle pooled connections are unref'ed by their transports) and the
// process can exit. One runner per process by default (defaultRunner()):
// parallel request() calls then share its connection pool, as the easy
// handles of one libcurl multi do.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLMSG } from '../constants.js';
import type { Easy } from '../easy/easy.js';
import { Multi } from '../multi/multi.js';
import type { KeptHandle } from './attempt.js';

/** How long one poll() may wait before the loop checks its transfers again anyway. */
const POLL_SLICE_MS = 1000;
/** Handles kept for re-use at most (about the concurrency that made them). */
const MAX_SPARE_HANDLES = 256;

/**
 * Where a running transfer's `done` is kept: one per handle, re-used for
 * each of its transfers, so the #pending map holds only long-lived objects.
 * A Map's table is replaced as entries come and go, and a replaced table
 * that had reached the old generation still points at what it held until
 * the next full GC: holding each request's `done` closure, it would make
 * the scavenger keep every request reachable from one alive and promote it
 * (see AttemptHooks in attempt.ts).
 */
class Slot {
  done: TransferDone | null = null;

  settle(code: CURLcode): void {
    const done = this.done!;
    this.done = null;
    tell(done, code);
  }
}

function tell(done: TransferDone, code: CURLcode): void {
  if (typeof done === 'function') done(code);
  else done.transferDone(code);
}

/** @internal who start() tells the CURLcode: a function, or an object (no closure made per transfer) */
export type TransferDone = ((code: CURLcode) => void) | { transferDone(code: CURLcode): void };

export class MultiRunner {
  readonly multi: Multi;
  /** easy → its slot, whose `done` settles the transfer (see Slot) */
  readonly #pending = new Map<Easy, Slot>();
  /** each handle's slot, made on its first transfer here */
  readonly #slots = new WeakMap<Easy, Slot>();
  #looping = false;
  /** wakeup() was called since the loop last came back from poll(): one is enough */
  #woken = false;
  #closed = false;
  /** kept handles by key (method and headers), least recently used key first */
  readonly #spare = new Map<string, KeptHandle[]>();
  #spareCount = 0;

  constructor(multi: Multi = new Multi()) {
    this.multi = multi;
  }

  /** Transfers running now. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Run `easy`'s transfer on this runner's multi; the promise settles with
   * the transfer's CURLcode (never rejects for a transfer error).
   */
  perform(easy: Easy): Promise<CURLcode> {
    return new Promise<CURLcode>((resolve) => this.start(easy, resolve));
  }

  /**
   * @internal perform() without its promise: `done` gets the CURLcode, called
   * from the loop right after the handle left the multi (outside any libcurl
   * callback), or at once with CURLE_FAILED_INIT when the handle cannot be
   * added. request() saves a promise and a turn per transfer with it.
   */
  start(easy: Easy, done: TransferDone): void {
    if (this.#closed || this.multi.addHandle(easy) !== 0) {
      tell(done, CURLE.FAILED_INIT);
      return;
    }
    let slot = this.#slots.get(easy);
    if (!slot) this.#slots.set(easy, (slot = new Slot()));
    slot.done = done;
    this.#pending.set(easy, slot);
    this.#startLoop();
  }

  /**
   * Stop `easy`'s transfer now (an abort): its perform() promise settles
   * with `code`, the handle leaves the multi (its connection is closed or
   * kept as libcurl decides for a removed handle).
   */
  cancel(easy: Easy, code: CURLcode = CURLE.ABORTED_BY_CALLBACK): void {
    const slot = this.#pending.get(easy);
    if (!slot) return;
    this.#pending.delete(easy);
    this.multi.removeHandle(easy);
    slot.settle(code);
  }

  /** Make the loop look at its transfers now (after an unpause from outside a callback). */
  wake(): void {
    if (this.#looping) this.#wakeLoop();
  }

  /**
   * Make a waiting poll() return (a transfer was unpaused from outside the
   * loop). Several unpauses in one microtask run need one wakeup(): more
   * would only leave one pending, an extra perform() round with nothing to do.
   */
  #wakeLoop(): void {
    if (this.#woken) return;
    this.#woken = true;
    this.multi.wakeup();
  }

  /** Close the multi and every connection; running transfers end with CURLE_ABORTED_BY_CALLBACK. */
  close(): void {
    if (this.#closed) return;
    for (const easy of [...this.#pending.keys()]) this.cancel(easy);
    this.#closed = true;
    this.multi.cleanup();
    for (const list of this.#spare.values()) for (const h of list) h.easy.cleanup();
    this.#spare.clear();
    this.#spareCount = 0;
  }

  /** @internal a kept handle set up for `key`, or null */
  takeKeptHandle(key: string): KeptHandle | null {
    const list = this.#spare.get(key);
    const h = list?.pop();
    if (!h) return null;
    if (list!.length === 0) this.#spare.delete(key);
    this.#spareCount--;
    return h;
  }

  /** @internal a kept handle whose attempt is over */
  giveKeptHandle(h: KeptHandle): void {
    if (this.#closed) {
      h.easy.cleanup();
      return;
    }
    if (this.#spareCount >= MAX_SPARE_HANDLES) {
      // full: one of the least recently used key's handles makes room
      const [oldKey, oldList] = this.#spare.entries().next().value as [string, KeptHandle[]];
      oldList.pop()!.easy.cleanup();
      if (oldList.length === 0) this.#spare.delete(oldKey);
      this.#spareCount--;
    }
    const list = this.#spare.get(h.key);
    if (list) {
      this.#spare.delete(h.key); // to the end: the most recently used key
      this.#spare.set(h.key, list);
      list.push(h);
    } else {
      this.#spare.set(h.key, [h]);
    }
    this.#spareCount++;
  }

  /**
   * A transfer was added: start the loop if it is not running. A running
   * loop needs no wakeup(): adding a handle makes it due at once, which ends
   * the driver's wait by itself (Multi's timer change); a wakeup() on top
   * came after that wait had already ended, so it was kept for the next
   * poll() and cost an empty perform round per batch of new requests.
   */
  #startLoop(): void {
    if (this.#looping) return;
    this.#looping = true;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    this.#woken = false;
    try {
      while (this.#pending.size > 0 && !this.#closed) {
        this.multi.perform();
        this.#collect();
        if (this.#pending.size === 0 || this.#closed) break;
        await this.multi.poll(POLL_SLICE_MS);
        this.#woken = false;
      }
    } finally {
      this.#looping = false;
    }
  }

  #collect(): void {
    for (let msg = this.multi.infoRead(); msg; msg = this.multi.infoRead()) {
      if (msg.msg !== CURLMSG.DONE) continue;
      const slot = this.#pending.get(msg.easy);
      if (!slot) continue;
      this.#pending.delete(msg.easy);
      this.multi.removeHandle(msg.easy);
      slot.settle(msg.result);
    }
  }
}

let shared: MultiRunner | null = null;

/** The process-wide runner request() and CurlDispatcher use unless given their own. */
export function defaultRunner(): MultiRunner {
  return (shared ??= new MultiRunner());
}
