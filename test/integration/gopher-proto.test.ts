// GOPHER and GOPHERS end to end against a scripted server on loopback: the
// selector libcurl 7.88 sends for each URL (compared with /usr/bin/curl), the
// selector echoed to the header callback, the menu as the body, gophers://
// over TLS, and the bad cases (%00 in the selector, no answer, a reset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, CURLINFO, CURLPROTO, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { testCerts } from '../helpers/certs.js';
import { gopherSelector } from '../../src/proto/gopher.js';

const NO_CURL = requireProgram('curl', 'curl');
const NO_OPENSSL = requireProgram('openssl', 'openssl');
const MENU = 'iWelcome\t\terror.host\t1\r\n0About\t/about\t127.0.0.1\t70\r\n.\r\n';

async function gopherd(c: ScriptConn): Promise<void> {
  if (await c.waitForText('\r\n')) c.end(MENU);
}

test('GOPHER: the selector is the path (and query) after the item type, URL-decoded, then CRLF', async (t) => {
  const srv = await startScriptServer(gopherd);
  try {
    const base = `gopher://127.0.0.1:${srv.port}`;
    const cases: Array<[string, string]> = [
      ['/', ''],
      ['', ''],
      ['/1', ''],
      ['/1/', '/'],
      ['/0/about%20us', '/about us'],
      ['/7/search?cats%09dogs', '/search?cats\tdogs'],
      ['/1/a%2Fb', '/a/b'],
    ];
    for (const [path, sel] of cases) {
      const before = srv.conns.length;
      const r = await fetchUrl(base + path);
      assert.equal(r.code, CURLE.OK, path);
      assert.equal(r.body, MENU);
      assert.equal(r.easy.getinfo(CURLINFO.PROTOCOL), CURLPROTO.GOPHER);
      r.easy.cleanup();
      await srv.allClosed();
      assert.equal(srv.conns[before]!.received().toString('latin1'), sel + '\r\n', path);
      if (NO_CURL) continue;
      const c = await curl(['-s', base + path]);
      assert.equal(c.stdout, MENU);
      await srv.allClosed();
      assert.equal(srv.conns[before + 1]!.received().toString('latin1'), sel + '\r\n', `${path} as curl sends it`);
    }
    if (NO_CURL) t.diagnostic(NO_CURL);
  } finally {
    await srv.close();
  }
});

test('GOPHER: the selector and its CRLF go to the header callback; -i does not print them (curl shows headers for HTTP, RTSP and FILE only)', async () => {
  const srv = await startScriptServer(gopherd);
  try {
    const headers: string[] = [];
    const r = await fetchUrl(`gopher://127.0.0.1:${srv.port}/1/dir`, (e) => {
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(headers, ['/dir', '\r\n']);
    r.easy.cleanup();
    const cli = await tscurl(['-s', '-i', `gopher://127.0.0.1:${srv.port}/1/dir`]);
    assert.equal(cli.stdout, MENU);
    const dump = await tscurl(['-s', '-D', '-', `gopher://127.0.0.1:${srv.port}/1/dir`]);
    assert.equal(dump.stdout, '/dir\r\n' + MENU);
  } finally {
    await srv.close();
  }
});

test('GOPHER: %00, %0D or %0A in the selector is CURLE_URL_MALFORMAT before anything is sent (a CR LF would inject a second line: curl 8, its test 1609)', async () => {
  assert.equal(gopherSelector('/1/a%00b'), null);
  assert.equal(gopherSelector('/1/sel%0d%0aINJECT'), null);
  // a tab separates a search's words from the selector (type 7)
  assert.equal(gopherSelector('/7/find%09word'), '/find\tword');
  const srv = await startScriptServer(gopherd);
  try {
    for (const path of ['/1/a%00b', '/1/sel%0d%0aINJECT/1609', '/1/a%0Ab', '/1/a%0Db']) {
      const r = await fetchUrl(`gopher://127.0.0.1:${srv.port}${path}`);
      assert.equal(r.code, CURLE.URL_MALFORMAT, path);
      r.easy.cleanup();
    }
    await srv.allClosed();
    for (const c of srv.conns) assert.equal(c.received().length, 0);
  } finally {
    await srv.close();
  }
});

test('GOPHER: no answer is CURLE_OPERATION_TIMEDOUT, a reset CURLE_RECV_ERROR; the connection is closed either way', async () => {
  const silent = await startScriptServer(() => {});
  const rst = await startScriptServer(async (c) => {
    if (await c.waitForText('\r\n')) c.reset();
  });
  try {
    const a = await fetchUrl(`gopher://127.0.0.1:${silent.port}/1/x`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 300));
    assert.equal(a.code, CURLE.OPERATION_TIMEDOUT);
    a.easy.cleanup();
    const b = await fetchUrl(`gopher://127.0.0.1:${rst.port}/1/x`);
    assert.equal(b.code, CURLE.RECV_ERROR);
    b.easy.cleanup();
    await silent.allClosed();
    await rst.allClosed();
  } finally {
    await silent.close();
    await rst.close();
  }
});

test('GOPHERS: the same over TLS, verified against the test CA', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const srv = await startScriptServer(gopherd, { tls: certs.server });
  try {
    const url = `gophers://127.0.0.1:${srv.port}/1/secure`;
    const bad = await fetchUrl(url);
    assert.equal(bad.code, CURLE.PEER_FAILED_VERIFICATION);
    bad.easy.cleanup();
    const r = await fetchUrl(url, (e: Easy) => e.setopt(CURLOPT.CAINFO, certs.caFile));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, MENU);
    assert.equal(r.easy.getinfo(CURLINFO.PROTOCOL), CURLPROTO.GOPHERS);
    r.easy.cleanup();
    const cli = await tscurl(['-s', '--cacert', certs.caFile, url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, MENU);
  } finally {
    await srv.close();
  }
});
