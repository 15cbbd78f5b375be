// The engine's side of a transfer's application callbacks: XFERINFOFUNCTION
// (libcurl's Curl_pgrsUpdate), what a callback that threw leaves on its
// transfer (README "Callbacks that throw"), and the ERRORBUFFER object.
// Functions of the engine's, kept here so engine.ts stays about running.
import { CURLE } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { XferInfoCallback } from '../easy/callbacks.js';
import { CALLBACK_NAME, thrownMessage } from '../util/callback-failure.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { nowMs } from '../util/clock.js';
import { STATE, PROGRESS_INTERVAL_MS, type Transfer } from './transfer.js';
import { showBuiltinMeter } from './builtin-meter.js';

/**
 * Transfer `t`'s callback threw: the first thrown value is kept for
 * easy.lastCallbackError, and a transfer that has not ended yet is marked to
 * end with `code` and the returned text (runTransfer ends it after the step,
 * whatever the caller does: DEBUGFUNCTION's caller does nothing). Returns
 * whether the transfer is marked, and the text.
 */
export function markCallbackThrow(t: Transfer, thrown: unknown, code: number, callback: string): { marked: boolean; message: string } {
  const message = thrownMessage(callback, thrown);
  t.callbackError ??= { value: thrown };
  if (callback === CALLBACK_NAME.DEBUG) t.debugSilenced = true;
  // a transfer whose result is settled (its DONE message queued) keeps it
  if (t.state === STATE.COMPLETED || t.state === STATE.MSGSENT) return { marked: false, message };
  t.callbackFailure ??= { code, message };
  return { marked: true, message };
}

/**
 * XFERINFOFUNCTION, when NOPROGRESS is 0 (libcurl's Curl_pgrsUpdate), or
 * libcurl's own meter when no callback is set:
 * CURLE_ABORTED_BY_CALLBACK, with the transfer failed, when the callback
 * asked to abort (non-zero) or threw. The last call (`final`, from DONE) can
 * abort too, as in libcurl's multi_done.
 */
export function xferInfo(g: CallbackGuard, t: Transfer, final: boolean): number {
  const h = t.opts.hot();
  if (!h.progress) return CURLE.OK;
  const fn = h.xferInfo as XferInfoCallback | null;
  const dltotal = Math.max(0, t.contentLength);
  const ultotal = Math.max(0, t.uploadLength);
  const key = `${dltotal},${t.sizeDownload},${ultotal},${t.sizeUpload}`;
  const now = nowMs();
  // unchanged numbers are told again once a second, so an idle transfer's callback still runs (and can abort)
  if (key === t.lastProgress && !final && now - t.lastProgressAt < PROGRESS_INTERVAL_MS) return CURLE.OK;
  t.lastProgress = key;
  t.lastProgressAt = now;
  // no callback: libcurl's own meter
  if (fn === null) {
    showBuiltinMeter(t, dltotal, ultotal, final);
    return CURLE.OK;
  }
  const clientp = t.opts.get(CURLOPT.XFERINFODATA);
  let rc: number;
  try {
    rc = g.inCallback(() => fn(clientp, dltotal, t.sizeDownload, ultotal, t.sizeUpload));
  } catch (err) {
    t.fail(CURLE.ABORTED_BY_CALLBACK, markCallbackThrow(t, err, CURLE.ABORTED_BY_CALLBACK, CALLBACK_NAME.XFERINFO).message);
    return CURLE.ABORTED_BY_CALLBACK;
  }
  // CURL_PROGRESSFUNC_CONTINUE (0x10000001) is "go on" too, with libcurl's own meter
  if (rc === 0x10000001) showBuiltinMeter(t, dltotal, ultotal, final);
  if (rc === 0 || rc === 0x10000001) return CURLE.OK;
  t.fail(CURLE.ABORTED_BY_CALLBACK, 'Callback aborted');
  return CURLE.ABORTED_BY_CALLBACK;
}

/** CURLOPT_ERRORBUFFER's object, when the transfer's handle set one, gets `text`. */
export function setErrorBuffer(t: Transfer, text: string): void {
  const eb = t.opts.get(CURLOPT.ERRORBUFFER) as { message: string } | null;
  if (eb && typeof eb === 'object') eb.message = text;
}

/**
 * A multi's SOCKETFUNCTION/TIMERFUNCTION failures (-1 or a throw): every
 * transfer of the multi ends, with the thrown value's text when it threw.
 */
export class MultiCallbackFailure {
  /** why the multi died: what a callback threw (null: it returned -1, or the multi lives) */
  cause: { value: unknown; message: string } | null = null;
  /** the last value either threw (multi.lastCallbackError) */
  last: { value: unknown } | null = null;
  /** it failed while a transfer ran: every transfer ends once that run is over */
  afterRun = false;

  /** Call `callback` (its name) through `call`: what it returns, or -1 when it threw. */
  run(callback: string, call: () => number): number {
    try {
      return call();
    } catch (thrown) {
      this.last = { value: thrown };
      this.cause ??= { value: thrown, message: thrownMessage(callback, thrown) };
      return -1;
    }
  }
}
