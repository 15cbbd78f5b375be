// libcurl's progress meter (lib/progress.c progress_meter) as a pure
// renderer: a header, then "\r"-rewritten lines, at most once per second and
// once more, forced, when a request is done (Curl_pgrsDone). Numbers follow
// libcurl's integer arithmetic (curl_off_t division truncates). The library
// shows it on CURLOPT_STDERR when NOPROGRESS is 0 and no progress callback
// is set (src/multi/builtin-meter.ts); the tool's -# bar is in src/cli.

export const METER_HEADER =
  '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';

const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;
const TB = GB * 1024;
const PB = TB * 1024;
const pad = (v: number | string, w: number): string => String(v).padStart(w, ' ');
const trunc = Math.trunc;

/** curl's max5data(): a byte count in at most 5 characters. */
export function max5data(bytes: number): string {
  if (bytes < 100000) return pad(bytes, 5);
  if (bytes < 10000 * KB) return pad(trunc(bytes / KB), 4) + 'k';
  if (bytes < 100 * MB) return pad(trunc(bytes / MB), 2) + '.' + trunc((bytes % MB) / (MB / 10)) + 'M';
  if (bytes < 10000 * MB) return pad(trunc(bytes / MB), 4) + 'M';
  if (bytes < 100 * GB) return pad(trunc(bytes / GB), 2) + '.' + trunc((bytes % GB) / (GB / 10)) + 'G';
  if (bytes < 10000 * GB) return pad(trunc(bytes / GB), 4) + 'G';
  if (bytes < 10000 * TB) return pad(trunc(bytes / TB), 4) + 'T';
  return pad(trunc(bytes / PB), 4) + 'P';
}

/** curl's time2str(): 8 characters, "--:--:--" for unknown. */
export function time2str(seconds: number): string {
  if (seconds <= 0) return '--:--:--';
  let h = trunc(seconds / 3600);
  if (h <= 99) {
    const m = trunc((seconds - h * 3600) / 60);
    const s = seconds - h * 3600 - m * 60;
    return `${pad(h, 2)}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }
  const d = trunc(seconds / 86400);
  h = trunc((seconds - d * 86400) / 3600);
  return d <= 999 ? `${pad(d, 3)}d ${String(h).padStart(2, '0')}h` : `${pad(d, 7)}d`;
}

/** libcurl's trspeed(): bytes per second over `us` microseconds. */
export function trspeed(size: number, us: number): number {
  return us < 1 ? size * 1000000 : trunc((size * 1000000) / us);
}

export interface MeterState {
  /** Totals; 0 means unknown (XFERINFOFUNCTION convention). */
  readonly dlTotal: number;
  readonly dlNow: number;
  readonly ulTotal: number;
  readonly ulNow: number;
  /** Microseconds since the transfer started. */
  readonly elapsedUs: number;
  /** The recent-window speed ("Current"), bytes/s. */
  readonly currentSpeed: number;
}

const percentOf = (cur: number, total: number): number =>
  total > 10000 ? trunc(cur / trunc(total / 100)) : total > 0 ? trunc((cur * 100) / total) : 0;

/** One meter line, starting with "\r" and without a newline. */
export function meterLine(s: MeterState): string {
  const spent = trunc(s.elapsedUs / 1000000);
  const dlSpeed = trspeed(s.dlNow, s.elapsedUs);
  const ulSpeed = trspeed(s.ulNow, s.elapsedUs);
  let ulEst = 0;
  let dlEst = 0;
  let ulPct = 0;
  let dlPct = 0;
  if (s.ulTotal > 0 && ulSpeed > 0) {
    ulEst = trunc(s.ulTotal / ulSpeed);
    ulPct = percentOf(s.ulNow, s.ulTotal);
  }
  if (s.dlTotal > 0 && dlSpeed > 0) {
    dlEst = trunc(s.dlTotal / dlSpeed);
    dlPct = percentOf(s.dlNow, s.dlTotal);
  }
  const est = Math.max(ulEst, dlEst);
  const expected = (s.ulTotal > 0 ? s.ulTotal : s.ulNow) + (s.dlTotal > 0 ? s.dlTotal : s.dlNow);
  const totalPct = percentOf(s.dlNow + s.ulNow, expected);
  return (
    `\r${pad(totalPct, 3)} ${max5data(expected)}  ${pad(dlPct, 3)} ${max5data(s.dlNow)}  ${pad(ulPct, 3)} ${max5data(s.ulNow)}  ` +
    `${max5data(dlSpeed)}  ${max5data(ulSpeed)} ${time2str(est)} ${time2str(spent)} ${time2str(est > 0 ? est - spent : 0)} ${max5data(s.currentSpeed)}`
  );
}

/**
 * "Current" speed as libcurl computes it: a sample per second, speed over
 * the last (up to) five seconds of samples.
 */
export class SpeedWindow {
  readonly #samples: { us: number; bytes: number }[] = [];

  /** Records progress at `us`; returns the current speed in bytes/s. */
  update(us: number, bytes: number): number {
    const last = this.#samples[this.#samples.length - 1];
    if (!last || trunc(us / 1000000) !== trunc(last.us / 1000000)) {
      this.#samples.push({ us, bytes });
      if (this.#samples.length > 6) this.#samples.shift();
    }
    const first = this.#samples[0]!;
    const span = us - first.us;
    if (this.#samples.length < 2 || span <= 0) return trspeed(bytes, us);
    return trunc(((bytes - first.bytes) * 1000000) / span);
  }
}

/**
 * Stateful meter: feed it XFERINFO calls; it returns the bytes to write to
 * stderr (possibly ''), honouring curl's once-per-second rule.
 */
export class ProgressMeter {
  #headerShown = false;
  #lastShownSec = -1;
  #window = new SpeedWindow();

  update(dlTotal: number, dlNow: number, ulTotal: number, ulNow: number, elapsedUs: number, final = false): string {
    const currentSpeed = this.#window.update(elapsedUs, dlNow + ulNow);
    const sec = trunc(elapsedUs / 1000000);
    if (!final && sec === this.#lastShownSec) return '';
    this.#lastShownSec = sec;
    let out = '';
    if (!this.#headerShown) {
      out += METER_HEADER;
      this.#headerShown = true;
    }
    out += meterLine({ dlTotal, dlNow, ulTotal, ulNow, elapsedUs, currentSpeed });
    if (!final) return out;
    // Curl_pgrsDone: the "current speed" samples start over for the next request
    this.#window = new SpeedWindow();
    return out + '\n';
  }
}
