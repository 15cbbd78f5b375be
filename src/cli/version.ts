// `tscurl --version` in curl's layout (DESIGN.md §6). The protocols come from
// the protocol registry, so a scheme is listed exactly when it has a handler;
// FEATURES is the list to update as a feature lands: only list what the
// library really does.
import { VERSION } from '../index.js';
import { supportedSchemes } from '../proto/registry.js';

/** Schemes the library can transfer, lowercase, in curl's sorted order. */
export const PROTOCOLS: readonly string[] = supportedSchemes();

/** curl feature names (as in curl_version_info) that tscurl implements. */
export const FEATURES: readonly string[] = ['AsynchDNS', 'brotli', 'HTTPS-proxy', 'IDN', 'IPv6', 'Largefile', 'libz', 'NTLM', 'PSL', 'SSL', 'UnixSockets', 'zstd'];

/** curl's host triplet style, e.g. x86_64-pc-linux-gnu. */
export function platformTriplet(arch: string = process.arch, platform: string = process.platform): string {
  const cpu = ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' } as Record<string, string>)[arch] ?? arch;
  if (platform === 'linux') return `${cpu}-pc-linux-gnu`;
  if (platform === 'darwin') return `${cpu}-apple-darwin`;
  if (platform === 'win32') return `${cpu}-pc-win32`;
  return `${cpu}-pc-${platform}`;
}

/** libcurl-style component string shown after the platform. */
export function versionComponents(): string {
  return `libtscurl/${VERSION} node/${process.versions.node.replace(/^v/, '')} OpenSSL/${process.versions.openssl} zlib/${process.versions.zlib}`;
}

/** The full --version text, newline-terminated. */
export function versionText(): string {
  const sortCi = (a: string, b: string): number => a.toLowerCase().localeCompare(b.toLowerCase());
  return (
    `tscurl ${VERSION} (${platformTriplet()}) ${versionComponents()}\n` +
    'Release-Date: [unreleased]\n' +
    `Protocols: ${[...PROTOCOLS].sort().join(' ')}\n` +
    `Features: ${[...FEATURES].sort(sortCi).join(' ')}\n`
  );
}
