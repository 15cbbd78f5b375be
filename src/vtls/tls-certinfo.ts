// CURLINFO_CERTINFO: for each certificate the server sent, the "name:value"
// lines libcurl's OpenSSL backend collects (get_cert_chain): Subject, Issuer,
// Version, Serial Number, Signature Algorithm, Public Key Algorithm, the
// extensions, Start date, Expire date, the public key, Signature, Cert (PEM).
// Names print as OpenSSL prints them (XN_FLAG_ONELINE, i2a_ASN1_OBJECT,
// X509V3_EXT_print) for the common algorithms and extensions; an extension
// this table does not know prints its raw value as ASN1_STRING_print does.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { readTlv, children, oidText, type Tlv } from './der.js';
import { parsedCert } from './parsed-cert.js';

/** OpenSSL's short names of the algorithm OIDs certificates use. */
const ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.1': 'dsaEncryption',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** OpenSSL's long names of the extensions (i2t_ASN1_OBJECT). */
const EXTENSIONS: Readonly<Record<string, string>> = {
  '2.5.29.14': 'X509v3 Subject Key Identifier',
  '2.5.29.15': 'X509v3 Key Usage',
  '2.5.29.17': 'X509v3 Subject Alternative Name',
  '2.5.29.18': 'X509v3 Issuer Alternative Name',
  '2.5.29.19': 'X509v3 Basic Constraints',
  '2.5.29.31': 'X509v3 CRL Distribution Points',
  '2.5.29.32': 'X509v3 Certificate Policies',
  '2.5.29.35': 'X509v3 Authority Key Identifier',
  '2.5.29.37': 'X509v3 Extended Key Usage',
  '1.3.6.1.5.5.7.1.1': 'Authority Information Access',
  '1.3.6.1.4.1.11129.2.4.2': 'CT Precertificate SCTs',
};

const KEY_USAGE = ['Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Data Encipherment', 'Key Agreement',
  'Certificate Sign', 'CRL Sign', 'Encipher Only', 'Decipher Only'] as const;

const EXT_KEY_USAGE: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS Web Server Authentication',
  '1.3.6.1.5.5.7.3.2': 'TLS Web Client Authentication',
  '1.3.6.1.5.5.7.3.3': 'Code Signing',
  '1.3.6.1.5.5.7.3.4': 'E-mail Protection',
  '1.3.6.1.5.5.7.3.8': 'Time Stamping',
  '1.3.6.1.5.5.7.3.9': 'OCSP Signing',
  '2.5.29.37.0': 'Any Extended Key Usage',
};

const hexColons = (b: Buffer, upper = true): string => [...b].map((x) => x.toString(16).padStart(2, '0')).map((s) => (upper ? s.toUpperCase() : s)).join(':');

/** ASN1_STRING_print: printable bytes as they are, others as '.'. */
const asn1StringPrint = (b: Buffer): string => [...b].map((c) => (c > 0x7e || (c < 0x20 && c !== 0x0a && c !== 0x0d) ? '.' : String.fromCharCode(c))).join('');

function bitString(t: Tlv): Buffer {
  return t.value.subarray(1); // the first byte counts the unused bits
}

function extensionText(oid: string, value: Buffer, cert: X509Certificate): string {
  try {
    const v = readTlv(value);
    switch (oid) {
      case '2.5.29.17': return cert.subjectAltName ?? '';
      case '2.5.29.14': return hexColons(v.value);
      case '2.5.29.35': {
        const keyId = children(v).find((c) => c.tag === 0x80);
        return keyId ? hexColons(keyId.value) : '';
      }
      case '2.5.29.19': {
        const parts = children(v);
        const isCa = parts.some((c) => c.tag === 0x01 && c.value[0] !== 0);
        const pathlen = parts.find((c) => c.tag === 0x02);
        return `CA:${isCa ? 'TRUE' : 'FALSE'}${pathlen ? `, pathlen:${parseInt(pathlen.value.toString('hex'), 16)}` : ''}`;
      }
      case '2.5.29.15': {
        const bits = bitString(v);
        return KEY_USAGE.filter((_n, i) => (bits[i >> 3]! >> (7 - (i & 7))) & 1).join(', ');
      }
      case '2.5.29.37':
        return children(v).map((c) => EXT_KEY_USAGE[oidText(c.value)] ?? oidText(c.value)).join(', ');
    }
  } catch {
    // malformed: OpenSSL falls back to the raw string too
  }
  return asn1StringPrint(value);
}

/** libcurl's X509_NAME_print_ex(XN_FLAG_ONELINE): "C = US, O = Org, CN = name". */
const onelineSpaced = (dn: string): string => dn.split('\n').map((p) => p.replace('=', ' = ')).join(', ');

/** The certinfo lines of one certificate (DER). */
export function certInfo(der: Buffer): string[] {
  const cert = new X509Certificate(der);
  const [tbs, sigAlg, sig] = children(readTlv(der));
  const fields = children(tbs!);
  let i = 0;
  const version = fields[0]!.tag === 0xa0 ? children(fields[i++]!)[0]!.value.readUIntBE(0, 1) : 0;
  let serial = fields[i++]!.value;
  if (serial.length > 1 && serial[0] === 0) serial = serial.subarray(1);
  i += 4; // signature, issuer, validity, subject
  const spki = fields[i++]!;
  const extsField = fields.slice(i).find((f) => f.tag === 0xa3);
  const lines = [
    `Subject:${onelineSpaced(cert.subject)}`,
    `Issuer:${onelineSpaced(cert.issuer)}`,
    `Version:${version.toString(16)}`,
    `Serial Number:${serial.toString('hex')}`,
  ];
  const sigOid = oidText(children(sigAlg!)[0]!.value);
  lines.push(`Signature Algorithm:${ALGORITHMS[sigOid] ?? sigOid}`);
  const keyOid = oidText(children(children(spki)[0]!)[0]!.value);
  lines.push(`Public Key Algorithm:${ALGORITHMS[keyOid] ?? keyOid}`);
  if (extsField) {
    for (const ext of children(children(extsField)[0]!)) {
      const parts = children(ext);
      const oid = oidText(parts[0]!.value);
      const value = parts[parts.length - 1]!.value;
      lines.push(`${EXTENSIONS[oid] ?? oid}:${extensionText(oid, value, cert)}`);
    }
  }
  lines.push(`Start date:${cert.validFrom}`, `Expire date:${cert.validTo}`);
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa') {
    const jwk = key.export({ format: 'jwk' });
    const hex = (s: string | undefined): string => Buffer.from(s ?? '', 'base64url').toString('hex').replace(/^0+/, '').toUpperCase() || '0';
    lines.push(`RSA Public Key:${key.asymmetricKeyDetails?.modulusLength ?? 0}`, `rsa(n):${hex(jwk.n)}`, `rsa(e):${hex(jwk.e)}`);
  }
  lines.push(`Signature:${hexColons(bitString(sig!), false)}:`, `Cert:${cert.toString()}`);
  return lines;
}

/**
 * The certificates the server sent, leaf first. (Read once: in Node 20 a call
 * of getPeerX509Certificate() empties what getPeerCertificate() returns.)
 * node:tls completes the chain
 * with the trusted root from our CA store, which libcurl's
 * SSL_get_peer_cert_chain() does not include: a self-issued last link of a
 * verified chain is taken to be that root.
 * @param read what sock.getPeerCertificate(true) returned already, if it was called since the handshake
 */
export function peerChain(sock: TLSSocket, read: DetailedPeerCertificate | null = null): Buffer[] {
  const out: Buffer[] = [];
  let c: DetailedPeerCertificate | undefined = read ?? sock.getPeerCertificate(true);
  const seen = new Set<DetailedPeerCertificate>();
  while (c && c.raw && !seen.has(c) && out.length < 16) {
    seen.add(c);
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  if (out.length > 1 && sock.authorized) {
    const last = parsedCert(out[out.length - 1]!);
    if (last.checkIssued(last)) out.pop();
  }
  return out;
}
