// What an ftp:// URL asks for (libcurl's ftp_setup_connection and
// ftp_parse_url_path): the ";type=" suffix, then the path split into the
// directories to CWD into and the file name, as FTP_FILEMETHOD says.
//   multicwd (default): one CWD per path component ("a/b/f" -> CWD a, CWD b, f)
//   singlecwd: one CWD to the whole directory ("a/b/f" -> CWD a/b, f)
//   nocwd: no CWD; commands take the full path ("a/b/f")
// The URL path's leading slash is the separator after the host, not part of
// the path: ftp://h/a is "a" relative to the login directory, ftp://h//a is
// the absolute "/a".
import { CURLE, type CURLcode } from '../../codes.js';
import { urlDecode } from '../../url/url-bytes.js';

/** CURLOPT_FTP_FILEMETHOD values (CURLFTPMETHOD_*). */
export const FTPMETHOD = { DEFAULT: 0, MULTICWD: 1, NOCWD: 2, SINGLECWD: 3 } as const;

export interface FtpPath {
  /** the directories to CWD into, in order */
  dirs: string[];
  /** the file name, '' when the URL names a directory */
  file: string;
  /** the decoded path without the leading slash (what "same path as previous transfer" compares) */
  raw: string;
  /** ;type=A (ASCII), ;type=D (list only), ;type=I: null when absent */
  type: 'A' | 'D' | 'I' | null;
}

/** Cut the ";type=X" suffix off the (still encoded) path. */
export function splitType(path: string): { path: string; type: FtpPath['type'] } {
  const at = path.indexOf(';type=');
  if (at < 0) return { path, type: null };
  const c = (path[at + 6] ?? '').toUpperCase();
  return { path: path.slice(0, at), type: c === 'A' ? 'A' : c === 'D' ? 'D' : 'I' };
}

export type FtpPathResult = { ok: true; path: FtpPath } | { ok: false; code: CURLcode; message: string };

/**
 * @param target the URL's request target (encoded path, maybe "?query")
 * @param method FTP_FILEMETHOD
 */
export function parseFtpPath(target: string, method: number): FtpPathResult {
  const q = target.indexOf('?');
  const noQuery = q < 0 ? target : target.slice(0, q);
  const typed = splitType(noQuery);
  const encoded = typed.path.startsWith('/') ? typed.path.slice(1) : typed.path;
  const raw = urlDecode(encoded, true);
  if (raw === null) return { ok: false, code: CURLE.URL_MALFORMAT, message: 'path contains control characters' };
  let dirs: string[] = [];
  let file = '';
  if (method === FTPMETHOD.NOCWD) {
    if (raw.length > 0 && !raw.endsWith('/')) file = raw;
  } else if (method === FTPMETHOD.SINGLECWD) {
    const slash = raw.lastIndexOf('/');
    if (slash >= 0) {
      dirs = [raw.slice(0, Math.max(1, slash))];
      file = raw.slice(slash + 1);
    } else file = raw;
  } else {
    let pos = 0;
    // bounded by the path's length: each pass consumes up to a slash
    for (let slash = raw.indexOf('/'); slash >= 0; slash = raw.indexOf('/', pos)) {
      let len = slash - pos;
      // a path that starts with a slash: "/" is the first directory
      if (len === 0 && dirs.length === 0) len = 1;
      // empty components ("a//b") are skipped: CWD needs an argument
      if (len > 0) dirs.push(raw.slice(pos, pos + len));
      pos = slash + 1;
    }
    file = raw.slice(pos);
  }
  return { ok: true, path: { dirs, file, raw, type: typed.type } };
}
