// tscurl against nginx from Debian: plain HTTP and HTTPS with a certificate
// the test makes, verification on (CAINFO pointing at the test CA).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts } from '../helpers/certs.js';
import { fetchUrl } from '../helpers/fetch.js';
import { requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);

let nginx: Nginx;
before(async () => {
  if (NO_NGINX) return;
  const certs = testCerts();
  nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key } });
  writeFileSync(join(nginx.root, 'hello.txt'), 'hello from nginx\n');
});
after(async () => { if (!NO_NGINX) await nginx.stop(); });

async function get(url: string, setup?: (e: Easy) => void): Promise<{ code: number; body: string; status: number }> {
  const r = await fetchUrl(url, setup);
  const status = r.easy.getinfo(CURLINFO.RESPONSE_CODE) as number;
  r.easy.cleanup();
  return { code: r.code, body: r.body, status };
}

test('plain HTTP GET from nginx', { skip: NO_NGINX }, async () => {
  const r = await get(nginx.url('/hello.txt'));
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'hello from nginx\n');
});

test('HTTPS GET from nginx verifies against the test CA', { skip: NO_NGINX }, async () => {
  const r = await get(nginx.tlsUrl('/hello.txt'), (e) => e.setopt(CURLOPT.CAINFO, testCerts().caFile));
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.body, 'hello from nginx\n');
});

test('HTTPS to nginx without the CA fails verification (60)', { skip: NO_NGINX }, async () => {
  const r = await get(nginx.tlsUrl('/hello.txt'), (e) => e.setopt(CURLOPT.CAINFO, '/dev/null'));
  assert.notEqual(r.code, CURLE.OK);
});

test('a missing file is a 404 with the body delivered', { skip: NO_NGINX }, async () => {
  const r = await get(nginx.url('/nope'));
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.status, 404);
});
