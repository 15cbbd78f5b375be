// Test certificates made with the openssl command line into a temp dir: a CA,
// a server certificate it signs (localhost and 127.0.0.1), one for another
// name, a self-signed one, a client certificate in every form libcurl loads
// (PEM, DER, an encrypted key, PKCS#12), a second CA with its own client, a
// revoked server certificate with the CA's CRL. Generated once per test process.
// A test that uses them asks requireProgram('openssl', 'openssl') first
// (helpers/requires.ts): skipped with that note on a machine without openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Creds { key: Buffer; cert: Buffer }

export interface TestCerts {
  dir: string;
  caFile: string;
  server: Creds;
  wrongName: Creds;
  selfSigned: Creds;
  /** a second CA, trusted by nobody in the tests */
  otherCaFile: string;
  /** client certificate signed by the CA; the files live in `dir` */
  client: Creds & {
    certFile: string; keyFile: string;
    /** the certificate in DER, and its key in DER (PKCS#8) */
    certDerFile: string; keyDerFile: string;
    /** the key encrypted with CLIENT_PASSWORD */
    encKeyFile: string;
    /** cert + key in PKCS#12 protected by CLIENT_PASSWORD */
    p12File: string;
    /** cert followed by key in one PEM file (SSLCERT without SSLKEY) */
    comboFile: string;
  };
  /** a client certificate from the other CA: the server must refuse it */
  otherClient: { certFile: string; keyFile: string };
  /** a server certificate (localhost) that the CA revoked, and the CA's CRL listing it */
  revoked: Creds;
  crlFile: string;
}

export const CLIENT_PASSWORD = 'secret pass';

let made: TestCerts | undefined;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function signed(dir: string, name: string, ext: string, ca = 'ca'): Creds {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

export function testCerts(): TestCerts {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-certs-'));
  const p = (f: string): string => join(dir, f);
  makeCa(dir, 'ca', 'tscurl test CA');
  makeCa(dir, 'otherca', 'tscurl other CA');
  const server = signed(dir, 'server', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1');
  const wrongName = signed(dir, 'wrong', 'subjectAltName=DNS:other.example');
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  const client = signed(dir, 'client', 'extendedKeyUsage=clientAuth');
  openssl(dir, ['x509', '-in', 'client.pem', '-outform', 'DER', '-out', 'client.der']);
  openssl(dir, ['pkey', '-in', 'client.key', '-outform', 'DER', '-out', 'client-key.der']);
  openssl(dir, ['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${CLIENT_PASSWORD}`, '-out', 'client-enc.key']);
  openssl(dir, ['pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-passout', `pass:${CLIENT_PASSWORD}`, '-out', 'client.p12']);
  writeFileSync(p('client-combo.pem'), Buffer.concat([client.cert, client.key]));
  signed(dir, 'otherclient', 'extendedKeyUsage=clientAuth', 'otherca');
  const revoked = signed(dir, 'revoked', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  // a minimal `openssl ca` setup, only to revoke and to write the CRL
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '01\n');
  writeFileSync(p('ca.cnf'), `[ca]\ndefault_ca = tca\n[tca]\ndatabase = ${p('index.txt')}\ncrlnumber = ${p('crlnumber')}\n` +
    `certificate = ${p('ca.pem')}\nprivate_key = ${p('ca.key')}\ndefault_md = sha256\ndefault_crl_days = 2\n`);
  openssl(dir, ['ca', '-config', 'ca.cnf', '-revoke', 'revoked.pem']);
  openssl(dir, ['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem']);
  made = {
    dir,
    caFile: p('ca.pem'),
    otherCaFile: p('otherca.pem'),
    server,
    wrongName,
    selfSigned: { key: readFileSync(p('self.key')), cert: readFileSync(p('self.pem')) },
    client: {
      ...client,
      certFile: p('client.pem'), keyFile: p('client.key'),
      certDerFile: p('client.der'), keyDerFile: p('client-key.der'),
      encKeyFile: p('client-enc.key'), p12File: p('client.p12'), comboFile: p('client-combo.pem'),
    },
    otherClient: { certFile: p('otherclient.pem'), keyFile: p('otherclient.key') },
    revoked,
    crlFile: p('crl.pem'),
  };
  return made;
}
