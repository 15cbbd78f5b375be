// TLS as curl's advisories want it:
//   (libcurl-security.md)  verification is on by default
//   CVE-2013-4545  VERIFYPEER=0 does not turn the host name check off
//   CVE-2022-27782 / CVE-2016-5420 / CVE-2021-22924  a connection (or TLS
//       session) made with weaker or different TLS settings is never reused
//       for a transfer with stronger or other ones
//   CVE-2016-5419 / CVE-2017-7468  a resumed session must not stand in for a
//       client certificate that was not presented
//   CVE-2014-0139  a wildcard never matches an IP address
//   CVE-2023-28321 only a whole "*." left-most label is a wildcard ("x*" is no
//       pattern, so an IDN xn-- name cannot match it)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, openSocketCount } from '../../src/index.js';
import { testCerts, type Creds } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

async function perform(e: Easy, url: string): Promise<number> {
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  return e.perform();
}

test('verification is on by default, for the peer and for the host name', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const self = await startTlsServer(c.selfSigned, { body: 'ok' });
  const wrong = await startTlsServer(c.wrongName, { body: 'ok' });
  try {
    const e = new Easy();
    assert.equal(await perform(e, `https://127.0.0.1:${self.port}/`), CURLE.PEER_FAILED_VERIFICATION);
    e.setopt(CURLOPT.CAINFO, c.caFile);
    assert.equal(await perform(e, `https://127.0.0.1:${wrong.port}/`), CURLE.PEER_FAILED_VERIFICATION, 'a trusted certificate for another name');
    e.cleanup();
    // CVE-2013-4545: turning the peer check off leaves the host name check on
    const n = new Easy();
    try {
      n.setopt(CURLOPT.SSL_VERIFYPEER, 0);
      assert.equal(await perform(n, `https://127.0.0.1:${wrong.port}/`), CURLE.PEER_FAILED_VERIFICATION);
      n.setopt(CURLOPT.SSL_VERIFYHOST, 0);
      assert.equal(await perform(n, `https://127.0.0.1:${wrong.port}/`), CURLE.OK, 'both off (control)');
    } finally {
      n.cleanup();
    }
  } finally {
    await self.close();
    await wrong.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('CVE-2022-27782 / CVE-2016-5420: an unverified connection is not reused once verification is asked for', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.selfSigned, { body: 'ok' });
  const e = new Easy();
  let wrong: Awaited<ReturnType<typeof startTlsServer>> | undefined;
  let good: Awaited<ReturnType<typeof startTlsServer>> | undefined;
  try {
    e.setopt(CURLOPT.SSL_VERIFYPEER, 0);
    assert.equal(await perform(e, `https://127.0.0.1:${srv.port}/`), CURLE.OK);
    assert.equal(await perform(e, `https://127.0.0.1:${srv.port}/`), CURLE.OK);
    assert.equal(srv.connections, 1, 'same settings: the connection is reused (control)');
    e.setopt(CURLOPT.SSL_VERIFYPEER, 1);
    assert.equal(await perform(e, `https://127.0.0.1:${srv.port}/`), CURLE.PEER_FAILED_VERIFICATION,
      'neither the idle connection nor its TLS session stands in for verification');
    // the same with VERIFYHOST: a name-unchecked connection does not serve a checked transfer
    wrong = await startTlsServer(c.wrongName, { body: 'ok' });
    e.setopt(CURLOPT.CAINFO, c.caFile);
    e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
    assert.equal(await perform(e, `https://127.0.0.1:${wrong.port}/`), CURLE.OK);
    e.setopt(CURLOPT.SSL_VERIFYHOST, 2);
    assert.equal(await perform(e, `https://127.0.0.1:${wrong.port}/`), CURLE.PEER_FAILED_VERIFICATION);
    // a connection verified against one CA is not reused for a transfer that trusts another
    good = await startTlsServer(c.server, { body: 'ok' });
    assert.equal(await perform(e, `https://127.0.0.1:${good.port}/`), CURLE.OK);
    e.setopt(CURLOPT.CAINFO, c.otherCaFile);
    assert.equal(await perform(e, `https://127.0.0.1:${good.port}/`), CURLE.PEER_FAILED_VERIFICATION);
  } finally {
    e.cleanup();
    await srv.close();
    await wrong?.close();
    await good?.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('CVE-2016-5419 / CVE-2017-7468: a connection or session with a client certificate is not used without one', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server, { body: 'ok', requestCert: true });
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.CAINFO, c.caFile);
      e.setopt(CURLOPT.SSLCERT, c.client.certFile);
      e.setopt(CURLOPT.SSLKEY, c.client.keyFile);
      assert.equal(await perform(e, `https://127.0.0.1:${srv.port}/`), CURLE.OK);
      assert.equal(srv.peerCerts.at(-1), true, 'the server saw the client certificate');
      e.setopt(CURLOPT.SSLCERT, null);
      e.setopt(CURLOPT.SSLKEY, null);
      assert.equal(await perform(e, `https://127.0.0.1:${srv.port}/`), CURLE.OK);
      assert.equal(srv.connections, 2, 'a new connection');
      assert.equal(srv.peerCerts.at(-1), false, 'without the certificate the server does not see one');
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

/** A server certificate from the test CA with these subjectAltNames. */
function certWithSan(name: string, san: string): Creds {
  const c = testCerts();
  const dir = c.dir;
  const o = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  o(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
}

test('CVE-2014-0139 / CVE-2023-28321: wildcards match one whole left-most label of a name, never an IP or a partial label', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const cases: { san: string; host: string; ok: boolean }[] = [
    { san: 'DNS:*.0.0.1', host: '127.0.0.1', ok: false },
    { san: 'DNS:x*.example.test', host: 'xn--4ca.example.test', ok: false },
    { san: 'DNS:*.test', host: 'www.test', ok: false }, // a wildcard needs two labels after it
    { san: 'DNS:*.example.test', host: 'a.b.example.test', ok: false },
    { san: 'DNS:*.example.test', host: 'xn--4ca.example.test', ok: true }, // control
  ];
  let i = 0;
  for (const k of cases) {
    const srv = await startTlsServer(certWithSan(`wild${i++}`, k.san), { body: 'ok' });
    const e = new Easy();
    try {
      e.setopt(CURLOPT.CAINFO, c.caFile);
      e.setopt(CURLOPT.RESOLVE, [`${k.host}:${srv.port}:127.0.0.1`]);
      const code = await perform(e, `https://${k.host}:${srv.port}/`);
      assert.equal(code, k.ok ? CURLE.OK : CURLE.PEER_FAILED_VERIFICATION, `${k.san} for ${k.host}: ${e.errorBuffer}`);
    } finally {
      e.cleanup();
      await srv.close();
    }
  }
  assert.equal(openSocketCount(), 0);
});
