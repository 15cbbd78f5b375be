// Transfer speed bookkeeping as libcurl's progress.c and speedcheck.c do it:
//  - the "current speed": bytes moved (down + up) over the last up to five
//    seconds, sampled at most once per second (progress_calc's speeder ring);
//  - LOW_SPEED_LIMIT/LOW_SPEED_TIME (Curl_speedcheck): the current speed stayed
//    under the limit for the whole time;
//  - MAX_RECV_SPEED_LARGE/MAX_SEND_SPEED_LARGE (Curl_pgrsLimitWaitTime and
//    Curl_ratelimit): how long to wait so that the average since the last
//    limit period started is at most the limit. The period restarts at most
//    every MIN_RATE_LIMIT_PERIOD ms so a stall early on does not buy a burst.
// Pure arithmetic on numbers the caller passes: no timers, no I/O.

/** Entries of the speed ring: five seconds of history plus "now" (libcurl's CURR_TIME). */
const CURR_TIME = 6;
/** libcurl's MIN_RATE_LIMIT_PERIOD */
export const MIN_RATE_LIMIT_PERIOD_MS = 3000;

/**
 * Milliseconds to wait until `cur - start` bytes moved since `startAt` are
 * within `limit` bytes per second (libcurl's Curl_pgrsLimitWaitTime); 0 = go.
 */
export function limitWaitTime(cur: number, start: number, limit: number, startAt: number, now: number): number {
  const size = cur - start;
  if (!limit || size <= 0) return 0;
  const minimum = Math.floor((1000 * size) / limit);
  const actual = Math.ceil(now - startAt);
  return actual < minimum ? minimum - actual : 0;
}

export class SpeedMeter {
  // the ring as two arrays of numbers: a sample allocates nothing
  #ringBytes: number[] = [0, 0, 0, 0, 0, 0];
  #ringAt: number[] = [0, 0, 0, 0, 0, 0];
  #count = 0;
  #lastSecond = -1;
  /** bytes per second over the last seconds; -1 before the first sample */
  currentSpeed = -1;
  /** when the speed first went under LOW_SPEED_LIMIT (0: it is not under) */
  #slowSince = 0;
  #start = 0;

  // rate limit periods (libcurl's dl_limit_start/size, ul_limit_start/size)
  dlLimitStart = 0;
  dlLimitSize = 0;
  ulLimitStart = 0;
  ulLimitSize = 0;

  /** A transfer (or a request of it) starts now: every count starts over. */
  reset(now: number): void {
    this.#count = 0;
    this.#lastSecond = -1;
    this.currentSpeed = -1;
    this.#slowSince = 0;
    this.#start = now;
    this.dlLimitStart = this.ulLimitStart = now;
    this.dlLimitSize = this.ulLimitSize = 0;
  }

  /** progress_calc's once-a-second sample of down + up bytes. */
  sample(total: number, now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.#lastSecond) return;
    this.#lastSecond = second;
    const idx = this.#count % CURR_TIME;
    this.#ringBytes[idx] = total;
    this.#ringAt[idx] = now;
    this.#count++;
    const entries = Math.min(this.#count, CURR_TIME) - 1;
    if (entries > 0) {
      const oldest = this.#count >= CURR_TIME ? this.#count % CURR_TIME : 0;
      const span = Math.max(1, now - this.#ringAt[oldest]!);
      this.currentSpeed = Math.floor(((total - this.#ringBytes[oldest]!) * 1000) / span);
    } else {
      // the first second: the average so far
      const spent = Math.max(1, now - this.#start);
      this.currentSpeed = Math.floor((total * 1000) / spent);
    }
  }

  /**
   * Curl_speedcheck: true when the speed has been under `limit` bytes/s for
   * `timeSec` seconds.
   */
  tooSlow(limit: number, timeSec: number, now: number): boolean {
    if (this.currentSpeed < 0 || !timeSec) return false;
    if (this.currentSpeed >= limit) {
      this.#slowSince = 0;
      return false;
    }
    if (!this.#slowSince) {
      this.#slowSince = now;
      return false;
    }
    return now - this.#slowSince >= timeSec * 1000;
  }

  /** Curl_ratelimit: start a new limit period when the current one is long enough. */
  ratelimit(downloaded: number, uploaded: number, recvLimit: number, sendLimit: number, now: number): void {
    if (recvLimit && now - this.dlLimitStart >= MIN_RATE_LIMIT_PERIOD_MS) {
      this.dlLimitStart = now;
      this.dlLimitSize = downloaded;
    }
    if (sendLimit && now - this.ulLimitStart >= MIN_RATE_LIMIT_PERIOD_MS) {
      this.ulLimitStart = now;
      this.ulLimitSize = uploaded;
    }
  }

  /** The longer of the two waits the limits ask for (0: under both). */
  limitWait(downloaded: number, uploaded: number, recvLimit: number, sendLimit: number, now: number): number {
    const send = sendLimit ? limitWaitTime(uploaded, this.ulLimitSize, sendLimit, this.ulLimitStart, now) : 0;
    const recv = recvLimit ? limitWaitTime(downloaded, this.dlLimitSize, recvLimit, this.dlLimitStart, now) : 0;
    return Math.max(send, recv);
  }
}
