// A throwaway self-signed certificate for the https test server. curl's suite
// fronts sws with stunnel and its own certs; the HTTPS cases here use -k, so
// any certificate for localhost / 127.0.0.1 will do. Made once per run with openssl.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeSelfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore', timeout: 30_000 });
    return { key: readFileSync(path.join(dir, 'key.pem'), 'latin1'), cert: readFileSync(path.join(dir, 'cert.pem'), 'latin1') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
