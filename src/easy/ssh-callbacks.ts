// The SSH callback options and their constants (libcurl's curl.h):
// CURLOPT_SSH_KEYFUNCTION judges the server's host key against the
// known_hosts file, CURLOPT_SSH_AUTH_TYPES picks authentication methods.
import type { Easy } from './easy.js';

/** CURLSSH_AUTH_*: bits of CURLOPT_SSH_AUTH_TYPES */
export const CURLSSH_AUTH = {
  ANY: -1, NONE: 0, PUBLICKEY: 1, PASSWORD: 2, HOST: 4, KEYBOARD: 8, AGENT: 16, GSSAPI: 32, DEFAULT: -1,
} as const;

/** enum curl_khstat: what CURLOPT_SSH_KEYFUNCTION answers */
export const CURLKHSTAT = { FINE_ADD_TO_FILE: 0, FINE: 1, REJECT: 2, DEFER: 3, FINE_REPLACE: 4 } as const;
/** enum curl_khmatch: how the server's key compares with the known_hosts file */
export const CURLKHMATCH = { OK: 0, MISMATCH: 1, MISSING: 2 } as const;
/** enum curl_khtype: the key types in curl_khkey */
export const CURLKHTYPE = { UNKNOWN: 0, RSA1: 1, RSA: 2, DSS: 3, ECDSA: 4, ED25519: 5 } as const;

/**
 * struct curl_khkey: `len` 0 means `key` is base64 (the known_hosts file's
 * key), otherwise `key` holds `len` raw bytes (the key the server sent).
 */
export interface CurlKhKey {
  key: string | Buffer;
  len: number;
  keytype: number;
}

/**
 * CURLOPT_SSH_KEYFUNCTION: `knownkey` is the file's key for the host (null
 * when it has none), `foundkey` the server's, `match` a CURLKHMATCH value;
 * return a CURLKHSTAT value.
 */
export type SshKeyCallback = (easy: Easy, knownkey: CurlKhKey | null, foundkey: CurlKhKey, match: number, clientp: unknown) => number;

/**
 * CURLOPT_SSH_HOSTKEYFUNCTION (7.84): the server's host key (`keytype` a
 * CURLKHTYPE value, `key` its raw bytes); return CURLKHMATCH.OK to accept it,
 * anything else refuses the connection. When set, and no MD5/SHA256
 * fingerprint is, it replaces the known_hosts check.
 */
export type SshHostKeyCallback = (clientp: unknown, keytype: number, key: Buffer, keylen: number) => number;
