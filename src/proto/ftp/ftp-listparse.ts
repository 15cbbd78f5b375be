// The LIST parser of FTP wildcard downloads (libcurl's lib/ftplistparser.c):
// the directory listing's lines become curl_fileinfo records. Two formats,
// told apart by the listing's first byte as libcurl does (a digit: Windows /
// DOS, else Unix "ls -l"):
//
//   total 20                                  (Unix: only as the first line)
//   drwxr-xr-x   2 user  group   4096 Apr 27  5:12 dir
//   -rw-r--r--   1 user  group     35 Jan 16  2010 file.txt
//   lrwxrwxrwx   1 user  group      4 Jan 16 18:46 link -> file.txt
//   01-29-97  11:32PM       <DIR>          dir  (DOS)
//   01-29-97  11:32PM                  35  file.txt
//
// A line that fits neither makes the whole listing CURLE_FTP_BAD_FILE_LIST;
// the rest of it is read and dropped (libcurl's sticky parser->error, which
// wc_statemach reports once the LIST is over). libcurl grows its line buffer
// without bound; this parser stops at MAX_LINE bytes per entry with the same
// error, so a hostile listing cannot grow memory through one line.
// Time strings stay strings (libcurl does not parse them either: time is 0).
import { CURLE, type CURLcode } from '../../codes.js';

/** CURLFILETYPE_* */
export const CURLFILETYPE = {
  FILE: 0, DIRECTORY: 1, SYMLINK: 2, DEVICE_BLOCK: 3, DEVICE_CHAR: 4, NAMEDPIPE: 5, SOCKET: 6, DOOR: 7, UNKNOWN: 8,
} as const;

/** CURLFINFOFLAG_* (which fields of a curl_fileinfo are known) */
export const CURLFINFOFLAG = {
  KNOWN_FILENAME: 1 << 0, KNOWN_FILETYPE: 1 << 1, KNOWN_TIME: 1 << 2, KNOWN_PERM: 1 << 3,
  KNOWN_UID: 1 << 4, KNOWN_GID: 1 << 5, KNOWN_SIZE: 1 << 6, KNOWN_HLINKCOUNT: 1 << 7,
} as const;

/**
 * libcurl's struct curl_fileinfo. Names and strings are the listing's bytes
 * as latin1 characters (one char per byte), as the FTP commands send them.
 */
export interface CurlFileInfo {
  filename: string;
  filetype: number;
  /** always 0: libcurl does not parse the listing's time (strings.time has it) */
  time: number;
  perm: number;
  uid: number;
  gid: number;
  size: number;
  hardlinks: number;
  strings: { time: string | null; perm: string | null; user: string | null; group: string | null; target: string | null };
  /** CURLFINFOFLAG bits */
  flags: number;
}

/** The longest entry line kept (libcurl has no limit; see the header). */
export const MAX_LINE = 10_000;

const UNIX_TYPES: Record<string, number> = {
  '-': CURLFILETYPE.FILE, d: CURLFILETYPE.DIRECTORY, l: CURLFILETYPE.SYMLINK, p: CURLFILETYPE.NAMEDPIPE,
  s: CURLFILETYPE.SOCKET, c: CURLFILETYPE.DEVICE_CHAR, b: CURLFILETYPE.DEVICE_BLOCK, D: CURLFILETYPE.DOOR,
};

/** ftp_pl_get_permission: "rwxr-x---" -> 0o750 with setuid/setgid/sticky bits; null when malformed. */
export function unixPermission(s: string): number | null {
  let perm = 0;
  // per triplet: read bit, write bit, and the execute column's letters
  const exec = [
    { x: 1 << 6, special: 1 << 11, set: 's', unset: 'S' },
    { x: 1 << 3, special: 1 << 10, set: 's', unset: 'S' },
    { x: 1 << 0, special: 1 << 9, set: 't', unset: 'T' },
  ];
  for (let i = 0; i < 3; i++) {
    const r = s[i * 3]!, w = s[i * 3 + 1]!, x = s[i * 3 + 2]!;
    const shift = 6 - i * 3;
    if (r === 'r') perm |= 4 << shift;
    else if (r !== '-') return null;
    if (w === 'w') perm |= 2 << shift;
    else if (w !== '-') return null;
    const e = exec[i]!;
    if (x === 'x') perm |= e.x;
    else if (x === e.set) perm |= e.x | e.special;
    else if (x === e.unset) perm |= e.special;
    else if (x !== '-') return null;
  }
  return perm;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** A cursor over one line: skip spaces, take a token up to the next space. */
class Cursor {
  pos = 0;
  constructor(readonly line: string) {}
  skipSpaces(): void {
    while (this.line[this.pos] === ' ') this.pos++;
  }
  /** the token up to the next space (which must follow), or null at the line's end */
  token(ok: (c: string) => boolean): string | null {
    const start = this.pos;
    while (this.pos < this.line.length && this.line[this.pos] !== ' ') {
      if (!ok(this.line[this.pos]!)) return null;
      this.pos++;
    }
    if (this.pos >= this.line.length || this.pos === start) return null;
    return this.line.slice(start, this.pos);
  }
  rest(): string {
    return this.line.slice(this.pos);
  }
}

function blankInfo(): CurlFileInfo {
  return {
    filename: '', filetype: CURLFILETYPE.UNKNOWN, time: 0, perm: 0, uid: 0, gid: 0, size: 0, hardlinks: 0,
    strings: { time: null, perm: null, user: null, group: null, target: null }, flags: 0,
  };
}

/** One Unix "ls -l" line (no line end): the entry, or null when it does not parse. */
export function parseUnixLine(line: string): CurlFileInfo | null {
  const f = blankInfo();
  const type = UNIX_TYPES[line[0] ?? ''];
  if (type === undefined) return null;
  f.filetype = type;
  const permText = line.slice(1, 10);
  if (permText.length !== 9 || !/^[rwxtTsS-]{9}$/.test(permText) || line[10] !== ' ') return null;
  const perm = unixPermission(permText);
  if (perm === null) return null;
  f.perm = perm;
  f.strings.perm = permText;
  f.flags |= CURLFINFOFLAG.KNOWN_PERM;
  const c = new Cursor(line);
  c.pos = 11;
  c.skipSpaces();
  const links = c.token(isDigit);
  if (links === null) return null;
  f.hardlinks = Number(links);
  f.flags |= CURLFINFOFLAG.KNOWN_HLINKCOUNT;
  c.skipSpaces();
  f.strings.user = c.token(() => true);
  if (f.strings.user === null) return null;
  c.skipSpaces();
  f.strings.group = c.token(() => true);
  if (f.strings.group === null) return null;
  c.skipSpaces();
  const size = c.token(isDigit);
  if (size === null) return null;
  f.size = Number(size);
  if (Number.isSafeInteger(f.size)) f.flags |= CURLFINFOFLAG.KNOWN_SIZE;
  else f.size = 0;
  // the time is three words ("Apr 27  5:12", "Jan 16  2010"), kept with the spaces between them
  c.skipSpaces();
  const timeStart = c.pos;
  const word = (c2: string): boolean => isAlnum(c2) || c2 === '.';
  if (c.token(word) === null) return null;
  c.skipSpaces();
  if (c.token(word) === null) return null;
  c.skipSpaces();
  if (c.token((c2) => word(c2) || c2 === ':') === null) return null;
  f.strings.time = line.slice(timeStart, c.pos);
  c.skipSpaces();
  let name = c.rest();
  if (name.length === 0 || name.includes('\r')) return null;
  if (type === CURLFILETYPE.SYMLINK) {
    const arrow = name.indexOf(' -> ');
    if (arrow <= 0) return null;
    f.strings.target = name.slice(arrow + 4);
    name = name.slice(0, arrow);
  }
  f.filename = name;
  return f;
}

/** One Windows / DOS line: "MM-DD-YY  HH:MMAM  <DIR>|size  name". */
export function parseDosLine(line: string): CurlFileInfo | null {
  const f = blankInfo();
  if (!/^[0-9-]{8} /.test(line)) return null;
  const c = new Cursor(line);
  c.pos = 9;
  c.skipSpaces();
  const time = c.token((ch) => 'APM0123456789:'.includes(ch));
  if (time === null) return null;
  f.strings.time = line.slice(0, c.pos);
  c.skipSpaces();
  const dirOrSize = c.token(() => true);
  if (dirOrSize === null) return null;
  if (dirOrSize === '<DIR>') {
    f.filetype = CURLFILETYPE.DIRECTORY;
  } else {
    if (!/^[0-9]+$/.test(dirOrSize) || !Number.isSafeInteger(Number(dirOrSize))) return null;
    f.filetype = CURLFILETYPE.FILE;
    f.size = Number(dirOrSize);
  }
  f.flags |= CURLFINFOFLAG.KNOWN_SIZE;
  c.skipSpaces();
  const name = c.rest();
  if (name.length === 0 || name.includes('\r')) return null;
  f.filename = name;
  return f;
}

/**
 * The listing arrives in pieces (the data connection's reads): write() takes
 * each, calls `entry` for every complete line's record, and keeps the first
 * error. `entry` may fail (a throwing FNMATCH_FUNCTION): that is the error.
 */
export class FtpListParser {
  #format: 'unix' | 'dos' | null = null;
  #first = true;
  #line: Buffer[] = [];
  #lineBytes = 0;
  error: { code: CURLcode; message: string } | null = null;

  constructor(private readonly entry: (f: CurlFileInfo) => { code: CURLcode; message: string } | null) {}

  write(data: Buffer): void {
    if (this.error) return;
    if (this.#format === null && data.length > 0) this.#format = data[0]! >= 0x30 && data[0]! <= 0x39 ? 'dos' : 'unix';
    let from = 0;
    // bounded by the piece's length: each pass ends a line or keeps the tail
    while (from < data.length && !this.error) {
      const lf = data.indexOf(0x0a, from);
      const end = lf < 0 ? data.length : lf;
      this.#lineBytes += end - from;
      if (this.#lineBytes > MAX_LINE) {
        this.#fail();
        return;
      }
      this.#line.push(data.subarray(from, end));
      if (lf < 0) {
        // the piece is the caller's memory: keep a copy of the unfinished line
        this.#line[this.#line.length - 1] = Buffer.from(data.subarray(from, end));
        return;
      }
      const text = Buffer.concat(this.#line).toString('latin1');
      this.#line = [];
      this.#lineBytes = 0;
      from = lf + 1;
      this.#oneLine(text.endsWith('\r') ? text.slice(0, -1) : text);
    }
  }

  #oneLine(line: string): void {
    const first = this.#first;
    this.#first = false;
    if (this.#format === 'unix' && first && line.startsWith('t')) {
      // "total N" (the blocks the directory takes) may only open a Unix listing
      if (!/^total [ \t]*[0-9]*$/.test(line)) this.#fail();
      return;
    }
    const f = this.#format === 'dos' ? parseDosLine(line) : parseUnixLine(line);
    if (!f) return this.#fail();
    this.error = this.entry(f);
  }

  #fail(): void {
    this.#line = [];
    this.error = { code: CURLE.FTP_BAD_FILE_LIST, message: 'Unable to parse FTP file list' };
  }
}
