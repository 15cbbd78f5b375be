// LDAP search filters from their string form (RFC 4515, as OpenLDAP's
// ldap_pvt_put_filter reads them) to BER (RFC 4511's Filter CHOICE).
// Accepted beyond RFC 4515, as OpenLDAP accepts them: a simple item without
// its parentheses ("cn=Bob"), spaces around parentheses, "\c" escapes of the
// special characters. Anything else is null: libldap's "Bad search filter".
import { tlv, octets, boolean, sequence } from './ldap-ber.js';

const HEX = /^[0-9a-fA-F]{2}$/;

/** A value's escapes resolved (\XX, or \ before ( ) * \), or null when one is bad. */
function unescape(s: string): Buffer | null {
  const out: number[] = [];
  const raw = Buffer.from(s, 'latin1');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x28 || c === 0x29) return null; // an unescaped parenthesis in a value
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    const two = raw.toString('latin1', i + 1, i + 3);
    if (HEX.test(two)) {
      out.push(parseInt(two, 16));
      i += 2;
    } else if (i + 1 < raw.length && [0x28, 0x29, 0x2a, 0x5c].includes(raw[i + 1]!)) {
      out.push(raw[i + 1]!);
      i++;
    } else return null;
  }
  return Buffer.from(out);
}

const ATTR = /^[A-Za-z0-9][A-Za-z0-9.;-]*$/;

/** One item ("attr=value", "attr>=v", "attr=*", "attr=a*b", extensible): its BER, or null. */
function item(s: string): Buffer | null {
  const eq = s.indexOf('=');
  if (eq <= 0) return null;
  const op = s[eq - 1];
  let attr = s.slice(0, eq);
  const value = s.slice(eq + 1);
  if (op === '~' || op === '>' || op === '<') {
    attr = attr.slice(0, -1);
    if (!ATTR.test(attr)) return null;
    const v = unescape(value);
    if (v === null) return null;
    const tag = op === '~' ? 0xa8 : op === '>' ? 0xa5 : 0xa6;
    return tlv(tag, octets(attr), octets(v));
  }
  if (op === ':') return extensible(attr.slice(0, -1), value);
  if (!ATTR.test(attr)) return null;
  if (value === '*') return tlv(0x87, Buffer.from(attr, 'latin1'));
  if (!value.includes('*')) {
    const v = unescape(value);
    return v === null ? null : tlv(0xa3, octets(attr), octets(v));
  }
  // substrings: the unescaped '*'s cut the value (an escaped star is \2a, or \* in the old form)
  const parts = splitStars(value);
  const subs: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '') continue;
    const v = unescape(p);
    if (v === null) return null;
    const tag = i === 0 ? 0x80 : i === parts.length - 1 ? 0x82 : 0x81;
    subs.push(tlv(tag, v));
  }
  return tlv(0xa4, octets(attr), sequence(...subs));
}

function splitStars(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      cur += c + value[i + 1];
      i++;
    } else if (c === '*') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** "attr:dn:rule:=value" and its shorter forms (RFC 4515 extensible). */
function extensible(left: string, value: string): Buffer | null {
  const bits = left.split(':');
  const attr = bits.shift()!;
  let dn = false;
  let rule = '';
  for (const b of bits) {
    if (b.toLowerCase() === 'dn' && !dn && rule === '') dn = true;
    else if (rule === '' && /^[A-Za-z0-9.;-]+$/.test(b)) rule = b;
    else return null;
  }
  if (attr !== '' && !ATTR.test(attr)) return null;
  if (attr === '' && rule === '') return null;
  const v = unescape(value);
  if (v === null) return null;
  const parts: Buffer[] = [];
  if (rule) parts.push(tlv(0x81, Buffer.from(rule, 'latin1')));
  if (attr) parts.push(tlv(0x82, Buffer.from(attr, 'latin1')));
  parts.push(tlv(0x83, v));
  if (dn) parts.push(boolean(true, 0x84));
  return tlv(0xa9, ...parts);
}

interface Parsed {
  ber: Buffer;
  next: number;
}

/** "(...)" starting at `at` (spaces before it skipped). */
function parenthesized(s: string, at: number, depth: number): Parsed | null {
  if (depth > 64) return null; // a filter nested deeper than any real one
  while (s[at] === ' ') at++;
  if (s[at] !== '(') return null;
  at++;
  const c = s[at];
  if (c === '&' || c === '|') {
    const items: Buffer[] = [];
    at++;
    // bounded: each pass consumes a parenthesized filter or ends
    for (;;) {
      while (s[at] === ' ') at++;
      if (s[at] === ')') break;
      const p = parenthesized(s, at, depth + 1);
      if (!p) return null;
      items.push(p.ber);
      at = p.next;
    }
    return { ber: tlv(c === '&' ? 0xa0 : 0xa1, ...items), next: at + 1 };
  }
  if (c === '!') {
    const p = parenthesized(s, at + 1, depth + 1);
    if (!p) return null;
    at = p.next;
    while (s[at] === ' ') at++;
    if (s[at] !== ')') return null;
    return { ber: tlv(0xa2, p.ber), next: at + 1 };
  }
  // a simple item runs to the first unescaped ')'
  let end = at;
  while (end < s.length && s[end] !== ')') end += s[end] === '\\' ? 2 : 1;
  if (end >= s.length) return null;
  const ber = item(s.slice(at, end));
  return ber ? { ber, next: end + 1 } : null;
}

/** The BER Filter of a filter string, or null ("Bad search filter"). */
export function encodeFilter(filter: string): Buffer | null {
  const s = filter.trim();
  if (!s.startsWith('(')) return s.includes('(') || s.includes(')') ? null : item(s);
  const p = parenthesized(s, 0, 0);
  if (!p) return null;
  let at = p.next;
  while (s[at] === ' ') at++;
  return at === s.length ? p.ber : null;
}
