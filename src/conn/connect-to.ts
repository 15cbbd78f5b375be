// CURLOPT_CONNECT_TO: libcurl's parse_connect_to_slist. Entries are
//   HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT
// An empty HOST or PORT matches any; an empty CONNECT-TO-HOST or -PORT keeps
// the request's. The first matching entry that names a host or a port wins.
// Only where the socket connects changes: the Host header, TLS name and
// cookies stay with the URL's host.
import { CURLE, type CURLcode } from '../codes.js';

export interface ConnectTarget {
  /** the host to connect to, when an entry named one (libcurl's conn_to_host) */
  host: string | null;
  /** the port to connect to, when an entry named one (conn_to_port) */
  port: number | null;
}

export type ConnectToResult =
  | { code: 0; target: ConnectTarget; info: string[] }
  | { code: CURLcode; message: string };

/** "[::1]:8080" / "host:80" / "host:" / "" → host and port (null = not given). */
function parseHostPort(s: string, info: string[]): { host: string | null; port: number | null } | { error: string } {
  if (!s) return { host: null, port: null };
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    // an RFC 6874 style IPv6 address, maybe with a zone id
    const m = /^\[([0-9a-fA-F:.]*(?:%[A-Za-z0-9\-._~]*)?)/.exec(s)!;
    host = m[1]!;
    let end = m[0].length;
    if (host.includes('%') && !host.includes('%25')) info.push('Please URL encode % as %25, see RFC 6874.');
    if (s[end] === ']') end++;
    else info.push('Invalid IPv6 address format');
    rest = s.slice(end);
  } else {
    const colon = s.indexOf(':');
    host = colon >= 0 ? s.slice(0, colon) : s;
    rest = colon >= 0 ? s.slice(colon) : '';
  }
  let port: number | null = null;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const p = rest.slice(colon + 1);
    if (p) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) return { error: `No valid port number in connect to host string (${p})` };
      port = Number(p);
    }
  }
  return { host, port };
}

/**
 * The connect target for a request to `host`:`port` (`ipv6`: the URL host is
 * an IPv6 literal, written in brackets in the entries).
 */
export function connectTarget(list: readonly string[] | null, host: string, port: number, ipv6: boolean): ConnectToResult {
  const info: string[] = [];
  const none: ConnectTarget = { host: null, port: null };
  if (!list) return { code: 0, target: none, info };
  const urlHost = ipv6 ? `[${host}]` : host;
  for (const entry of list) {
    let rest: string;
    if (entry.startsWith(':')) rest = entry.slice(1);
    else {
      if (entry.slice(0, urlHost.length).toLowerCase() !== urlHost.toLowerCase() || entry[urlHost.length] !== ':') continue;
      rest = entry.slice(urlHost.length + 1);
    }
    if (rest.startsWith(':')) rest = rest.slice(1);
    else {
      const next = rest.indexOf(':');
      if (next < 0) continue;
      const p = rest.slice(0, next);
      if (!/^\d+$/.test(p) || Number(p) !== port) continue;
      rest = rest.slice(next + 1);
    }
    const r = parseHostPort(rest, info);
    if ('error' in r) return { code: CURLE.SETOPT_OPTION_SYNTAX, message: r.error };
    if (r.host || r.port !== null) {
      if (r.host) info.push(`Connecting to hostname: ${r.host}`);
      if (r.port !== null) info.push(`Connecting to port: ${r.port}`);
      return { code: 0, target: { host: r.host || null, port: r.port }, info };
    }
  }
  return { code: 0, target: none, info };
}
