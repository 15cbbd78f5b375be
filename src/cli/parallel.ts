// -Z/--parallel: curl's parallel_transfers() on the public Multi API. Up to
// --parallel-max transfers run at once in one Multi; more are created as
// earlier ones finish. A retry goes back to the queue with a start time.
// --fail-early marks every other transfer for abort (their XFERINFO returns
// 1). The exit code is the last error seen, as in curl. The meter is curl's
// tool_progress.c one-line summary of all transfers.
import { Multi, CURLMSG, CURLMOPT, CURLOPT, CURLE, type Easy } from '../index.js';
import { ToolTransfer, type ToolContext } from './tool-transfer.js';
import { isFatalError, type Job } from './operate.js';
import { max5data, time2str } from './progress.js';

export interface ParallelOptions {
  max: number;
  /** --parallel-max-host: CURLMOPT_MAX_HOST_CONNECTIONS (0: no limit) */
  maxHost?: number;
  immediate: boolean;
  failEarly: boolean;
  /** show the meter (no --no-progress-meter: curl 7.88 shows it with -s too) */
  meter: boolean;
}

interface Entry {
  readonly t: ToolTransfer;
  added: boolean;
  /** a retry waits until this time (ms since epoch) */
  startAt: number;
  /** counted into the meter's totals once */
  dlTotalAdded: boolean;
  ulTotalAdded: boolean;
}

const SPEEDCNT = 10;

/** curl's progress_meter() for parallel transfers (7.88 layout). */
export class ParallelMeter {
  #headerShown = false;
  #stampMs = 0;
  readonly #startMs: number;
  #allDlTotal = 0;
  #allUlTotal = 0;
  #dlAlready = 0;
  #ulAlready = 0;
  readonly #speeds: { dl: number; ul: number; ms: number }[] = [];
  #speedIndex = 0;
  #wrapped = false;

  constructor(startMs: number) {
    this.#startMs = startMs;
  }

  /** A finished transfer's numbers stay in the sums after it is gone. */
  finalize(e: Entry): void {
    const p = e.t.progress;
    this.#dlAlready += p.dlNow;
    this.#ulAlready += p.ulNow;
    if (!e.dlTotalAdded) this.#allDlTotal += p.dlTotal;
    if (!e.ulTotalAdded) this.#allUlTotal += p.ulTotal;
    e.dlTotalAdded = e.ulTotalAdded = true;
  }

  /** The text to write to stderr now ('' when it is not time yet). */
  render(entries: Iterable<Entry>, xfers: number, nowMs: number, final: boolean): string {
    let out = '';
    if (!this.#headerShown) {
      this.#headerShown = true;
      out += 'DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n';
    }
    if (!final && nowMs - this.#stampMs <= 500) return out;
    this.#stampMs = nowMs;
    const spent = Math.trunc((nowMs - this.#startMs) / 1000);
    let dlNow = this.#dlAlready;
    let ulNow = this.#ulAlready;
    let dlKnown = true;
    let ulKnown = true;
    let running = 0;
    for (const e of entries) {
      const p = e.t.progress;
      dlNow += p.dlNow;
      ulNow += p.ulNow;
      if (!p.dlTotal) dlKnown = false;
      else if (!e.dlTotalAdded) {
        this.#allDlTotal += p.dlTotal;
        e.dlTotalAdded = true;
      }
      if (!p.ulTotal) ulKnown = false;
      else if (!e.ulTotalAdded) {
        this.#allUlTotal += p.ulTotal;
        e.ulTotalAdded = true;
      }
      if (e.added) running++;
    }
    const dlPct = dlKnown && this.#allDlTotal ? String(Math.trunc((dlNow * 100) / this.#allDlTotal)).padStart(3, ' ') : '--';
    const ulPct = ulKnown && this.#allUlTotal ? String(Math.trunc((ulNow * 100) / this.#allUlTotal)).padStart(3, ' ') : '--';
    // the speed: over the last SPEEDCNT samples, or since the start
    this.#speeds[this.#speedIndex] = { dl: dlNow, ul: ulNow, ms: nowMs };
    if (++this.#speedIndex >= SPEEDCNT) {
      this.#wrapped = true;
      this.#speedIndex = 0;
    }
    let deltaMs: number;
    let dl: number;
    let ul: number;
    if (this.#wrapped) {
      const old = this.#speeds[this.#speedIndex]!;
      deltaMs = Math.trunc(nowMs - old.ms);
      dl = dlNow - old.dl;
      ul = ulNow - old.ul;
    } else {
      deltaMs = Math.trunc(nowMs - this.#startMs);
      dl = dlNow;
      ul = ulNow;
    }
    if (!deltaMs) deltaMs = 1;
    const speed = Math.max(Math.trunc(dl / (deltaMs / 1000)), Math.trunc(ul / (deltaMs / 1000)));
    let total = 0;
    let left = 0;
    if (dlKnown && speed) {
      total = Math.trunc(this.#allDlTotal / speed);
      left = Math.trunc((this.#allDlTotal - dlNow) / speed);
    }
    const pad5 = (n: number): string => String(n).padStart(5, ' ');
    out +=
      `\r${dlPct.padEnd(3, ' ')} ${ulPct.padEnd(3, ' ')} ${max5data(dlNow)} ${max5data(ulNow)} ${pad5(xfers)} ${pad5(running)} ` +
      ` ${time2str(total)} ${time2str(left)} ${time2str(spent)} ${max5data(speed)} ${(final ? '\n' : '').padStart(5, ' ')}`;
    return out;
  }
}

/** curl's parallel_transfers(): resolves with the exit code. */
export async function runParallel(ctx: ToolContext, jobs: AsyncGenerator<Job>, opts: ParallelOptions): Promise<number> {
  const multi = new Multi();
  if (opts.maxHost) multi.setopt(CURLMOPT.MAX_HOST_CONNECTIONS, opts.maxHost);
  /** created transfers not yet done: running, waiting to start, or waiting to retry */
  const queue: Entry[] = [];
  const byEasy = new Map<Easy, Entry>();
  let xfers = 0;
  let moreJobs = true;
  let result = 0;
  let wrapItUp = false;
  const meter = new ParallelMeter(Date.now());

  const failed = (code: number, aborted: boolean): void => {
    // a transfer aborted for another one's error does not hide that error
    if (code && (!aborted || !result)) result = code;
    if (isFatalError(result) || (result && opts.failEarly)) {
      if (!wrapItUp) for (const other of queue) other.t.abort = true;
      wrapItUp = true;
    }
  };

  /** curl's create_transfer(): keeps up to max*2 transfers ahead. */
  const createMore = async (): Promise<void> => {
    while (moreJobs && !wrapItUp && queue.length < opts.max * 2) {
      const n = await jobs.next();
      if (n.done) {
        moreJobs = false;
        break;
      }
      const job = n.value;
      const t = new ToolTransfer(ctx, job.cfg, job.node, job.item, job.urlnum, job.uploadFile);
      await t.load();
      const rc = await t.setup();
      if (rc === 'skip') continue;
      xfers++;
      if (rc !== CURLE.OK) failed(rc, false);
      else queue.push({ t, added: false, startAt: 0, dlTotalAdded: false, ulTotalAdded: false });
    }
  };

  const finishEntry = async (e: Entry, code: number): Promise<void> => {
    const r = await e.t.finish(code);
    meter.finalize(e);
    e.added = false;
    if ('retryMs' in r) {
      e.startAt = Date.now() + r.retryMs;
      e.dlTotalAdded = e.ulTotalAdded = false;
      return;
    }
    queue.splice(queue.indexOf(e), 1);
    failed(r.code, e.t.abort);
  };

  /** curl's add_parallel_transfers(). */
  const addMore = async (): Promise<void> => {
    await createMore();
    const now = Date.now();
    for (const e of [...queue]) {
      if (byEasy.size >= opts.max || wrapItUp) break;
      if (e.added || e.startAt > now) continue;
      await e.t.beforePerform();
      // curl sets PIPEWAIT (wait for a connection to multiplex on) unless
      // --parallel-immediate; it takes effect once the library has it
      e.t.easy.setopt(CURLOPT.PIPEWAIT as never, (opts.immediate ? 0 : 1) as never);
      if (multi.addHandle(e.t.easy) !== 0) {
        await finishEntry(e, CURLE.FAILED_INIT);
        continue;
      }
      e.added = true;
      byEasy.set(e.t.easy, e);
    }
  };

  const showMeter = (final: boolean): void => {
    if (opts.meter) ctx.stdio.stderr(meter.render(queue, xfers, Date.now(), final));
  };

  await addMore();
  while (byEasy.size > 0 || (!wrapItUp && (queue.length > 0 || moreJobs))) {
    // wake up for a retry that is due, when there is room to start it
    const waiting = byEasy.size < opts.max && !wrapItUp ? queue.filter((e) => !e.added) : [];
    const nextStart = waiting.length ? Math.max(1, Math.min(...waiting.map((e) => e.startAt)) - Date.now()) : 1000;
    await multi.poll(Math.min(1000, nextStart));
    multi.perform();
    // curl's meter comes after each perform, before the ended transfers are looked at: its header after
    // the first perform's lines ("Trying", "No connections available")
    showMeter(false);
    for (let msg = multi.infoRead(); msg; msg = multi.infoRead()) {
      const e = msg.msg === CURLMSG.DONE ? byEasy.get(msg.easy) : undefined;
      if (!e) continue;
      byEasy.delete(msg.easy);
      multi.removeHandle(msg.easy);
      await finishEntry(e, msg.result);
    }
    if (!wrapItUp) await addMore();
    else {
      // curl aborts the others from their XFERINFO callback; the library
      // calls it only when numbers change, so an idle transfer would never
      // see the flag: end them here with the same result
      for (const [easy, e] of [...byEasy]) {
        byEasy.delete(easy);
        multi.removeHandle(easy);
        await finishEntry(e, CURLE.ABORTED_BY_CALLBACK);
      }
    }
  }
  showMeter(true);
  multi.cleanup();
  return result;
}
