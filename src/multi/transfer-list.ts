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
// keep-alive benchmark: ~2.8 MB promoted per scavenge before, ~0.1 MB after.
// A plain array of slots keeps nothing it no longer holds.
import type { Transfer } from './transfer.js';

/** The field of Transfer that holds its index in one list (-1: not in it). */
export type SlotField = 'allSlot' | 'msgSlot' | 'pendingSlot';

export class TransferList {
  readonly #field: SlotField;
  #items: (Transfer | null)[] = [];
  /** index of the first slot that may hold a transfer */
  #head = 0;
  #size = 0;

  constructor(field: SlotField) {
    this.#field = field;
  }

  get size(): number {
    return this.#size;
  }

  has(t: Transfer): boolean {
    return t[this.#field] >= 0;
  }

  add(t: Transfer): void {
    if (t[this.#field] >= 0) return;
    t[this.#field] = this.#items.length;
    this.#items.push(t);
    this.#size++;
  }

  delete(t: Transfer): boolean {
    const i = t[this.#field];
    if (i < 0) return false;
    this.#items[i] = null;
    t[this.#field] = -1;
    this.#size--;
    if (this.#size === 0) {
      this.#items = [];
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
    for (const t of this.#items) if (t) t[this.#field] = -1;
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
  }

  #compact(): void {
    const out: Transfer[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const t = this.#items[i];
      if (!t) continue;
      t[this.#field] = out.length;
      out.push(t);
    }
    this.#items = out;
    this.#head = 0;
  }
}
