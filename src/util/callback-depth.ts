// How deep the process currently is inside application callbacks invoked by
// any tscurl handle. easy.perform() consults it: libcurl forbids calling
// curl_easy_perform from inside a callback (CURLE_RECURSIVE_API_CALL).
let depth = 0;
export function enterCallback(): void {
  depth++;
}
export function leaveCallback(): void {
  depth--;
}
export function inAnyCallback(): boolean {
  return depth > 0;
}

/**
 * Runs application callbacks on behalf of a multi handle, with its
 * in-callback flag set (the multi engine implements it). Lower layers that
 * call the application (writers, readers, trace) are given one instead of
 * knowing the engine.
 */
export interface CallbackGuard {
  /** Run an application callback with the multi's in-callback flag set. */
  inCallback<R>(fn: () => R): R;
  /**
   * An application callback threw `thrown` (src/util/callback-failure.ts):
   * keep it for the application, make sure the transfer (`host`, else the
   * one running now) ends with `code`, and answer the error text. The
   * caller fails with that code and text as for the callback's failure
   * value. Call it through callbackThrew() (a guard without it, as a unit
   * test's, only makes the text).
   */
  callbackThrew?(thrown: unknown, code: number, callback: string, host?: object): string;
}
