// libcurl's own progress meter: with NOPROGRESS 0 and no progress callback
// (or one that answers CURL_PROGRESSFUNC_CONTINUE), Curl_pgrsUpdate shows
// lib/progress.c's meter on CURLOPT_STDERR: its header once per easy handle
// ("** Resuming transfer from byte position N" first when resuming), a line
// at most once a second, and at the end of each request (Curl_pgrsDone, in
// multi_done: a followed redirect's too) a forced last line and a newline,
// before the lines about keeping or closing the connection. curl's tool
// shows its default meter this way.
import { CURLOPT } from '../easy/option-table.js';
import { writeStderr } from '../easy/default-io.js';
import { ProgressMeter } from '../util/progress-meter.js';
import { nowMs } from '../util/clock.js';
import type { Transfer } from './transfer.js';

/** One meter per easy handle: its header shows once in the handle's life (PGRS_HEADERS_OUT survives a new perform). */
const meters = new WeakMap<object, ProgressMeter>();

/** Curl_pgrsUpdate's progress_meter() for `t`; `final`: the request is done (Curl_pgrsDone). */
export function showBuiltinMeter(t: Transfer, dlTotal: number, ulTotal: number, final: boolean): void {
  let m = meters.get(t.easy);
  let out = '';
  if (!m) {
    meters.set(t.easy, (m = new ProgressMeter()));
    const resume = t.opts.num(CURLOPT.RESUME_FROM_LARGE) || t.opts.num(CURLOPT.RESUME_FROM);
    if (resume > 0) out = `** Resuming transfer from byte position ${resume}\n`;
  }
  const elapsedUs = Math.max(0, Math.trunc((nowMs() - t.timing.start) * 1000));
  out += m.update(dlTotal, t.sizeDownload, ulTotal, t.sizeUpload, elapsedUs, final);
  if (out !== '') writeStderr(t.opts.get(CURLOPT.STDERR), out);
}
