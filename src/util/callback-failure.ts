// The one rule for application callbacks that throw (README "Callbacks that
// throw"): an exception never escapes a library call. It counts as the
// callback returning its failure value, so the transfer ends with the code
// libcurl gives for that failure (WRITEFUNCTION: CURLE_WRITE_ERROR, ...), or,
// for SOCKETFUNCTION and TIMERFUNCTION, every transfer of the multi ends and
// the call answers CURLM_ABORTED_BY_CALLBACK. The error buffer then says
// which callback threw what, and the thrown value itself is kept for the
// application (easy.lastCallbackError, multi.lastCallbackError).
import type { CallbackGuard } from './callback-depth.js';

/** What the application threw, as text: "Error: boom", "TypeError: x", "42". */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return thrown.message ? `${thrown.name}: ${thrown.message}` : thrown.name;
    return typeof thrown === 'string' ? thrown : String(thrown);
  } catch {
    // an object whose toString() throws too
    return 'a value that cannot be shown';
  }
}

/** The error text of a callback that threw: "CURLOPT_WRITEFUNCTION callback threw Error: boom". */
export function thrownMessage(callback: string, thrown: unknown): string {
  return `${callback} callback threw ${describeThrown(thrown)}`;
}

/**
 * A callback run under `g` threw: the guard (the multi engine) records it
 * for the transfer (`host`, else the one running) and the text comes back.
 */
export function callbackThrew(g: CallbackGuard, thrown: unknown, code: number, callback: string, host?: object): string {
  return g.callbackThrew ? g.callbackThrew(thrown, code, callback, host) : thrownMessage(callback, thrown);
}

/** A failure a callback caused, kept until the transfer has ended with it. */
export interface CallbackFailure {
  code: number;
  message: string;
}

/** The names the error texts use (the option that set the callback). */
export const CALLBACK_NAME = {
  WRITE: 'CURLOPT_WRITEFUNCTION',
  HEADER: 'CURLOPT_HEADERFUNCTION',
  READ: 'CURLOPT_READFUNCTION',
  SEEK: 'CURLOPT_SEEKFUNCTION',
  XFERINFO: 'CURLOPT_XFERINFOFUNCTION',
  DEBUG: 'CURLOPT_DEBUGFUNCTION',
  TRAILER: 'CURLOPT_TRAILERFUNCTION',
  MIME_READ: 'curl_mime_data_cb read',
  MIME_SEEK: 'curl_mime_data_cb seek',
  HSTS_READ: 'CURLOPT_HSTSREADFUNCTION',
  HSTS_WRITE: 'CURLOPT_HSTSWRITEFUNCTION',
  SOCKET: 'CURLMOPT_SOCKETFUNCTION',
  TIMER: 'CURLMOPT_TIMERFUNCTION',
} as const;
