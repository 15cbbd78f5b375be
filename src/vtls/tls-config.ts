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

/** The option ids one TLS session's settings are read from: the origin's, or an HTTPS proxy's PROXY_ twins. */
interface TlsOptionIds {
  verifyPeer: number; verifyHost: number; caFile: number; caPath: number; caBlob: number; sslOptions: number;
  sslVersion: number; cipherList: number; tls13Ciphers: number; crlFile: number; issuerCert: number;
  issuerBlob: number; pinnedPubKey: number; clientCert: number; clientCertBlob: number; clientCertType: number;
  clientKey: number; clientKeyBlob: number; clientKeyType: number; keyPasswd: number;
}

const ORIGIN_IDS: TlsOptionIds = {
  verifyPeer: CURLOPT.SSL_VERIFYPEER, verifyHost: CURLOPT.SSL_VERIFYHOST, caFile: CURLOPT.CAINFO,
  caPath: CURLOPT.CAPATH, caBlob: CURLOPT.CAINFO_BLOB, sslOptions: CURLOPT.SSL_OPTIONS, sslVersion: CURLOPT.SSLVERSION,
  cipherList: CURLOPT.SSL_CIPHER_LIST, tls13Ciphers: CURLOPT.TLS13_CIPHERS, crlFile: CURLOPT.CRLFILE,
  issuerCert: CURLOPT.ISSUERCERT, issuerBlob: CURLOPT.ISSUERCERT_BLOB, pinnedPubKey: CURLOPT.PINNEDPUBLICKEY,
  clientCert: CURLOPT.SSLCERT, clientCertBlob: CURLOPT.SSLCERT_BLOB, clientCertType: CURLOPT.SSLCERTTYPE,
  clientKey: CURLOPT.SSLKEY, clientKeyBlob: CURLOPT.SSLKEY_BLOB, clientKeyType: CURLOPT.SSLKEYTYPE,
  keyPasswd: CURLOPT.KEYPASSWD,
};

const PROXY_IDS: TlsOptionIds = {
  verifyPeer: CURLOPT.PROXY_SSL_VERIFYPEER, verifyHost: CURLOPT.PROXY_SSL_VERIFYHOST, caFile: CURLOPT.PROXY_CAINFO,
  caPath: CURLOPT.PROXY_CAPATH, caBlob: CURLOPT.PROXY_CAINFO_BLOB, sslOptions: CURLOPT.PROXY_SSL_OPTIONS,
  sslVersion: CURLOPT.PROXY_SSLVERSION, cipherList: CURLOPT.PROXY_SSL_CIPHER_LIST,
  tls13Ciphers: CURLOPT.PROXY_TLS13_CIPHERS, crlFile: CURLOPT.PROXY_CRLFILE, issuerCert: CURLOPT.PROXY_ISSUERCERT,
  issuerBlob: CURLOPT.PROXY_ISSUERCERT_BLOB, pinnedPubKey: CURLOPT.PROXY_PINNEDPUBLICKEY,
  clientCert: CURLOPT.PROXY_SSLCERT, clientCertBlob: CURLOPT.PROXY_SSLCERT_BLOB,
  clientCertType: CURLOPT.PROXY_SSLCERTTYPE, clientKey: CURLOPT.PROXY_SSLKEY, clientKeyBlob: CURLOPT.PROXY_SSLKEY_BLOB,
  clientKeyType: CURLOPT.PROXY_SSLKEYTYPE, keyPasswd: CURLOPT.PROXY_KEYPASSWD,
};

/** The EC curves and the session cache switch are shared by both sessions, as in libcurl. */
function readTlsConfig(o: OptionStore, ids: TlsOptionIds, certInfo: boolean): TlsConfig {
  return {
    verifyPeer: o.num(ids.verifyPeer) !== 0,
    // 1 and 2 mean the same since libcurl 7.66.0
    verifyHost: o.num(ids.verifyHost) !== 0,
    caFile: o.str(ids.caFile),
    caPath: o.str(ids.caPath),
    caBlob: blob(o, ids.caBlob),
    nativeCa: (o.num(ids.sslOptions) & CURLSSLOPT.NATIVE_CA) !== 0,
    sslVersion: o.num(ids.sslVersion),
    cipherList: o.str(ids.cipherList),
    tls13Ciphers: o.str(ids.tls13Ciphers),
    curves: o.str(CURLOPT.SSL_EC_CURVES) || null,
    crlFile: o.str(ids.crlFile),
    issuerCert: o.str(ids.issuerCert),
    issuerBlob: blob(o, ids.issuerBlob),
    pinnedPubKey: o.str(ids.pinnedPubKey),
    clientCert: o.str(ids.clientCert),
    clientCertBlob: blob(o, ids.clientCertBlob),
    clientCertType: o.str(ids.clientCertType),
    clientKey: o.str(ids.clientKey),
    clientKeyBlob: blob(o, ids.clientKeyBlob),
    clientKeyType: o.str(ids.clientKeyType),
    keyPasswd: o.str(ids.keyPasswd),
    sessionIdCache: o.num(CURLOPT.SSL_SESSIONID_CACHE) !== 0,
    certInfo,
  };
}

/** The settings of the TLS session with the origin. */
export function tlsConfig(o: OptionStore): TlsConfig {
  return readTlsConfig(o, ORIGIN_IDS, o.num(CURLOPT.CERTINFO) !== 0);
}

/**
 * The settings of the TLS session with an HTTPS proxy: libcurl's proxy_ssl
 * config, from the PROXY_* twins of the TLS options (CERTINFO is about the
 * origin only).
 */
export function proxyTlsConfig(o: OptionStore): TlsConfig {
  return readTlsConfig(o, PROXY_IDS, false);
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
