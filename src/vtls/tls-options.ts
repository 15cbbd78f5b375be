// Builds node:tls connect options from a TlsConfig, step by step as libcurl's
// OpenSSL backend sets up its SSL_CTX (ossl_connect_step1), so that each
// setting that cannot be used fails with libcurl's code and message:
//   SSLVERSION          -> SSL_CONNECT_ERROR (35)
//   client certificate  -> SSL_CERTPROBLEM (58)
//   cipher lists/curves -> SSL_CIPHER (59)
//   CA file or path     -> SSL_CACERT_BADFILE (77)
//   CRL file            -> SSL_CRL_BADFILE (82)
import { createSecureContext, rootCertificates, DEFAULT_CIPHERS, type ConnectionOptions, type SecureContext } from 'node:tls';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CURLE } from '../codes.js';
import type { TlsConfig } from './tls-config.js';
import { versionRange } from './tls-version.js';
import { loadClientCert } from './client-cert.js';

/** Where Debian (and curl built there) finds the system's trusted CAs. */
export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export type OptionsResult =
  | { options: ConnectionOptions; info: string[] }
  | { code: number; message: string };

type Fail = { code: number; message: string };

function loadCa(c: TlsConfig, info: string[]): { ca: (string | Buffer)[] } | Fail {
  const ca: (string | Buffer)[] = [];
  if (c.caBlob) ca.push(c.caBlob);
  if (c.caFile !== null) {
    try {
      ca.push(readFileSync(c.caFile));
    } catch {
      return { code: CURLE.SSL_CACERT_BADFILE, message: `error setting certificate file: ${c.caFile}` };
    }
  }
  if (c.caPath !== null) {
    try {
      for (const f of readdirSync(c.caPath)) {
        if (/\.(pem|crt)$|\.\d+$/.test(f)) ca.push(readFileSync(join(c.caPath, f)));
      }
    } catch {
      return { code: CURLE.SSL_CACERT_BADFILE, message: `error setting certificate path: ${c.caPath}` };
    }
  }
  let caFile = c.caFile;
  if (ca.length === 0) {
    // no CA given: the system's bundle, as curl on Debian, or Node's own roots
    if (existsSync(DEFAULT_CA_BUNDLE)) {
      ca.push(readFileSync(DEFAULT_CA_BUNDLE));
      caFile = DEFAULT_CA_BUNDLE;
    } else if (!c.nativeCa) {
      ca.push(...rootCertificates);
    }
  }
  // CURLSSLOPT_NATIVE_CA: the platform's roots in addition to the locations above
  if (c.nativeCa) ca.push(...rootCertificates);
  if (c.verifyPeer) {
    if (c.nativeCa) info.push(' Native CA store: added');
    info.push(` CAfile: ${caFile ?? 'none'}`, ` CApath: ${c.caPath ?? 'none'}`);
  }
  return { ca };
}

/** Node takes TLS 1.2 ciphers and TLS 1.3 suites in one string: names starting with TLS_ are suites. */
function ciphers(c: TlsConfig, info: string[]): string | Fail | undefined {
  if (c.cipherList === null && c.tls13Ciphers === null) return undefined;
  const defaults = DEFAULT_CIPHERS.split(':');
  let twelve = defaults.filter((s) => !s.startsWith('TLS_')).join(':');
  let thirteen = defaults.filter((s) => s.startsWith('TLS_')).join(':');
  if (c.cipherList !== null) {
    try {
      createSecureContext({ ciphers: c.cipherList });
    } catch {
      return { code: CURLE.SSL_CIPHER, message: `failed setting cipher list: ${c.cipherList}` };
    }
    twelve = c.cipherList;
    info.push(`Cipher selection: ${c.cipherList}`);
  }
  if (c.tls13Ciphers !== null) {
    const bad = (): Fail => ({ code: CURLE.SSL_CIPHER, message: `failed setting TLS 1.3 cipher suite: ${c.tls13Ciphers}` });
    const suites = c.tls13Ciphers.split(':').filter((s) => s !== '');
    if (suites.length === 0 || suites.some((s) => !s.startsWith('TLS_'))) return bad();
    try {
      createSecureContext({ ciphers: suites.join(':') });
    } catch {
      return bad();
    }
    thirteen = suites.join(':');
    info.push(`TLS 1.3 cipher suites: ${c.tls13Ciphers}`);
  }
  return [thirteen, twelve].filter((s) => s !== '').join(':');
}

export function buildTlsOptions(c: TlsConfig): OptionsResult {
  const info: string[] = [];
  const range = versionRange(c.sslVersion);
  if ('error' in range) return { code: CURLE.SSL_CONNECT_ERROR, message: range.error };
  const options: ConnectionOptions = {
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,
    // node's own rejection is off: the verdict, its code and message are finishTls()'s
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ALPNProtocols: ['http/1.1'],
  };
  const cs = ciphers(c, info);
  if (cs !== undefined && typeof cs !== 'string') return cs;
  if (cs !== undefined) options.ciphers = cs;
  if (c.curves !== null) {
    try {
      createSecureContext({ ecdhCurve: c.curves });
    } catch {
      return { code: CURLE.SSL_CIPHER, message: `failed setting curves list: '${c.curves}'` };
    }
    options.ecdhCurve = c.curves;
  }
  const client = loadClientCert(c);
  if ('code' in client) return client;
  if (client.creds) Object.assign(options, client.creds);
  const ca = loadCa(c, info);
  if ('code' in ca) return ca;
  options.ca = ca.ca;
  if (c.crlFile !== null) {
    let crl: Buffer;
    try {
      crl = readFileSync(c.crlFile);
      createSecureContext({ crl });
    } catch {
      return { code: CURLE.SSL_CRL_BADFILE, message: `error loading CRL file: ${c.crlFile}` };
    }
    // node sets X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL with a CRL, as libcurl does
    options.crl = crl;
    info.push('successfully loaded CRL file:', `  CRLfile: ${c.crlFile}`);
  }
  const ctx = sharedSecureContext(options);
  if (ctx) options.secureContext = ctx;
  return { options, info };
}

/**
 * Parsing a CA bundle into an X509 store is most of a new TLS connection's
 * CPU (about 19 ms for Debian's system bundle, on every handshake when
 * node:tls builds the context from `ca`). Like libcurl's CA cache
 * (CURLOPT_CA_CACHE_TIMEOUT), a context is reused by connections whose
 * context inputs are byte for byte the same: the key digests the bytes just
 * read, so a changed file still gives a new context.
 */
const CONTEXT_CACHE_SIZE = 16;
const contexts = new Map<string, SecureContext>();

function sharedSecureContext(o: ConnectionOptions): SecureContext | undefined {
  const h = createHash('sha256');
  const add = (v: unknown): void => {
    if (v === undefined || v === null) h.update('\0');
    else if (Array.isArray(v)) {
      h.update(`[${v.length}`);
      for (const x of v) add(x);
    } else if (typeof v === 'string' || Buffer.isBuffer(v)) h.update(`${v.length}:`).update(v);
    else h.update(`?${String(v)}`);
  };
  for (const v of [o.minVersion, o.maxVersion, o.ciphers, o.ecdhCurve, o.ca, o.crl, o.cert, o.key, o.pfx, o.passphrase]) add(v);
  const key = h.digest('hex');
  let ctx = contexts.get(key);
  if (ctx) return ctx;
  try {
    ctx = createSecureContext(o);
  } catch {
    return undefined; // tls.connect() meets the same error and reports it as before
  }
  if (contexts.size >= CONTEXT_CACHE_SIZE) contexts.delete(contexts.keys().next().value!);
  contexts.set(key, ctx);
  return ctx;
}
