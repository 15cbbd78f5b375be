// CURLOPT_SSLENGINE: libcurl's OpenSSL backend looks the engine up with
// ENGINE_by_id (which also tries loading it as a dynamic engine) and fails
// with CURLE_SSL_ENGINE_NOTFOUND when there is none by that name. Node's
// crypto.setEngine does the same lookup in the same OpenSSL; with no method
// flags it makes the engine the default for nothing, so it is a pure check.
import { setEngine } from 'node:crypto';

/** Whether OpenSSL has (or can load) a crypto engine with this id. */
export function sslEngineExists(id: string): boolean {
  try {
    setEngine(id, 0);
    return true;
  } catch {
    return false; // unknown engine, or an OpenSSL built without engines
  }
}
