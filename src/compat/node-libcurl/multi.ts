// node-libcurl's Multi on a tscurl Multi driven by tscurl's built-in driver:
// one loop per Multi (perform(), infoRead(), poll()) runs while it has
// transfers, started on the microtask after addHandle()/perform() so that
// handles added together start together; one added while it waits ends the
// wait itself (it is due at once). Each finished transfer settles its perform() promise or goes
// to the onMessage callback with node-libcurl's (error, easy, errorCode).
import {
  Multi as TscMulti, CURLE, CURLM, CURLMOPT, CURL_PUSH_DENY, CURL_PUSH_OK, multiStrerror, type Easy as TscEasy, type PushHeaders,
} from '../../index.js';
import { Easy, adoptDuplicate, innerEasy, outerEasy } from './easy.js';
import { CurlEasyError, easyError, multiError } from './errors.js';
import type { Http2PushFrameHeaders } from './types.js';
import { resolveMultiOption } from './options.js';

export type MultiMessageCallback = (error: Error | null, easyHandle: Easy, errorCode: number) => void;

export type MultiPushCallback = (parent: Easy, duplicatedHandle: Easy, pushFrameHeaders: Http2PushFrameHeaders) => number;

export interface MultiOptions {
  /** node-libcurl: use libcurl 8.17's notification API. tscurl's driver needs no such choice; accepted and ignored. */
  shouldUseNotificationsApi?: boolean;
}

/**
 * A handle's membership of one Multi: where it is in the member list, whether
 * its transfer runs, and what its end settles (a perform() promise's resolve
 * and reject, or performTo()'s target). One object per handle and Multi,
 * re-used for each of its transfers: adding and removing a handle per
 * transfer costs no Map or Set entries. (A Map or Set whose entries come and
 * go replaces its table again and again, each table linked to the next; once
 * one reaches the old generation, every later one is kept alive through it
 * until the next full GC: measured at ~800 bytes promoted per curly call.)
 */
class Member {
  /** index in the Multi's member list, -1 when not a member */
  index = -1;
  active = false;
  resolve: ((easy: Easy) => void) | null = null;
  reject: ((error: Error) => void) | null = null;
  target: TransferTarget | null = null;

  get pending(): boolean {
    return this.resolve !== null || this.target !== null;
  }

  settle(easy: Easy, err: Error | null): void {
    const { resolve, reject, target } = this;
    this.resolve = this.reject = null;
    this.target = null;
    if (target) target.transferEnded(easy, err);
    else if (err) reject!(err);
    else resolve!(easy);
  }
}

/** @internal who performTo() tells a transfer's end: a long-lived object (curly's kept handles) */
export interface TransferTarget {
  /** the transfer ended (`err`: what perform() would reject with) and the handle has left the Multi; called from the loop, outside libcurl callbacks */
  transferEnded(easy: Easy, err: Error | null): void;
}

/** The CurlEasyError a finished transfer rejects with, or null on success (node-libcurl's rules). */
export function transferError(easy: Easy, code: number): CurlEasyError | null {
  const thrown = easy.callbackError;
  if (thrown !== undefined) {
    return new CurlEasyError('Request was aborted by a callback', CURLE.ABORTED_BY_CALLBACK, { cause: thrown });
  }
  return code === CURLE.OK ? null : easyError('Request failed', code, true);
}

export class Multi {
  readonly #inner = new TscMulti();
  #open = true;
  #onMessage: MultiMessageCallback | null = null;
  /** the handles in this Multi (see Member) */
  readonly #members: Easy[] = [];
  readonly #memberOf = new WeakMap<Easy, Member>();
  /** handles whose transfer has not finished: the loop runs while there are any */
  #activeCount = 0;
  #loop: 'idle' | 'scheduled' | 'running' = 'idle';
  /** wakeup() was called since the loop last came back from poll(): one is enough (more leave an empty round) */
  #woken = false;

  constructor(_options?: MultiOptions) {}

  #checkOpen(): void {
    if (!this.#open) throw multiError('Multi handle is closed', CURLM.BAD_HANDLE);
  }

  /** curl_multi_setopt by name or id; an integer option refuses anything but a number (CurlMultiError). */
  setOpt(option: string | number, value: unknown): number {
    this.#checkOpen();
    if (arguments.length < 2) throw new TypeError('Wrong number of arguments');
    const found = resolveMultiOption(option);
    if (!found) return CURLM.UNKNOWN_OPTION;
    if (found.name === 'PUSHFUNCTION') {
      if (value !== null && typeof value !== 'function') {
        throw multiError('Option value must be null or a function.', CURLM.BAD_FUNCTION_ARGUMENT);
      }
      return this.#inner.setopt(CURLMOPT.PUSHFUNCTION, value === null ? null : this.#pushAdapter(value as MultiPushCallback));
    }
    if (found.name.endsWith('FUNCTION') || found.name.endsWith('DATA')) {
      throw new TypeError('Unsupported option, probably because it\'s too complex to implement using javascript or unecessary when using javascript.');
    }
    if (found.name.endsWith('_BL')) {
      if (value !== null && !Array.isArray(value)) throw multiError('Option value must be an Array.', CURLM.BAD_FUNCTION_ARGUMENT);
      return CURLM.OK; // no function since libcurl 7.62
    }
    if (typeof value !== 'number') throw multiError('Option value must be an integer.', CURLM.BAD_FUNCTION_ARGUMENT);
    return this.#inner.setopt(found.id as never, (value | 0) as never);
  }

  /**
   * tscurl's push callback calling node-libcurl's (parent, duplicatedHandle,
   * headers). As in node-libcurl, a throw (or an answer that is not a
   * number) is CurlPush.Deny; an accepted push is a transfer of this Multi
   * whose end goes to onMessage; a refused one's handle is freed by libcurl.
   */
  #pushAdapter(fn: MultiPushCallback): (parent: TscEasy, child: TscEasy, n: number, headers: PushHeaders) => number {
    return (parentInner, childInner, n, headers) => {
      const parent = outerEasy(parentInner);
      if (!parent || parent.multiOwner !== this) return CURL_PUSH_DENY;
      const child = adoptDuplicate(parent, childInner);
      const frame: Http2PushFrameHeaders = {
        getByName: (name) => headers.byname(name),
        getByIndex: (index) => headers.bynum(index),
        numberOfHeaders: n,
      };
      let rc: unknown;
      try {
        rc = fn.call(this, parent, child, frame);
      } catch {
        rc = CURL_PUSH_DENY;
      }
      if (typeof rc !== 'number') rc = CURL_PUSH_DENY;
      if (rc === CURL_PUSH_OK) {
        child.beginTransfer();
        child.multiOwner = this;
        this.#join(child);
      } else {
        child.markFreed();
      }
      return rc as number;
    };
  }

  #checkEasy(handle: unknown, forAdd: boolean): Easy {
    this.#checkOpen();
    if (!(handle instanceof Easy)) throw multiError('Argument must be an Easy instance', CURLM.BAD_FUNCTION_ARGUMENT);
    if (!handle.isOpen) throw multiError('Easy handle is closed or invalid', CURLM.BAD_EASY_HANDLE);
    if (forAdd && handle.isInsideMultiHandle) throw multiError('Easy handle is already inside a multi handle', CURLM.ADDED_ALREADY);
    return handle;
  }

  #add(handle: Easy): Member {
    const inner = innerEasy(handle);
    handle.beginTransfer();
    const code = this.#inner.addHandle(inner);
    if (code !== CURLM.OK) throw multiError('Could not add easy handle to the multi handle.', code, true);
    handle.multiOwner = this;
    const m = this.#join(handle);
    this.#schedule();
    return m;
  }

  /** curl_multi_add_handle: the transfer starts; its end goes to onMessage. */
  addHandle(handle: Easy): number {
    this.#add(this.#checkEasy(handle, true));
    return CURLM.OK;
  }

  /** The transfer of `handle`, as a promise of the handle (rejected with CurlEasyError and its `code`). */
  perform(handle: Easy): Promise<Easy> {
    const easy = this.#checkEasy(handle, true);
    return new Promise<Easy>((resolve, reject) => {
      const m = this.#add(easy);
      m.resolve = resolve;
      m.reject = reject;
    });
  }

  /**
   * @internal perform() without its promise: `target` is told the end (curly's
   * plain path saves a promise, its closures and a turn per call with it).
   * Throws as perform() does for a handle that cannot be added.
   */
  performTo(handle: Easy, target: TransferTarget): void {
    this.#add(this.#checkEasy(handle, true)).target = target;
  }

  #member(easy: Easy): Member {
    let m = this.#memberOf.get(easy);
    if (!m) this.#memberOf.set(easy, (m = new Member()));
    return m;
  }

  /** `easy` becomes a member with a running transfer. */
  #join(easy: Easy): Member {
    const m = this.#member(easy);
    m.index = this.#members.length;
    this.#members.push(easy);
    m.active = true;
    this.#activeCount++;
    return m;
  }

  /** `easy` leaves the member list (the last member takes its place). */
  #leave(easy: Easy, m: Member): void {
    if (m.active) {
      m.active = false;
      this.#activeCount--;
    }
    const list = this.#members;
    const last = list.pop()!;
    if (last !== easy) {
      list[m.index] = last;
      this.#memberOf.get(last)!.index = m.index;
    }
    m.index = -1;
  }

  /** `easy` leaves the Multi: the tscurl Multi first (a refusal changes nothing), then the member list. */
  #detach(easy: Easy, inner: TscEasy, m: Member | undefined): number {
    const code = this.#inner.removeHandle(inner);
    if (code !== CURLM.OK) return code;
    if (m && m.index >= 0) this.#leave(easy, m);
    easy.multiOwner = null;
    return code;
  }

  /** curl_multi_remove_handle. An unfinished perform() promise is rejected; the transfer's connection is closed. */
  removeHandle(handle: Easy): number {
    this.#checkOpen();
    if (!(handle instanceof Easy)) throw multiError('Argument must be an Easy instance', CURLM.BAD_FUNCTION_ARGUMENT);
    if (!handle.isOpen) throw multiError('Easy handle is closed or invalid', CURLM.BAD_EASY_HANDLE);
    const inner = innerEasy(handle);
    if (handle.multiOwner !== this) return CURLM.OK;
    const m = this.#memberOf.get(handle);
    const code = this.#detach(handle, inner, m);
    if (code !== CURLM.OK) throw multiError('Could not remove easy handle from multi handle.', code, true);
    if (m?.pending) {
      m.settle(handle, easyError('Request was aborted: the handle was removed from its Multi before it finished', CURLE.ABORTED_BY_CALLBACK));
    }
    return CURLM.OK;
  }

  /** The callback for each finished transfer of handles added with addHandle(); null removes it. */
  onMessage(cb: MultiMessageCallback | null): this {
    if (cb !== null && typeof cb !== 'function') throw new TypeError('Argument must be a function or null.');
    this.#onMessage = cb;
    return this;
  }

  /** Number of Easy handles in this Multi. */
  getCount(): number {
    return this.#members.length;
  }

  /** curl_multi_cleanup: unfinished perform() promises are rejected, the handles become free. */
  close(): void {
    if (!this.#open) throw multiError('Multi handle already closed.', CURLM.BAD_HANDLE);
    this.#open = false;
    const members = this.#members.splice(0);
    const pending: [Easy, Member][] = [];
    for (const easy of members) {
      easy.multiOwner = null;
      const m = this.#memberOf.get(easy)!;
      m.index = -1;
      m.active = false;
      if (m.pending) pending.push([easy, m]);
    }
    this.#activeCount = 0;
    this.#inner.cleanup();
    for (const [easy, m] of pending) m.settle(easy, multiError('Multi handle was closed before the request finished', CURLM.BAD_HANDLE));
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** curl_multi_strerror (node-libcurl's addon has it as a static method, its types as an instance one) */
  static strError(errorCode: number): string {
    if (typeof errorCode !== 'number') throw multiError('Argument must be an error code', CURLM.BAD_FUNCTION_ARGUMENT);
    return multiStrerror(errorCode as never);
  }

  strError(errorCode: number): string {
    return Multi.strError(errorCode);
  }

  /** A paused transfer of this Multi was resumed from outside the loop: make its wait end now. */
  wake(): void {
    if (this.#open && this.#loop === 'running') this.#wakeLoop();
  }

  #wakeLoop(): void {
    if (this.#woken) return;
    this.#woken = true;
    this.#inner.wakeup();
  }

  /**
   * A handle was added: start the loop on the next microtask if it is idle.
   * A running loop needs no wakeup(): the added handle is due at once, which
   * ends the driver's wait by itself; a wakeup() on top came after that wait
   * had ended and was kept for the next poll() (an empty perform round).
   */
  #schedule(): void {
    if (this.#loop === 'idle') {
      this.#loop = 'scheduled';
      queueMicrotask(() => void this.#run());
    }
  }

  async #run(): Promise<void> {
    this.#loop = 'running';
    this.#woken = false;
    try {
      while (this.#open && this.#activeCount > 0) {
        this.#inner.perform();
        for (let m = this.#inner.infoRead(); m; m = this.#inner.infoRead()) this.#finished(m.easy, m.result);
        if (!this.#open || this.#activeCount === 0) break;
        await this.#inner.poll(1000);
        this.#woken = false;
      }
    } finally {
      this.#loop = 'idle';
    }
  }

  #finished(inner: TscEasy, code: number): void {
    const easy = outerEasy(inner);
    const m = easy === undefined ? undefined : this.#memberOf.get(easy);
    if (easy === undefined || m === undefined || m.index < 0) return;
    if (m.active) {
      m.active = false;
      this.#activeCount--;
    }
    const failedByCallback = code === CURLE.OK && easy.callbackError !== undefined;
    const status = failedByCallback ? CURLE.ABORTED_BY_CALLBACK : code;
    if (m.pending) {
      const err = transferError(easy, code);
      // performTo()'s handle leaves here, where its member is at hand, not through removeHandle()'s checks and lookups
      if (m.target) this.#detach(easy, inner, m);
      m.settle(easy, err);
      return;
    }
    const cb = this.#onMessage;
    if (!cb) return;
    const thrown = easy.callbackError;
    const error = thrown !== undefined ? (thrown as Error) : status === CURLE.OK ? null : easyError('Request failed', status, true);
    try {
      cb.call(this, error, easy, status);
    } catch {
      // node-libcurl ignores what the message callback throws
    }
  }
}
