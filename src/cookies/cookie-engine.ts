// The cookie engine of one easy handle (or of a share that shares cookies):
// what libcurl keeps in data->cookies, data->state.cookielist and
// data->state.cookie_engine, with cookie.c's work at the handle's level:
// reading the COOKIEFILE files (Curl_cookie_loadfiles), the COOKIELIST
// commands and writing the jar (Curl_flush_cookies).
//
// It knows nothing of transfers, options or protocols: its callers pass the
// values. Which engine a handle uses, and the setopt side effects, are the
// easy layer's (src/easy/easy-cookies.ts); the HTTP handler asks it for the
// cookies of a request and gives it Set-Cookie headers
// (src/proto/http-cookies.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { writeJarFile } from './jar-file.js';
import { CURLE, type CURLcode } from '../codes.js';
import { CookieJar } from './cookie-jar.js';
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

export class CookieEngine {
  /** data->cookies: null while the engine is off */
  jar: CookieJar | null = null;
  /** COOKIEFILE names not read yet (data->state.cookielist) */
  pending: string[] = [];
  /** every COOKIEFILE name, for RELOAD */
  files: string[] = [];
  /** Set-Cookie headers taken from the current request's responses */
  setCookies = 0;

  /** Curl_cookie_init without a file: turn the engine on. */
  on(): CookieJar {
    return (this.jar ??= new CookieJar());
  }

  /** CURLOPT_COOKIEFILE with a name: read it when the next request is built. */
  addFile(name: string): void {
    this.pending.push(name);
    this.files.push(name);
  }

  /** CURLOPT_COOKIEFILE with NULL: forget the file list and switch the engine off, dropping its cookies. */
  dropFiles(): void {
    this.pending = [];
    this.files = [];
    this.jar = null;
  }

  /** Curl_cookie_loadfiles: read the COOKIEFILE names given since the last read (`newsession`: COOKIESESSION). */
  loadPending(newsession: boolean): void {
    if (this.pending.length === 0) return;
    const jar = this.on();
    for (const f of this.pending) loadFile(jar, f, newsession);
    this.pending = [];
  }

  /** A CURLOPT_COOKIELIST command; `jarFile` is CURLOPT_COOKIEJAR (for FLUSH). */
  command(cmd: string, newsession: boolean, jarFile: string | null): CURLcode {
    const upper = cmd.toUpperCase();
    if (upper === 'ALL') this.jar?.clearAll();
    else if (upper === 'SESS') this.jar?.clearSession();
    else if (upper === 'FLUSH') this.flush(jarFile, newsession);
    else if (upper === 'RELOAD') {
      this.pending = [...this.files];
      this.loadPending(newsession);
    } else {
      if (cmd.length > 8000000) return CURLE.BAD_FUNCTION_ARGUMENT; // CURL_MAX_INPUT_LENGTH
      const jar = this.on();
      // the jar holds bytes: the command's UTF-8, up to a NUL as libcurl's C string ends there
      const line = cString(toBytes(cmd));
      if (line.slice(0, 11).toLowerCase() === 'set-cookie:') jar.add({ httpheader: true, line: line.slice(11), secure: true });
      else jar.add({ httpheader: false, line, secure: true });
    }
    return CURLE.OK;
  }

  /** Curl_flush_cookies: read pending files first, then write the jar to `jarFile` (CURLOPT_COOKIEJAR; null: nowhere). */
  flush(jarFile: string | null, newsession: boolean): void {
    if (!jarFile || !this.jar) return;
    this.loadPending(newsession);
    const text = this.jar.netscapeFile();
    if (jarFile === '-') {
      try {
        writeFileSync(1, text, 'latin1');
      } catch {
        // libcurl cannot report a failed jar write either (a verbose warning only)
      }
      return;
    }
    // libcurl's cookie_output() with Curl_fopen(): see jar-file.ts
    writeJarFile(jarFile, text);
  }

  /**
   * curl_easy_duphandle: the copy has the engine on when the original had,
   * and reads the original's cookie files again (libcurl re-reads, it does
   * not copy the cookies in memory).
   */
  copyFilesFrom(from: CookieEngine): void {
    this.files = [...from.files];
    this.pending = [...from.files];
    if (from.jar) this.jar = new CookieJar();
  }

  /** CURLINFO_COOKIELIST */
  list(): string[] {
    return this.jar?.list() ?? [];
  }
}
