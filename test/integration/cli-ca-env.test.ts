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
import { run, CLI_MAIN, CURL, haveCurl } from '../helpers/cli-run.js';

let nginx: Nginx;
before(async () => {
  const certs = testCerts();
  nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key } });
  writeFileSync(join(nginx.root, 'ca.txt'), 'verified\n');
});
after(async () => { await nginx.stop(); });

const tscurl = (args: string[], env: Record<string, string>) => run(process.execPath, [CLI_MAIN, ...args], { env });

test('CURL_CA_BUNDLE and SSL_CERT_FILE name the bundle; --cacert wins; without them verification fails', async () => {
  const ca = testCerts().caFile;
  const url = nginx.tlsUrl('/ca.txt');
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
    if (haveCurl) {
      const real = await run(CURL, c.args, { env: c.env });
      assert.equal(r.code, real.code, `curl differs: ${JSON.stringify(c)}`);
    }
  }
});
