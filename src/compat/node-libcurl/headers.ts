// The header arrays node-libcurl's Curl 'end' event and curly return: one
// object per response the transfer received (redirects, 100 Continue,
// proxy CONNECT replies each add one), with `result` from its status line,
// each header by its name as received, and every Set-Cookie in an array.

export type HeaderInfo = {
  result?: { version: string; code: number; reason: string };
} & { 'Set-Cookie'?: string[] } & { [headerKey: string]: string };

/**
 * Header text cut into lines as node-libcurl cuts it: at CRLF, LF or a lone
 * CR, found with indexOf (a split by regular expression, or a loop over the
 * characters, costs more than the rest of the parse). After next(), the line
 * is text[start, end); after split(), its name is [start, nameEnd) and its
 * value [valueStart, end).
 */
export class HeaderLines {
  start = 0;
  end = 0;
  nameEnd = 0;
  valueStart = 0;
  readonly #text: string;
  #i = 0;
  /** the next CR at or after #i (-2: none left) */
  #cr = -1;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next line; false when there is none. */
  next(): boolean {
    const text = this.#text;
    const n = text.length;
    const i = this.#i;
    if (i > n) return false;
    let lf = text.indexOf('\n', i);
    if (lf < 0) lf = n;
    if (this.#cr !== -2 && this.#cr < i) {
      this.#cr = text.indexOf('\r', i);
      if (this.#cr < 0) this.#cr = -2;
    }
    const cr = this.#cr;
    this.start = i;
    if (cr >= 0 && cr < lf) {
      this.end = cr;
      this.#i = cr === lf - 1 && lf < n ? lf + 1 : cr + 1; // CRLF, or a lone CR
    } else {
      this.end = lf;
      this.#i = lf + 1;
    }
    return true;
  }

  /** Name and value of the line: up to the first colon (the whole line without one); one SP or HTAB after it is not part of the value. */
  split(): void {
    const text = this.#text;
    const end = this.end;
    let colon = text.indexOf(':', this.start);
    if (colon >= end) colon = -1;
    if (colon < 0) {
      this.nameEnd = end;
      this.valueStart = end;
      return;
    }
    this.nameEnd = colon;
    const first = text.charCodeAt(colon + 1);
    this.valueStart = Math.min(end, first === SP || first === HTAB ? colon + 2 : colon + 1);
  }
}

/** The header text of a transfer (as HEADERFUNCTION saw it) as node-libcurl's HeaderInfo[]. */
export function parseHeaders(text: string): HeaderInfo[] {
  const out: HeaderInfo[] = [];
  let current: Record<string, unknown> | null = null;
  const lines = new HeaderLines(text);
  while (lines.next()) {
    const { start, end } = lines;
    if (current === null) {
      if (end === start) continue; // the blank line after the last block
      current = { result: statusResult(text.slice(start, end)) };
      continue;
    }
    if (end === start) {
      out.push(current as HeaderInfo);
      current = null;
      continue;
    }
    lines.split();
    addField(current, text.slice(start, lines.nameEnd), text.slice(lines.valueStart, end));
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
export function statusResult(line: string): StatusResult {
  const a = line.indexOf(' ');
  if (a < 0) return statusObject(line, 0, '');
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return statusObject(line.slice(0, a), parseInt(line.slice(a + 1), 10), '');
  return statusObject(line.slice(0, a), parseInt(line.slice(a + 1, b), 10), line.slice(b + 1));
}

export type StatusResult = { version: string; code: number; reason: string };

/** A header block's `result` (a plain object, as node-libcurl's). */
export function statusObject(version: string, code: number, reason: string): StatusResult {
  return { version, code, reason };
}

const SP = 32;
const HTAB = 9;

/** The stored chunks as one Buffer. */
export function mergeChunks(chunks: readonly Buffer[], length: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], length);
}
