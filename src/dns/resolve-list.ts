// CURLOPT_RESOLVE: libcurl's Curl_loadhostpairs. Each entry of the list is
//   [+]HOST:PORT:ADDRESS[,ADDRESS]...   add (permanent unless '+') to the DNS cache
//   -HOST:PORT                          remove the cache entry for HOST:PORT
// and HOST '*' is a wildcard the resolver consults after the exact name. The
// list is loaded into the DNS cache the transfer uses (the multi's or the
// share's) when a transfer starts, once per setopt, as libcurl does.
import { isIP } from 'node:net';
import { CURLE, type CURLcode } from '../codes.js';
import { DnsCache, type ResolvedAddress } from './resolver.js';

export interface LoadResult {
  code: CURLcode;
  /** failf text when code is not OK */
  message?: string;
  /** a '*' entry was added: the resolver checks "*:port" after the exact name */
  wildcard: boolean;
}

/** Port as strtoul would read it: digits only, at most 65535; null when absent or too big. */
function parsePort(s: string): { port: number; rest: string } | null {
  const m = /^\d+/.exec(s);
  if (!m) return null;
  const port = Number(m[0]);
  return port > 0xffff ? null : { port, rest: s.slice(m[0].length) };
}

/** ADDRESS[,ADDRESS]... as libcurl parses it: empty items skipped, IPv6 in optional brackets. */
function parseAddresses(list: string, trace: (t: string) => void): ResolvedAddress[] | null {
  const out: ResolvedAddress[] = [];
  for (let item of list.split(',')) {
    if (item.startsWith('[')) {
      if (!item.endsWith(']') || item.length < 2) return null;
      item = item.slice(1, -1);
    }
    if (!item) continue;
    if (item.length >= 64) return null;
    const fam = isIP(item);
    if (!fam) {
      trace(`Resolve address '${item}' found illegal`);
      return null;
    }
    out.push({ address: item, family: fam as 4 | 6 });
  }
  return out.length > 0 ? out : null;
}

/** Apply every entry of `list` to `cache`. Stops at the first entry that does not parse. */
export function loadResolveList(list: readonly string[], cache: DnsCache, now: number, trace: (t: string) => void): LoadResult {
  let wildcard = false;
  for (const entry of list) {
    if (entry.startsWith('-')) {
      const colon = entry.indexOf(':', 1);
      const host = colon > 1 ? entry.slice(1, colon) : '';
      const port = colon > 1 ? /^\d*/.exec(entry.slice(colon + 1))![0] : '';
      if (!host || Number(port || 0) > 0xffff) {
        trace(`Bad syntax CURLOPT_RESOLVE removal entry '${entry}'`);
        continue;
      }
      cache.delete(DnsCache.key(host, Number(port || 0)));
      continue;
    }
    const permanent = !entry.startsWith('+');
    const body = permanent ? entry : entry.slice(1);
    const colon = body.indexOf(':');
    const p = colon >= 0 ? parsePort(body.slice(colon + 1)) : null;
    const addresses = p && p.rest.startsWith(':') ? parseAddresses(p.rest.slice(1), trace) : null;
    if (!p || !addresses) {
      return { code: CURLE.SETOPT_OPTION_SYNTAX, message: `Couldn't parse CURLOPT_RESOLVE entry '${entry}'`, wildcard };
    }
    const host = body.slice(0, colon);
    const key = DnsCache.key(host, p.port);
    if (cache.has(key)) {
      // a fresh entry replaces the old one (new addresses, a new timeout, or a new permanence)
      trace(`RESOLVE ${host}:${p.port} is - old addresses discarded`);
      cache.delete(key);
    }
    cache.put(key, addresses, now, permanent);
    trace(`Added ${host}:${p.port}:${p.rest.slice(1)} to DNS cache${permanent ? '' : ' (non-permanent)'}`);
    if (host === '*') {
      trace(`RESOLVE *:${p.port} is wildcard, enabling wildcard checks`);
      wildcard = true;
    }
  }
  return { code: CURLE.OK, wildcard };
}
