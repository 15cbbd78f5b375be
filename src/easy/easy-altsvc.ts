// The alt-svc state of one easy handle (libcurl's data->asi) and the points
// where libcurl touches it: setopt (CURLOPT_ALTSVC reads the file at once,
// CURLOPT_ALTSVC_CTRL sets the bits) and curl_easy_cleanup
// (Curl_altsvc_save). Either option turns the engine on; it stays on, with
// its entries, through curl_easy_reset, as in libcurl. Alt-svc caches are
// never shared (libcurl has no CURL_LOCK_DATA for them).
import { readTextIfPresent } from '../util/read-text-file.js';
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import { writeJarFile } from '../cookies/jar-file.js';
import { AltSvcCache, CURLALTSVC } from '../altsvc/altsvc-cache.js';

interface Options {
  str(id: number): string | null;
}

const byEasy = new WeakMap<object, AltSvcCache>();

/** The handle's alt-svc cache, or null while the engine is off. */
export function altSvcCacheOf(easy: object): AltSvcCache | null {
  return byEasy.get(easy) ?? null;
}

function cacheOf(easy: object): AltSvcCache {
  let c = byEasy.get(easy);
  if (!c) {
    c = new AltSvcCache();
    byEasy.set(easy, c);
  }
  return c;
}

/** altsvc_load(): the name is kept for saving; a missing file leaves the cache as it is. */
function loadFile(cache: AltSvcCache, file: string): void {
  cache.filename = file;
  const text = file === '' ? null : readTextIfPresent(file);
  if (text !== null) cache.loadText(text);
}

/** The side effects of curl_easy_setopt for CURLOPT_ALTSVC and CURLOPT_ALTSVC_CTRL, after the store took the value. */
export function altSvcSetopt(easy: object, id: number, value: unknown): CURLcode {
  if (id === CURLOPT.ALTSVC) {
    const c = cacheOf(easy);
    // NULL: no file any more (the entries in memory stay)
    if (typeof value === 'string') loadFile(c, value);
    else c.filename = null;
  } else if (id === CURLOPT.ALTSVC_CTRL) {
    // libcurl refuses 0 ("bad CURLOPT_ALTSVC_CTRL input"); any bit turns the engine on
    if (typeof value !== 'number' || value === 0) return CURLE.BAD_FUNCTION_ARGUMENT;
    cacheOf(easy).flags = value;
  }
  return CURLE.OK;
}

/** Curl_altsvc_save at curl_easy_cleanup: to the CURLOPT_ALTSVC name, else the file last read; not when read-only. */
export function altSvcCleanup(easy: object, opts: Options): void {
  const cache = byEasy.get(easy);
  byEasy.delete(easy);
  if (!cache) return;
  const file = opts.str(CURLOPT.ALTSVC) ?? cache.filename;
  if (!file || cache.flags & CURLALTSVC.READONLYFILE) return;
  const text = cache.fileText();
  // an expiry gmtime() cannot print makes libcurl write nothing
  if (text !== null) writeJarFile(file, text);
}

/** curl_easy_duphandle: the copy gets an engine of its own with the same bits, and reads the CURLOPT_ALTSVC file again. */
export function altSvcDup(from: object, to: object, opts: Options): void {
  const c = byEasy.get(from);
  if (!c) return;
  const d = cacheOf(to);
  d.flags = c.flags;
  const file = opts.str(CURLOPT.ALTSVC);
  if (file !== null) loadFile(d, file);
}
