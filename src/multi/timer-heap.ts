// One binary min-heap per multi holding every transfer that has a pending
// expiry, keyed by that transfer's earliest one (libcurl keeps the same in a
// splay tree). Insert, update and remove are O(log n); peeking the earliest is
// O(1). Items remember their own index so updates need no search.

export interface HeapItem {
  heapIndex: number; // -1 when not in the heap
  heapKey: number; // absolute time in ms (util/clock.ts nowMs() clock)
}

export class TimerHeap<T extends HeapItem> {
  #a: T[] = [];

  get size(): number {
    return this.#a.length;
  }
  peek(): T | undefined {
    return this.#a[0];
  }

  /** Insert or re-key an item. */
  set(item: T, key: number): void {
    if (item.heapIndex >= 0) {
      const old = item.heapKey;
      item.heapKey = key;
      if (key < old) this.#up(item.heapIndex);
      else if (key > old) this.#down(item.heapIndex);
      return;
    }
    item.heapKey = key;
    item.heapIndex = this.#a.length;
    this.#a.push(item);
    this.#up(item.heapIndex);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.#a.pop()!;
    item.heapIndex = -1;
    if (last !== item) {
      this.#a[i] = last;
      last.heapIndex = i;
      this.#up(i);
      this.#down(last.heapIndex);
    }
  }

  #up(i: number): void {
    const a = this.#a;
    const item = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (parent.heapKey <= item.heapKey) break;
      a[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    a[i] = item;
    item.heapIndex = i;
  }

  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const item = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]!.heapKey < a[l]!.heapKey ? r : l;
      const child = a[c]!;
      if (child.heapKey >= item.heapKey) break;
      a[i] = child;
      child.heapIndex = i;
      i = c;
    }
    a[i] = item;
    item.heapIndex = i;
  }
}
