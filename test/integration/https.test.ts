// HTTPS through node:tls with verification on by default, over real loopback
// TLS servers using certificates the test makes with openssl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

/** Run the CLI without blocking this process's event loop (the test's TLS server lives here). */
function runCli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
import { CURLOPT, CURLE, CURLINFO, CURLMOPT, Multi, openSocketCount } from '../../src/index.js';
import { testCerts } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startAppLoop } from '../helpers/app-loop.js';
import { Easy } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

test('HTTPS GET verified against CAINFO; APPCONNECT time; connection reuse', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server);
  try {
    const r = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.CAINFO, c.caFile));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'secure');
    const app = r.easy.getinfo(CURLINFO.APPCONNECT_TIME_T);
    assert.ok(app > 0 && app >= r.easy.getinfo(CURLINFO.CONNECT_TIME_T));
    assert.ok(r.easy.getinfo(CURLINFO.PRETRANSFER_TIME_T) >= app);
    assert.equal(r.easy.getinfo(CURLINFO.SCHEME), 'HTTPS');
    assert.equal(await r.easy.perform(), CURLE.OK);
    assert.equal(srv.connections, 1, 'the TLS connection was reused');
    // localhost by name: SNI and the DNS SAN
    const byName = await fetchUrl(`https://localhost:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.CAINFO, c.caFile);
      e.setopt(CURLOPT.IPRESOLVE, 1);
    });
    assert.equal(byName.code, CURLE.OK, byName.easy.errorBuffer);
    r.easy.cleanup();
    byName.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('verification is on by default: an unknown CA fails with CURLE_PEER_FAILED_VERIFICATION', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.selfSigned);
  try {
    const r = await fetchUrl(`https://127.0.0.1:${srv.port}/`);
    assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.equal(r.easy.errorBuffer, 'SSL certificate problem: self-signed certificate');
    assert.equal(r.body, '', 'nothing was sent or received over an unverified connection');
    const k = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.SSL_VERIFYPEER, 0);
      e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
    });
    assert.equal(k.code, CURLE.OK);
    assert.equal(k.body, 'secure');
    r.easy.cleanup();
    k.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a certificate for another name fails VERIFYHOST; VERIFYHOST=0 accepts it', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.wrongName);
  try {
    const r = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.CAINFO, c.caFile));
    assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.equal(r.easy.errorBuffer, "SSL: no alternative certificate subject name matches target host name '127.0.0.1'");
    const ok = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.CAINFO, c.caFile);
      e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
    });
    assert.equal(ok.code, CURLE.OK);
    // a connection verified laxly is never reused for a strict transfer
    const strictAfter = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.CAINFO, c.caFile));
    assert.equal(strictAfter.code, CURLE.PEER_FAILED_VERIFICATION);
    for (const x of [r, ok, strictAfter]) x.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a CA file that cannot be read -> CURLE_SSL_CACERT_BADFILE', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server);
  try {
    const r = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.CAINFO, `${c.dir}/missing.pem`));
    assert.equal(r.code, CURLE.SSL_CACERT_BADFILE);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('over the socket API the TLS connection keeps one curl_socket_t from connect to done', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server);
  const multi = new Multi();
  const loop = startAppLoop(multi);
  try {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `https://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.CAINFO, c.caFile);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    multi.addHandle(e);
    await loop.finished;
    assert.equal(loop.done[0]!.result, CURLE.OK);
    const sockets = new Set(loop.events.flatMap((x) => (x.kind === 'socket' ? [x.s] : [])));
    assert.equal(sockets.size, 1);
    assert.equal(loop.wrongSocketp, 0);
    void CURLMOPT;
  } finally {
    multi.cleanup();
    loop.stop();
    await srv.close();
  }
});

test('tscurl --cacert and -k', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.selfSigned, { body: 'cli' });
  try {
    const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
    const bad = await runCli([cli, '-sS', `https://127.0.0.1:${srv.port}/`]);
    assert.equal(bad.status, 60);
    assert.match(bad.stderr, /^tscurl: \(60\) SSL certificate problem: self-signed certificate/);
    const k = await runCli([cli, '-sk', `https://127.0.0.1:${srv.port}/`]);
    assert.equal(k.status, 0);
    assert.equal(k.stdout, 'cli');
    const withCa = await runCli([cli, '-s', '--cacert', `${c.dir}/self.pem`, `https://127.0.0.1:${srv.port}/`]);
    assert.equal(withCa.status, 0, withCa.stderr);
  } finally {
    await srv.close();
  }
});
