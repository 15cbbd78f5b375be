// The engine's view of a URL to transfer, and the one place that turns
// CURLOPT_URL (+ PORT, DEFAULT_PROTOCOL) into it.
import { CURLE } from '../codes.js';

export interface TransferUrl {
  scheme: string;
  host: string; // no brackets for IPv6
  port: number;
  /** request target: path plus query */
  path: string;
  user?: string;
  password?: string;
  href: string;
  ipv6: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, file: 0 };
export const SUPPORTED_SCHEMES = new Set(['http']);

export type UrlResult = { code: 0; url: TransferUrl } | { code: number; message: string };

export function parseUrlForTransfer(raw: string, portOverride: number, defaultProtocol: string | null): UrlResult {
  let input = raw.trim();
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(input)) {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(input) === false && /^[a-zA-Z][a-zA-Z0-9+.-]*:[^0-9]/.test(input) && !input.includes('//')) {
      return { code: CURLE.URL_MALFORMAT, message: 'URL rejected: Bad scheme' };
    }
    input = `${defaultProtocol ?? 'http'}://${input}`;
  }
  const scheme = input.slice(0, input.indexOf(':')).toLowerCase();
  if (!(scheme in DEFAULT_PORTS) || !SUPPORTED_SCHEMES.has(scheme)) {
    return { code: CURLE.UNSUPPORTED_PROTOCOL, message: `Protocol "${scheme}" not supported` };
  }
  // control characters and spaces are never valid in a URL given to libcurl
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(input)) return { code: CURLE.URL_MALFORMAT, message: 'URL rejected: Malformed input to a URL function' };
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return { code: CURLE.URL_MALFORMAT, message: 'URL rejected: Malformed input to a URL function' };
  }
  if (!u.hostname) return { code: CURLE.URL_MALFORMAT, message: 'URL rejected: No host part in the URL' };
  const ipv6 = u.hostname.startsWith('[');
  const host = ipv6 ? u.hostname.slice(1, -1) : u.hostname;
  const port = portOverride || (u.port ? Number(u.port) : DEFAULT_PORTS[scheme]!);
  const path = (u.pathname || '/') + u.search;
  return {
    code: 0,
    url: {
      scheme, host, port, path, ipv6,
      ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      href: `${scheme}://${ipv6 ? `[${host}]` : host}${u.port || portOverride ? `:${port}` : ''}${path}`,
    },
  };
}
