// FTP wildcard downloads (CURLOPT_WILDCARDMATCH; libcurl's wc_statemach and
// init_wc_data in lib/ftp.c). The URL's last part is a pattern
// ("ftp://h/dir/*.txt"): the first request LISTs the directory, its lines go
// to the list parser (not to the application) and the names that match are
// kept. Every later request of the transfer downloads one of them on the
// same control connection, as libcurl restarts the transfer at INIT per
// file:
//
//   init --LIST--> matching -> downloading --RETR--> ... -> clean -> done
//                                  |  ^
//                                 skip (CHUNK_BGN said SKIP, not a file)
//
// Before each file CHUNK_BGN_FUNCTION gets its curl_fileinfo and how many are
// left (it may SKIP it or FAIL the transfer: CURLE_CHUNK_FAILED); after each
// file (also a skipped one, also a failed download) CHUNK_END_FUNCTION.
// Directories and other non-files are skipped after CHUNK_BGN saw them. A
// LIST that names nothing that matches fails with CURLE_REMOTE_FILE_NOT_FOUND,
// one that does not parse with CURLE_FTP_BAD_FILE_LIST. A URL that ends in a
// slash (or has no path) is a plain listing, as libcurl.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import type { ChunkBgnCallback, ChunkEndCallback, FnmatchCallback } from '../../easy/callbacks.js';
import type { Transfer } from '../../multi/transfer.js';
import { urlDecode } from '../../url/url-bytes.js';
import { callbackThrew } from '../../util/callback-failure.js';
import type { ProtocolEnv, ProtocolState } from '../handler.js';
import { curlFnmatch, CURL_FNMATCHFUNC } from './fnmatch.js';
import { CURLFILETYPE, FtpListParser, type CurlFileInfo } from './ftp-listparse.js';
import { FTPMETHOD, parseFtpPath, splitType, type FtpPath } from './ftp-url.js';

/** CURL_CHUNK_BGN_FUNC_* and CURL_CHUNK_END_FUNC_* */
export const CURL_CHUNK_BGN_FUNC = { OK: 0, FAIL: 1, SKIP: 2 } as const;
export const CURL_CHUNK_END_FUNC = { OK: 0, FAIL: 1 } as const;

type WcState = 'init' | 'matching' | 'downloading' | 'skip' | 'clean' | 'done' | 'error';

/** What the next request of a wildcard transfer does. */
export type WildcardPlan =
  | { kind: 'list'; path: FtpPath; parser: FtpListParser | null }
  | { kind: 'file'; path: FtpPath; info: CurlFileInfo }
  | { kind: 'nothing' }
  | { kind: 'failed'; code: CURLcode; message: string };

export class FtpWildcard implements ProtocolState {
  state: WcState = 'init';
  pattern = '';
  /** the encoded directory part of the URL path (without the leading slash), '' for the login directory */
  #dir = '';
  #files: CurlFileInfo[] = [];
  #parser: FtpListParser | null = null;

  retire(): void {
    this.#files = [];
    this.#parser = null;
  }

  /** More requests are due (libcurl's "wildcard->state != CURLWC_DONE" after multi_done). */
  get more(): boolean {
    return this.state !== 'done' && this.state !== 'error';
  }

  /** The LIST is over: a file request that left nothing behind it has no clean-up pass to make. */
  settleAfterRequest(): void {
    if (this.state === 'clean' && !this.#parser?.error) this.state = 'done';
  }

  /**
   * ftp_do's part for wildcards: what this request transfers. The file
   * method is multicwd when NOCWD was asked (libcurl's wildcard does not
   * support it).
   */
  plan(t: Transfer, env: ProtocolEnv, info: (text: string) => void): WildcardPlan {
    const method = (t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD) === FTPMETHOD.NOCWD ? FTPMETHOD.MULTICWD : t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD;
    // bounded: every pass either returns or drops a file from the list
    for (;;) {
      switch (this.state) {
        case 'init':
          return this.#init(t, env, method, info);
        case 'matching': {
          this.state = 'downloading';
          if (this.#parser?.error) {
            this.state = 'clean';
            continue;
          }
          if (this.#files.length === 0) {
            this.state = 'clean';
            return { kind: 'failed', code: CURLE.REMOTE_FILE_NOT_FOUND, message: 'Remote file not found' };
          }
          continue;
        }
        case 'downloading': {
          const f = this.#files[0]!;
          info(`Wildcard - START of "${f.filename}"`);
          const bgn = t.opts.get(CURLOPT.CHUNK_BGN_FUNCTION) as ChunkBgnCallback | null;
          if (bgn) {
            let rc: number;
            try {
              rc = env.inCallback(() => bgn(f, t.opts.get(CURLOPT.CHUNK_DATA), this.#files.length));
            } catch (err) {
              this.state = 'error';
              return { kind: 'failed', code: CURLE.CHUNK_FAILED, message: callbackThrew(env, err, CURLE.CHUNK_FAILED, 'CURLOPT_CHUNK_BGN_FUNCTION', t) };
            }
            if (rc === CURL_CHUNK_BGN_FUNC.SKIP) {
              info(`Wildcard - "${f.filename}" skipped by user`);
              this.state = 'skip';
              continue;
            }
            if (rc === CURL_CHUNK_BGN_FUNC.FAIL) {
              this.state = 'error';
              return { kind: 'failed', code: CURLE.CHUNK_FAILED, message: 'Chunk callback failed' };
            }
          }
          if (f.filetype !== CURLFILETYPE.FILE) {
            this.state = 'skip';
            continue;
          }
          const p = parseFtpPath(`/${this.#dir}`, method);
          if (!p.ok) return { kind: 'failed', code: p.code, message: p.message };
          this.#files.shift();
          if (this.#files.length === 0) this.state = 'clean';
          return { kind: 'file', path: { ...p.path, file: f.filename, raw: p.path.raw + f.filename }, info: f };
        }
        case 'skip':
          this.chunkEnd(t, env);
          this.#files.shift();
          this.state = this.#files.length === 0 ? 'clean' : 'downloading';
          continue;
        case 'clean': {
          const e = this.#parser?.error ?? null;
          this.state = e ? 'error' : 'done';
          return e ? { kind: 'failed', code: e.code, message: e.message } : { kind: 'nothing' };
        }
        case 'done':
        case 'error':
          return { kind: 'nothing' };
      }
    }
  }

  /** CHUNK_END_FUNCTION (its value changes nothing, as in libcurl 7.88). */
  chunkEnd(t: Transfer, env: ProtocolEnv): void {
    const end = t.opts.get(CURLOPT.CHUNK_END_FUNCTION) as ChunkEndCallback | null;
    if (!end) return;
    try {
      env.inCallback(() => end(t.opts.get(CURLOPT.CHUNK_DATA)));
    } catch (err) {
      // the thrown value is kept for the application; the transfer goes on as libcurl's would
      callbackThrew(env, err, CURLE.OK, 'CURLOPT_CHUNK_END_FUNCTION', t);
    }
  }

  #init(t: Transfer, env: ProtocolEnv, method: number, info: (text: string) => void): WildcardPlan {
    const target = t.url!.path;
    const q = target.indexOf('?');
    const typed = splitType(q < 0 ? target : target.slice(0, q));
    const path = typed.path.startsWith('/') ? typed.path.slice(1) : typed.path;
    const slash = path.lastIndexOf('/');
    const last = path.slice(slash + 1);
    const listing = (): WildcardPlan => {
      // only a listing: the URL names a directory
      this.state = 'clean';
      const p = parseFtpPath(target, t.opts.num(CURLOPT.FTP_FILEMETHOD) || FTPMETHOD.MULTICWD);
      return p.ok ? { kind: 'list', path: p.path, parser: null } : { kind: 'failed', code: p.code, message: p.message };
    };
    if (last === '') return listing();
    const pattern = urlDecode(last, true);
    if (pattern === null) return { kind: 'failed', code: CURLE.URL_MALFORMAT, message: 'path contains control characters' };
    this.pattern = pattern;
    this.#dir = path.slice(0, slash + 1);
    const p = parseFtpPath(`/${this.#dir}`, method);
    if (!p.ok) return { kind: 'failed', code: p.code, message: p.message };
    this.#parser = new FtpListParser((f) => this.#insert(t, env, f));
    this.state = 'matching';
    info('Wildcard - Parsing started');
    return { kind: 'list', path: { ...p.path, type: typed.type }, parser: this.#parser };
  }

  /** ftp_pl_insert_finfo: keep an entry whose name matches (a symlink with two arrows never does). */
  #insert(t: Transfer, env: ProtocolEnv, f: CurlFileInfo): { code: CURLcode; message: string } | null {
    const fn = t.opts.get(CURLOPT.FNMATCH_FUNCTION) as FnmatchCallback | null;
    let rc: number;
    if (fn) {
      try {
        rc = env.inCallback(() => fn(t.opts.get(CURLOPT.FNMATCH_DATA), this.pattern, f.filename));
      } catch (err) {
        return { code: CURLE.FTP_BAD_FILE_LIST, message: callbackThrew(env, err, CURLE.FTP_BAD_FILE_LIST, 'CURLOPT_FNMATCH_FUNCTION', t) };
      }
    } else rc = curlFnmatch(this.pattern, f.filename);
    // CURL_FNMATCHFUNC_FAIL is "no match" too, as in libcurl
    if (rc !== CURL_FNMATCHFUNC.MATCH) return null;
    if (f.filetype === CURLFILETYPE.SYMLINK && f.strings.target?.includes(' -> ')) return null;
    this.#files.push(f);
    return null;
  }
}

/** The wildcard state of a transfer that asked for one (WILDCARDMATCH), made by the handler's setup(). */
export function ftpWildcardOf(t: Transfer): FtpWildcard | null {
  return t.protoState instanceof FtpWildcard ? t.protoState : null;
}
