// A throwaway certificate for the https test servers, signed by a throwaway
// CA. curl's suite fronts sws with stunnel and its own certs; most HTTPS
// cases here use -k, so any certificate for localhost / 127.0.0.1 will do.
// The few that verify name %CERTDIR/certs/test-ca.crt (the CA) or
// %CERTDIR/certs/test-localhost.crt (the server's certificate): both are
// written under `certDir`, which the run removes at its end (removeCerts).
// Made once per run with openssl.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SuiteCert {
  key: string;
  cert: string;
  /** the directory %CERTDIR names: certs/test-ca.crt and certs/test-localhost.crt in it */
  certDir: string;
}

export function makeSelfSignedCert(): SuiteCert | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-cert-'));
  const f = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  };
  try {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=curl-suite test CA',
      '-keyout', f('ca.key'), '-out', f('ca.pem')]);
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('key.pem'), '-out', f('req.csr')]);
    writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
    openssl(['x509', '-req', '-in', f('req.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2',
      '-extfile', f('ext.cnf'), '-out', f('cert.pem')]);
    mkdirSync(f('certs'));
    copyFileSync(f('ca.pem'), path.join(dir, 'certs', 'test-ca.crt'));
    copyFileSync(f('cert.pem'), path.join(dir, 'certs', 'test-localhost.crt'));
    return { key: readFileSync(f('key.pem'), 'latin1'), cert: readFileSync(f('cert.pem'), 'latin1'), certDir: dir };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

export function removeCerts(c: SuiteCert | undefined): void {
  if (c) rmSync(c.certDir, { recursive: true, force: true });
}
