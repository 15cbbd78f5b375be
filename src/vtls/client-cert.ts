// Client certificate and private key (SSLCERT, SSLKEY, their _BLOB and TYPE
// options, KEYPASSWD) loaded the way libcurl's OpenSSL backend does in
// cert_stuff(), with its messages, all failing with CURLE_SSL_CERTPROBLEM:
//  - the certificate is PEM (a chain may follow it), DER or P12 (PKCS#12,
//    which carries its own key and is handed to node:tls as `pfx`);
//  - with no SSLKEY the key is read from the certificate's file, in the
//    certificate's format;
//  - the key must fit the certificate.
// Loading happens up front, with node:crypto, so a bad file is reported as
// libcurl reports it rather than as whatever node:tls throws.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { CURLE } from '../codes.js';
import type { TlsConfig } from './tls-config.js';

export type ClientCredentials = { cert: Buffer | string; key: string } | { pfx: Buffer; passphrase?: string };
export type ClientCertResult = { creds: ClientCredentials | null } | { code: number; message: string };

/** libcurl's do_file_type(): the file types its OpenSSL backend knows. */
const FILE_TYPES = { PEM: 'PEM', DER: 'DER', ENG: 'ENG', P12: 'P12' } as const;
type FileType = (typeof FILE_TYPES)[keyof typeof FILE_TYPES];
function fileType(name: string | null): FileType | null {
  if (name === null || name === '') return 'PEM';
  return (FILE_TYPES as Record<string, FileType>)[name.toUpperCase()] ?? null;
}

/** strerror() texts for the errors fopen() gives most, as OpenSSL quotes them. */
const STRERROR: Readonly<Record<string, [number, string]>> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  EISDIR: [21, 'Is a directory'],
  ENOTDIR: [20, 'Not a directory'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  ENAMETOOLONG: [36, 'File name too long'],
};

/** OpenSSL 3's text for a failed fopen(): ERR_LIB_SYS errors print as error:8000XXXX. */
function systemError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const [errno, text] = STRERROR[code] ?? [Math.abs((err as NodeJS.ErrnoException).errno ?? 5), (err as Error).message];
  return `error:${(0x80000000 + errno).toString(16).toUpperCase()}:system library::${text}`;
}

function read(path: string): Buffer | { error: unknown } {
  try {
    return readFileSync(path);
  } catch (error) {
    return { error };
  }
}

const fail = (message: string): { code: number; message: string } => ({ code: CURLE.SSL_CERTPROBLEM, message });
const LOAD_HINT = '(no key found, wrong pass phrase, or wrong file format?)';

/** OpenSSL's error text as node reports it ("error:0480006C:PEM routines::no start line"). */
function opensslText(err: unknown): string {
  const m = (err as Error).message ?? String(err);
  // PKCS#12 failures come without OpenSSL's prefix
  if (m === 'mac verify failure') return 'error:11800071:PKCS12 routines::mac verify failure';
  return m;
}

function loadKey(data: Buffer, type: FileType, passphrase: string | undefined): KeyObject | null {
  const attempts: Parameters<typeof createPrivateKey>[0][] = type === 'DER'
    ? (['pkcs8', 'pkcs1', 'sec1'] as const).map((t) => ({ key: data, format: 'der' as const, type: t, passphrase }))
    : [{ key: data, format: 'pem', passphrase }];
  for (const a of attempts) {
    try {
      return createPrivateKey(a);
    } catch {
      // the next encoding, or the caller's message
    }
  }
  return null;
}

export function loadClientCert(c: TlsConfig): ClientCertResult {
  if (c.clientCert === null && c.clientCertBlob === null) return { creds: null };
  const certName = c.clientCertBlob ? 'CURLOPT_SSLCERT_BLOB' : c.clientCert!;
  const certType = fileType(c.clientCertType);
  const passphrase = c.keyPasswd ?? undefined;
  if (certType === null) return fail(`not supported file type '${c.clientCertType}' for certificate`);
  if (certType === 'ENG') return fail("crypto engine not set, can't load certificate");
  const certData = c.clientCertBlob ?? read(c.clientCert!);

  if (certType === 'P12') {
    if (!Buffer.isBuffer(certData)) return fail(`could not open PKCS12 file '${c.clientCert}'`);
    try {
      createSecureContext({ pfx: certData, passphrase });
    } catch (err) {
      const m = (err as Error).message;
      if (m === 'mac verify failure' || /bad decrypt/.test(m)) {
        return fail(`could not parse PKCS12 file, check password, OpenSSL error ${opensslText(err)}`);
      }
      return fail(`error reading PKCS12 file '${c.clientCertBlob ? '(memory blob)' : c.clientCert}'`);
    }
    return { creds: { pfx: certData, ...(passphrase !== undefined ? { passphrase } : {}) } };
  }

  const label = certType === 'PEM' ? 'PEM' : 'ASN1';
  const certFail = (detail: string): { code: number; message: string } =>
    fail(`could not load ${label} client certificate from ${certName}, OpenSSL error ${detail}, ${LOAD_HINT}`);
  if (!Buffer.isBuffer(certData)) return certFail(systemError(certData.error));
  let x509: X509Certificate;
  let certOut: Buffer | string;
  try {
    if (certType === 'PEM') {
      // as SSL_CTX_use_certificate_chain_file: the first certificate, then its chain
      createSecureContext({ cert: certData });
      certOut = certData;
    } else {
      certOut = new X509Certificate(certData).toString();
    }
    x509 = new X509Certificate(certOut);
  } catch (err) {
    return certFail(opensslText(err));
  }

  // no key given: it is in the certificate's file, in the certificate's format
  const ownKey = c.clientKey !== null || c.clientKeyBlob !== null;
  const keyType = ownKey ? fileType(c.clientKeyType) : certType;
  if (keyType === null || keyType === 'P12') return fail('not supported file type for private key');
  if (keyType === 'ENG') return fail("crypto engine not set, can't load private key");
  const keyName = ownKey ? (c.clientKeyBlob ? '(memory blob)' : c.clientKey!) : (c.clientCertBlob ? '(memory blob)' : c.clientCert!);
  const keyFail = fail(`unable to set private key file: '${keyName}' type ${(ownKey ? c.clientKeyType : null) ?? 'PEM'}`);
  const keyData = ownKey ? c.clientKeyBlob ?? read(c.clientKey!) : certData;
  if (!Buffer.isBuffer(keyData)) return keyFail;
  const key = loadKey(keyData, keyType, passphrase);
  // SSL_CTX_use_PrivateKey refuses a key that is not the certificate's
  if (!key || key.type !== 'private' || !x509.checkPrivateKey(key)) return keyFail;
  return { creds: { cert: certOut, key: key.export({ format: 'pem', type: 'pkcs8' }) as string } };
}
