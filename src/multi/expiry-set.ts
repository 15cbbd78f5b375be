// A transfer's named expiries (libcurl's data->state.timeoutlist): at most
// one deadline per name, in a fixed slot per name. A Map did the same with a
// hash lookup per operation, a new table per clear() and a tuple per entry
// when iterated, several times per request.

/** Names of per-transfer expiries (libcurl's expire_id). */
export const EXPIRE = {
  RUN_NOW: 'RUN_NOW',
  TIMEOUT: 'TIMEOUT',
  CONNECTTIMEOUT: 'CONNECTTIMEOUT',
  HAPPY_EYEBALLS: 'HAPPY_EYEBALLS',
  /**
   * the protocol request's own wake-up (ProtocolRequest.wakeAt): HTTP's end
   * of the wait for 100 Continue (EXPECT_100_TIMEOUT_MS), a handler without a
   * socket asking to run again
   */
  REQUEST: 'REQUEST',
  /** the transfer may go on when its average speed is back under the limit */
  TOOFAST: 'TOOFAST',
  /** LOW_SPEED_LIMIT: look at the speed again in a second */
  SPEEDCHECK: 'SPEEDCHECK',
  /** XFERINFOFUNCTION is due again: libcurl calls it about once a second even while nothing moves */
  PROGRESS: 'PROGRESS',
} as const;
export type ExpireId = (typeof EXPIRE)[keyof typeof EXPIRE];

const NAMES: readonly ExpireId[] = Object.values(EXPIRE);
const SLOT: Readonly<Record<ExpireId, number>> = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<ExpireId, number>;
const UNSET = -1;

export class ExpirySet {
  /** nowMs() deadline per slot, UNSET when none (deadlines are never negative) */
  readonly #at: number[] = NAMES.map(() => UNSET);
  #count = 0;

  get size(): number {
    return this.#count;
  }

  get(id: ExpireId): number | undefined {
    const v = this.#at[SLOT[id]]!;
    return v === UNSET ? undefined : v;
  }

  set(id: ExpireId, at: number): void {
    const i = SLOT[id];
    if (this.#at[i] === UNSET) this.#count++;
    this.#at[i] = Math.max(0, at);
  }

  /** Returns whether there was one. */
  delete(id: ExpireId): boolean {
    const i = SLOT[id];
    if (this.#at[i] === UNSET) return false;
    this.#at[i] = UNSET;
    this.#count--;
    return true;
  }

  clear(): void {
    if (this.#count === 0) return;
    this.#at.fill(UNSET);
    this.#count = 0;
  }

  /** The earliest deadline, or undefined. */
  earliest(): number | undefined {
    if (this.#count === 0) return undefined;
    let min = Infinity;
    for (const v of this.#at) if (v !== UNSET && v < min) min = v;
    return min;
  }

  /** Forget the expiries due by `limit`, except `keep` (a deadline the state machine reads). */
  dropDue(limit: number, keep: ExpireId): void {
    const k = SLOT[keep];
    for (let i = 0; i < this.#at.length; i++) {
      const v = this.#at[i]!;
      if (v !== UNSET && v <= limit && i !== k) {
        this.#at[i] = UNSET;
        this.#count--;
      }
    }
  }
}
