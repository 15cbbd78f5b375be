// curl's two progress displays as pure renderers:
//  - the default meter (libcurl's lib/progress.c progress_meter), which the
//    library shows itself (src/util/progress-meter.ts, re-exported here);
//  - the -# bar (curl's tool_cb_prg.c) — '#' bar with a percentage, or the
//    flying "-=O=-" when the total size is unknown.
// Numbers follow curl's integer arithmetic (curl_off_t division truncates).
export { METER_HEADER, max5data, time2str, trspeed, meterLine, SpeedWindow, ProgressMeter, type MeterState } from '../util/progress-meter.js';

const trunc = Math.trunc;

/** curl's fly() positions: "perl: sin($i/200 * 2 * $pi) * 500000 + 500000" with $pi = 3.1415. */
const SINUS: readonly number[] = Array.from({ length: 200 }, (_, i) => trunc(Math.sin(((i + 1) / 200) * 2 * 3.1415) * 500000 + 500000));

/** The -# bar: "\r" + '#' * floor((width-7) * frac) padded, then "%5.1f%". */
export function barLine(point: number, total: number, width = 79): string {
  const t = point > total ? point : total;
  const frac = point / t;
  const barwidth = width - 7;
  const num = Math.min(256, trunc(barwidth * frac));
  return `\r${'#'.repeat(num).padEnd(barwidth, ' ')} ${(frac * 100).toFixed(1).padStart(5, ' ')}%`;
}

/** State of curl's ProgressData for -#. */
export class ProgressBar {
  readonly #width: number;
  #calls = 0;
  #prev = 0;
  #prevMs = 0;
  #tick = 0;
  #bar = 0;
  #barmove = 1;

  /** width: COLUMNS or the terminal width, curl clamps it to 20..256 and defaults to 79. */
  constructor(width = 79) {
    this.#width = Math.max(20, Math.min(256, width));
  }

  /** One XFERINFO call at wall time `nowMs`; returns what to write to stderr. */
  update(dlTotal: number, dlNow: number, ulTotal: number, ulNow: number, nowMs: number): string {
    const total = dlTotal + ulTotal;
    const point = dlNow + ulNow;
    let out = '';
    if (this.#calls) {
      if (total) {
        if (this.#prev === point) return '';
        if (nowMs - this.#prevMs < 100 && point < total) return '';
      } else {
        if (nowMs - this.#prevMs < 100) return '';
        out += this.#fly(point !== this.#prev);
      }
    }
    this.#calls++;
    if (total > 0 && point !== this.#prev) out += barLine(point, total, this.#width);
    this.#prev = point;
    this.#prevMs = nowMs;
    return out;
  }

  #fly(moved: boolean): string {
    const w = this.#width;
    const check = w - 2;
    const buf = [...' '.repeat(w - 1), '\r'];
    buf.splice(this.#bar, 5, ...'-=O=-');
    for (const k of [0, 5, 10, 15]) buf[trunc(SINUS[(this.#tick + k) % 200]! / trunc(1000000 / check))] = '#';
    this.#tick = (this.#tick + 2) % 200;
    this.#bar += moved ? this.#barmove : 0;
    if (this.#bar >= w - 6) {
      this.#barmove = -1;
      this.#bar = w - 6;
    } else if (this.#bar < 0) {
      this.#barmove = 1;
      this.#bar = 0;
    }
    return buf.join('');
  }
}
