// Paths on the SSH server as libcurl makes them (lib/curl_path.c): the URL's
// path decoded, "/~/" meaning the home directory (SCP: the path relative to
// it; SFTP: the directory the server reports for "."), and the arguments of
// QUOTE commands (Curl_get_pathname: quoted or not, "/~/" likewise).
import { toBytes, urlDecode } from '../../url/url-bytes.js';

/** The URL's path (as the URL holds it, percent-encoded) decoded; null for a %00 in it. */
export function decodeUrlPath(encoded: string): string | null {
  const d = urlDecode(toBytes(encoded), false);
  if (d === null || d.includes('\0')) return null;
  // the server's names are UTF-8 on the wire (ssh2 sends strings as UTF-8)
  return Buffer.from(d, 'latin1').toString('utf8');
}

/** Curl_getworkingpath for SCP. */
export function scpWorkingPath(path: string): string {
  return path.length > 3 && path.startsWith('/~/') ? path.slice(3) : path;
}

/**
 * Curl_getworkingpath for SFTP (`home`: the server's answer for "."). Only a
 * path that is "/~" or starts with "/~/" is in the home directory
 * (CVE-2023-27534, fixed in curl 8.0): "/~user/x" or "/~x" is an absolute path
 * as written, never the home directory with its third byte on.
 */
export function sftpWorkingPath(path: string, home: string): string {
  if (path === '/~') return `${home}/`;
  if (!path.startsWith('/~/')) return path;
  // one separating slash, whether or not the home directory ends with one
  return home.endsWith('/') ? home + path.slice(3) : home + path.slice(2);
}

const WHITESPACE = ' \t\r\n';

function skipWhite(s: string, i: number): number {
  while (i < s.length && WHITESPACE.includes(s[i]!)) i++;
  return i;
}

/**
 * Curl_get_pathname: the argument starting at `from` (leading whitespace
 * skipped) and where the next one starts, or null for a syntax error (no
 * argument, an unterminated or empty quote, a bad escape).
 */
export function quotePathname(s: string, from: number, home: string): { path: string; next: number } | null {
  if (from >= s.length) return null;
  let i = skipWhite(s, from);
  const q = s[i];
  if (q === '"' || q === "'") {
    let out = '';
    i++;
    // bounded by the string
    for (;;) {
      if (i >= s.length) return null;
      const c = s[i]!;
      if (c === q) {
        i++;
        break;
      }
      if (c === '\\') {
        i++;
        const e = s[i];
        if (e !== "'" && e !== '"' && e !== '\\') return null;
        out += e;
      } else out += c;
      i++;
    }
    if (out === '') return null;
    return { path: out, next: skipWhite(s, i) };
  }
  let end = i;
  while (end < s.length && !WHITESPACE.includes(s[end]!)) end++;
  let word = s.slice(i, end);
  if (word.startsWith('/~/')) word = `${home}/${word.slice(3)}`;
  return { path: word, next: skipWhite(s, end) };
}
