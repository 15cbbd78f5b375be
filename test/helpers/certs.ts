// Test certificates made with the openssl command line into a temp dir: a CA,
// a server certificate it signs (localhost and 127.0.0.1), one for another
// name, and a self-signed one. Generated once per test process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caFile: string;
  server: { key: Buffer; cert: Buffer };
  wrongName: { key: Buffer; cert: Buffer };
  selfSigned: { key: Buffer; cert: Buffer };
}

let made: TestCerts | undefined;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function signed(dir: string, name: string, san: string): { key: Buffer; cert: Buffer } {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
}

export function testCerts(): TestCerts {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-certs-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=tscurl test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const server = signed(dir, 'server', 'DNS:localhost,IP:127.0.0.1,IP:::1');
  const wrongName = signed(dir, 'wrong', 'DNS:other.example');
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  made = {
    dir,
    caFile: join(dir, 'ca.pem'),
    server,
    wrongName,
    selfSigned: { key: readFileSync(join(dir, 'self.key')), cert: readFileSync(join(dir, 'self.pem')) },
  };
  return made;
}
