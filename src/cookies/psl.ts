// The public-suffix check libcurl makes through libpsl's
// psl_is_cookie_domain_acceptable(): a host may set a cookie for itself or
// for a parent domain that is longer than the host's public suffix, so
// "example.com" is fine for www.example.com while "com", "co.uk" or
// "github.io" (private section included, as libpsl's list has it) are not.
import { isIP } from 'node:net';
import { createRequire } from 'node:module';

// tldts (its list is ~200 KB of code) is loaded on the first cookie-domain
// check, not at startup: a plain GET from the CLI never needs it.
type GetPublicSuffix = (host: string, opts: { allowPrivateDomains: boolean }) => string | null;
let getPublicSuffixFn: GetPublicSuffix | null = null;
function getPublicSuffix(host: string, opts: { allowPrivateDomains: boolean }): string | null {
  getPublicSuffixFn ??= (createRequire(import.meta.url)('tldts') as { getPublicSuffix: GetPublicSuffix }).getPublicSuffix;
  return getPublicSuffixFn(host, opts);
}

/** libpsl's psl_unregistrable_domain(): the longest public suffix of the host. */
function publicSuffixOf(host: string): string {
  // a fully qualified name ("host.me.") has the same suffix, dot included:
  // libpsl refuses "me." for it as it refuses "me" for "host.me"
  if (host.endsWith('.') && host.length > 1) return publicSuffixOf(host.slice(0, -1)) + '.';
  const s = getPublicSuffix(host, { allowPrivateDomains: true });
  // libpsl's implicit "*" rule: an unknown single label is itself a suffix
  return s ?? host.slice(host.lastIndexOf('.') + 1);
}

export function isCookieDomainAcceptable(hostname: string, cookieDomain: string): boolean {
  let domain = cookieDomain;
  while (domain.startsWith('.')) domain = domain.slice(1);
  const host = hostname.toLowerCase();
  domain = domain.toLowerCase();
  if (host === domain) return true; // an exact match is always fine
  if (isIP(host)) return false; // IP addresses must match fully (RFC 6265 5.1.3)
  if (domain.length >= host.length) return false;
  const tail = host.slice(host.length - domain.length);
  if (tail !== domain || host[host.length - domain.length - 1] !== '.') return false;
  return domain.length > publicSuffixOf(host).length;
}
