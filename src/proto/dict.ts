// The DICT protocol handler (dict://, RFC 2229), after libcurl 7.88's
// lib/dict.c: the URL's path becomes one command sent after a CLIENT line
// and before QUIT, and everything the server answers until it closes the
// connection is the body (nothing of the reply is parsed, as in libcurl).
//
// URL forms (the path is URL-decoded first; a control byte in it is
// CURLE_URL_MALFORMAT, libcurl's REJECT_CTRL):
//   /m:WORD:DATABASE:STRATEGY  (also /match: and /find:)  -> MATCH db strat word
//   /d:WORD:DATABASE           (also /define: and /lookup:) -> DEFINE db word
//   /ANYTHING:ELSE             -> the text with ':' turned into spaces, as is
// A missing word is "default" (with libcurl's "lookup word is missing"), a
// missing database "!", a missing strategy ".". The word is escaped as RFC
// 2229 section 2.2 asks (a backslash before controls, space, quotes,
// backslash, DEL and, as 7.88 compiles with signed char, every byte >= 0x80).
import { CURLE, type CURLcode } from '../codes.js';
import { CURLINFO_TYPE, CURLPROTO } from '../constants.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { urlDecode } from '../url/url-bytes.js';
import type { Transfer } from '../multi/transfer.js';
import { traceText } from '../util/trace.js';
import { VERSION } from '../version-info.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import type { ProtocolHandler, ProtocolRequest } from './handler.js';
import { SendThenReadRequest } from './send-then-read.js';
import type { Connection } from '../conn/connection.js';

const MATCH = ['/match:', '/m:', '/find:'];
const DEFINE = ['/define:', '/d:', '/lookup:'];

/** RFC 2229 2.2: what needs a backslash in a word (libcurl's unescape_word). */
export function dictEscapeWord(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    // 7.88 tests a signed char: bytes >= 0x80 are "<= 32" there too
    if (c <= 32 || c >= 127 || c === 0x27 || c === 0x22 || c === 0x5c) out += '\\';
    out += word[i];
  }
  return out;
}

export type DictCommand = { command: string; missingWord: boolean } | null;

/**
 * The command line a decoded DICT path asks for (without CRLF), or null when
 * the path has no '/' (nothing is sent then but the connection is made, as
 * in libcurl).
 */
export function dictCommand(path: string): DictCommand {
  const lower = path.toLowerCase();
  const isMatch = MATCH.some((p) => lower.startsWith(p));
  const isDefine = !isMatch && DEFINE.some((p) => lower.startsWith(p));
  if (isMatch || isDefine) {
    // the first ':' ends the command word; the fields follow, ':'-separated
    const fields = path.slice(path.indexOf(':') + 1).split(':');
    let word = fields[0] ?? '';
    let database = fields[1] ?? '';
    let strategy = isMatch ? fields[2] ?? '' : '';
    const missingWord = word === '';
    if (missingWord) word = 'default';
    if (database === '') database = '!';
    if (isMatch) {
      if (strategy === '') strategy = '.';
      return { command: `MATCH ${database} ${strategy} ${dictEscapeWord(word)}`, missingWord };
    }
    return { command: `DEFINE ${database} ${dictEscapeWord(word)}`, missingWord };
  }
  const slash = path.indexOf('/');
  if (slash < 0) return null;
  return { command: path.slice(slash + 1).replaceAll(':', ' '), missingWord: false };
}

/** The request bytes of the transfer's URL (dict_do); a control byte in the path is CURLE_URL_MALFORMAT. */
function dictRequestBytes(t: Transfer, guard: CallbackGuard): Buffer | CURLcode {
  const raw = t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
  const path = urlDecode(raw, true);
  if (path === null) return CURLE.URL_MALFORMAT;
  const cmd = dictCommand(path);
  if (cmd?.missingWord) traceText(guard, t, 'lookup word is missing');
  const text = cmd === null ? '' : `CLIENT libcurl ${VERSION}\r\n${cmd.command}\r\nQUIT\r\n`;
  return Buffer.from(text, 'latin1');
}

function dictRequest(t: Transfer, conn: Connection, guard: CallbackGuard): ProtocolRequest {
  return new SendThenReadRequest(t, conn, guard, {
    request: () => dictRequestBytes(t, guard),
    traceType: CURLINFO_TYPE.DATA_OUT,
    sendFailure: 'Failed sending DICT request',
  });
}

export const DICT_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'dict',
  defaultPort: 2628,
  protocol: CURLPROTO.DICT,
  flags: 0,
  alpn: [],
  request: dictRequest,
});
