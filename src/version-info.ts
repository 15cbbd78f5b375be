// curl_version() and curl_version_info(): what this build of the library
// is and can do. The features come from src/features.ts, the protocols from
// the protocol registry, so both say exactly what works.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { supportedSchemes } from './proto/registry.js';
import { DEFAULT_CA_BUNDLE } from './vtls/tls-options.js';
import { FEATURE_BITS, FEATURES } from './features.js';

/** tscurl's own version (the library's and the tool's). */
export const VERSION: string = '0.1.0';

/** curl_version_info's age argument and the struct's `age` (CURLversion). */
export const CURLVERSION = {
  FIRST: 0, SECOND: 1, THIRD: 2, FOURTH: 3, FIFTH: 4, SIXTH: 5, SEVENTH: 6, EIGHTH: 7, NINTH: 8, TENTH: 9,
  ELEVENTH: 10, TWELFTH: 11, NOW: 11,
} as const;

/** curl's host triplet style, e.g. x86_64-pc-linux-gnu. */
export function platformTriplet(arch: string = process.arch, platform: string = process.platform): string {
  const cpu = ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' } as Record<string, string>)[arch] ?? arch;
  if (platform === 'linux') return `${cpu}-pc-linux-gnu`;
  if (platform === 'darwin') return `${cpu}-apple-darwin`;
  if (platform === 'win32') return `${cpu}-pc-win32`;
  return `${cpu}-pc-${platform}`;
}

/** curl_version(): the library and its important components, as libcurl's "libcurl/7.88.1 OpenSSL/3.0.8 zlib/1.2.13 ...". */
export function version(): string {
  return `libtscurl/${VERSION} node/${process.versions.node.replace(/^v/, '')} OpenSSL/${process.versions.openssl} zlib/${process.versions.zlib}`;
}

/** curl_version_info_data with libcurl's field names in camelCase. */
export interface CurlVersionInfo {
  readonly age: number;
  readonly version: string;
  /** 0xXXYYZZ: major, minor, patch */
  readonly versionNum: number;
  readonly host: string;
  /** CURL_VERSION_* bits (deprecated in libcurl for featureNames) */
  readonly features: number;
  readonly sslVersion: string | null;
  readonly sslVersionNum: number;
  readonly libzVersion: string | null;
  readonly protocols: readonly string[];
  readonly ares: string | null;
  readonly aresNum: number;
  readonly libidn: string | null;
  readonly iconvVerNum: number;
  readonly libsshVersion: string | null;
  /** (MAJOR << 24) | (MINOR << 12) | PATCH */
  readonly brotliVerNum: number;
  readonly brotliVersion: string | null;
  readonly nghttp2VerNum: number;
  readonly nghttp2Version: string | null;
  readonly quicVersion: string | null;
  /** the built-in default CURLOPT_CAINFO */
  readonly cainfo: string | null;
  readonly capath: string | null;
  /** (MAJOR << 24) | (MINOR << 12) | PATCH */
  readonly zstdVerNum: number;
  readonly zstdVersion: string | null;
  readonly hyperVersion: string | null;
  readonly gsaslVersion: string | null;
  readonly featureNames: readonly string[];
  readonly rtmpVersion: string | null;
}

function numbers(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** The zstd decoder's version (fzstd, a JavaScript one, read from its package). */
function zstdVersion(): string | null {
  try {
    const pkg = createRequire(import.meta.url)('fzstd/package.json') as { version?: string };
    return pkg.version ? `fzstd/${pkg.version}` : null;
  } catch {
    return null;
  }
}

/** The built-in default CA bundle the TLS code reads when CAINFO is not set (null: Node's own roots). */
export function defaultCaInfo(): string | null {
  return existsSync(DEFAULT_CA_BUNDLE) ? DEFAULT_CA_BUNDLE : null;
}

/**
 * curl_version_info(). `age` is accepted and unused, as libcurl documents;
 * the answer always has every field of CURLVERSION_NOW.
 */
export function versionInfo(_age: number = CURLVERSION.NOW): CurlVersionInfo {
  const [maj, min, pat] = numbers(VERSION);
  const brotli = process.versions.brotli ?? null;
  const [bmaj, bmin, bpat] = numbers(brotli ?? '');
  const zstd = zstdVersion();
  const h2 = FEATURES.includes('HTTP2') ? process.versions.nghttp2 ?? null : null;
  const [h2maj, h2min, h2pat] = numbers(h2 ?? '');
  const [zmaj, zmin, zpat] = numbers(zstd?.replace(/^fzstd\//, '') ?? '');
  const names = [...FEATURES].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  let features = 0;
  for (const f of FEATURES) features |= FEATURE_BITS[f] ?? 0;
  return Object.freeze({
    age: CURLVERSION.NOW,
    version: VERSION,
    versionNum: (maj << 16) | (min << 8) | pat,
    host: platformTriplet(),
    features,
    sslVersion: `OpenSSL/${process.versions.openssl}`,
    sslVersionNum: 0,
    libzVersion: process.versions.zlib ?? null,
    protocols: Object.freeze(supportedSchemes()),
    ares: null,
    aresNum: 0,
    libidn: null,
    iconvVerNum: 0,
    libsshVersion: null,
    brotliVerNum: brotli ? (bmaj << 24) | (bmin << 12) | bpat : 0,
    brotliVersion: brotli,
    // HTTP/2 is tscurl's own codec (src/h2/), not nghttp2; applications read this field as "HTTP/2 built in",
    // so it names the nghttp2 of the Node it runs on, as before (test/integration/libcurl-api)
    nghttp2VerNum: h2 ? (h2maj << 16) | (h2min << 8) | h2pat : 0,
    nghttp2Version: h2,
    quicVersion: null,
    cainfo: defaultCaInfo(),
    capath: null,
    zstdVerNum: zstd ? (zmaj << 24) | (zmin << 12) | zpat : 0,
    zstdVersion: zstd,
    hyperVersion: null,
    gsaslVersion: null,
    featureNames: Object.freeze(names),
    rtmpVersion: null,
  });
}
