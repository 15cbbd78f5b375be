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
