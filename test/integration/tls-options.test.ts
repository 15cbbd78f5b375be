// The TLS settings of a transfer against nginx (which reports what was
// negotiated through its $ssl_* variables) and node:tls servers: SSLVERSION,
// cipher lists, curves, PINNEDPUBLICKEY, session resumption, ISSUERCERT,
// CRLFILE, NATIVE_CA, CURLINFO_SSL_VERIFYRESULT, and libcurl's verbose lines
// compared with /usr/bin/curl's.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { X509Certificate, createPublicKey, createHash } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  Easy, Share, CURLOPT, CURLE, CURLINFO, CURLINFO_TYPE, CURLSHOPT, CURL_LOCK_DATA, CURL_SSLVERSION, CURLSSLOPT,
} from '../../src/index.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { testCerts, type Creds } from '../helpers/certs.js';
import { requireProgram, requirePrograms } from '../helpers/requires.js';

const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);
const NO_OPENSSL = requireProgram('openssl', 'openssl');
const NO_CURL = requireProgram('curl', 'curl');

let modern: Nginx; // TLS 1.2 and 1.3
let tls12: Nginx; // TLS 1.2 only
const REPORT = `location /info { return 200 "$ssl_protocol $ssl_cipher $ssl_curve $ssl_session_reused\\n"; }`;

before(async () => {
  if (NO_NGINX) return;
  const c = testCerts();
  modern = await startNginx({ tls: { cert: c.server.cert, key: c.server.key, extra: `ssl_protocols TLSv1.2 TLSv1.3;\n${REPORT}` } });
  tls12 = await startNginx({ tls: { cert: c.server.cert, key: c.server.key, extra: `ssl_protocols TLSv1.2;\n${REPORT}` } });
});
after(async () => {
  if (NO_NGINX) return;
  await modern.stop();
  await tls12.stop();
});

interface Got { code: number; body: string; error: string; verbose: string[]; easy: Easy }

async function get(url: string, setup: (e: Easy) => void = () => {}, easy = new Easy()): Promise<Got> {
  const chunks: Buffer[] = [];
  const verbose: string[] = [];
  easy.setopt(CURLOPT.URL, url);
  easy.setopt(CURLOPT.CAINFO, testCerts().caFile);
  easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => { chunks.push(Buffer.from(d)); return d.length; });
  easy.setopt(CURLOPT.VERBOSE, 1);
  easy.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
    if (type === CURLINFO_TYPE.TEXT) verbose.push(data.toString().replace(/\n$/, ''));
    return 0;
  });
  setup(easy);
  const code = await easy.perform();
  return { code, body: Buffer.concat(chunks).toString(), error: easy.errorBuffer, verbose, easy };
}

/** nginx's report: protocol, cipher, curve, session reused ("r" or "."). */
async function info(n: Nginx, setup: (e: Easy) => void = () => {}, easy?: Easy): Promise<{ proto: string; cipher: string; curve: string; reused: string; got: Got }> {
  const got = await get(n.tlsUrl('/info'), setup, easy);
  assert.equal(got.code, CURLE.OK, got.error);
  const [proto, cipher, curve, reused] = got.body.trim().split(' ') as [string, string, string, string];
  return { proto, cipher, curve, reused, got };
}

test('SSLVERSION: minimum and maximum reach the handshake', { skip: NO_NGINX }, async () => {
  assert.equal((await info(modern, (e) => e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.TLSv1_3))).proto, 'TLSv1.3');
  assert.equal((await info(modern, (e) => e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.TLSv1_2 | CURL_SSLVERSION.MAX_TLSv1_2))).proto, 'TLSv1.2');
  assert.equal((await info(tls12)).proto, 'TLSv1.2');
  const r = await get(tls12.tlsUrl('/info'), (e) => e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.TLSv1_3));
  assert.equal(r.code, CURLE.SSL_CONNECT_ERROR);
  assert.match(r.error, /protocol version/);
  const mismatch = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.TLSv1_3 | CURL_SSLVERSION.MAX_TLSv1_2));
  assert.equal(mismatch.code, CURLE.SSL_CONNECT_ERROR);
  assert.equal(mismatch.error, 'CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION');
});

test('SSLVERSION: setopt refuses SSLv2, SSLv3 and values out of range', () => {
  const e = new Easy();
  try {
    for (const bad of [CURL_SSLVERSION.SSLv2, CURL_SSLVERSION.SSLv3, CURL_SSLVERSION.LAST, CURL_SSLVERSION.MAX_LAST, -1]) {
      assert.equal(e.setopt(CURLOPT.SSLVERSION, bad), CURLE.BAD_FUNCTION_ARGUMENT, String(bad));
    }
    assert.equal(e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.TLSv1 | CURL_SSLVERSION.MAX_DEFAULT), CURLE.OK);
  } finally {
    e.cleanup();
  }
});

test('SSL_CIPHER_LIST, TLS13_CIPHERS and SSL_EC_CURVES reach the handshake; bad lists are 59', { skip: NO_NGINX }, async () => {
  const twelve = await info(modern, (e) => {
    e.setopt(CURLOPT.SSLVERSION, CURL_SSLVERSION.MAX_TLSv1_2);
    e.setopt(CURLOPT.SSL_CIPHER_LIST, 'ECDHE-RSA-CHACHA20-POLY1305');
  });
  assert.equal(twelve.cipher, 'ECDHE-RSA-CHACHA20-POLY1305');
  const thirteen = await info(modern, (e) => e.setopt(CURLOPT.TLS13_CIPHERS, 'TLS_CHACHA20_POLY1305_SHA256'));
  assert.equal(thirteen.proto, 'TLSv1.3');
  assert.equal(thirteen.cipher, 'TLS_CHACHA20_POLY1305_SHA256');
  // a TLS 1.2 list leaves the TLS 1.3 suites alone, and the other way round
  const both = await info(modern, (e) => e.setopt(CURLOPT.SSL_CIPHER_LIST, 'ECDHE-RSA-AES128-GCM-SHA256'));
  assert.equal(both.proto, 'TLSv1.3');
  const curve = await info(modern, (e) => e.setopt(CURLOPT.SSL_EC_CURVES, 'P-384'));
  assert.equal(curve.curve, 'secp384r1');
  const cases: [(e: Easy) => void, string][] = [
    [(e) => e.setopt(CURLOPT.SSL_CIPHER_LIST, 'NO-SUCH-CIPHER'), 'failed setting cipher list: NO-SUCH-CIPHER'],
    [(e) => e.setopt(CURLOPT.TLS13_CIPHERS, 'TLS_NO_SUCH_SUITE'), 'failed setting TLS 1.3 cipher suite: TLS_NO_SUCH_SUITE'],
    [(e) => e.setopt(CURLOPT.SSL_EC_CURVES, 'nocurve'), "failed setting curves list: 'nocurve'"],
  ];
  for (const [setup, message] of cases) {
    const r = await get(modern.tlsUrl('/info'), setup);
    assert.equal(r.code, CURLE.SSL_CIPHER);
    assert.equal(r.error, message);
  }
});

test('PINNEDPUBLICKEY: sha256 hashes, PEM and DER key files; a mismatch is 90 even without VERIFYPEER', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const spki = new X509Certificate(c.server.cert).publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(spki).digest('base64');
  const otherSpki = new X509Certificate(c.client.cert).publicKey.export({ type: 'spki', format: 'der' });
  const otherHash = createHash('sha256').update(otherSpki).digest('base64');
  const pem = join(c.dir, 'server-pub.pem');
  const der = join(c.dir, 'server-pub.der');
  const otherPem = join(c.dir, 'client-pub.pem');
  writeFileSync(pem, createPublicKey(c.server.key).export({ type: 'spki', format: 'pem' }));
  writeFileSync(der, spki);
  writeFileSync(otherPem, createPublicKey(c.client.key).export({ type: 'spki', format: 'pem' }));
  for (const pin of [`sha256//${hash}`, `sha256//${otherHash};sha256//${hash}`, pem, der]) {
    const r = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.PINNEDPUBLICKEY, pin));
    assert.equal(r.code, CURLE.OK, `${pin}: ${r.error}`);
  }
  const shown = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.PINNEDPUBLICKEY, `sha256//${hash}`));
  assert.ok(shown.verbose.includes(` public key hash: sha256//${hash}`), shown.verbose.join('\n'));
  for (const pin of [`sha256//${otherHash}`, otherPem, join(c.dir, 'no-such-key.pem'), c.caFile]) {
    for (const verify of [1, 0]) {
      const r = await get(modern.tlsUrl('/info'), (e) => {
        e.setopt(CURLOPT.PINNEDPUBLICKEY, pin);
        e.setopt(CURLOPT.SSL_VERIFYPEER, verify);
      });
      assert.equal(r.code, CURLE.SSL_PINNEDPUBKEYNOTMATCH, pin);
      assert.equal(r.error, 'SSL: public key does not match pinned public key');
      assert.equal(r.body, '', 'nothing was sent');
    }
  }
});

test('a second fresh connection resumes the TLS session; SSL_SESSIONID_CACHE=0 does not', { skip: NO_NGINX }, async () => {
  for (const n of [modern, tls12]) {
    const e = new Easy();
    try {
      const first = await info(n, () => {}, e);
      assert.equal(first.reused, '.');
      const second = await info(n, (x) => x.setopt(CURLOPT.FRESH_CONNECT, 1), e);
      assert.equal(second.reused, 'r', `resumed over ${second.proto}`);
      assert.ok(second.got.verbose.includes('SSL re-using session ID'));
      const off = await info(n, (x) => x.setopt(CURLOPT.SSL_SESSIONID_CACHE, 0), e);
      assert.equal(off.reused, '.');
      assert.ok(!off.got.verbose.includes('SSL re-using session ID'));
      // other TLS settings: the session of the first connection is not offered
      const other = await info(n, (x) => {
        x.setopt(CURLOPT.SSL_SESSIONID_CACHE, 1);
        x.setopt(CURLOPT.SSL_CIPHER_LIST, 'ECDHE-RSA-AES256-GCM-SHA384');
      }, e);
      assert.equal(other.reused, '.');
    } finally {
      e.cleanup();
    }
  }
});

test('CURL_LOCK_DATA_SSL_SESSION shares sessions between easy handles', { skip: NO_NGINX }, async () => {
  const share = new Share();
  assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.SSL_SESSION), 0);
  const a = new Easy();
  const b = new Easy();
  a.setopt(CURLOPT.SHARE, share);
  b.setopt(CURLOPT.SHARE, share);
  assert.equal((await info(modern, () => {}, a)).reused, '.');
  assert.equal((await info(modern, () => {}, b)).reused, 'r', 'b resumed the session a made');
  const c = new Easy();
  try {
    assert.equal((await info(modern, () => {}, c)).reused, '.', 'a handle outside the share has its own cache');
  } finally {
    for (const x of [a, b, c]) x.cleanup();
  }
  assert.equal(share.cleanup(), 0);
});

interface TlsServer { port: number; close(): Promise<void> }
async function startTlsServer(creds: Creds): Promise<TlsServer> {
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer({ key: creds.key, cert: creds.cert }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.on('data', () => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

test('CURLINFO_SSL_VERIFYRESULT carries the X509 error; VERIFYPEER=0 continues with libcurl\'s line', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.selfSigned);
  try {
    const url = `https://localhost:${srv.port}/`;
    const strict = await get(url);
    assert.equal(strict.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.equal(strict.easy.getinfo(CURLINFO.SSL_VERIFYRESULT), 18);
    const lax = await get(url, (e) => e.setopt(CURLOPT.SSL_VERIFYPEER, 0));
    assert.equal(lax.code, CURLE.OK, lax.error);
    assert.equal(lax.easy.getinfo(CURLINFO.SSL_VERIFYRESULT), 18);
    assert.ok(lax.verbose.includes(' SSL certificate verify result: self-signed certificate (18), continuing anyway.'), lax.verbose.join('\n'));
    const good = await get(modern.tlsUrl('/info'));
    assert.equal(good.easy.getinfo(CURLINFO.SSL_VERIFYRESULT), 0);
    for (const x of [strict, lax, good]) x.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CRLFILE: a revoked server certificate fails with 60; an unreadable CRL is 82', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const revoked = await startTlsServer(c.revoked);
  const fine = await startTlsServer(c.server);
  try {
    const r = await get(`https://localhost:${revoked.port}/`, (e) => e.setopt(CURLOPT.CRLFILE, c.crlFile));
    assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.equal(r.error, 'SSL certificate problem: certificate revoked');
    assert.equal(r.easy.getinfo(CURLINFO.SSL_VERIFYRESULT), 23);
    const without = await get(`https://localhost:${revoked.port}/`);
    assert.equal(without.code, CURLE.OK, 'without the CRL the certificate is valid');
    const ok = await get(`https://localhost:${fine.port}/`, (e) => e.setopt(CURLOPT.CRLFILE, c.crlFile));
    assert.equal(ok.code, CURLE.OK, ok.error);
    assert.ok(ok.verbose.includes(`  CRLfile: ${c.crlFile}`));
    const bad = await get(`https://localhost:${fine.port}/`, (e) => e.setopt(CURLOPT.CRLFILE, c.caFile));
    assert.equal(bad.code, CURLE.SSL_CRL_BADFILE);
    assert.equal(bad.error, `error loading CRL file: ${c.caFile}`);
    for (const x of [r, without, ok, bad]) x.easy.cleanup();
  } finally {
    await revoked.close();
    await fine.close();
  }
});

test('ISSUERCERT and ISSUERCERT_BLOB: the issuer must have signed the server certificate (83)', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const ok = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.ISSUERCERT, c.caFile));
  assert.equal(ok.code, CURLE.OK, ok.error);
  assert.ok(ok.verbose.includes(` SSL certificate issuer check ok (${c.caFile})`));
  const blob = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.ISSUERCERT_BLOB, readFileSync(c.caFile)));
  assert.equal(blob.code, CURLE.OK, blob.error);
  const wrong = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.ISSUERCERT, c.otherCaFile));
  assert.equal(wrong.code, CURLE.SSL_ISSUER_ERROR);
  assert.equal(wrong.error, `SSL: Certificate issuer check failed (${c.otherCaFile})`);
  const missing = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.ISSUERCERT, `${c.dir}/none.pem`));
  assert.equal(missing.code, CURLE.SSL_ISSUER_ERROR);
  assert.equal(missing.error, `SSL: Unable to open issuer cert (${c.dir}/none.pem)`);
  // without peer verification the check does not fail the transfer
  const lax = await get(modern.tlsUrl('/info'), (e) => {
    e.setopt(CURLOPT.ISSUERCERT, c.otherCaFile);
    e.setopt(CURLOPT.SSL_VERIFYPEER, 0);
  });
  assert.equal(lax.code, CURLE.OK);
  for (const x of [ok, blob, wrong, missing, lax]) x.easy.cleanup();
});

test('SSL_OPTIONS: NATIVE_CA adds to the CA file; bits without meaning here are accepted', { skip: NO_NGINX }, async () => {
  const c = testCerts();
  const ok = await get(modern.tlsUrl('/info'), (e) => e.setopt(CURLOPT.SSL_OPTIONS, CURLSSLOPT.NATIVE_CA | CURLSSLOPT.ALLOW_BEAST | CURLSSLOPT.NO_REVOKE));
  assert.equal(ok.code, CURLE.OK, ok.error);
  assert.ok(ok.verbose.includes(' Native CA store: added'));
  // the native roots do not vouch for the test CA
  const other = await get(modern.tlsUrl('/info'), (e) => {
    e.setopt(CURLOPT.CAINFO, c.otherCaFile);
    e.setopt(CURLOPT.SSL_OPTIONS, CURLSSLOPT.NATIVE_CA);
  });
  assert.equal(other.code, CURLE.PEER_FAILED_VERIFICATION);
  const e = new Easy();
  try {
    assert.equal(e.setopt(CURLOPT.SSL_VERIFYSTATUS, 1), CURLE.NOT_BUILT_IN, 'no OCSP stapling check');
  } finally {
    for (const x of [ok.easy, other.easy, e]) x.cleanup();
  }
});

test('verbose server certificate lines match /usr/bin/curl -v', { skip: NO_NGINX || NO_CURL }, async () => {
  const c = testCerts();
  const url = modern.tlsUrl('/info');
  const real = await new Promise<string>((resolve) => {
    execFile('/usr/bin/curl', ['-sv', '--http1.1', '--cacert', c.caFile, url], { encoding: 'utf8' }, (_err, _out, stderr) => resolve(stderr));
  });
  const block = (lines: string[]): string[] => {
    const from = lines.indexOf('Server certificate:');
    const to = lines.indexOf(' SSL certificate verify ok.');
    return lines.slice(from, to + 1);
  };
  const realLines = real.split('\n').filter((l) => l.startsWith('* ')).map((l) => l.slice(2));
  const ours = await get(url);
  const expected = block(realLines);
  assert.ok(expected.length >= 7, real);
  assert.deepEqual(block(ours.verbose), expected);
  // the negotiated protocol and cipher line, too
  const using = (l: string[]): string | undefined => l.find((x) => x.startsWith('SSL connection using'));
  assert.equal(using(ours.verbose), using(realLines));
  ours.easy.cleanup();
});
