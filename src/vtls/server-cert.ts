// What libcurl's OpenSSL backend does once the handshake is done
// (ossl_connect_step2's verdict, then servercert()), in its order and with its
// verbose lines and codes:
//   chain verdict (SSL_VERIFYPEER)       -> PEER_FAILED_VERIFICATION (60)
//   "SSL connection using ..." and the server certificate's subject and dates
//   host name (SSL_VERIFYHOST)           -> PEER_FAILED_VERIFICATION (60)
//   issuer (ISSUERCERT, with VERIFYPEER) -> SSL_ISSUER_ERROR (83)
//   pinned public key                    -> SSL_PINNEDPUBKEYNOTMATCH (90)
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { CURLE } from '../codes.js';
import type { TlsConfig } from './tls-config.js';
import { verifyError } from './x509-verify-codes.js';
import { verifyHost } from './host-match.js';
import { checkPinnedKey } from './tls-pin.js';
import { certInfo } from './tls-certinfo.js';
import { parsedCert } from './parsed-cert.js';

export interface ServerCertFacts {
  /** CURLINFO_SSL_VERIFYRESULT: 0 or the X509_V_ERR number */
  verifyResult: number;
  /** CURLINFO_CERTINFO, when CURLOPT_CERTINFO asked for it */
  certinfo: string[][] | null;
}

export type ServerCertResult = { code: 0; facts: ServerCertFacts } | { code: number; message: string; facts: ServerCertFacts };

/** libcurl's x509_name_oneline(): the DN's parts in certificate order, "; "-separated. */
const oneline = (dn: string): string => dn.split('\n').join('; ');

function issuerCheck(c: TlsConfig, leaf: X509Certificate, info: (s: string) => void): { code: number; message: string } | null {
  if (c.issuerCert === null && c.issuerBlob === null) return null;
  const name = c.issuerBlob ? '(nil)' : c.issuerCert!;
  const strict = c.verifyPeer;
  const fail = (message: string): { code: number; message: string } | null => (strict ? { code: CURLE.SSL_ISSUER_ERROR, message } : null);
  let data: Buffer;
  try {
    data = c.issuerBlob ?? readFileSync(c.issuerCert!);
  } catch {
    return fail(`SSL: Unable to open issuer cert (${name})`);
  }
  let issuer: X509Certificate;
  try {
    issuer = new X509Certificate(data);
  } catch {
    return fail(`SSL: Unable to read issuer cert (${name})`);
  }
  if (!leaf.checkIssued(issuer)) return fail(`SSL: Certificate issuer check failed (${name})`);
  info(` SSL certificate issuer check ok (${name})`);
  return null;
}

/** @param chain the peer's certificates, leaf first (DER), as the handshake or the resumed session gave them */
/**
 * @param proxy the peer is an HTTPS proxy (curl 7.88 then says "Proxy certificate:")
 * @param alpnOffered ALPN was offered: only then is the server's answer (or its silence) told
 */
export function checkServerCert(sock: TLSSocket, host: string, c: TlsConfig, chain: readonly Buffer[], info: (s: string) => void,
  proxy = false, alpnOffered = true): ServerCertResult {
  const v = verifyError(sock.authorizationError);
  const facts: ServerCertFacts = { verifyResult: v?.num ?? 0, certinfo: null };
  if (v && c.verifyPeer) return { code: CURLE.PEER_FAILED_VERIFICATION, message: `SSL certificate problem: ${v.text}`, facts };

  info(`SSL connection using ${sock.getProtocol() ?? 'TLS'} / ${sock.getCipher()?.name ?? ''}`);
  const alpn = sock.alpnProtocol;
  if (alpnOffered) info(alpn ? `ALPN: server accepted ${alpn}` : 'ALPN: server did not agree on a protocol. Uses default.');
  if (chain.length === 0) return { code: CURLE.PEER_FAILED_VERIFICATION, message: 'SSL: couldn\'t get peer certificate!', facts };
  const leaf = parsedCert(chain[0]!);
  if (c.certInfo) facts.certinfo = chain.map(certInfo);

  info(proxy ? 'Proxy certificate:' : 'Server certificate:');
  info(` subject: ${oneline(leaf.subject)}`);
  info(` start date: ${leaf.validFrom}`);
  info(` expire date: ${leaf.validTo}`);
  if (c.verifyHost) {
    const h = verifyHost(leaf, host);
    if (h.info) info(h.info);
    if (!h.ok) return { code: CURLE.PEER_FAILED_VERIFICATION, message: h.message, facts };
  }
  info(` issuer: ${oneline(leaf.issuer)}`);
  const issuer = issuerCheck(c, leaf, info);
  if (issuer) return { ...issuer, facts };
  if (v) info(` SSL certificate verify result: ${v.text} (${v.num}), continuing anyway.`);
  else info(' SSL certificate verify ok.');

  if (c.pinnedPubKey !== null) {
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    const pin = checkPinnedKey(c.pinnedPubKey, spki);
    if (pin.info) info(pin.info);
    if (!pin.ok) return { code: CURLE.SSL_PINNEDPUBKEYNOTMATCH, message: 'SSL: public key does not match pinned public key', facts };
  }
  return { code: 0, facts };
}
