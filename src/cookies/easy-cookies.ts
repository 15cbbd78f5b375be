// The cookie engine of one easy handle: what libcurl keeps in data->cookies,
// data->state.cookielist and data->state.cookie_engine, and the points where
// transfers touch it (http.c's Set-Cookie handling and Curl_add_cookies,
// Curl_pretransfer's file loading, Curl_flush_cookies at cleanup).
//
// The engine is off until COOKIEFILE, COOKIEJAR or a COOKIELIST cookie turns
// it on. COOKIEFILE names are only remembered at setopt time and read when
// the next request is built (libcurl reads them at transfer start); each is
// read once, and again on COOKIELIST "RELOAD". CURLOPT_COOKIE is separate: it
// is sent verbatim after the engine's cookies and the engine never changes it.
// Cookies outlive curl_easy_reset, as in libcurl.
import { readFileSync, writeFileSync } from 'node:fs';
import { writeJarFile } from './jar-file.js';
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import type { Transfer } from '../multi/transfer.js';
import { CookieJar, COOKIE_LIMITS } from './cookie-jar.js';
import { CURL_LOCK_DATA, shareInternals, withShareLock } from '../share/share.js';
import { internalsOf } from '../easy/internals.js';
import { toBytes } from '../url/url-bytes.js';

/**
 * What libcurl sees of a string it reads as a C string: everything before
 * the first NUL (COOKIELIST). Response headers never get here with a NUL:
 * the parser refuses those ("Nul byte in header"), as libcurl does.
 */
const cString = (s: string): string => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

interface EasyCookies {
  /** data->cookies: null while the engine is off */
  jar: CookieJar | null;
  /** Set-Cookie headers taken from the current request's responses */
  setCookies: number;
}

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

const byEasy = new WeakMap<object, EasyCookies>();

/** `fn` under the share's CURL_LOCK_DATA_COOKIE lock callbacks, when the transfer's share holds its cookies. */
function cookieLock<R>(t: Transfer, fn: () => R): R {
  const sh = shareInternals(t.opts.get(CURLOPT.SHARE));
  return sh ? withShareLock(sh, t.easy, CURL_LOCK_DATA.COOKIE, fn) : fn();
}

/** Where an easy handle's cookie state lives: its share's (CURL_LOCK_DATA_COOKIE) or its own. */
function stateKey(easy: object): object {
  const sh = shareInternals(internalsOf(easy)?.opts.get(CURLOPT.SHARE));
  return sh && sh.kinds.has(CURL_LOCK_DATA.COOKIE) ? sh : easy;
}

/** The cookie state if there is one yet. */
function peekState(easy: object): EasyCookies | undefined {
  return byEasy.get(stateKey(easy));
}

function stateOf(easy: object): EasyCookies {
  const key = stateKey(easy);
  let s = byEasy.get(key);
  if (!s) {
    // a share's cookie jar is on from the start (curl_share_setopt makes it)
    s = { jar: key === easy ? null : new CookieJar(), setCookies: 0 };
    byEasy.set(key, s);
  }
  return s;
}

/** Curl_cookie_init without a file: turn the engine on. */
function engine(s: EasyCookies): CookieJar {
  return (s.jar ??= new CookieJar());
}

/** Read one cookie file into the jar ("" reads nothing, "-" is stdin, missing files are ignored). */
function loadFile(jar: CookieJar, name: string, newsession: boolean): void {
  if (name === '') return;
  let text: string;
  try {
    text = name === '-' ? readFileSync(0, 'latin1') : readFileSync(name, 'latin1');
  } catch {
    return; // libcurl ignores files that do not exist or are directories
  }
  jar.newsession = newsession;
  jar.loadText(text);
}

/** Curl_cookie_loadfiles: read the handle's COOKIEFILE names given since the last read into the jar it uses. */
function loadPending(s: EasyCookies, f: CookieFiles, opts: { num(id: number): number }): void {
  if (f.pending.length === 0) return;
  const jar = engine(s);
  for (const name of f.pending) loadFile(jar, name, opts.num(CURLOPT.COOKIESESSION) !== 0);
  f.pending = [];
}

/**
 * The cookie side effects of curl_easy_setopt, called after the option store
 * accepted the value. Returns the CURLcode setopt answers.
 */
export function cookieSetopt(easy: object, opts: { num(id: number): number; str(id: number): string | null }, id: number, value: unknown): CURLcode {
  const s = stateOf(easy);
  const f = filesOf(easy);
  switch (id) {
    case CURLOPT.COOKIEFILE:
      if (typeof value === 'string') {
        f.pending.push(value);
        f.files.push(value);
      } else {
        // NULL: forget the file list and switch the engine off, dropping its cookies (not a share's)
        f.pending = [];
        f.files = [];
        if (stateKey(easy) === easy) s.jar = null;
      }
      return CURLE.OK;
    case CURLOPT.COOKIEJAR:
      if (typeof value === 'string') engine(s);
      return CURLE.OK;
    case CURLOPT.COOKIELIST:
      return typeof value === 'string' ? cookieList(s, f, opts, value) : CURLE.OK;
  }
  return CURLE.OK;
}

function cookieList(s: EasyCookies, f: CookieFiles, opts: { num(id: number): number; str(id: number): string | null }, cmd: string): CURLcode {
  const upper = cmd.toUpperCase();
  if (upper === 'ALL') s.jar?.clearAll();
  else if (upper === 'SESS') s.jar?.clearSession();
  else if (upper === 'FLUSH') flush(s, f, opts);
  else if (upper === 'RELOAD') {
    f.pending = [...f.files];
    loadPending(s, f, opts);
  } else {
    if (cmd.length > 8000000) return CURLE.BAD_FUNCTION_ARGUMENT; // CURL_MAX_INPUT_LENGTH
    const jar = engine(s);
    // the jar holds bytes: the command's UTF-8, up to a NUL as libcurl's C string ends there
    const line = cString(toBytes(cmd));
    if (line.slice(0, 11).toLowerCase() === 'set-cookie:') jar.add({ httpheader: true, line: line.slice(11), secure: true });
    else jar.add({ httpheader: false, line, secure: true });
  }
  return CURLE.OK;
}

/** Curl_flush_cookies: read pending files first, then write the jar (if COOKIEJAR is set). */
function flush(s: EasyCookies, f: CookieFiles, opts: { num(id: number): number; str(id: number): string | null }): void {
  const file = opts.str(CURLOPT.COOKIEJAR);
  if (!file || !s.jar) return;
  loadPending(s, f, opts);
  const text = s.jar.netscapeFile();
  if (file === '-') {
    try {
      writeFileSync(1, text, 'latin1');
    } catch {
      // libcurl cannot report a failed jar write either (a verbose warning only)
    }
    return;
  }
  // libcurl's cookie_output() with Curl_fopen(): see jar-file.ts
  writeJarFile(file, text);
}

/** curl_easy_cleanup: write the jar, then the cookies are gone with the handle. */
export function cookieCleanup(easy: object, opts: { num(id: number): number; str(id: number): string | null }): void {
  const key = stateKey(easy);
  const s = byEasy.get(key);
  if (!s) return;
  flush(s, filesOf(easy), opts);
  filesByEasy.delete(easy);
  // shared cookies stay with the share for the other handles
  if (key === easy) byEasy.delete(easy);
}

/**
 * curl_easy_duphandle: the copy has the engine on when the original had, and
 * reads the original's cookie files again (libcurl re-reads, it does not copy
 * the cookies in memory).
 */
export function cookieDup(from: object, to: object): void {
  const s = peekState(from);
  const files = filesByEasy.get(from)?.files ?? [];
  if (!s && files.length === 0) return;
  const df = filesOf(to);
  df.files = [...files];
  df.pending = [...files];
  const d = stateOf(to);
  if (d === s) return; // both use the share's cookies
  if (s?.jar) d.jar = new CookieJar();
}

/** CURLINFO_COOKIELIST */
export function cookieInfoList(easy: object): string[] {
  return peekState(easy)?.jar?.list() ?? [];
}

/** The host cookies are matched against: a custom Host: header wins (without its port), as in libcurl. */
function cookieHost(t: Transfer): string {
  // after a redirect to another host the custom Host: is not that host's name
  const first = t.firstUrl ?? t.url!;
  if (first.host.toLowerCase() !== t.url!.host.toLowerCase()) return t.url!.host;
  for (const raw of (t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? []) {
    const m = /^host:\s*(\S.*?)\s*$/i.exec(raw);
    if (!m) continue;
    let h = m[1]!;
    if (h.startsWith('[')) {
      const close = h.indexOf(']');
      h = close >= 0 ? h.slice(1, close) : h.slice(1);
    } else {
      const colon = h.indexOf(':');
      if (colon >= 0) h = h.slice(0, colon);
    }
    // compared with the jar's domains, which are bytes
    return toBytes(h);
  }
  return t.url!.host;
}

/** http.c's secure_context: https, or a host that is this machine. */
function secureContext(t: Transfer, host: string): boolean {
  return t.url!.scheme === 'https' || t.url!.scheme === 'wss' || host.toLowerCase() === 'localhost' || host === '127.0.0.1' || host === '::1';
}

const pathOnly = (p: string): string => {
  const q = p.indexOf('?');
  return q >= 0 ? p.slice(0, q) : p;
};

/**
 * The Cookie: header line for a request (a byte string, without CRLF), or null: the engine's
 * matching cookies in curl's order, then CURLOPT_COOKIE unless the application
 * sends its own Cookie header. Called once per request (each redirect too).
 */
export function cookieRequestLine(t: Transfer, log: (text: string) => void): string | null {
  return cookieLock(t, () => cookieRequestLineLocked(t, log));
}
function cookieRequestLineLocked(t: Transfer, log: (text: string) => void): string | null {
  const s = stateOf(t.easy);
  s.setCookies = 0;
  loadPending(s, filesOf(t.easy), t.opts);
  const parts: string[] = [];
  let capped = false;
  if (s.jar) {
    const host = cookieHost(t);
    let clen = 8; // "Cookie: "
    for (const co of s.jar.getList(host, pathOnly(t.url!.path), secureContext(t, host))) {
      const add = co.name.length + co.value.length + 1;
      if (clen + add >= COOKIE_LIMITS.MAX_COOKIE_HEADER_LEN) {
        log(`Restricted outgoing cookies due to header size, '${co.name}' not sent`);
        capped = true;
        break;
      }
      parts.push(`${co.name}=${co.value}`);
      clen += add + (parts.length > 1 ? 2 : 0);
    }
  }
  const custom = t.opts.str(CURLOPT.COOKIE);
  const ownHeader = ((t.opts.get(CURLOPT.HTTPHEADER) as string[] | null) ?? []).some((h) => /^cookie\s*[:;]/i.test(h));
  // CURLOPT_COOKIE is text: its UTF-8 bytes join the jar's (a NUL in it makes the request fail, not get cut)
  if (custom !== null && !ownHeader && !capped) parts.push(toBytes(custom));
  return parts.length ? `Cookie: ${parts.join('; ')}` : null;
}

/** A Set-Cookie header of a response (every response of a redirect chain comes here). */
export function cookieFromResponse(t: Transfer, value: string, log: (text: string) => void): void {
  cookieLock(t, () => cookieFromResponseLocked(t, value, log));
}
function cookieFromResponseLocked(t: Transfer, value: string, log: (text: string) => void): void {
  const s = peekState(t.easy);
  if (!s?.jar) return;
  if (s.setCookies >= COOKIE_LIMITS.MAX_SET_COOKIE_AMOUNT) return;
  s.setCookies++;
  const host = cookieHost(t);
  const jar = s.jar;
  jar.log = log;
  try {
    jar.add({ httpheader: true, line: value, domain: host, path: pathOnly(t.url!.path), secure: secureContext(t, host) });
  } finally {
    jar.log = () => {};
  }
}
