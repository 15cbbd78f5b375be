// Hostname handling of curl's URL parser (lib/urlapi.c): numeric IPv4
// normalisation, bracketed IPv6 literals with zone ids, and the check for
// bytes a hostname must not contain. All strings are byte strings.

import { CURLUE } from './url-codes.js';
import { isDigit, isXdigit } from './url-bytes.js';

/** What ipv4Normalize found. */
export const HOST_KIND = { NAME: 1, IPV4: 2, IPV6: 3 } as const;

/**
 * strtoul(s, &end, 0) from position i on a string known to start with a
 * digit: 0x.. is hex, 0.. is octal, else decimal. Returns the value and the
 * index just past the number.
 */
function strtoul0(s: string, i: number): { value: number; end: number } {
  let base = 10;
  if (s[i] === '0') {
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && isXdigit(s[i + 2])) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  let value = 0;
  let j = i;
  for (; j < s.length; j++) {
    const d = parseInt(s[j] as string, 16);
    if (Number.isNaN(d) || d >= base) break;
    // Precision loss past 2^53 does not matter: anything that big is
    // rejected for being over 32 bits anyway.
    value = value * base + d;
  }
  return { value, end: j };
}

/**
 * ipv4_normalize: a host made of one to four numeric parts (decimal, octal
 * or hex, as inet_aton takes them) is rewritten in dotted-quad form, so
 * "0x7f.1" becomes "127.0.0.1". Anything that does not parse as such is a
 * name. As documented in URL-SYNTAX.md, one trailing dot after a numeric
 * address is dropped.
 */
export function ipv4Normalize(host: string): { kind: number; host: string } {
  if (host[0] === '[') return { kind: HOST_KIND.IPV6, host };
  const h = host.endsWith('.') && !host.endsWith('..') ? host.slice(0, -1) : host;
  const parts: number[] = [];
  let i = 0;
  for (;;) {
    if (!isDigit(h[i])) return { kind: HOST_KIND.NAME, host };
    const { value, end } = strtoul0(h, i);
    if (value > 0xffffffff) return { kind: HOST_KIND.NAME, host };
    parts.push(value);
    i = end;
    if (i === h.length) break;
    if (h[i] !== '.' || parts.length === 4) return { kind: HOST_KIND.NAME, host };
    i++;
  }
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  let n: number;
  switch (parts.length) {
    case 1: // a: 32 bits
      n = a;
      break;
    case 2: // a.b: 8.24 bits
      if (a > 0xff || b > 0xffffff) return { kind: HOST_KIND.NAME, host };
      n = a * 0x1000000 + b;
      break;
    case 3: // a.b.c: 8.8.16 bits
      if (a > 0xff || b > 0xff || c > 0xffff) return { kind: HOST_KIND.NAME, host };
      n = a * 0x1000000 + b * 0x10000 + c;
      break;
    default: // a.b.c.d: 8.8.8.8 bits
      if (a > 0xff || b > 0xff || c > 0xff || d > 0xff) return { kind: HOST_KIND.NAME, host };
      n = a * 0x1000000 + b * 0x10000 + c * 0x100 + d;
      break;
  }
  const quad = `${Math.floor(n / 0x1000000) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  return { kind: HOST_KIND.IPV4, host: quad };
}

/** inet_pton for AF_INET (BSD rules: four decimal octets, no leading zeros). */
function pton4(src: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(src);
  if (!m) return null;
  const out: number[] = [];
  for (const p of m.slice(1) as string[]) {
    if (p.length > 1 && p[0] === '0') return null;
    const v = Number(p);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

/** inet_pton for AF_INET6: eight 16-bit words, or null when invalid. */
export function pton6(src: string): number[] | null {
  if (src === '') return null;
  if (src[0] === ':' && src[1] !== ':') return null;
  if (src.endsWith(':') && !src.endsWith('::')) return null;
  const head: number[] = [];
  let tail: number[] | null = null;
  let cur = head;
  let groups = src.split(':');
  // A leading or trailing "::" makes an empty group at the end we must ignore.
  if (src.startsWith('::')) groups = groups.slice(1);
  if (src.endsWith('::')) groups = groups.slice(0, -1);
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi] as string;
    if (g === '') {
      if (tail) return null; // a second "::"
      tail = [];
      cur = tail;
      continue;
    }
    if (gi === groups.length - 1 && g.includes('.')) {
      const v4 = pton4(g);
      if (!v4) return null;
      cur.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    cur.push(parseInt(g, 16));
  }
  const total = head.length + (tail ? tail.length : 0);
  if (tail) {
    if (total >= 8) return null;
    return [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  }
  return total === 8 ? head : null;
}

/** inet_ntop for AF_INET6, with curl's (BSD) zero compression rules. */
export function ntop6(words: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i) out += ':';
    // An IPv4-compatible or IPv4-mapped address ends in dotted-quad form.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      const w6 = words[6] as number;
      const w7 = words[7] as number;
      out += `${w6 >> 8}.${w6 & 0xff}.${w7 >> 8}.${w7 & 0xff}`;
      return out;
    }
    out += (words[i] as number).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/**
 * ipv6_parse: "[addr]" or "[addr%zone]" / "[addr%25zone]". Returns the
 * normalised bracketed address and the zone id, or a CURLUcode.
 */
export function ipv6Parse(host: string): { code: number; host?: string; zoneid?: string } {
  if (host.length < 4 || host[0] !== '[' || !host.endsWith(']')) return { code: CURLUE.BAD_IPV6 };
  const inner = host.slice(1, -1);
  const m = /^[0-9a-fA-F:.]*/.exec(inner);
  const len = m ? m[0].length : 0;
  let zoneid: string | undefined;
  if (len !== inner.length) {
    if (inner[len] !== '%') return { code: CURLUE.BAD_IPV6 };
    let z = inner.slice(len + 1);
    // "%25" is the URL-encoded form of the '%' separator.
    if (z.startsWith('25') && z.length > 2) z = z.slice(2);
    if (z.length === 0 || z.length > 15) return { code: CURLUE.BAD_IPV6 };
    zoneid = z;
  }
  const addr = inner.slice(0, len);
  const words = pton6(addr);
  if (!words) return { code: CURLUE.BAD_IPV6 };
  // curl writes the normalised form into the buffer the address came in and
  // keeps the original when it does not fit (same length or longer), so
  // "[::A]" stays as typed while "[0:0::1]" becomes "[::1]".
  const norm = ntop6(words);
  const out = `[${norm.length < addr.length ? norm : addr}]`;
  return zoneid === undefined ? { code: CURLUE.OK, host: out } : { code: CURLUE.OK, host: out, zoneid };
}

// Bytes curl's hostname_check refuses in a (decoded) hostname.
const BAD_HOST_CHARS = new Set(" \r\n\t/:#?!@{}[]\\$'\"^`*<>=;,+&()%");

/**
 * hostname_check: an IPv6 literal must parse; a name must not contain any
 * of the reserved/special bytes. Also rejects more than one trailing dot,
 * as URL-SYNTAX.md documents.
 */
export function hostnameCheck(host: string): { code: number; host?: string; zoneid?: string } {
  if (host.length === 0) return { code: CURLUE.NO_HOST };
  if (host[0] === '[') return ipv6Parse(host);
  for (const ch of host) if (BAD_HOST_CHARS.has(ch)) return { code: CURLUE.BAD_HOSTNAME };
  if (host.endsWith('..')) return { code: CURLUE.BAD_HOSTNAME };
  return { code: CURLUE.OK, host };
}
