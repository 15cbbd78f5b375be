// IMAP URLs (RFC 5092, libcurl's imap_parse_url_path and
// imap_parse_custom_request): imap://host/MAILBOX[;UIDVALIDITY=n][/;UID=n |
// /;MAILINDEX=n][/;SECTION=s][/;PARTIAL=a.b][?SEARCH], and the quoting of
// strings in commands (imap_atom). Sans-I/O.
import { urlDecode } from '../../url/url-bytes.js';

export interface ImapTarget {
  mailbox: string | null;
  uidvalidity: string | null;
  uid: string | null;
  mindex: string | null;
  section: string | null;
  partial: string | null;
  query: string | null;
}

/** RFC 5092's bchar: what may appear in a mailbox name or a parameter value ('/' included, ';' and '?' not). */
function isBchar(c: string): boolean {
  return /[A-Za-z0-9:@/&=\-._~!$'()*+,%]/.test(c);
}

/** The URL's path (as sent: "/..." with "?query" if any) as an IMAP target; null when malformed (CURLE_URL_MALFORMAT). */
export function parseImapPath(pathAndQuery: string): ImapTarget | null {
  const q = pathAndQuery.indexOf('?');
  const path = (q < 0 ? pathAndQuery : pathAndQuery.slice(0, q)).slice(1);
  const t: ImapTarget = { mailbox: null, uidvalidity: null, uid: null, mindex: null, section: null, partial: null, query: null };
  let i = 0;
  while (i < path.length && isBchar(path[i]!)) i++;
  if (i > 0) {
    // the trailing slash is not part of the mailbox
    const end = path[i - 1] === '/' ? i - 1 : i;
    const mb = urlDecode(path.slice(0, end), true);
    if (mb === null) return null;
    t.mailbox = mb;
  }
  // bounded by the path's length: each pass consumes a ";name=value"
  while (path[i] === ';') {
    const nameStart = ++i;
    while (i < path.length && path[i] !== '=') i++;
    if (path[i] !== '=') return null;
    const name = urlDecode(path.slice(nameStart, i), true);
    const valueStart = ++i;
    while (i < path.length && isBchar(path[i]!)) i++;
    let value = urlDecode(path.slice(valueStart, i), true);
    if (name === null || value === null) return null;
    if (value.endsWith('/')) value = value.slice(0, -1);
    const key = name.toUpperCase();
    if (key === 'UIDVALIDITY' && t.uidvalidity === null) t.uidvalidity = value;
    else if (key === 'UID' && t.uid === null) t.uid = value;
    else if (key === 'MAILINDEX' && t.mindex === null) t.mindex = value;
    else if (key === 'SECTION' && t.section === null) t.section = value;
    else if (key === 'PARTIAL' && t.partial === null) t.partial = value;
    else return null;
    if (path[i] === '/') i++;
  }
  // a query only searches a mailbox, and not with a UID (RFC 5092)
  if (t.mailbox !== null && t.uid === null && t.mindex === null && q >= 0) {
    // libcurl takes it with curl_url_get(CURLU_URLDECODE), which refuses control characters,
    // and ignores the error: a query holding one (a CR LF that would start a second command)
    // is no query, and the mailbox is listed
    t.query = urlDecode(pathAndQuery.slice(q + 1), true);
  }
  if (i < path.length) return null;
  return t;
}

/** A CUSTOMREQUEST split into its command and the rest (the space kept with the parameters). */
export function splitCustom(custom: string): { command: string; params: string } {
  const sp = custom.indexOf(' ');
  return sp < 0 ? { command: custom, params: '' } : { command: custom.slice(0, sp), params: custom.slice(sp) };
}

/**
 * imap_atom: a string as an IMAP atom, or a quoted string when it holds
 * atom-specials (or with `escapeOnly`, just backslash-escaped for use inside
 * quotes libcurl writes itself).
 */
export function imapAtom(s: string, escapeOnly: boolean): string {
  const specials = /[(){ %*\]]/;
  const needsEscape = /["\\]/.test(s);
  if (!needsEscape && (escapeOnly || !specials.test(s))) return s;
  const escaped = s.replace(/[\\"]/g, (c) => '\\' + c);
  return escapeOnly ? escaped : `"${escaped}"`;
}
