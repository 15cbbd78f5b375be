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
  /** the head as curl 7.88 shows it for HTTP/2 (HEADER_OUT) */
  trace: Buffer;
}

/** Convert a serialized HTTP/1 request head (latin1 bytes, CRLF lines, blank line last). */
export function h2Request(head: Buffer, scheme: string): H2Request {
  const text = head.toString('latin1');
  const lines = text.split('\r\n');
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const sp2 = first.lastIndexOf(' ');
  const method = first.slice(0, sp1);
  const path = sp2 > sp1 ? first.slice(sp1 + 1, sp2) : first.slice(sp1 + 1);
  let authority = '';
  const rest: [string, string][] = [];
  const shown: string[] = [first];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rawName = line.slice(0, colon);
    const name = rawName.toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    shown.push(name === 'host' ? line : name + line.slice(colon));
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
  return { headers, trace: Buffer.from(shown.join('\r\n') + '\r\n\r\n', 'latin1') };
}

/** curl 7.88's verbose lines for a stream's header fields ("h2h3 [:method: GET]"). */
export function h2HeaderInfo(headers: readonly [string, string][]): string[] {
  return headers.map(([k, v]) => `h2h3 [${k}: ${v}]`);
}
