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

/** inCallback() through call2(): the one function call2 runs for it */
export const runThunk = <R>(fn: () => R, _unused: undefined): R => fn();

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
   * inCallback(() => fn(a, b)) without the closure: the writers call the
   * application once per body chunk and header line.
   */
  call2?<A, B, R>(fn: (a: A, b: B) => R, a: A, b: B): R;
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
