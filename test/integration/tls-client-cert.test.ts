// Client certificates against nginx with `ssl_verify_client on`: every form
// libcurl loads (PEM, DER, encrypted key, P12, blobs, a combined file), the
// refusal of a missing or foreign certificate, libcurl's 58 messages for files
// that cannot be used, and the pool keeping connections with different
// certificates apart.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts, CLIENT_PASSWORD } from '../helpers/certs.js';
import { requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);

let nginx: Nginx;
before(async () => {
  if (NO_NGINX) return;
  const c = testCerts();
  nginx = await startNginx({
    tls: {
      cert: c.server.cert, key: c.server.key,
      extra: `ssl_verify_client on; ssl_client_certificate ${c.caFile};
        location /who { return 200 "$ssl_client_s_dn\\n"; }`,
    },
  });
});
after(async () => { if (!NO_NGINX) await nginx.stop(); });

interface Got { code: number; body: string; status: number; error: string; connId: number }

async function get(setup: (e: Easy) => void, easy = new Easy(), cleanup = true): Promise<Got> {
  const chunks: Buffer[] = [];
  easy.setopt(CURLOPT.URL, nginx.tlsUrl('/who'));
  easy.setopt(CURLOPT.CAINFO, testCerts().caFile);
  easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => { chunks.push(Buffer.from(d)); return d.length; });
  setup(easy);
  const code = await easy.perform();
  const r = {
    code, body: Buffer.concat(chunks).toString(), status: easy.getinfo(CURLINFO.RESPONSE_CODE) as number,
    error: easy.errorBuffer, connId: easy.getinfo(CURLINFO.CONN_ID) as number,
  };
  if (cleanup) easy.cleanup();
  return r;
}

test('without a client certificate nginx refuses the request (400)', { skip: NO_NGINX }, async () => {
  const r = await get(() => {});
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.status, 400);
  assert.match(r.body, /No required SSL certificate was sent/);
});

test('PEM certificate and key files', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const r = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.certFile);
    e.setopt(CURLOPT.SSLKEY, client.keyFile);
  });
  assert.equal(r.code, CURLE.OK, r.error);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'CN=client\n');
});

test('certificate and key in one PEM file (no SSLKEY)', { skip: NO_NGINX }, async () => {
  const r = await get((e) => e.setopt(CURLOPT.SSLCERT, testCerts().client.comboFile));
  assert.equal(r.code, CURLE.OK, r.error);
  assert.equal(r.body, 'CN=client\n');
});

test('DER certificate and DER key (SSLCERTTYPE/SSLKEYTYPE)', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const r = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.certDerFile);
    e.setopt(CURLOPT.SSLCERTTYPE, 'DER');
    e.setopt(CURLOPT.SSLKEY, client.keyDerFile);
    e.setopt(CURLOPT.SSLKEYTYPE, 'der');
  });
  assert.equal(r.code, CURLE.OK, r.error);
  assert.equal(r.body, 'CN=client\n');
});

test('encrypted key with KEYPASSWD; a wrong or missing password is 58', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const ok = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.certFile);
    e.setopt(CURLOPT.SSLKEY, client.encKeyFile);
    e.setopt(CURLOPT.KEYPASSWD, CLIENT_PASSWORD);
  });
  assert.equal(ok.code, CURLE.OK, ok.error);
  assert.equal(ok.body, 'CN=client\n');
  for (const pass of ['wrong', null]) {
    const bad = await get((e) => {
      e.setopt(CURLOPT.SSLCERT, client.certFile);
      e.setopt(CURLOPT.SSLKEY, client.encKeyFile);
      if (pass !== null) e.setopt(CURLOPT.KEYPASSWD, pass);
    });
    assert.equal(bad.code, CURLE.SSL_CERTPROBLEM);
    assert.equal(bad.error, `unable to set private key file: '${client.encKeyFile}' type PEM`);
  }
});

test('PKCS#12 (P12) with its password; a wrong password is 58', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const ok = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.p12File);
    e.setopt(CURLOPT.SSLCERTTYPE, 'P12');
    e.setopt(CURLOPT.KEYPASSWD, CLIENT_PASSWORD);
  });
  assert.equal(ok.code, CURLE.OK, ok.error);
  assert.equal(ok.body, 'CN=client\n');
  const bad = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.p12File);
    e.setopt(CURLOPT.SSLCERTTYPE, 'P12');
    e.setopt(CURLOPT.KEYPASSWD, 'wrong');
  });
  assert.equal(bad.code, CURLE.SSL_CERTPROBLEM);
  assert.equal(bad.error, 'could not parse PKCS12 file, check password, OpenSSL error error:11800071:PKCS12 routines::mac verify failure');
  const notP12 = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, client.certFile);
    e.setopt(CURLOPT.SSLCERTTYPE, 'P12');
  });
  assert.equal(notP12.code, CURLE.SSL_CERTPROBLEM);
  assert.equal(notP12.error, `error reading PKCS12 file '${client.certFile}'`);
});

test('SSLCERT_BLOB and SSLKEY_BLOB', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const r = await get((e) => {
    e.setopt(CURLOPT.SSLCERT_BLOB, client.cert);
    e.setopt(CURLOPT.SSLKEY_BLOB, client.key);
  });
  assert.equal(r.code, CURLE.OK, r.error);
  assert.equal(r.body, 'CN=client\n');
  const p12 = await get((e) => {
    e.setopt(CURLOPT.SSLCERT_BLOB, readFileSync(client.p12File));
    e.setopt(CURLOPT.SSLCERTTYPE, 'P12');
    e.setopt(CURLOPT.KEYPASSWD, CLIENT_PASSWORD);
  });
  assert.equal(p12.code, CURLE.OK, p12.error);
  assert.equal(p12.body, 'CN=client\n');
});

test("a certificate from another CA is refused by nginx (400)", { skip: NO_NGINX }, async () => {
  const { otherClient } = testCerts();
  const r = await get((e) => {
    e.setopt(CURLOPT.SSLCERT, otherClient.certFile);
    e.setopt(CURLOPT.SSLKEY, otherClient.keyFile);
  });
  assert.equal(r.code, CURLE.OK, r.error);
  assert.equal(r.status, 400);
});

test('files that cannot be used: libcurl 58 messages', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const cases: [(e: Easy) => void, string][] = [
    [(e) => e.setopt(CURLOPT.SSLCERT, `${c.dir}/missing.pem`),
      `could not load PEM client certificate from ${c.dir}/missing.pem, OpenSSL error error:80000002:system library::No such file or directory, (no key found, wrong pass phrase, or wrong file format?)`],
    [(e) => e.setopt(CURLOPT.SSLCERT, `${c.dir}/ca.key`),
      `could not load PEM client certificate from ${c.dir}/ca.key, OpenSSL error error:0480006C:PEM routines::no start line, (no key found, wrong pass phrase, or wrong file format?)`],
    [(e) => e.setopt(CURLOPT.SSLCERT, c.client.certFile),
      `unable to set private key file: '${c.client.certFile}' type PEM`],
    [(e) => { e.setopt(CURLOPT.SSLCERT, c.client.certFile); e.setopt(CURLOPT.SSLKEY, c.otherClient.keyFile); },
      `unable to set private key file: '${c.otherClient.keyFile}' type PEM`],
    [(e) => { e.setopt(CURLOPT.SSLCERT, c.client.certFile); e.setopt(CURLOPT.SSLKEY, `${c.dir}/nope.key`); },
      `unable to set private key file: '${c.dir}/nope.key' type PEM`],
    [(e) => { e.setopt(CURLOPT.SSLCERT, c.client.certFile); e.setopt(CURLOPT.SSLCERTTYPE, 'FOO'); },
      "not supported file type 'FOO' for certificate"],
    [(e) => { e.setopt(CURLOPT.SSLCERT, c.client.certFile); e.setopt(CURLOPT.SSLKEY, c.client.keyFile); e.setopt(CURLOPT.SSLKEYTYPE, 'FOO'); },
      'not supported file type for private key'],
    [(e) => { e.setopt(CURLOPT.SSLCERT, `${c.dir}/missing.p12`); e.setopt(CURLOPT.SSLCERTTYPE, 'P12'); },
      `could not open PKCS12 file '${c.dir}/missing.p12'`],
    [(e) => { e.setopt(CURLOPT.SSLCERT, c.client.certDerFile); e.setopt(CURLOPT.SSLCERTTYPE, 'DER'); },
      `unable to set private key file: '${c.client.certDerFile}' type PEM`],
  ];
  for (const [setup, message] of cases) {
    const r = await get(setup);
    assert.equal(r.code, CURLE.SSL_CERTPROBLEM, message);
    assert.equal(r.error, message);
  }
});

test('connections made with different client certificates are not reused for each other', { skip: NO_NGINX }, async () => {
  const { client } = testCerts();
  const e = new Easy();
  try {
    const withCert = (x: Easy): void => {
      x.setopt(CURLOPT.SSLCERT, client.certFile);
      x.setopt(CURLOPT.SSLKEY, client.keyFile);
    };
    const a = await get(withCert, e, false);
    const b = await get(withCert, e, false);
    assert.equal(a.body, 'CN=client\n');
    assert.equal(b.connId, a.connId, 'same certificate: the connection is reused');
    // the same handle without a certificate must not ride on the authenticated connection
    const none = await get((x) => { x.setopt(CURLOPT.SSLCERT, null); x.setopt(CURLOPT.SSLKEY, null); }, e, false);
    assert.notEqual(none.connId, a.connId);
    assert.equal(none.status, 400);
    // and a combined file is another setting than cert + key files
    const combo = await get((x) => x.setopt(CURLOPT.SSLCERT, client.comboFile), e, false);
    assert.notEqual(combo.connId, a.connId);
    assert.notEqual(combo.connId, none.connId);
    assert.equal(combo.body, 'CN=client\n');
  } finally {
    e.cleanup();
  }
});
