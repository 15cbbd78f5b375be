// The multi engine: the machinery behind a Multi handle. It owns the transfers,
// the socket registry, the timer heap, the message queue, the connection pool
// and the DNS cache, and it is the only place user callbacks of the multi are
// invoked from (always with the in-callback flag set).
//
// Theory of operation. Work is done only inside calls into the library:
// socketAction(s) runs the transfers polling socket s, then every transfer
// whose expiry has passed; perform() does the same for the sockets the
// built-in driver saw become ready. After a transfer ran, afterRun() diffs its
// pollset into SOCKETFUNCTION calls and re-keys it in the timer heap; at the
// end of each API call updateTimer() tells TIMERFUNCTION about a changed
// earliest expiry. Per event the cost is O(transfers on that socket + expired
// transfers), never O(all transfers).
import { MultiplexOptions, multiplexStarted, concernedUsers } from './multiplex.js';
import { returnConnection } from './conn-return.js';
import { PendingQueue } from './pending.js';
import { CURLE, CURLM, type CURLMcode } from '../codes.js';
import { CURL_POLL, CURL_SOCKET_TIMEOUT } from '../constants.js';
import { SocketRegistry, type PollEntry } from './socket-registry.js';
import { TimerHeap } from './timer-heap.js';
import { ConnectionPool } from '../conn/pool.js';
import { sayFarewell, type Connection } from '../conn/connection.js';
import { DnsCache } from '../dns/resolver.js';
import { CURL_LOCK_DATA, lockedView, shareInternals, sharedPool } from '../share/share.js';
import type { Transport } from '../transport/transport.js';
import { EXPIRE, STATE, Transfer, type ExpireId, type TransferState } from './transfer.js';
import { runTransfer, setState } from './states.js';
import { BuiltinDriver } from './driver.js';
import { traceText } from '../util/trace.js';
import { PAUSED } from '../cw/client-write.js';
import type { Easy } from '../easy/easy.js';
import { enterCallback, leaveCallback, runThunk, type CallbackGuard } from '../util/callback-depth.js';
import { TlsSessionCache } from '../vtls/tls-session-cache.js';
import { refreshEnv } from '../util/env-cache.js';
import { LIST, TransferList } from './transfer-list.js';
import { nowMs } from '../util/clock.js';
import { CALLBACK_NAME, thrownMessage } from '../util/callback-failure.js';
import { MultiCallbackFailure, markCallbackThrow, setErrorBuffer, xferInfo } from './transfer-callbacks.js';

export type SocketCallback = (easy: Easy | null, s: number, what: number, clientp: unknown, socketp: unknown) => number;
// the engine passes its public handle back (any: Multi narrows the type for users)
export type TimerCallback = (multi: any, timeoutMs: number, clientp: unknown) => number;

export interface DoneMessage {
  msg: number;
  easy: Easy;
  result: number;
}

/** The empty pollset (never modified). */
const NO_POLL: PollEntry[] = [];

/**
 * failf()'s verbose echo for a transfer. Made here, not written inline where
 * it is stored: V8 allocates a closure written directly into a property of a
 * long-lived object in the old generation, and a dead one there kept its
 * transfer (and all it reaches) alive through every young collection.
 */
function traceFailFor(e: MultiEngine, t: Transfer): (message: string) => void {
  return (message) => e.trace(t, message);
}

/** Timers fire on whole milliseconds; treat an expiry this close as reached. */
const SLACK_MS = 1;

export class MultiEngine implements CallbackGuard {
  readonly handle: object;
  socketFn: SocketCallback | null = null;
  socketData: unknown = null;
  timerFn: TimerCallback | null = null;
  timerData: unknown = null;
  maxConnects = 0;
  maxHostConnections = 0;
  maxTotalConnections = 0;
  /** CURLMOPT_PIPELINING, MAX_CONCURRENT_STREAMS, PUSHFUNCTION, PUSHDATA */
  readonly mux = new MultiplexOptions();

  readonly registry: SocketRegistry<Transfer>;
  readonly heap = new TimerHeap<Transfer>();
  readonly pool: ConnectionPool;
  readonly dnsCache = new DnsCache();
  /** TLS sessions for resumption, per multi as libcurl 8 keeps them */
  readonly sslSessions = new TlsSessionCache();
  readonly driver: BuiltinDriver;

  #transfers = new TransferList(LIST.ALL);
  #alive = 0;
  #messages = new TransferList(LIST.MESSAGES);
  /** transfers waiting for a connection (PENDING) */
  readonly pending = new PendingQueue();
  #callbackDepth = 0;
  #dead = false;
  /** SOCKETFUNCTION/TIMERFUNCTION failures (README "Callbacks that throw") */
  readonly #failed = new MultiCallbackFailure();
  #lastTimerKey: number | null = null;
  /** the transfer run() is running (the one a reader's callback belongs to) */
  #running: Transfer | null = null;

  constructor(handle: object) {
    this.handle = handle;
    this.driver = new BuiltinDriver(this);
    this.registry = new SocketRegistry<Transfer>((t, s, what, socketp, transport) => this.#socketChanged(t, s, what, socketp, transport));
    this.pool = new ConnectionPool((c) => this.#closeConnection(c));
  }

  // ---- callback guard -------------------------------------------------------

  get inCallbackNow(): boolean { return this.#callbackDepth > 0; }
  inCallback<R>(fn: () => R): R { return this.call2(runThunk<R>, fn, undefined); }
  call2<A, B, R>(fn: (a: A, b: B) => R, a: A, b: B): R {
    this.#callbackDepth++;
    enterCallback();
    try {
      return fn(a, b);
    } finally {
      leaveCallback();
      this.#callbackDepth--;
    }
  }

  /** An application callback threw (README "Callbacks that throw"): mark its transfer (markCallbackThrow), answer the text. */
  callbackThrew(thrown: unknown, code: number, callback: string, host?: object): string {
    // the writers and trace name their transfer; readers are called for the one running
    const t = host instanceof Transfer ? host : this.#running;
    if (!t) return thrownMessage(callback, thrown);
    const r = markCallbackThrow(t, thrown, code, callback);
    // thrown outside a run of `t` (nothing else is waiting to end it): run it now
    if (r.marked && t !== this.#running && this.#transfers.has(t)) this.expire(t, EXPIRE.RUN_NOW, nowMs());
    return r.message;
  }

  /** The value SOCKETFUNCTION or TIMERFUNCTION threw last, or undefined. */
  get lastCallbackError(): unknown {
    return this.#failed.last?.value;
  }

  // ---- transfers ------------------------------------------------------------

  get runningHandles(): number {
    return this.#alive;
  }
  get transferCount(): number {
    return this.#transfers.size;
  }
  /** Every transfer, in the order they were added (a copy). */
  transfers(): Transfer[] {
    return this.#transfers.toArray();
  }

  add(t: Transfer): CURLMcode {
    if (this.#dead) {
      if (this.#alive > 0) return CURLM.ABORTED_BY_CALLBACK;
      // every transfer the failed callback ended is done: the multi works again
      this.#dead = false;
      this.#failed.cause = null;
      this.#lastTimerKey = null;
    }
    // "libcurl initializes the contents of the error buffer to an empty string before performing a transfer"
    setErrorBuffer(t, '');
    this.#transfers.add(t);
    this.#alive++;
    const now = nowMs();
    t.timing.queued = now;
    t.traceFail = traceFailFor(this, t);
    this.expire(t, EXPIRE.RUN_NOW, now);
    return this.updateTimer();
  }

  remove(t: Transfer): CURLMcode {
    if (!this.#transfers.has(t)) return CURLM.OK;
    // a SOCKETFUNCTION that fails on what this removal tells it ends the others (CURLM_ABORTED_BY_CALLBACK)
    const wasDead = this.#dead;
    // out of the lists first: a failure that ends the others (#abortAll) must not end this one too
    this.#messages.delete(t);
    this.pending.delete(t);
    this.#transfers.delete(t);
    if (t.state !== STATE.COMPLETED && t.state !== STATE.MSGSENT) {
      // an unfinished transfer: its connection cannot be trusted for reuse
      if (t.conn) t.conn.reusable = false;
      if (t.result === CURLE.OK) t.result = CURLE.ABORTED_BY_CALLBACK;
      this.#abandon(t);
      this.#alive--;
    }
    this.heap.remove(t);
    if (!this.registry.update(t, [])) this.#multiCallbackFailed();
    this.pending.wakeFirst(this);
    const rc = this.updateTimer();
    return !wasDead && this.#dead ? CURLM.ABORTED_BY_CALLBACK : rc;
  }

  /** Stop whatever a transfer has in flight (resolver, connect attempts, connection). */
  #abandon(t: Transfer): void {
    t.request?.abort?.();
    t.expiries.clear();
    this.stopConnecting(t);
    this.releaseConnection(t);
  }

  /** Cancel a lookup or connect attempts still running for `t` (their sockets are unregistered first). */
  stopConnecting(t: Transfer): void {
    if (t.resolution) {
      if (t.resolution.signal) this.discardTransport(t.resolution.signal);
      t.resolution.cancel();
      t.resolution = null;
    }
    if (t.connector) {
      t.connector.abort();
      t.connector = null;
    }
    if (t.filters) {
      t.filters.abort();
      t.filters = null;
    }
  }

  // ---- running --------------------------------------------------------------

  run(t: Transfer): void {
    if (t.state === STATE.MSGSENT || !this.#transfers.has(t)) return;
    const outer = this.#running;
    this.#running = t;
    try {
      runTransfer(this, t);
    } finally {
      this.#running = outer;
    }
    if (this.#failed.afterRun && !outer) {
      this.#failed.afterRun = false;
      this.#abortAll();
    }
    this.afterRun(t);
  }

  /** Recompute what `t` polls and when it wants to be woken. */
  afterRun(t: Transfer): void {
    // received bytes the exchange keeps must not be views of the transport's reused memory
    t.retainReceived();
    if (!this.registry.update(t, this.#pollsetOf(t))) this.#multiCallbackFailed();
    const next = t.nextExpiry();
    if (next === undefined) this.heap.remove(t);
    else this.heap.set(t, next);
  }

  #pollsetOf(t: Transfer): PollEntry[] {
    switch (t.state) {
      case STATE.RESOLVING:
        return t.resolution?.signal ? [{ transport: t.resolution.signal, what: CURL_POLL.IN }] : NO_POLL;
      case STATE.CONNECTING:
        return t.connector ? t.connector.pollset() : t.filters ? t.filters.pollset() : NO_POLL;
      case STATE.DO:
      case STATE.DID:
      case STATE.PERFORMING: {
        if (t.request?.pollset) return t.request.pollset();
        const tr = t.conn?.transport;
        const what = t.request ? t.request.pollWhat() : 0;
        if (!tr || !what) return NO_POLL;
        // the same interest as last time (most runs): the registry sees an unchanged pollset
        const prev = t.pollset;
        if (prev.length === 1 && prev[0]!.transport === tr && prev[0]!.what === what) return prev;
        return [{ transport: tr, what }];
      }
      default:
        return NO_POLL;
    }
  }

  /** socketAction(): run the users of socket `s` (or the expired ones for CURL_SOCKET_TIMEOUT). */
  socketAction(s: number): CURLMcode {
    if (this.#dead) return CURLM.ABORTED_BY_CALLBACK;
    refreshEnv();
    if (s !== CURL_SOCKET_TIMEOUT) {
      const users = this.registry.users(s);
      if (users) for (const t of concernedUsers(users)) this.run(t);
    } else this.#lastTimerKey = null; // the application's timer fired: announce the next even at the same time (libcurl)
    this.runExpired();
    // woken transfers wait for their timer here, as in libcurl's multi_socket
    this.pending.takeWoken();
    if (this.#dead) return CURLM.ABORTED_BY_CALLBACK;
    return this.updateTimer();
  }

  /** perform(): run what the built-in driver saw ready, plus expired transfers. */
  perform(): CURLMcode {
    if (this.#dead) return CURLM.ABORTED_BY_CALLBACK;
    refreshEnv();
    if (this.socketFn) {
      // the application drives sockets itself; perform() then checks every transfer, as libcurl does
      for (const t of this.#transfers.toArray()) this.run(t);
    } else {
      for (const s of this.driver.takeReady()) {
        const users = this.registry.users(s);
        if (users) for (const t of concernedUsers(users)) this.run(t);
        this.driver.recheck(s);
      }
    }
    this.runExpired();
    this.#runWoken();
    if (this.#dead) return CURLM.ABORTED_BY_CALLBACK;
    return this.updateTimer();
  }

  /** Transfers woken from the pending queue run in this perform() too (PendingQueue.takeWoken), a bounded number of rounds. */
  #runWoken(): void {
    for (let round = 0, w = this.pending.takeWoken(); round < 64 && w.length > 0; round++, w = this.pending.takeWoken()) {
      for (const t of w) {
        if (t.state !== STATE.CONNECT || !this.#transfers.has(t)) continue;
        this.clearExpire(t, EXPIRE.RUN_NOW);
        this.run(t);
      }
    }
  }

  runExpired(): void {
    const now = nowMs();
    const due: Transfer[] = [];
    for (let t = this.heap.peek(); t && t.heapKey <= now + SLACK_MS; t = this.heap.peek()) {
      // deadlines stay recorded (the state machine reads them); one-shot wake-ups go
      t.expiries.dropDue(now + SLACK_MS, EXPIRE.CONNECTTIMEOUT);
      this.heap.remove(t);
      due.push(t);
    }
    for (const t of due) this.run(t);
  }

  // ---- timers ---------------------------------------------------------------

  expire(t: Transfer, id: ExpireId, at: number): void {
    t.expiries.set(id, at);
    if (t.heapIndex >= 0 || this.#transfers.has(t)) this.heap.set(t, t.nextExpiry()!);
  }
  clearExpire(t: Transfer, id: ExpireId): void {
    if (!t.expiries.delete(id)) return;
    const next = t.nextExpiry();
    if (next === undefined) this.heap.remove(t);
    else this.heap.set(t, next);
  }
  clearAllExpiries(t: Transfer): void {
    t.expiries.clear();
    this.heap.remove(t);
  }

  /** curl_multi_timeout: ms until the earliest expiry, 0 if due, -1 if none. */
  timeoutMs(): number {
    const top = this.heap.peek();
    if (!top) return -1;
    const d = top.heapKey - nowMs();
    return d <= 0 ? 0 : Math.ceil(d);
  }

  /** libcurl's Curl_update_timer: tell TIMERFUNCTION only about changes. */
  updateTimer(): CURLMcode {
    const top = this.heap.peek();
    // a poll()/wait() in progress goes by the multi's own timers whether or not TIMERFUNCTION is set
    // (curl_multi_poll does): a transfer added or made due while it waits ends it
    this.driver.timerChanged();
    if (!this.timerFn || this.#dead || this.#failed.afterRun) return CURLM.OK;
    let ms: number;
    if (!top) {
      if (this.#lastTimerKey === null) return CURLM.OK;
      this.#lastTimerKey = null;
      ms = -1;
    } else {
      if (top.heapKey === this.#lastTimerKey) return CURLM.OK;
      this.#lastTimerKey = top.heapKey;
      ms = this.timeoutMs();
    }
    const fn = this.timerFn;
    const rc = this.#failed.run(CALLBACK_NAME.TIMER, () => this.inCallback(() => fn(this.handle, ms, this.timerData)));
    if (rc === -1) {
      this.#multiCallbackFailed();
      return CURLM.ABORTED_BY_CALLBACK;
    }
    return CURLM.OK;
  }

  // ---- sockets --------------------------------------------------------------

  #socketChanged(t: Transfer | undefined, s: number, what: number, socketp: unknown, transport: Transport): boolean {
    this.driver.socketChanged(s, what, transport);
    if (!this.socketFn || this.#dead || this.#failed.afterRun) return true;
    const fn = this.socketFn;
    const rc = this.#failed.run(CALLBACK_NAME.SOCKET, () => this.inCallback(() => fn(t?.easy ?? null, s, what, this.socketData, socketp)));
    return rc !== -1;
  }

  /** Unregister (REMOVE first, as libcurl does before closing) and close a transport. */
  discardTransport(tr: Transport): void {
    if (!this.registry.forget(tr.id, undefined)) this.#multiCallbackFailed();
    tr.close();
  }

  // ---- connections ----------------------------------------------------------

  /** The pool a transfer uses: its share's (CURL_LOCK_DATA_CONNECT) or this multi's. */
  poolFor(t: Transfer): ConnectionPool {
    const sh = shareInternals(t.opts.hot().share);
    return sh && sh.kinds.has(CURL_LOCK_DATA.CONNECT) ? lockedView(sh, CURL_LOCK_DATA.CONNECT, t.easy, sharedPool(sh)) : this.pool;
  }

  /** The TLS session cache a transfer uses: its share's (CURL_LOCK_DATA_SSL_SESSION) or this multi's. */
  sessionCacheFor(t: Transfer): TlsSessionCache {
    const sh = shareInternals(t.opts.hot().share);
    return sh && sh.kinds.has(CURL_LOCK_DATA.SSL_SESSION) ? lockedView(sh, CURL_LOCK_DATA.SSL_SESSION, t.easy, sh.sslSessions) : this.sslSessions;
  }

  /** The DNS cache a transfer uses: its share's (CURL_LOCK_DATA_DNS) or this multi's. */
  dnsCacheFor(t: Transfer): DnsCache {
    const sh = shareInternals(t.opts.hot().share);
    return sh && sh.kinds.has(CURL_LOCK_DATA.DNS) ? lockedView(sh, CURL_LOCK_DATA.DNS, t.easy, sh.dnsCache) : this.dnsCache;
  }

  reuseConnection(c: Connection): void {
    c.transport?.setIdle(false);
  }

  /**
   * The transfer is done with its connection: pool it or close it. Either
   * way the first transfer waiting for a connection looks again (libcurl's
   * multi_done).
   */
  releaseConnection(t: Transfer): void {
    const c = t.conn;
    if (!c || t.connReleased) return;
    t.connReleased = true;
    if (!this.registry.update(t, [])) this.#multiCallbackFailed();
    returnConnection(this, t, c);
    this.pending.wakeFirst(this);
  }

  connectionMultiplexes(t: Transfer, conn: Connection): void {
    multiplexStarted(this, t, conn);
  }

  #closeConnection(c: Connection): void {
    c.h2?.destroy();
    c.idleSince = -1; // marks it closed for releaseConnection
    sayFarewell(c);
    if (c.transport) this.discardTransport(c.transport);
  }

  // ---- completion -----------------------------------------------------------

  postDone(t: Transfer): void {
    // the DONE message and the error text arrive together, whichever call ran the transfer
    setErrorBuffer(t, t.errorMessage);
    this.#messages.add(t);
    this.#alive--;
    this.pending.delete(t);
  }

  infoRead(): DoneMessage | undefined {
    const t = this.#messages.first();
    if (!t) return undefined;
    this.#messages.delete(t);
    return { msg: 1, easy: t.easy, result: t.result };
  }
  get messagesInQueue(): number {
    return this.#messages.size;
  }

  /**
   * End one unfinished transfer now, from outside any callback
   * (easy.reset()/cleanup() while its perform() is pending, or while it
   * sits in an application's multi): it fails with `code` and goes through
   * DONE as a transfer that failed by itself would, so what it has in
   * flight is stopped, its connection is closed (it is mid-response, not
   * reusable) and its socket numbers are released, and its DONE message is
   * queued. A poll()/wait() in progress returns so its caller sees that
   * message instead of sleeping on a socket that is gone.
   */
  abortTransfer(t: Transfer, code: number, message: string): void {
    if (!this.#transfers.has(t) || t.state === STATE.COMPLETED || t.state === STATE.MSGSENT) return;
    t.fail(code, message);
    if (t.conn) t.conn.reusable = false;
    t.expiries.clear();
    setState(this, t, STATE.DONE);
    this.run(t);
    this.updateTimer();
    this.driver.interrupt();
  }

  /** SOCKETFUNCTION or TIMERFUNCTION failed. Inside a run the transfers are ended after it (the running one is
   * mid-state: ending it under its own feet would queue its DONE message twice); neither callback is called meanwhile. */
  #multiCallbackFailed(): void {
    if (!this.#running) return this.#abortAll();
    this.#failed.afterRun = true;
  }

  /** A multi callback failed: every transfer fails with CURLE_ABORTED_BY_CALLBACK. */
  #abortAll(): void {
    if (this.#dead) return;
    this.#dead = true;
    const cause = this.#failed.cause;
    for (const t of this.#transfers.toArray()) {
      if (t.state === STATE.COMPLETED || t.state === STATE.MSGSENT) continue;
      if (cause) t.callbackError ??= { value: cause.value };
      t.fail(CURLE.ABORTED_BY_CALLBACK, cause?.message ?? 'Operation was aborted by an application callback');
      if (t.conn) t.conn.reusable = false;
      this.#abandon(t);
      this.heap.remove(t);
      this.registry.update(t, []);
      setState(this, t, STATE.COMPLETED);
      this.postDone(t);
      setState(this, t, STATE.MSGSENT);
    }
  }
  get dead(): boolean {
    return this.#dead;
  }

  /** pause/unpause from easy.pause(): CURLE_ABORTED_BY_CALLBACK when a multi callback failed meanwhile. */
  setPause(t: Transfer, bits: number): number {
    const was = t.pauseBits;
    const wasDead = this.#dead || this.#failed.afterRun;
    t.pauseBits = bits;
    if ((was & ~bits) !== 0) this.expire(t, EXPIRE.RUN_NOW, nowMs());
    if (!this.inCallbackNow || t.state !== STATE.PERFORMING) this.afterRun(t);
    const rc = this.updateTimer();
    return rc === CURLM.OK && (wasDead || !(this.#dead || this.#failed.afterRun)) ? CURLE.OK : CURLE.ABORTED_BY_CALLBACK;
  }

  /** After unpause: what the writers held goes out, the stopped decoders go on. CURLE_OK or an error. */
  flushHeld(t: Transfer): number {
    const r = t.writers.unpause();
    return r === PAUSED ? CURLE.OK : r;
  }

  /** XFERINFOFUNCTION (transfer-callbacks.ts): CURLE_ABORTED_BY_CALLBACK, the transfer failed, when it aborts. */
  progress(t: Transfer, final = false): number {
    return xferInfo(this, t, final);
  }

  // ---- tracing --------------------------------------------------------------

  trace(t: Transfer, text: string): void {
    traceText(this, t, text);
  }
  traceState(_t: Transfer, _from: TransferState, _to: TransferState): void {
    // state transitions are traced with CURLOPT_VERBOSE in libcurl debug builds only
  }

  // ---- teardown -------------------------------------------------------------

  /** curl_multi_cleanup: drop every transfer and close every connection. */
  cleanup(): void {
    for (const t of this.#transfers.toArray()) {
      if (t.conn) t.conn.reusable = false;
      this.#abandon(t);
      this.registry.update(t, []);
      this.heap.remove(t);
      this.#transfers.delete(t);
    }
    this.#alive = 0;
    this.#messages.clear();
    this.pending.clear();
    this.pool.closeAllIdle();
    // anything still registered (should be nothing) is removed and closed
    for (const s of [...this.registry.sockets()]) {
      const tr = this.registry.transportOf(s);
      if (tr) this.discardTransport(tr);
    }
    this.dnsCache.clear();
    this.driver.close();
  }
}

