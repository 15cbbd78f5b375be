// The header arrays node-libcurl's Curl 'end' event and curly return: one
// object per response the transfer received (redirects, 100 Continue,
// proxy CONNECT replies each add one), with `result` from its status line,
// each header by its name as received, and every Set-Cookie in an array.

export type HeaderInfo = {
  result?: { version: string; code: number; reason: string };
} & { 'Set-Cookie'?: string[] } & { [headerKey: string]: string };

/** The header text of a transfer (as HEADERFUNCTION saw it) as node-libcurl's HeaderInfo[]. */
export function parseHeaders(text: string): HeaderInfo[] {
  const out: HeaderInfo[] = [];
  let current: Record<string, unknown> | null = null;
  // lines end at CRLF, LF or a lone CR, found with indexOf (a split by regular expression, or a
  // loop over the characters, costs more than the rest of the parse)
  const n = text.length;
  let cr = -1; // the next CR at or after i (-2: none left)
  for (let i = 0; i <= n; ) {
    let lf = text.indexOf('\n', i);
    if (lf < 0) lf = n;
    if (cr !== -2 && cr < i) {
      cr = text.indexOf('\r', i);
      if (cr < 0) cr = -2;
    }
    let line: string;
    if (cr >= 0 && cr < lf) {
      line = text.slice(i, cr);
      i = cr === lf - 1 && lf < n ? lf + 1 : cr + 1; // CRLF, or a lone CR
    } else {
      line = text.slice(i, lf);
      i = lf + 1;
    }
    if (current === null) {
      if (line === '') continue; // the blank line after the last block
      current = { result: statusResult(line) };
      continue;
    }
    if (line === '') {
      out.push(current as HeaderInfo);
      current = null;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = '';
    if (colon >= 0) {
      // one space or tab after the colon is not part of the value
      const first = line.charCodeAt(colon + 1);
      value = line.slice(first === SP || first === HTAB ? colon + 2 : colon + 1);
    }
    addField(current, name, value);
  }
  if (current !== null) out.push(current as HeaderInfo);
  return out;
}

/** One header into its block: every Set-Cookie (any case) into the 'Set-Cookie' array, the last value of others. */
export function addField(block: Record<string, unknown>, name: string, value: string): void {
  if (name.length === 10 && name.toUpperCase() === 'SET-COOKIE') {
    const list = (block['Set-Cookie'] ??= []) as string[];
    list.push(value);
  } else {
    block[name] = value;
  }
}

/**
 * A status line as node-libcurl splits it (`line.split(' ')`: the version,
 * the code, the rest joined again), without the arrays.
 */
export function statusResult(line: string): { version: string; code: number; reason: string } {
  const a = line.indexOf(' ');
  if (a < 0) return { version: line, code: 0, reason: '' };
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return { version: line.slice(0, a), code: parseInt(line.slice(a + 1), 10), reason: '' };
  return { version: line.slice(0, a), code: parseInt(line.slice(a + 1, b), 10), reason: line.slice(b + 1) };
}

const SP = 32;
const HTAB = 9;

/** The stored chunks as one Buffer. */
export function mergeChunks(chunks: readonly Buffer[], length: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], length);
}
