// An HTTP/1-style request head as HTTP/2 header fields, the way curl 7.88's
// h2h3.c (Curl_pseudo_headers) converts the head its HTTP code assembled:
// the request line becomes :method and :path, the URL's scheme :scheme, the
// Host header :authority; the other names are lowercased, and the
// connection-specific headers HTTP/2 forbids (RFC 9113 8.2.2) are dropped:
// Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, and
// TE unless it is "trailers". The verbose output shows the head as 7.88 does
// over HTTP/2: the request line with "HTTP/2", "Host:" as written, every
// other name in lowercase (what goes on the wire).

/** Headers HTTP/2 forbids in a request (curl's inspect_header HEADERINST_IGNORE). */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export interface H2Request {
  /** [name, value] in order, pseudo-headers first */
  headers: [string, string][];
  /** the head as curl 7.88 shows it for HTTP/2 (HEADER_OUT); null when not asked for (no verbose output) */
  trace: Buffer | null;
}

/** A header value without the blanks (space, tab) around it. */
function trimBlanks(line: string, from: number): string {
  let a = from;
  let b = line.length;
  while (a < b && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
  while (b > a && (line.charCodeAt(b - 1) === 32 || line.charCodeAt(b - 1) === 9)) b--;
  return line.slice(a, b);
}

/**
 * Convert a serialized HTTP/1 request head (latin1 bytes, CRLF lines, blank
 * line last). The trace text is made only when `withTrace` (verbose): a
 * request per stream makes this a hot path.
 */
export function h2Request(head: Buffer, scheme: string, withTrace = true): H2Request {
  const text = head.toString('latin1');
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const first = text.slice(0, eol);
  const sp1 = first.indexOf(' ');
  const sp2 = first.lastIndexOf(' ');
  const method = first.slice(0, sp1);
  const path = sp2 > sp1 ? first.slice(sp1 + 1, sp2) : first.slice(sp1 + 1);
  let authority = '';
  const rest: [string, string][] = [];
  const shown: string[] | null = withTrace ? [first] : null;
  for (let pos = eol + 2; pos < text.length;) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 2;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = trimBlanks(line, colon + 1);
    if (shown !== null) shown.push(name === 'host' ? line : name + line.slice(colon));
    if (name === 'host') {
      authority ||= value;
      continue;
    }
    if (DROPPED.has(name)) continue;
    if (name === 'te') {
      // only "TE: trailers" may go over HTTP/2
      if (/(^|[\s,])trailers([\s,;]|$)/i.test(value)) rest.push(['te', 'trailers']);
      continue;
    }
    rest.push([name, value]);
  }
  const headers: [string, string][] = [[':method', method], [':path', path], [':scheme', scheme]];
  if (authority) headers.push([':authority', authority]);
  for (const h of rest) headers.push(h);
  return { headers, trace: shown === null ? null : Buffer.from(shown.join('\r\n') + '\r\n\r\n', 'latin1') };
}

/** curl 7.88's verbose lines for a stream's header fields ("h2h3 [:method: GET]"). */
export function h2HeaderInfo(headers: readonly [string, string][]): string[] {
  return headers.map(([k, v]) => `h2h3 [${k}: ${v}]`);
}
