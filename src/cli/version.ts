// `tscurl --version` in curl's layout (DESIGN.md §6), from the library's
// curl_version_info(): the protocols come from the protocol registry and the
// features from src/features.ts, so only what works is listed.
import { VERSION, versionInfo, version } from '../index.js';

/** Schemes the library can transfer, lowercase, in curl's sorted order. */
export const PROTOCOLS: readonly string[] = versionInfo().protocols;

/** What --version lists: libcurl's protocols, and ipfs and ipns, which the tool itself sends to an HTTP gateway (curl 8.4). */
const TOOL_PROTOCOLS: readonly string[] = PROTOCOLS.includes('http') ? [...PROTOCOLS, 'ipfs', 'ipns'] : PROTOCOLS;

/** curl feature names (as in curl_version_info) that tscurl implements. */
export const FEATURES: readonly string[] = versionInfo().featureNames;

/** libcurl-style component string shown after the platform (curl_version()). */
export function versionComponents(): string {
  return version();
}

/** The full --version text, newline-terminated. */
export function versionText(): string {
  const sortCi = (a: string, b: string): number => a.toLowerCase().localeCompare(b.toLowerCase());
  return (
    `tscurl ${VERSION} (${versionInfo().host}) ${versionComponents()}\n` +
    'Release-Date: [unreleased]\n' +
    `Protocols: ${[...TOOL_PROTOCOLS].sort().join(' ')}\n` +
    `Features: ${[...FEATURES].sort(sortCi).join(' ')}\n`
  );
}
