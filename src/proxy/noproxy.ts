// libcurl's Curl_check_noproxy(): does a host bypass the proxy? The list is
// CURLOPT_NOPROXY (or the no_proxy / NO_PROXY environment variable): names
// separated by commas (blanks allowed around them), "*" alone matching every
// host. A name matches the host itself or any host in that domain
// ("example.com" matches www.example.com but not nonexample.com); leading and
// trailing dots in a name and a trailing dot in the host are ignored. When the
// host is an IP address, the entries are addresses with an optional "/bits"
// CIDR suffix. Sans-I/O, no node:* imports beyond address parsing.
import { isIPv4, isIPv6 } from 'node:net';

export interface NoproxyResult {
  match: boolean;
  /** a pattern was separated by blanks rather than a comma (libcurl warns: deprecated) */
  spaceSeparated: boolean;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** @param name the URL's host name, without brackets for IPv6 */
export function checkNoproxy(name: string, list: string | null): NoproxyResult {
  const out: NoproxyResult = { match: false, spaceSeparated: false };
  if (!name || !list) return out;
  if (list === '*') return { match: true, spaceSeparated: false };
  let host = name;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const type = isIPv4(host) ? 4 : isIPv6(host) ? 6 : 0;
  if (type === 0 && host.endsWith('.')) host = host.slice(0, -1);
  const lowerHost = host.toLowerCase();
  let p = 0;
  // bounded: every pass consumes at least one character
  while (p < list.length) {
    while (p < list.length && isBlank(list[p])) p++;
    const start = p;
    while (p < list.length && !isBlank(list[p]) && list[p] !== ',') p++;
    let token = list.slice(start, p);
    if (token.length > 0) {
      if (type === 0) {
        if (token.endsWith('.')) token = token.slice(0, -1);
        if (token.startsWith('.')) token = token.slice(1);
        const t = token.toLowerCase();
        if (t.length === lowerHost.length) {
          if (t === lowerHost) return { ...out, match: true };
        } else if (t.length > 0 && t.length < lowerHost.length) {
          if (lowerHost[lowerHost.length - t.length - 1] === '.' && lowerHost.endsWith(t)) return { ...out, match: true };
        }
      } else if (cidrMatch(host, token, type)) {
        return { ...out, match: true };
      }
    }
    while (p < list.length && isBlank(list[p])) p++;
    if (p < list.length && list[p] !== ',') {
      out.spaceSeparated = true;
      continue;
    }
    while (list[p] === ',') p++;
  }
  return out;
}

/** Curl_cidr4_match / Curl_cidr6_match: "addr" or "addr/bits"; no bits means all of them. */
function cidrMatch(host: string, pattern: string, family: 4 | 6): boolean {
  const slash = pattern.indexOf('/');
  const addr = slash >= 0 ? pattern.slice(0, slash) : pattern;
  let bits = slash >= 0 ? parseInt(pattern.slice(slash + 1), 10) || 0 : 0;
  const max = family === 4 ? 32 : 128;
  if (bits === 0) bits = max;
  if (bits > max || bits < 0) return false;
  const a = family === 4 ? v4Bytes(host) : v6Bytes(host);
  const b = family === 4 ? v4Bytes(addr) : v6Bytes(addr);
  if (!a || !b) return false;
  const whole = Math.floor(bits / 8);
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits % 8;
  if (rest) {
    const mask = (0xff << (8 - rest)) & 0xff;
    if ((a[whole]! & mask) !== (b[whole]! & mask)) return false;
  }
  return true;
}

export function v4Bytes(s: string): number[] | null {
  if (!isIPv4(s)) return null;
  return s.split('.').map(Number);
}

export function v6Bytes(s: string): number[] | null {
  if (!isIPv6(s)) return null;
  let text = s;
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  // an embedded IPv4 tail becomes two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4Bytes(v4[1]!)!;
    text = text.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return null;
  const out: number[] = [];
  for (const g of groups) {
    const n = parseInt(g || '0', 16);
    out.push(n >> 8, n & 0xff);
  }
  return out;
}
