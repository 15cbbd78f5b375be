// Reading what FTP replies carry (libcurl's ftp.c response handlers), as
// pure functions of the reply text: the address of a 227 PASV reply, the
// port of a 229 EPSV reply, the directory of a 257 PWD reply, the number of
// a 213 SIZE reply, the time of a 213 MDTM reply, the size a 150 RETR reply
// announces. Each answers null for a reply it cannot read.

/** "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)": libcurl scans for the first digit run that parses as six numbers. */
export function parsePasv(text: string): { host: string; port: number } | null {
  // bounded by the text's length
  for (let i = 4; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    const m = /^(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text.slice(i, i + 24));
    if (!m) continue;
    const n = m.slice(1).map(Number);
    if (n.some((x) => x > 255)) return null;
    return { host: `${n[0]}.${n[1]}.${n[2]}.${n[3]}`, port: n[4]! * 256 + n[5]! };
  }
  return null;
}

/** "229 Entering Extended Passive Mode (|||port|)": the delimiter may be any printable character, all four the same. */
export function parseEpsv(text: string): number | null | 'bad' {
  const open = text.indexOf('(');
  if (open < 0) return null;
  const d = text[open + 1];
  if (d === undefined || d < '!' || d > '~') return 'bad';
  if (text[open + 2] !== d || text[open + 3] !== d) return 'bad';
  let i = open + 4;
  let digits = '';
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9' && digits.length < 6) digits += text[i++];
  if (digits.length === 0 || text[i] !== d || text[i + 1] !== ')') return 'bad';
  const port = Number(digits);
  return port > 0 && port <= 65535 ? port : 'bad';
}

/**
 * '257 "/dir" is the current directory': the quoted name, with "" meaning
 * a quote inside it. null when the reply has no quoted name (curl: "Failed
 * to figure out path", and the transfer goes on). 'bad' for a name whose
 * quote never closes or that holds a CR: curl 8 fails those with
 * CURLE_WEIRD_SERVER_REPLY (its tests 1152 and 3218) where 7.88 went on
 * without an entry path or kept the CR, which would end a later `CWD` early.
 */
export function parsePwd(text: string): string | 'bad' | null {
  const open = text.indexOf('"', 4);
  if (open < 0) return null;
  let out = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      if (text[i + 1] === '"') {
        out += '"';
        i++;
        continue;
      }
      return out;
    }
    if (c === '\r') return 'bad';
    out += c;
  }
  return 'bad';
}

/** "213 12345": the size, null when it is no number. */
export function parseSize(text: string): number | null {
  const m = /^\d{3}[ -]\s*(\d+)/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** "213 YYYYMMDDHHMMSS[.sss]": seconds since the epoch (UTC), null when unreadable. */
export function parseMdtm(text: string): number | null {
  const m = /^\d{3} (\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi, s) / 1000);
}

/**
 * The size a RETR's 150/125 reply announces: "150 Opening BINARY mode data
 * connection for file (1234 bytes)". libcurl looks for the last "(" followed
 * by digits and " bytes".
 */
export function parseRetrSize(text: string): number | null {
  const m = /\((\d+) bytes/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}
