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
  for (const line of text.split(/\r?\n|\r/)) {
    if (current === null) {
      if (line === '') continue; // the blank line after the last block
      const [version = '', code = '0', ...reason] = line.split(' ');
      current = { result: { version, code: parseInt(code, 10), reason: reason.join(' ') } };
      continue;
    }
    if (line === '') {
      out.push(current as HeaderInfo);
      current = null;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^[ \t]/, '');
    if (name.toUpperCase() === 'SET-COOKIE') {
      const list = (current['Set-Cookie'] ??= []) as string[];
      list.push(value);
    } else {
      current[name] = value;
    }
  }
  if (current !== null) out.push(current as HeaderInfo);
  return out;
}

/** The stored chunks as one Buffer. */
export function mergeChunks(chunks: readonly Buffer[], length: number): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Buffer[], length);
}
