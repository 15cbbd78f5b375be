// Multi: the public multi handle (curl_multi_*). Argument checks, option
// storage and the recursion rules live here; the machinery is MultiEngine.
import { CURLM, type CURLMcode } from '../codes.js';
import { CURLMOPT } from './mopt-table.js';
import { CURL_SOCKET_TIMEOUT } from '../constants.js';
import { MultiEngine, type DoneMessage, type SocketCallback, type TimerCallback } from './engine.js';
import type { PushCallback } from './multiplex.js';
import { Transfer } from './transfer.js';
import { internalsOf, setPauseFn } from '../easy/internals.js';
import type { Easy } from '../easy/easy.js';

export type { DoneMessage };
export type MultiSocketCallback = (easy: Easy | null, s: number, what: number, clientp: unknown, socketp: unknown) => number;
export type MultiTimerCallback = (multi: Multi, timeoutMs: number, clientp: unknown) => number;

type MoptId = (typeof CURLMOPT)[keyof typeof CURLMOPT];
interface MoptValues {
  20001: MultiSocketCallback | null;
  10002: unknown;
  20004: MultiTimerCallback | null;
  10005: unknown;
  3: number;
  6: number;
  7: number;
  13: number;
  16: number;
}
export type MultiOptionValue<K extends MoptId> = K extends keyof MoptValues ? MoptValues[K] : unknown;

/** curl_multi_poll/wait take an int of milliseconds: INT_MAX, also the longest Node timer. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const engines = new WeakMap<object, MultiEngine>();
setPauseFn((multi, t, bits) => {
  const e = engines.get(multi);
  if (!e) return 43;
  return e.setPause(t, bits);
});

/**
 * The multi `m` (an application's, or an easy's private one) is inside one
 * of its callbacks right now: libcurl's Curl_is_in_callback(), which
 * easy.reset() and easy.cleanup() consult to refuse with
 * CURLE_RECURSIVE_API_CALL.
 */
export function multiInCallback(m: object): boolean {
  return engines.get(m)?.inCallbackNow ?? false;
}

/** End `easy`'s unfinished transfer in multi `m` now (see MultiEngine.abortTransfer). */
export function abortEasyTransfer(m: object, easy: Easy, code: number, message: string): void {
  const i = internalsOf(easy);
  const e = engines.get(m);
  if (e && i?.transfer && i.multi === m) e.abortTransfer(i.transfer, code, message);
}

export class Multi {
  #e: MultiEngine;
  #closed = false;

  constructor() {
    this.#e = new MultiEngine(this);
    engines.set(this, this.#e);
  }

  /** curl_multi_setopt */
  setopt<K extends MoptId>(option: K, value: MultiOptionValue<K>): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    if (this.#e.inCallbackNow) return CURLM.RECURSIVE_API_CALL;
    const e = this.#e;
    const isFn = (v: unknown): boolean => v === null || typeof v === 'function';
    const isLong = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
    switch (option as number) {
      case CURLMOPT.SOCKETFUNCTION:
        if (!isFn(value)) return CURLM.BAD_FUNCTION_ARGUMENT;
        e.socketFn = value as SocketCallback | null;
        return CURLM.OK;
      case CURLMOPT.SOCKETDATA:
        e.socketData = value;
        return CURLM.OK;
      case CURLMOPT.TIMERFUNCTION:
        if (!isFn(value)) return CURLM.BAD_FUNCTION_ARGUMENT;
        e.timerFn = value as TimerCallback | null;
        return CURLM.OK;
      case CURLMOPT.TIMERDATA:
        e.timerData = value;
        return CURLM.OK;
      case CURLMOPT.MAXCONNECTS:
      case CURLMOPT.MAX_HOST_CONNECTIONS:
      case CURLMOPT.MAX_TOTAL_CONNECTIONS: {
        if (!isLong(value) || value < 0) return CURLM.BAD_FUNCTION_ARGUMENT;
        if (option === CURLMOPT.MAXCONNECTS) e.maxConnects = value;
        else if (option === CURLMOPT.MAX_HOST_CONNECTIONS) e.maxHostConnections = value;
        else e.maxTotalConnections = value;
        return CURLM.OK;
      }
      case CURLMOPT.PIPELINING:
        if (!isLong(value)) return CURLM.BAD_FUNCTION_ARGUMENT;
        e.mux.pipelining = value;
        return CURLM.OK;
      case CURLMOPT.MAX_CONCURRENT_STREAMS:
        if (!isLong(value)) return CURLM.BAD_FUNCTION_ARGUMENT;
        // libcurl: 1 .. 2^31-1, anything else is the default 100
        e.mux.maxConcurrentStreams = value >= 1 ? value : 100;
        return CURLM.OK;
      case CURLMOPT.PUSHFUNCTION:
        if (!isFn(value)) return CURLM.BAD_FUNCTION_ARGUMENT;
        e.mux.pushFn = value as PushCallback | null;
        return CURLM.OK;
      case CURLMOPT.PUSHDATA:
        e.mux.pushData = value;
        return CURLM.OK;
      case CURLMOPT.MAX_PIPELINE_LENGTH:
      case CURLMOPT.CONTENT_LENGTH_PENALTY_SIZE:
      case CURLMOPT.CHUNK_LENGTH_PENALTY_SIZE:
      case CURLMOPT.PIPELINING_SITE_BL:
      case CURLMOPT.PIPELINING_SERVER_BL:
        // libcurl documents these as having no function since 7.62.0
        return CURLM.OK;
      default:
        return CURLM.UNKNOWN_OPTION;
    }
  }

  /** curl_multi_add_handle */
  addHandle(easy: Easy): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    const i = internalsOf(easy);
    if (!i || i.cleaned) return CURLM.BAD_EASY_HANDLE;
    if (i.multi) return CURLM.ADDED_ALREADY;
    if (this.#e.inCallbackNow) return CURLM.RECURSIVE_API_CALL;
    const t = new Transfer(easy, i.opts, this.#e);
    if (i.headLog) (t.headLog = i.headLog).clear();
    i.transfer?.retire();
    i.multi = this;
    i.transfer = t;
    // CURLM_ABORTED_BY_CALLBACK: TIMERFUNCTION failed; as in libcurl the handle stays added
    // (its transfer ended with the others: its DONE message waits for infoRead)
    return this.#e.add(t);
  }

  /** curl_multi_remove_handle */
  removeHandle(easy: Easy): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    const i = internalsOf(easy);
    if (!i) return CURLM.BAD_EASY_HANDLE;
    if (i.multi !== this) return CURLM.OK; // libcurl: not ours is not an error
    if (this.#e.inCallbackNow) return CURLM.RECURSIVE_API_CALL;
    i.multi = null;
    return i.transfer ? this.#e.remove(i.transfer) : CURLM.OK;
  }

  /** curl_multi_perform */
  perform(): { code: CURLMcode; runningHandles: number } {
    if (this.#closed) return { code: CURLM.BAD_HANDLE, runningHandles: 0 };
    if (this.#e.inCallbackNow) return { code: CURLM.RECURSIVE_API_CALL, runningHandles: this.#e.runningHandles };
    const code = this.#e.perform();
    return { code, runningHandles: this.#e.runningHandles };
  }

  /** curl_multi_socket_action */
  socketAction(s: number, _events = 0): { code: CURLMcode; runningHandles: number } {
    if (this.#closed) return { code: CURLM.BAD_HANDLE, runningHandles: 0 };
    if (this.#e.inCallbackNow) return { code: CURLM.RECURSIVE_API_CALL, runningHandles: this.#e.runningHandles };
    if (typeof s !== 'number') throw new TypeError('socketAction: socket must be a number');
    const code = this.#e.socketAction(s === CURL_SOCKET_TIMEOUT ? CURL_SOCKET_TIMEOUT : s);
    return { code, runningHandles: this.#e.runningHandles };
  }

  /** curl_multi_assign: allowed from inside callbacks. */
  assign(s: number, ptr: unknown): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    return this.#e.registry.assign(s, ptr) ? CURLM.OK : CURLM.BAD_SOCKET;
  }

  /** curl_multi_info_read: one DONE message, or undefined. */
  infoRead(): DoneMessage | undefined {
    if (this.#closed || this.#e.inCallbackNow) return undefined;
    return this.#e.infoRead();
  }

  /** Messages left after the last infoRead() (curl_multi_info_read's msgs_in_queue). */
  get messagesInQueue(): number {
    return this.#e.messagesInQueue;
  }

  /** curl_multi_timeout */
  timeout(): { code: CURLMcode; timeoutMs: number } {
    if (this.#closed) return { code: CURLM.BAD_HANDLE, timeoutMs: -1 };
    if (this.#e.inCallbackNow) return { code: CURLM.RECURSIVE_API_CALL, timeoutMs: -1 };
    return { code: CURLM.OK, timeoutMs: this.#e.timeoutMs() };
  }

  /**
   * curl_multi_poll: wait for activity, a timer, wakeup() or timeoutMs.
   * timeoutMs is libcurl's int: a negative or non-finite one is
   * CURLM_BAD_FUNCTION_ARGUMENT, a larger one waits INT_MAX ms.
   */
  async poll(timeoutMs: number): Promise<{ code: CURLMcode; numfds: number }> {
    if (this.#closed) return { code: CURLM.BAD_HANDLE, numfds: 0 };
    if (this.#e.inCallbackNow) return { code: CURLM.RECURSIVE_API_CALL, numfds: 0 };
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return { code: CURLM.BAD_FUNCTION_ARGUMENT, numfds: 0 };
    const numfds = await this.#e.driver.wait(Math.min(timeoutMs, MAX_TIMEOUT_MS), true);
    return { code: CURLM.OK, numfds };
  }

  /** curl_multi_wait: as poll() but not woken by wakeup(). */
  async wait(timeoutMs: number): Promise<{ code: CURLMcode; numfds: number }> {
    if (this.#closed) return { code: CURLM.BAD_HANDLE, numfds: 0 };
    if (this.#e.inCallbackNow) return { code: CURLM.RECURSIVE_API_CALL, numfds: 0 };
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return { code: CURLM.BAD_FUNCTION_ARGUMENT, numfds: 0 };
    const numfds = await this.#e.driver.wait(Math.min(timeoutMs, MAX_TIMEOUT_MS), false);
    return { code: CURLM.OK, numfds };
  }

  /** curl_multi_wakeup */
  wakeup(): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    this.#e.driver.wakeup();
    return CURLM.OK;
  }

  /** curl_multi_get_handles */
  getHandles(): Easy[] {
    if (this.#closed) return [];
    return this.#e.transfers().map((t) => t.easy);
  }

  /** curl_multi_cleanup: closes every connection; added easy handles become free again. */
  cleanup(): CURLMcode {
    if (this.#closed) return CURLM.BAD_HANDLE;
    if (this.#e.inCallbackNow) return CURLM.RECURSIVE_API_CALL;
    for (const t of this.#e.transfers()) {
      const i = internalsOf(t.easy);
      if (i && i.multi === this) i.multi = null;
    }
    this.#e.cleanup();
    this.#closed = true;
    return CURLM.OK;
  }

  /**
   * What CURLMOPT_SOCKETFUNCTION or CURLMOPT_TIMERFUNCTION threw last
   * (undefined while neither threw). Such a throw counts as the callback
   * returning -1: every transfer ends with CURLE_ABORTED_BY_CALLBACK and
   * the call answers CURLM_ABORTED_BY_CALLBACK (README "Callbacks that throw").
   */
  get lastCallbackError(): unknown {
    return this.#e.lastCallbackError;
  }

  /** Number of connections open (in use or idle) — for tests and diagnostics. */
  get connectionCount(): number {
    return this.#e.pool.openCount;
  }
}
