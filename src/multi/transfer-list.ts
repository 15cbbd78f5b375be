// An insertion-ordered set of transfers with O(1) add, delete and has(), for
// the engine's long-lived collections (all transfers, completion messages,
// transfers queued for a connection slot).
//
// Why not a Set or Map: V8 grows and shrinks a Map's/Set's hash table by
// making a new one and leaving the old one pointing at it, with its entries
// intact (so live iterators can follow). Once a long-lived collection's table
// has been promoted to the old generation, every later replacement table and
// every transfer any of them ever held stays reachable from that dead table
// for the young-generation collector: with one transfer added and removed per
// request, every transfer and all it references (exchange, parser, headers)
// was copied and promoted until the next full collection. Measured on the
// keep-alive benchmark: ~2.8 MB promoted per scavenge before, ~0.95 MB after
// this change alone (the rest went with Transfer.retire()). A plain array of
// slots keeps nothing it no longer holds.
import type { Transfer } from './transfer.js';

/** Which of Transfer.listSlots holds a transfer's index in a list (-1: not in it). */
export const LIST = { ALL: 0, MESSAGES: 1, PENDING: 2 } as const;
export type ListId = (typeof LIST)[keyof typeof LIST];

export class TransferList {
  readonly #id: ListId;
  #items: (Transfer | null)[] = [];
  /** index of the first slot that may hold a transfer */
  #head = 0;
  #size = 0;

  constructor(id: ListId) {
    this.#id = id;
  }

  get size(): number {
    return this.#size;
  }

  has(t: Transfer): boolean {
    return t.listSlots[this.#id] >= 0;
  }

  add(t: Transfer): void {
    if (t.listSlots[this.#id] >= 0) return;
    t.listSlots[this.#id] = this.#items.length;
    this.#items.push(t);
    this.#size++;
  }

  delete(t: Transfer): boolean {
    const i = t.listSlots[this.#id];
    if (i < 0) return false;
    this.#items[i] = null;
    t.listSlots[this.#id] = -1;
    this.#size--;
    if (this.#size === 0) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#items.length > 32 && this.#size * 2 < this.#items.length) {
      this.#compact();
    }
    return true;
  }

  /** The oldest transfer still in the list. */
  first(): Transfer | undefined {
    const a = this.#items;
    while (this.#head < a.length && a[this.#head] === null) this.#head++;
    return this.#head < a.length ? a[this.#head]! : undefined;
  }

  /** A copy in insertion order: safe to iterate while the list changes. */
  toArray(): Transfer[] {
    const out: Transfer[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const t = this.#items[i];
      if (t) out.push(t);
    }
    return out;
  }

  clear(): void {
    for (const t of this.#items) if (t) t.listSlots[this.#id] = -1;
    this.#items.fill(null);
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
  }

  #compact(): void {
    const out: Transfer[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const t = this.#items[i];
      if (!t) continue;
      t.listSlots[this.#id] = out.length;
      out.push(t);
    }
    // the old array may be in the old generation: leave it holding nothing (see above)
    this.#items.fill(null);
    this.#items = out;
    this.#head = 0;
  }
}
