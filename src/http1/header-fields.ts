// Parsing of the few response header values that decide HTTP/1 framing and
// connection reuse (Content-Length, Transfer-Encoding, Connection), with the
// leniency curl has: values are read the way libcurl's strtoofft and
// Curl_compareheader read them, not the way RFC 9110 grammar would.

export type ContentLengthValue =
  | { kind: 'ok'; length: number }
  | { kind: 'invalid' } // curl: "Invalid Content-Length: value" (CURLE_WEIRD_SERVER_REPLY)
  | { kind: 'overflow' }; // curl: "Overflow Content-Length: value" (info only; size unknown)

/** The decimal number of one list element (digits, blanks around them allowed). */
function leadingNumber(s: string): ContentLengthValue {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  // only digits: "-2" and "+2" are invalid (libcurl 8's curlx_str_number)
  if (s[i] === '-' || s[i] === '+') return { kind: 'invalid' };
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === start) return { kind: 'invalid' };
  // libcurl 8 (curl's test 768) rejects anything but blanks after the number: "6badness" is invalid
  for (let j = i; j < s.length; j++) if (s[j] !== ' ' && s[j] !== '\t') return { kind: 'invalid' };
  // up to 15 digits is always exact and far below 2^63
  if (i - start <= 15) return { kind: 'ok', length: Number(s.slice(start, i)) };
  // Beyond 2^53 a JS number cannot count bytes exactly; libcurl overflows at
  // 2^63. Either way the size is treated as unknown.
  const digits = s.slice(start, i).replace(/^0+(?=\d)/, '');
  // libcurl's off_t holds up to 2^63-1: such a length is valid (and a close
  // before it is CURLE_PARTIAL_FILE, curl test 2093); beyond it, it overflows
  if (digits.length > 19 || BigInt(digits) > 0x7fffffffffffffffn) return { kind: 'overflow' };
  return { kind: 'ok', length: Number(digits) };
}

/**
 * One Content-Length header value. curl 7.88 takes the leading number and
 * ignores the rest ("2x", "2, 2" both mean 2); a comma list whose elements
 * disagree ("2, 3") is reported as 'conflict' here because it is the same
 * request-smuggling hazard as two differing headers (RFC 9112 6.3).
 */
export function parseContentLength(value: string): ContentLengthValue | { kind: 'conflict' } {
  if (!value.includes(',')) return leadingNumber(value);
  const parts = value.split(',');
  const first = leadingNumber(parts[0]!);
  if (first.kind !== 'ok' || parts.length === 1) return first;
  for (const el of parts.slice(1)) {
    const v = leadingNumber(el);
    if (v.kind === 'ok' && v.length !== first.length) return { kind: 'conflict' };
  }
  return first;
}

/** Lower-cased tokens of a comma-separated list, parameters (";q=1") dropped. */
export function tokenList(value: string): string[] {
  const out: string[] = [];
  for (const el of value.split(',')) {
    const semi = el.indexOf(';');
    const t = (semi >= 0 ? el.slice(0, semi) : el).trim().toLowerCase();
    if (t) out.push(t);
  }
  return out;
}

/** Case-insensitive ASCII equality (header names are latin1 strings). */
export function nameIs(name: string, lowerWanted: string): boolean {
  return name.length === lowerWanted.length && name.toLowerCase() === lowerWanted;
}

/** Strip SP/HTAB (and a stray CR) at both ends; String#trim would also eat latin1 NBSP. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t' || s[b - 1] === '\r')) b--;
  return s.slice(a, b);
}
