// The HSTS state of one easy handle, and the points where libcurl touches
// it: setopt (CURLOPT_HSTS, CURLOPT_HSTS_CTRL), the start of a transfer
// (Curl_pretransfer reads the cache files and calls HSTSREADFUNCTION), and
// curl_easy_cleanup (Curl_hsts_save writes the file and calls
// HSTSWRITEFUNCTION).
//
// HSTS is on for a handle once CURLOPT_HSTS names a file (even "") or
// HSTS_CTRL has CURLHSTS_ENABLE; a handle whose share shares
// CURL_LOCK_DATA_HSTS uses the share's cache, and that also turns HSTS on
// for it, as in libcurl (curl's tool shares HSTS between the transfers of a
// command line this way). File names given to CURLOPT_HSTS are only
// remembered at setopt time and read when the next transfer starts, into
// whichever cache the handle uses then, so the order of CURLOPT_HSTS and
// CURLOPT_SHARE does not matter. Each name is read once. The cache is saved
// at cleanup to the last name given, else to the file last read, unless
// CURLHSTS_READONLYFILE is set; names given but not read yet are read before
// saving (libcurl would overwrite them unread).
import { readTextIfPresent } from '../util/read-text-file.js';
import { CURLE, easyStrerror, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import { internalsOf } from './internals.js';
import { CURL_LOCK_DATA, lockedView, shareInternals } from '../share/share.js';
import { writeJarFile } from '../cookies/jar-file.js';
import { enterCallback, leaveCallback, type CallbackGuard } from '../util/callback-depth.js';
import { CALLBACK_NAME, callbackThrew } from '../util/callback-failure.js';
import { timeNow } from '../util/curl-stamp.js';
import { HstsCache, MAX_HSTS_HOSTLEN, timeToStamp } from '../hsts/hsts-cache.js';
import { CURLHSTS, CURLSTS, type CurlHstsEntry, type HstsReadCallback, type HstsWriteCallback } from './hsts-callbacks.js';

interface Options {
  get(id: number): unknown;
  num(id: number): number;
  str(id: number): string | null;
}

interface EasyHsts {
  /** the handle's own cache; null while HSTS is off for it */
  own: HstsCache | null;
  /** CURLOPT_HSTS names not read yet (libcurl's state.hstslist) */
  pending: string[];
}

const byEasy = new WeakMap<object, EasyHsts>();

function stateOf(easy: object): EasyHsts {
  let s = byEasy.get(easy);
  if (!s) {
    s = { own: null, pending: [] };
    byEasy.set(easy, s);
  }
  return s;
}

/**
 * The share's cache when the handle's share shares HSTS (made on first use),
 * seen through the share's lock callbacks: each use of it is locked with
 * CURL_LOCK_DATA_HSTS for this handle, as Curl_share_lock does.
 */
function sharedCache(easy: object): HstsCache | null {
  const sh = shareInternals(internalsOf(easy)?.opts.get(CURLOPT.SHARE));
  if (!sh || !sh.kinds.has(CURL_LOCK_DATA.HSTS)) return null;
  return lockedView(sh, CURL_LOCK_DATA.HSTS, easy, (sh.hsts ??= new HstsCache()) as HstsCache);
}

/** The cache the handle's transfers use (libcurl's data->hsts), or null while HSTS is off. */
export function hstsCacheOf(easy: object): HstsCache | null {
  return sharedCache(easy) ?? byEasy.get(easy)?.own ?? null;
}

/** The side effects of curl_easy_setopt for CURLOPT_HSTS and CURLOPT_HSTS_CTRL, after the store took the value. */
export function hstsSetopt(easy: object, id: number, value: unknown): CURLcode {
  const s = stateOf(easy);
  if (id === CURLOPT.HSTS) {
    if (typeof value === 'string') {
      s.own ??= new HstsCache();
      s.pending.push(value);
    } else {
      // NULL: forget the names; the handle's own cache goes (a share's stays)
      s.pending = [];
      s.own = null;
    }
  } else if (id === CURLOPT.HSTS_CTRL) {
    if (typeof value === 'number' && value & CURLHSTS.ENABLE) s.own ??= new HstsCache();
    else s.own = null;
  }
  return CURLE.OK;
}

/** hsts_load(): a missing or unreadable file leaves the cache as it is; its name is remembered either way. */
function loadFile(cache: HstsCache, file: string, now: bigint): void {
  cache.filename = file;
  const text = file === '' ? null : readTextIfPresent(file);
  if (text !== null) cache.loadText(text, now);
}

function loadPending(easy: object, cache: HstsCache, now: bigint): void {
  const s = byEasy.get(easy);
  if (!s || s.pending.length === 0) return;
  for (const f of s.pending) loadFile(cache, f, now);
  s.pending = [];
}

export interface HstsFailure {
  code: CURLcode;
  message: string;
}

/**
 * Curl_pretransfer's HSTS part: read the names given since the last
 * transfer, then let HSTSREADFUNCTION add entries until it says DONE.
 * `guard` runs the application's callback (the multi's callback guard; a
 * throw counts as CURLSTS_FAIL and is kept for `host`, the transfer).
 * Returns why the transfer must not start, or null.
 */
export function hstsTransferStart(easy: object, opts: Options, guard: CallbackGuard, host: object): HstsFailure | null {
  const cache = hstsCacheOf(easy);
  if (!cache) return null;
  const now = timeNow();
  loadPending(easy, cache, now);
  const read = opts.get(CURLOPT.HSTSREADFUNCTION) as HstsReadCallback | null;
  if (typeof read !== 'function') return null;
  const clientp = opts.get(CURLOPT.HSTSREADDATA);
  for (;;) {
    const sts: CurlHstsEntry = { name: '', namelen: MAX_HSTS_HOSTLEN, includeSubDomains: false, expire: '' };
    let rc: number;
    try {
      rc = guard.inCallback(() => read(easy as Parameters<HstsReadCallback>[0], sts, clientp));
    } catch (err) {
      // README "Callbacks that throw": as if it returned CURLSTS_FAIL
      return { code: CURLE.ABORTED_BY_CALLBACK, message: callbackThrew(guard, err, CURLE.ABORTED_BY_CALLBACK, CALLBACK_NAME.HSTS_READ, host) };
    }
    if (rc === CURLSTS.FAIL) return { code: CURLE.ABORTED_BY_CALLBACK, message: easyStrerror(CURLE.ABORTED_BY_CALLBACK) };
    if (rc !== CURLSTS.OK) return null;
    const name = typeof sts.name === 'string' ? sts.name : '';
    // no name (or one longer than the buffer libcurl hands over): libcurl gives up with BAD_FUNCTION_ARGUMENT
    if (name === '' || name.length > MAX_HSTS_HOSTLEN) {
      return { code: CURLE.BAD_FUNCTION_ARGUMENT, message: name === '' ? 'HSTS read callback returned no name' : 'HSTS read callback returned a name longer than namelen' };
    }
    cache.addEntry(name, !!sts.includeSubDomains, typeof sts.expire === 'string' ? sts.expire : '', now);
  }
}

/** Curl_hsts_save at curl_easy_cleanup: the file (unless read-only or unnamed), then HSTSWRITEFUNCTION. */
export function hstsCleanup(easy: object, opts: Options): void {
  const cache = hstsCacheOf(easy);
  try {
    if (cache) saveCache(easy, cache, opts);
  } finally {
    byEasy.delete(easy);
  }
}

function saveCache(easy: object, cache: HstsCache, opts: Options): void {
  // names given but never read are read now rather than overwritten unread
  const now = timeNow();
  loadPending(easy, cache, now);
  // what expired is neither written nor handed to the write callback
  cache.prune(now);
  const file = opts.str(CURLOPT.HSTS) ?? cache.filename;
  if (file && !(opts.num(CURLOPT.HSTS_CTRL) & CURLHSTS.READONLYFILE)) {
    const text = cache.fileText();
    // an expiry gmtime() cannot print makes libcurl write nothing
    if (text !== null) writeJarFile(file, text);
  }
  const write = opts.get(CURLOPT.HSTSWRITEFUNCTION) as HstsWriteCallback | null;
  if (typeof write !== 'function') return;
  const clientp = opts.get(CURLOPT.HSTSWRITEDATA);
  const list = cache.entries();
  for (let index = 0; index < list.length; index++) {
    const e = list[index]!;
    const expire = timeToStamp(e.expires);
    if (expire === null) return;
    const sts: CurlHstsEntry = { name: e.host, namelen: e.host.length, includeSubDomains: e.includeSubDomains, expire };
    let rc: number;
    enterCallback();
    try {
      rc = write(easy as Parameters<HstsWriteCallback>[0], sts, { index, total: list.length }, clientp);
    } catch {
      // as if it returned CURLSTS_FAIL: the saving stops (cleanup has no code to give, nor has libcurl's)
      return;
    } finally {
      leaveCallback();
    }
    if (rc !== CURLSTS.OK) return;
  }
}

/** curl_easy_duphandle: the copy has HSTS on when the original has, and reads the last CURLOPT_HSTS file again. */
export function hstsDup(from: object, to: object, opts: Options): void {
  const s = byEasy.get(from);
  if (!s?.own) return;
  const d = stateOf(to);
  d.own = new HstsCache();
  const file = opts.str(CURLOPT.HSTS);
  if (file !== null) d.pending = [file];
}
