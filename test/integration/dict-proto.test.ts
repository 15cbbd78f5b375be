// DICT (dict://) end to end against a scripted server on loopback: the
// command lines libcurl 7.88 sends for each URL form (compared byte for byte
// with /usr/bin/curl against the same server), the reply as the body, and
// the bad cases: a control byte in the path, a server that never answers, a
// reset, a flood — each a CURLcode, with the connection closed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, CURLINFO, CURLINFO_TYPE, CURLPROTO, CURL_WRITEFUNC_PAUSE, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { dictCommand, dictEscapeWord } from '../../src/proto/dict.js';
import { VERSION } from '../../src/version-info.js';

const NO_CURL = requireProgram('curl', 'curl');
const REPLY = '220 test dictd <auth.mime> <1@x>\r\n150 1 definitions retrieved\r\n151 "x" db\r\nthe definition\r\n.\r\n250 ok\r\n221 bye\r\n';

/** Answer once QUIT arrived, then close. */
async function dictd(c: ScriptConn): Promise<void> {
  if (await c.waitForText('QUIT\r\n')) c.end(REPLY);
}

test('DICT: each URL form sends the command libcurl 7.88 sends; the reply is the body', async (t) => {
  const srv = await startScriptServer(dictd);
  try {
    const base = `dict://127.0.0.1:${srv.port}`;
    const cases: Array<[string, string]> = [
      ['/d:hello', 'DEFINE ! hello'],
      ['/define:hello%20world:wn', 'DEFINE wn hello\\ world'],
      ['/LOOKUP:it\'s:db:7', 'DEFINE db it\\\'s'],
      ['/m:hel:wn:prefix', 'MATCH wn prefix hel'],
      ['/find:x', 'MATCH ! . x'],
      ['/match::db', 'MATCH db . default'],
      ['/show:db', 'show db'],
      ['/d:caf%E9', 'DEFINE ! caf\\\xe9'],
    ];
    for (const [path, command] of cases) {
      const before = srv.conns.length;
      const r = await fetchUrl(base + path);
      assert.equal(r.code, CURLE.OK, path);
      assert.equal(r.body, REPLY);
      assert.equal(r.easy.getinfo(CURLINFO.PROTOCOL), CURLPROTO.DICT);
      r.easy.cleanup();
      await srv.allClosed();
      const got = srv.conns[before]!.received().toString('latin1');
      assert.equal(got, `CLIENT libcurl ${VERSION}\r\n${command}\r\nQUIT\r\n`, path);
      if (NO_CURL) continue;
      const c = await curl(['-s', base + path]);
      assert.equal(c.code, 0);
      assert.equal(c.stdout, REPLY);
      await srv.allClosed();
      const real = srv.conns[before + 1]!.received().toString('latin1');
      assert.equal(real.replace(/^CLIENT libcurl [^\r]*/, 'CLIENT libcurl X'), got.replace(/^CLIENT libcurl [^\r]*/, 'CLIENT libcurl X'), `${path} as curl sends it`);
    }
    if (NO_CURL) t.diagnostic(NO_CURL);
  } finally {
    await srv.close();
  }
});

test('DICT: the word escapes of RFC 2229 2.2, and the missing word', () => {
  assert.equal(dictEscapeWord('a b"c\\d\x7f\x01'), 'a\\ b\\"c\\\\d\\\x7f\\\x01');
  assert.deepEqual(dictCommand('/d:'), { command: 'DEFINE ! default', missingWord: true });
});

test('DICT: verbose traces the request as DATA_OUT and says when the word is missing', async () => {
  const srv = await startScriptServer(dictd);
  try {
    const out: string[] = [];
    const info: string[] = [];
    const r = await fetchUrl(`dict://127.0.0.1:${srv.port}/m:`, (e) => {
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => {
        if (type === CURLINFO_TYPE.DATA_OUT) out.push(d.toString('latin1'));
        if (type === CURLINFO_TYPE.TEXT) info.push(d.toString('latin1'));
        return 0;
      });
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(out, [`CLIENT libcurl ${VERSION}\r\nMATCH ! . default\r\nQUIT\r\n`]);
    assert.ok(info.includes('lookup word is missing\n'), info.join(''));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('DICT: a control byte in the path is CURLE_URL_MALFORMAT and nothing is sent', async () => {
  const srv = await startScriptServer(dictd);
  try {
    const r = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:a%0d%0aQUIT`);
    assert.equal(r.code, CURLE.URL_MALFORMAT);
    r.easy.cleanup();
    await srv.allClosed();
    for (const c of srv.conns) assert.equal(c.received().length, 0);
    const cli = await tscurl(['-sS', `dict://127.0.0.1:${srv.port}/d:a%01`]);
    assert.equal(cli.code, 3);
    assert.equal(cli.stderr, 'tscurl: (3) URL using bad/illegal format or missing URL\n');
  } finally {
    await srv.close();
  }
});

test('DICT: a server that never answers ends in CURLE_OPERATION_TIMEDOUT and the connection is closed', async () => {
  const srv = await startScriptServer(() => {});
  try {
    const r = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 300));
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
    r.easy.cleanup();
    await srv.allClosed();
    assert.equal(srv.openCount(), 0);
  } finally {
    await srv.close();
  }
});

test('DICT: a reset instead of a reply is CURLE_RECV_ERROR ("Recv failure: Connection reset by peer")', async () => {
  const srv = await startScriptServer(async (c) => {
    if (await c.waitForText('QUIT\r\n')) c.reset();
  });
  try {
    const r = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x`);
    assert.equal(r.code, CURLE.RECV_ERROR);
    assert.equal(r.easy.errorBuffer, 'Recv failure: Connection reset by peer');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('DICT: a flood stops at MAXFILESIZE (CURLE_FILESIZE_EXCEEDED) or when the write callback refuses (CURLE_WRITE_ERROR)', async () => {
  const srv = await startScriptServer(async (c) => {
    if (await c.waitForText('QUIT\r\n')) await c.flood('151 flood\r\n', 64 << 20);
  });
  try {
    const a = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x`, (e) => e.setopt(CURLOPT.MAXFILESIZE_LARGE, 100000));
    assert.equal(a.code, CURLE.FILESIZE_EXCEEDED);
    assert.ok(a.bytes.length <= 100000);
    a.easy.cleanup();
    let seen = 0;
    const b = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x`, (e) =>
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((seen += d.length) > 200000 ? 0 : d.length)));
    assert.equal(b.code, CURLE.WRITE_ERROR);
    b.easy.cleanup();
    await srv.allClosed();
    assert.equal(srv.openCount(), 0);
  } finally {
    await srv.close();
  }
});

test('DICT: a write callback that pauses gets the rest after unpause', async () => {
  const srv = await startScriptServer(dictd);
  try {
    const e = new Easy();
    const got: Buffer[] = [];
    let paused = false;
    e.setopt(CURLOPT.URL, `dict://127.0.0.1:${srv.port}/d:x`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (!paused) {
        paused = true;
        setImmediate(() => e.pause(0));
        return CURL_WRITEFUNC_PAUSE;
      }
      got.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(got).toString('latin1'), REPLY);
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('DICT: tscurl prints the reply as curl does', async () => {
  const srv = await startScriptServer(dictd);
  try {
    const r = await tscurl(['-s', `dict://127.0.0.1:${srv.port}/d:word`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, REPLY);
  } finally {
    await srv.close();
  }
});
