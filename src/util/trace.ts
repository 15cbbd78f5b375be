// Verbose output: CURLOPT_VERBOSE sends libcurl's informational texts and the
// protocol headers either to DEBUGFUNCTION or, without one, to stderr in
// libcurl's default format ("* text", "> sent header", "< received header").
// Any layer may trace: it passes what is traced for (a TraceHost: the
// transfer's options and the handle DEBUGFUNCTION gets), never the engine's
// Transfer itself.
import { CURLOPT } from '../easy/option-table.js';
import { CURLINFO_TYPE } from '../constants.js';
import type { OptionStore } from '../easy/option-store.js';
import type { DebugCallback } from '../easy/callbacks.js';
import type { CallbackGuard } from './callback-depth.js';
import { CURLE } from '../codes.js';
import { CALLBACK_NAME, callbackThrew } from './callback-failure.js';
import { writeStderr } from '../easy/default-io.js';

/** What tracing needs of a transfer. */
export interface TraceHost {
  /** the transfer's options (VERBOSE, DEBUGFUNCTION, DEBUGDATA) */
  readonly opts: OptionStore;
  /** the easy handle DEBUGFUNCTION is called with */
  readonly easy: unknown;
  /** DEBUGFUNCTION threw once for this transfer: it is not called again (the transfer is ending) */
  readonly debugSilenced?: boolean;
}

/** libcurl's default debug output, to CURLOPT_STDERR (the process's stderr when unset). */
function defaultDebug(type: number, data: Buffer, stderr: unknown): void {
  switch (type) {
    case CURLINFO_TYPE.TEXT:
      writeStderr(stderr, '* ' + data.toString('latin1'));
      break;
    case CURLINFO_TYPE.HEADER_OUT:
      for (const line of data.toString('latin1').split(/(?<=\n)/)) if (line) writeStderr(stderr, '> ' + line);
      break;
    case CURLINFO_TYPE.HEADER_IN:
      writeStderr(stderr, '< ' + data.toString('latin1'));
      break;
    default:
      break; // data is not shown by the default debug function
  }
}

/** Whether traceData() shows anything (CURLOPT_VERBOSE): a caller may skip making what it would pass. */
export function traceEnabled(t: TraceHost): boolean {
  return t.opts.hot().verbose;
}

export function traceData(g: CallbackGuard, t: TraceHost, type: number, data: Buffer | string): void {
  if (!t.opts.hot().verbose) return;
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const fn = t.opts.get(CURLOPT.DEBUGFUNCTION) as DebugCallback | null;
  if (!fn) return defaultDebug(type, buf, t.opts.get(CURLOPT.STDERR));
  if (t.debugSilenced) return;
  const clientp = t.opts.get(CURLOPT.DEBUGDATA);
  const easy = t.easy as Parameters<DebugCallback>[0];
  try {
    g.inCallback(() => fn(easy, type, buf, clientp));
  } catch (err) {
    // libcurl ignores what it returns, but a throw is a failure: the engine ends the transfer after this step
    callbackThrew(g, err, CURLE.ABORTED_BY_CALLBACK, CALLBACK_NAME.DEBUG, t);
  }
}

export function traceText(g: CallbackGuard, t: TraceHost, text: string): void {
  if (!t.opts.hot().verbose) return;
  traceData(g, t, CURLINFO_TYPE.TEXT, text.endsWith('\n') ? text : text + '\n');
}
