// Everything the easy options say about one TLS connection, read once per
// connection attempt (libcurl's ssl_primary_config plus the per-transfer
// ssl_config_data bits), and the pool key suffix that keeps connections with
// different settings apart: a connection made with client certificate A is
// never reused for a transfer that wants certificate B, or none.
import { createHash } from 'node:crypto';
import { CURLOPT } from '../easy/option-table.js';
import type { OptionStore } from '../easy/option-store.js';
import { CURLSSLOPT } from '../constants.js';

export interface TlsConfig {
  verifyPeer: boolean;
  verifyHost: boolean;
  caFile: string | null;
  caPath: string | null;
  caBlob: Buffer | null;
  /** CURLSSLOPT_NATIVE_CA: Node's bundled roots in addition to the CA file */
  nativeCa: boolean;
  /** CURLOPT_SSLVERSION as set (min | max << 16) */
  sslVersion: number;
  cipherList: string | null;
  tls13Ciphers: string | null;
  curves: string | null;
  crlFile: string | null;
  issuerCert: string | null;
  issuerBlob: Buffer | null;
  pinnedPubKey: string | null;
  clientCert: string | null;
  clientCertBlob: Buffer | null;
  clientCertType: string | null;
  clientKey: string | null;
  clientKeyBlob: Buffer | null;
  clientKeyType: string | null;
  keyPasswd: string | null;
  /** CURLOPT_SSL_SESSIONID_CACHE */
  sessionIdCache: boolean;
  /** CURLOPT_CERTINFO */
  certInfo: boolean;
}

function blob(o: OptionStore, id: number): Buffer | null {
  const v = o.get(id);
  return Buffer.isBuffer(v) ? v : null;
}

export function tlsConfig(o: OptionStore): TlsConfig {
  return {
    verifyPeer: o.num(CURLOPT.SSL_VERIFYPEER) !== 0,
    // 1 and 2 mean the same since libcurl 7.66.0
    verifyHost: o.num(CURLOPT.SSL_VERIFYHOST) !== 0,
    caFile: o.str(CURLOPT.CAINFO),
    caPath: o.str(CURLOPT.CAPATH),
    caBlob: blob(o, CURLOPT.CAINFO_BLOB),
    nativeCa: (o.num(CURLOPT.SSL_OPTIONS) & CURLSSLOPT.NATIVE_CA) !== 0,
    sslVersion: o.num(CURLOPT.SSLVERSION),
    cipherList: o.str(CURLOPT.SSL_CIPHER_LIST),
    tls13Ciphers: o.str(CURLOPT.TLS13_CIPHERS),
    curves: o.str(CURLOPT.SSL_EC_CURVES) || null,
    crlFile: o.str(CURLOPT.CRLFILE),
    issuerCert: o.str(CURLOPT.ISSUERCERT),
    issuerBlob: blob(o, CURLOPT.ISSUERCERT_BLOB),
    pinnedPubKey: o.str(CURLOPT.PINNEDPUBLICKEY),
    clientCert: o.str(CURLOPT.SSLCERT),
    clientCertBlob: blob(o, CURLOPT.SSLCERT_BLOB),
    clientCertType: o.str(CURLOPT.SSLCERTTYPE),
    clientKey: o.str(CURLOPT.SSLKEY),
    clientKeyBlob: blob(o, CURLOPT.SSLKEY_BLOB),
    clientKeyType: o.str(CURLOPT.SSLKEYTYPE),
    keyPasswd: o.str(CURLOPT.KEYPASSWD),
    sessionIdCache: o.num(CURLOPT.SSL_SESSIONID_CACHE) !== 0,
    certInfo: o.num(CURLOPT.CERTINFO) !== 0,
  };
}

/**
 * The settings of the TLS session with an HTTPS proxy: libcurl's proxy_ssl
 * config, from the PROXY_* twins of the TLS options. The EC curves and the
 * session cache switch are shared with the origin's; CERTINFO is about the
 * origin only.
 */
export function proxyTlsConfig(o: OptionStore): TlsConfig {
  return {
    verifyPeer: o.num(CURLOPT.PROXY_SSL_VERIFYPEER) !== 0,
    verifyHost: o.num(CURLOPT.PROXY_SSL_VERIFYHOST) !== 0,
    caFile: o.str(CURLOPT.PROXY_CAINFO),
    caPath: o.str(CURLOPT.PROXY_CAPATH),
    caBlob: blob(o, CURLOPT.PROXY_CAINFO_BLOB),
    nativeCa: (o.num(CURLOPT.PROXY_SSL_OPTIONS) & CURLSSLOPT.NATIVE_CA) !== 0,
    sslVersion: o.num(CURLOPT.PROXY_SSLVERSION),
    cipherList: o.str(CURLOPT.PROXY_SSL_CIPHER_LIST),
    tls13Ciphers: o.str(CURLOPT.PROXY_TLS13_CIPHERS),
    curves: o.str(CURLOPT.SSL_EC_CURVES) || null,
    crlFile: o.str(CURLOPT.PROXY_CRLFILE),
    issuerCert: o.str(CURLOPT.PROXY_ISSUERCERT),
    issuerBlob: blob(o, CURLOPT.PROXY_ISSUERCERT_BLOB),
    pinnedPubKey: o.str(CURLOPT.PROXY_PINNEDPUBLICKEY),
    clientCert: o.str(CURLOPT.PROXY_SSLCERT),
    clientCertBlob: blob(o, CURLOPT.PROXY_SSLCERT_BLOB),
    clientCertType: o.str(CURLOPT.PROXY_SSLCERTTYPE),
    clientKey: o.str(CURLOPT.PROXY_SSLKEY),
    clientKeyBlob: blob(o, CURLOPT.PROXY_SSLKEY_BLOB),
    clientKeyType: o.str(CURLOPT.PROXY_SSLKEYTYPE),
    keyPasswd: o.str(CURLOPT.PROXY_KEYPASSWD),
    sessionIdCache: o.num(CURLOPT.SSL_SESSIONID_CACHE) !== 0,
    certInfo: false,
  };
}

const digest = (b: Buffer | string | null): string => (b === null ? '' : createHash('sha256').update(b).digest('base64url').slice(0, 22));

/**
 * The part of a pool key (and of a TLS session cache key) that keeps
 * connections with different TLS settings apart. Blobs and the key password
 * enter as digests, so the key can be logged without leaking them.
 */
/**
 * The pool key part for the TLS settings of these options: tlsKey(tlsConfig(o)),
 * computed again only after the options changed, and stood for by a short
 * token (`|tls#N`, one per distinct tlsKey in the process). It is part of
 * every HTTPS pool lookup, and a ~120-character key string built, flattened
 * and hashed per request costs more than the rest of the lookup. Past
 * SHORT_KEYS_MAX distinct settings the full key is used (still unique: a
 * full key never looks like a token, and a given key always gets the same form).
 */
const keyCache = new WeakMap<OptionStore, { generation: number; key: string }>();
const shortKeys = new Map<string, string>();
const SHORT_KEYS_MAX = 4096;
export function tlsKeyOf(o: OptionStore): string {
  const hit = keyCache.get(o);
  if (hit && hit.generation === o.generation) return hit.key;
  const full = tlsKey(tlsConfig(o));
  let key = shortKeys.get(full);
  if (key === undefined) {
    key = full;
    if (shortKeys.size < SHORT_KEYS_MAX) shortKeys.set(full, (key = `|tls#${shortKeys.size}`));
  }
  keyCache.set(o, { generation: o.generation, key });
  return key;
}

export function tlsKey(c: TlsConfig): string {
  const parts = [
    c.verifyPeer ? 1 : 0, c.verifyHost ? 1 : 0, c.caFile, c.caPath, digest(c.caBlob), c.nativeCa ? 1 : 0,
    c.sslVersion, c.cipherList, c.tls13Ciphers, c.curves, c.crlFile, c.issuerCert, digest(c.issuerBlob), c.pinnedPubKey,
    c.clientCert, digest(c.clientCertBlob), c.clientCertType, c.clientKey, digest(c.clientKeyBlob), c.clientKeyType,
    digest(c.keyPasswd),
  ];
  return `|tls:${JSON.stringify(parts)}`;
}
