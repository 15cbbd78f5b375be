// The GOPHER and GOPHERS protocol handlers (gopher://, gophers://; RFC 1436),
// after libcurl 7.88's lib/gopher.c: the selector is sent followed by CRLF,
// and the server's answer until it closes the connection is the body.
//
// The selector is the URL's path and query ("PATH?QUERY") without its first
// two characters (the '/' and the item type), URL-decoded; "/" and "/1" (two
// characters or fewer) mean the empty selector. A %00 in it is
// CURLE_URL_MALFORMAT (libcurl's REJECT_ZERO); so is a %0D or %0A, which
// would end the selector early and send what follows as a second line
// (curl 8 refuses it before connecting: its test 1609; 7.88 sent it). A %09
// stays: it separates a search's words from the selector. As in libcurl, the selector
// and the CRLF also go to the header callback (7.88's CLIENTWRITE_HEADER,
// which only HTTP copies into the body for CURLOPT_HEADER: INFO here); they
// are not traced (7.88's Curl_write does not). gophers:// is the same over TLS from the start.
import { CURLE, type CURLcode } from '../codes.js';
import { CURLPROTO } from '../constants.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { urlDecode } from '../url/url-bytes.js';
import type { Transfer } from '../multi/transfer.js';
import type { Connection } from '../conn/connection.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';
import { SendThenReadRequest } from './send-then-read.js';

/** The selector a URL path (with "?query" when it has one) names, or null for a %00, %0D or %0A in it. */
export function gopherSelector(pathAndQuery: string): string | null {
  if (pathAndQuery.length <= 2) return '';
  const decoded = urlDecode(pathAndQuery.slice(2), false);
  if (decoded === null || /[\0\r\n]/.test(decoded)) return null;
  return decoded;
}

function gopherRequestBytes(t: Transfer): Buffer | CURLcode {
  const h = t.url!.handle;
  const path = h.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
  const query = h.get(CURLUPART.QUERY).value;
  const sel = gopherSelector(query !== undefined ? `${path}?${query}` : path);
  if (sel === null) return CURLE.URL_MALFORMAT;
  const bytes = Buffer.from(sel + '\r\n', 'latin1');
  // gopher_do hands the selector and the CRLF to the client as "header" data, in two writes
  if (sel.length > 0) {
    const c = t.writers.write(CLIENTWRITE.INFO, bytes.subarray(0, sel.length));
    if (c !== CURLE.OK && c !== PAUSED) return c;
  }
  const c = t.writers.write(CLIENTWRITE.INFO, bytes.subarray(sel.length));
  if (c !== CURLE.OK && c !== PAUSED) return c;
  return bytes;
}

function gopherRequest(t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest {
  return new SendThenReadRequest(t, conn, guard, {
    request: () => gopherRequestBytes(t),
    traceType: null,
    sendFailure: 'Failed sending Gopher request',
  });
}

export const GOPHER_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'gopher',
  defaultPort: 70,
  protocol: CURLPROTO.GOPHER,
  flags: 0,
  alpn: [],
  request: gopherRequest,
});

export const GOPHERS_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'gophers',
  defaultPort: 70,
  protocol: CURLPROTO.GOPHERS,
  flags: PROTOPT.SSL,
  alpn: [],
  request: gopherRequest,
});
