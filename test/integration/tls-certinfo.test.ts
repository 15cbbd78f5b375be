// CURLOPT_CERTINFO / CURLINFO_CERTINFO against nginx, checked line by line
// against what the openssl command line says about the same certificate.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Easy, CURLOPT, CURLE, CURLINFO, type CurlCertinfo } from '../../src/index.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts } from '../helpers/certs.js';
import { requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);

let nginx: Nginx;
before(async () => {
  if (NO_NGINX) return;
  const c = testCerts();
  nginx = await startNginx({ tls: { cert: c.server.cert, key: c.server.key } });
});
after(async () => { if (!NO_NGINX) await nginx.stop(); });

const x509 = (file: string, ...args: string[]): string =>
  execFileSync('openssl', ['x509', '-in', file, '-noout', ...args], { encoding: 'utf8' }).trim();

async function certinfo(setup: (e: Easy) => void): Promise<CurlCertinfo> {
  const e = new Easy();
  e.setopt(CURLOPT.URL, nginx.tlsUrl('/'));
  e.setopt(CURLOPT.CAINFO, testCerts().caFile);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  setup(e);
  assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
  const ci = e.getinfo(CURLINFO.CERTINFO) as CurlCertinfo;
  e.cleanup();
  return ci;
}

test('without CURLOPT_CERTINFO there is no certificate info', { skip: NO_NGINX }, async () => {
  assert.deepEqual(await certinfo(() => {}), { numOfCerts: 0, certinfo: [] });
  assert.deepEqual(new Easy().getinfo(CURLINFO.CERTINFO), { numOfCerts: 0, certinfo: [] });
});

test('the server certificate, as libcurl\'s OpenSSL backend lists it', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const file = `${c.dir}/server.pem`;
  const ci = await certinfo((e) => e.setopt(CURLOPT.CERTINFO, 1));
  assert.equal(ci.numOfCerts, 1, 'nginx sends the leaf only');
  const lines = ci.certinfo[0]!;
  const field = (name: string): string | undefined => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
  assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(':'))), [
    'Subject', 'Issuer', 'Version', 'Serial Number', 'Signature Algorithm', 'Public Key Algorithm',
    'X509v3 Subject Alternative Name', 'X509v3 Subject Key Identifier', 'X509v3 Authority Key Identifier',
    'Start date', 'Expire date', 'RSA Public Key', 'rsa(n)', 'rsa(e)', 'Signature', 'Cert',
  ]);
  assert.equal(field('Subject'), 'CN = server');
  assert.equal(field('Issuer'), 'CN = tscurl test CA');
  assert.equal(field('Version'), '2');
  assert.equal(field('Serial Number'), x509(file, '-serial').replace('serial=', '').toLowerCase());
  assert.equal(field('Signature Algorithm'), 'sha256WithRSAEncryption');
  assert.equal(field('Public Key Algorithm'), 'rsaEncryption');
  assert.equal(field('X509v3 Subject Alternative Name'), 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  const text = x509(file, '-text');
  const ski = /Subject Key Identifier:\s*\n\s*(\S+)/.exec(text)![1];
  assert.equal(field('X509v3 Subject Key Identifier'), ski);
  assert.equal(field('Start date'), x509(file, '-startdate').replace('notBefore=', ''));
  assert.equal(field('Expire date'), x509(file, '-enddate').replace('notAfter=', ''));
  assert.equal(field('RSA Public Key'), '2048');
  assert.equal(field('rsa(n)'), x509(file, '-modulus').replace('Modulus=', ''));
  assert.equal(field('rsa(e)'), '10001');
  const sig = /Signature Value:\s*\n([\s\S]*?)-----BEGIN|Signature Value:\s*\n([\s\S]*)$/.exec(text + '\n');
  const sigHex = (sig?.[1] ?? sig?.[2] ?? '').replace(/\s+/g, '');
  assert.equal(field('Signature'), `${sigHex}:`);
  assert.equal(field('Cert'), c.server.cert.toString());
});
