// The cookie side of an easy handle: which cookie engine it uses (its
// share's with CURL_LOCK_DATA_COOKIE, else its own), and what setopt,
// duphandle, cleanup and getinfo do to it (libcurl's setopt.c and easy.c
// parts). The engine itself is src/cookies/cookie-engine.ts; the HTTP
// handler's use of it is src/proto/http-cookies.ts.
//
// The engine is off until COOKIEFILE, COOKIEJAR or a COOKIELIST cookie turns
// it on. COOKIEFILE names are only remembered at setopt time and read when
// the next request is built (libcurl reads them at transfer start); each is
// read once, and again on COOKIELIST "RELOAD". CURLOPT_COOKIE is separate: it
// is sent verbatim after the engine's cookies and the engine never changes it.
// Cookies outlive curl_easy_reset, as in libcurl.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from './option-table.js';
import { CookieEngine } from '../cookies/cookie-engine.js';
import { CURL_LOCK_DATA, shareInternals } from '../share/share.js';
import { internalsOf } from './internals.js';

/** What these functions read of an option store. */
interface CookieOptions {
  num(id: number): number;
  str(id: number): string | null;
}

const byEasy = new WeakMap<object, CookieEngine>();

/**
 * The COOKIEFILE names are the handle's own (libcurl's data->state.cookielist),
 * wherever its cookies live: a file given before CURLOPT_SHARE is read into
 * the share's jar when the transfer starts, as libcurl reads it.
 */
interface CookieFiles {
  /** names not read yet */
  pending: string[];
  /** every name, for RELOAD */
  files: string[];
}
const filesByEasy = new WeakMap<object, CookieFiles>();
function filesOf(easy: object): CookieFiles {
  let f = filesByEasy.get(easy);
  if (!f) filesByEasy.set(easy, (f = { pending: [], files: [] }));
  return f;
}

/** The handle has COOKIEFILE names not read yet. */
export function cookieFilesPending(easy: object): boolean {
  return (filesByEasy.get(easy)?.pending.length ?? 0) > 0;
}

/** Curl_cookie_loadfiles at transfer start: the handle's unread COOKIEFILE names into the engine it uses. */
export function loadCookieFiles(easy: object, engine: CookieEngine, newsession: boolean): void {
  const f = filesByEasy.get(easy);
  if (!f || f.pending.length === 0) return;
  engine.pending.push(...f.pending);
  f.pending = [];
  engine.loadPending(newsession);
}

/** Where an easy handle's cookie state lives: its share's (CURL_LOCK_DATA_COOKIE) or its own. */
function stateKey(easy: object): object {
  const sh = shareInternals(internalsOf(easy)?.opts.get(CURLOPT.SHARE));
  return sh && sh.kinds.has(CURL_LOCK_DATA.COOKIE) ? sh : easy;
}

/** The handle's cookie engine if there is one yet. */
export function peekCookieEngine(easy: object): CookieEngine | undefined {
  return byEasy.get(stateKey(easy));
}

/** The handle's cookie engine, made (off) on first use. */
export function cookieEngineOf(easy: object): CookieEngine {
  const key = stateKey(easy);
  let s = byEasy.get(key);
  if (!s) {
    s = new CookieEngine();
    byEasy.set(key, s);
  }
  return s;
}

/**
 * The cookie side effects of curl_easy_setopt, called after the option store
 * accepted the value. Returns the CURLcode setopt answers.
 */
export function cookieSetopt(easy: object, opts: CookieOptions, id: number, value: unknown): CURLcode {
  const s = cookieEngineOf(easy);
  const f = filesOf(easy);
  const newsession = opts.num(CURLOPT.COOKIESESSION) !== 0;
  switch (id) {
    case CURLOPT.COOKIEFILE:
      if (typeof value === 'string') {
        f.pending.push(value);
        f.files.push(value);
      } else {
        // NULL: forget the handle's file list; its own engine goes off with its cookies, a share's stays
        f.pending = [];
        f.files = [];
        if (stateKey(easy) === easy) s.dropFiles();
      }
      return CURLE.OK;
    case CURLOPT.COOKIEJAR:
      if (typeof value === 'string') s.on();
      return CURLE.OK;
    case CURLOPT.COOKIELIST:
      if (typeof value !== 'string') return CURLE.OK;
      // RELOAD reads this handle's files again; FLUSH reads the unread ones first
      if (value.toUpperCase() === 'RELOAD') f.pending = [...f.files];
      if (value.toUpperCase() === 'RELOAD' || value.toUpperCase() === 'FLUSH') loadCookieFiles(easy, s, newsession);
      return value.toUpperCase() === 'RELOAD' ? CURLE.OK : s.command(value, newsession, opts.str(CURLOPT.COOKIEJAR));
  }
  return CURLE.OK;
}

/** curl_easy_cleanup: write the jar, then the cookies are gone with the handle. */
export function cookieCleanup(easy: object, opts: CookieOptions): void {
  const key = stateKey(easy);
  const s = byEasy.get(key);
  if (!s) return;
  // Curl_flush_cookies reads the files not read yet first
  if (opts.str(CURLOPT.COOKIEJAR) && s.jar) loadCookieFiles(easy, s, opts.num(CURLOPT.COOKIESESSION) !== 0);
  filesByEasy.delete(easy);
  s.flush(opts.str(CURLOPT.COOKIEJAR), opts.num(CURLOPT.COOKIESESSION) !== 0);
  // shared cookies stay with the share for the other handles
  if (key === easy) byEasy.delete(easy);
}

/** curl_easy_duphandle: the copy reads the original's cookie files again (see CookieEngine.copyFilesFrom). */
export function cookieDup(from: object, to: object): void {
  const s = peekCookieEngine(from);
  const files = filesByEasy.get(from)?.files ?? [];
  if (!s && files.length === 0) return;
  const df = filesOf(to);
  df.files = [...files];
  df.pending = [...files];
  const d = cookieEngineOf(to);
  if (d === s) return; // both use the share's cookies
  if (s) d.copyFilesFrom(s);
}

/** CURLINFO_COOKIELIST */
export function cookieInfoList(easy: object): string[] {
  return peekCookieEngine(easy)?.list() ?? [];
}
