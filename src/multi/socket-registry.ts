// The socket registry: what every transfer wants to poll, folded per socket
// into the union the application is told about through CURLMOPT_SOCKETFUNCTION.
//
// Theory of operation (libcurl's singlesocket()/multi_ev.c): after a transfer
// ran, the engine hands us its new pollset. We diff it against the transfer's
// previous pollset, adjust per-socket reader/writer counts, and for every
// socket whose union changed we report the change — and only the change. A
// socket whose counts drop to zero is reported as CURL_POLL.REMOVE and its
// entry, with the application's assign()ed pointer, is forgotten. Several
// transfers may share one socket (connection reuse, multiplexing); the counts
// make the union right. All operations are O(sockets in the pollset).
import { CURL_POLL } from '../constants.js';
import type { Transport } from '../transport/transport.js';

import type { PollEntry } from '../transport/transport.js';
export type { PollEntry };

export interface PollsetOwner {
  pollset: PollEntry[];
}

interface SocketEntry<T> {
  /** null once retired (see #free) */
  transport: Transport | null;
  readers: number;
  writers: number;
  reported: number; // last what told to the application, 0 = never told
  socketp: unknown;
  users: Set<T>;
}

/** Called for every change; returns false when the application's callback failed (-1). */
export type SocketChangeFn<T> = (owner: T, s: number, what: number, socketp: unknown, transport: Transport) => boolean;

export class SocketRegistry<T extends PollsetOwner> {
  #map = new Map<number, SocketEntry<T>>();
  #onChange: SocketChangeFn<T>;
  /**
   * Entries of sockets nobody polls any more, kept for the next socket that
   * is polled: a keep-alive connection is REMOVEd after every transfer and
   * added again by the next one. A retired entry lets go of its transport
   * and the application's pointer.
   */
  #free: SocketEntry<T>[] = [];

  constructor(onChange: SocketChangeFn<T>) {
    this.#onChange = onChange;
  }

  get size(): number {
    return this.#map.size;
  }

  has(s: number): boolean {
    return this.#map.has(s);
  }

  /** The transfers currently polling socket `s`. */
  users(s: number): Set<T> | undefined {
    return this.#map.get(s)?.users;
  }

  sockets(): IterableIterator<number> {
    return this.#map.keys();
  }

  transportOf(s: number): Transport | undefined {
    return this.#map.get(s)?.transport ?? undefined;
  }

  /** curl_multi_assign: only for sockets currently in use. */
  assign(s: number, ptr: unknown): boolean {
    const e = this.#map.get(s);
    if (!e) return false;
    e.socketp = ptr;
    return true;
  }

  /**
   * Replace `owner`'s pollset and report the resulting changes.
   * Returns false if a callback returned an error.
   */
  update(owner: T, next: PollEntry[]): boolean {
    const prev = owner.pollset;
    if (prev.length === 0 && next.length === 0) return true;
    if (samePollset(prev, next)) return true;
    owner.pollset = next;
    // the common case, one socket at most before and after (an HTTP/1 transfer), without the lists
    if (prev.length <= 1 && next.length <= 1) return this.#updateOne(owner, prev[0], next[0]);
    const touched: SocketEntry<T>[] = [];
    // add the new interest first so a socket that stays never drops to zero
    for (const p of next) touched.push(this.#addInterest(owner, p));
    for (const p of prev) {
      const e = this.#map.get(p.transport.id);
      if (!e) continue;
      this.#dropInterest(owner, p, e, !next.some((n) => n.transport === p.transport));
      touched.push(e);
    }
    let ok = true;
    for (const e of touched) {
      if (!this.#report(owner, e)) ok = false;
    }
    return ok;
  }

  /** update() for pollsets of at most one entry: the same steps and reports, in the same order. */
  #updateOne(owner: T, p: PollEntry | undefined, n: PollEntry | undefined): boolean {
    const en = n ? this.#addInterest(owner, n) : undefined;
    const ep = p ? this.#map.get(p.transport.id) : undefined;
    if (p && ep) this.#dropInterest(owner, p, ep, !n || n.transport !== p.transport);
    let ok = true;
    if (en && !this.#report(owner, en)) ok = false;
    if (ep && !this.#report(owner, ep)) ok = false;
    return ok;
  }

  #addInterest(owner: T, p: PollEntry): SocketEntry<T> {
    let e = this.#map.get(p.transport.id);
    if (!e) {
      e = this.#free.pop() ?? { transport: p.transport, readers: 0, writers: 0, reported: 0, socketp: null, users: new Set() };
      e.transport = p.transport;
      this.#map.set(p.transport.id, e);
    }
    if (p.what & CURL_POLL.IN) e.readers++;
    if (p.what & CURL_POLL.OUT) e.writers++;
    e.users.add(owner);
    return e;
  }

  #dropInterest(owner: T, p: PollEntry, e: SocketEntry<T>, leaves: boolean): void {
    if (p.what & CURL_POLL.IN) e.readers--;
    if (p.what & CURL_POLL.OUT) e.writers--;
    if (leaves) e.users.delete(owner);
  }

  /** Drop every interest in a socket that is about to close (REMOVE first, as libcurl does). */
  forget(s: number, owner: T | undefined): boolean {
    const e = this.#map.get(s);
    if (!e) return true;
    const who = owner ?? e.users.values().next().value;
    for (const u of e.users) u.pollset = u.pollset.filter((p) => p.transport.id !== s);
    e.readers = 0;
    e.writers = 0;
    e.users.clear();
    return this.#report(who as T, e);
  }

  #retire(e: SocketEntry<T>): void {
    e.readers = 0;
    e.writers = 0;
    e.reported = 0;
    e.socketp = null;
    e.transport = null;
    if (e.users.size > 0) e.users.clear();
    if (this.#free.length < MAX_FREE_ENTRIES) this.#free.push(e);
  }

  #report(owner: T, e: SocketEntry<T>): boolean {
    const tr = e.transport;
    if (tr === null) return true; // retired earlier in this update
    const s = tr.id;
    if (this.#map.get(s) !== e) return true; // already removed in this update
    const what = (e.readers > 0 ? CURL_POLL.IN : 0) | (e.writers > 0 ? CURL_POLL.OUT : 0);
    if (what === 0) {
      // never told: nothing to remove. Told: the entry stays while the application hears REMOVE, so
      // assign(s, ...) inside that callback answers CURLM_OK (libcurl deletes the entry after the callback)
      const ok = e.reported === 0 || this.#onChange(owner, s, CURL_POLL.REMOVE, e.socketp, tr);
      if (this.#map.get(s) === e) this.#map.delete(s);
      this.#retire(e);
      return ok;
    }
    if (what === e.reported) return true;
    e.reported = what;
    return this.#onChange(owner, s, what, e.socketp, tr);
  }
}

const MAX_FREE_ENTRIES = 64;

function samePollset(a: PollEntry[], b: PollEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.transport !== b[i]!.transport || a[i]!.what !== b[i]!.what) return false;
  }
  return true;
}
