// Parsed certificates, shared by the connections that meet the same DER.
//
// Why: with OpenSSL 3, new X509Certificate(der) costs about 0.1 ms (the key
// decoder), and every new TLS connection parses the server's certificate (and
// the root of its chain) again although it is the same bytes each time. An
// X509Certificate is immutable, so one parse serves every connection that got
// byte-for-byte the same certificate.
import { X509Certificate } from 'node:crypto';

const MAX_ENTRIES = 32;
const cache = new Map<string, X509Certificate>();

/** new X509Certificate(der), reusing an earlier parse of the same bytes. Throws as the constructor does. */
export function parsedCert(der: Buffer): X509Certificate {
  const key = der.toString('latin1');
  let cert = cache.get(key);
  if (cert) return cert;
  cert = new X509Certificate(der);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, cert);
  return cert;
}
