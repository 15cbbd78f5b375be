// The HSTS names of libcurl's public API: CURLOPT_HSTS_CTRL bits, the
// CURLSTScode answers of the HSTS callbacks, and the shapes those callbacks
// see (struct curl_hstsentry, struct curl_index), with strings in place of
// C's buffers.
import type { Easy } from './easy.js';

/** CURLOPT_HSTS_CTRL bits. */
export const CURLHSTS = { ENABLE: 1 << 0, READONLYFILE: 1 << 1 } as const;

/** What the HSTS callbacks return (CURLSTScode). */
export const CURLSTS = { OK: 0, DONE: 1, FAIL: 2 } as const;

/**
 * struct curl_hstsentry. The read callback fills in `name` (at most
 * `namelen` characters, no leading or trailing dot), `includeSubDomains`
 * and `expire` ("YYYYMMDD HH:MM:SS" UTC, or "" for never); the write
 * callback reads them (`expire` is "unlimited" for never).
 */
export interface CurlHstsEntry {
  name: string;
  /** read callback: the longest name libcurl takes; write callback: the name's length */
  readonly namelen: number;
  includeSubDomains: boolean;
  expire: string;
}

/** struct curl_index: which entry of how many the write callback gets. */
export interface CurlIndex {
  readonly index: number;
  readonly total: number;
}

/** CURLOPT_HSTSREADFUNCTION: fill `sts` and return CURLSTS.OK, or DONE when there is nothing more, FAIL to abort. */
export type HstsReadCallback = (easy: Easy, sts: CurlHstsEntry, clientp: unknown) => number;
/** CURLOPT_HSTSWRITEFUNCTION: one entry of the cache being saved; CURLSTS.OK for the next one, DONE or FAIL to stop. */
export type HstsWriteCallback = (easy: Easy, sts: Readonly<CurlHstsEntry>, count: CurlIndex, clientp: unknown) => number;
