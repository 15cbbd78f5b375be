// The idle connections of a pool, oldest first: a doubly linked list through
// the connections themselves. Connections go idle and busy once per
// transfer; a Map kept in that order (as before) replaced its hash table
// every few dozen operations, and in a long-lived pool each replaced table
// is promoted by the garbage collector through its link to the next one.
// Here going idle or busy writes two fields.

/** What the list needs of a connection: its links, owned by the list it is in. */
export interface IdleLinks {
  idlePrev: IdleLinks | null;
  idleNext: IdleLinks | null;
  idleList: IdleList<IdleLinks> | null;
}

export class IdleList<C extends IdleLinks> {
  #oldest: C | null = null;
  #newest: C | null = null;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(c: C): boolean {
    return c.idleList === (this as unknown as IdleList<IdleLinks>);
  }

  /** The longest idle connection, or null. */
  oldest(): C | null {
    return this.#oldest;
  }

  /** `c` went idle now: it is the newest. */
  push(c: C): void {
    if (this.has(c)) this.remove(c);
    c.idleList = this as unknown as IdleList<IdleLinks>;
    c.idlePrev = this.#newest;
    c.idleNext = null;
    if (this.#newest) this.#newest.idleNext = c;
    else this.#oldest = c;
    this.#newest = c;
    this.#size++;
  }

  remove(c: C): void {
    if (!this.has(c)) return;
    const prev = c.idlePrev as C | null;
    const next = c.idleNext as C | null;
    if (prev) prev.idleNext = next;
    else this.#oldest = next;
    if (next) next.idlePrev = prev;
    else this.#newest = prev;
    c.idlePrev = c.idleNext = null;
    c.idleList = null;
    this.#size--;
  }

  /** Oldest first; a copy, so the caller may remove as it goes. */
  toArray(): C[] {
    const out: C[] = [];
    for (let c = this.#oldest; c; c = c.idleNext as C | null) out.push(c);
    return out;
  }
}
