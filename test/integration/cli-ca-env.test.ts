// The tool's CA bundle from the environment, as curl's tool reads it:
// CURL_CA_BUNDLE, else SSL_CERT_DIR, else SSL_CERT_FILE — only when the
// command line names no --cacert/--capath and -k is not given. Against
// nginx with a certificate from the test CA, beside /usr/bin/curl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts } from '../helpers/certs.js';
import { run, CLI_MAIN, CURL } from '../helpers/cli-run.js';
import { requireProgram, requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);
const NO_CURL = requireProgram('curl', 'curl');

let nginx: Nginx | undefined;
before(async () => {
  if (NO_NGINX) return;
  const certs = testCerts();
  nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key } });
  writeFileSync(join(nginx.root, 'ca.txt'), 'verified\n');
});
after(async () => { await nginx?.stop(); });

const tscurl = (args: string[], env: Record<string, string>) => run(process.execPath, [CLI_MAIN, ...args], { env });

test('CURL_CA_BUNDLE and SSL_CERT_FILE name the bundle; --cacert wins; without them verification fails', { skip: NO_NGINX }, async (t) => {
  const ca = testCerts().caFile;
  const url = nginx!.tlsUrl('/ca.txt');
  const cases: { env: Record<string, string>; args: string[]; code: number }[] = [
    { env: {}, args: ['-s', url], code: 60 },
    { env: { CURL_CA_BUNDLE: ca }, args: ['-s', url], code: 0 },
    { env: { SSL_CERT_FILE: ca }, args: ['-s', url], code: 0 },
    // CURL_CA_BUNDLE is read first
    { env: { CURL_CA_BUNDLE: '/nonexistent/ca.pem', SSL_CERT_FILE: ca }, args: ['-s', url], code: 77 },
    // the command line wins over the environment
    { env: { CURL_CA_BUNDLE: '/nonexistent/ca.pem' }, args: ['-s', '--cacert', ca, url], code: 0 },
    { env: { CURL_CA_BUNDLE: '/nonexistent/ca.pem' }, args: ['-s', '-k', url], code: 0 },
  ];
  for (const c of cases) {
    const r = await tscurl(c.args, c.env);
    assert.equal(r.code, c.code, JSON.stringify(c));
    if (c.code === 0) assert.equal(r.stdout, 'verified\n');
    if (!NO_CURL) {
      const real = await run(CURL, c.args, { env: c.env });
      assert.equal(r.code, real.code, `curl differs: ${JSON.stringify(c)}`);
    }
  }
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});

test('SSLKEYLOGFILE gets the TLS secrets in NSS key log format, as curl writes them', { skip: NO_NGINX }, async (t) => {
  const { mkdtempSync, readFileSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-keylog-'));
  const file = join(dir, 'keys.log');
  const r = await tscurl(['-s', '--cacert', testCerts().caFile, nginx!.tlsUrl('/ca.txt')], { SSLKEYLOGFILE: file });
  assert.equal(r.code, 0);
  const lines = readFileSync(file, 'latin1').trim().split('\n');
  // nginx 1.22 speaks TLS 1.2 by default: "CLIENT_RANDOM <client random hex> <master secret hex>"
  // (TLS 1.3 would log its traffic secrets in the same three-field shape)
  assert.ok(lines.length > 0 && lines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,}$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^(CLIENT_RANDOM|CLIENT_TRAFFIC_SECRET_0) /.test(l)));
  if (NO_CURL) return t.skip(NO_CURL);
  const curlFile = join(dir, 'curl-keys.log');
  await run(CURL, ['-s', '--cacert', testCerts().caFile, nginx!.tlsUrl('/ca.txt')], { env: { SSLKEYLOGFILE: curlFile } });
  if (existsSync(curlFile)) {
    const labels = (s: string): string[] => s.trim().split('\n').map((l) => l.split(' ')[0]!).sort();
    assert.deepEqual(labels(readFileSync(file, 'latin1')), labels(readFileSync(curlFile, 'latin1')));
  }
});
