// Connection numbers (CURLINFO_CONN_ID, the N of "#N" in -v lines) belong
// to a connection cache, as libcurl's connection_id: each multi, and the
// private multi of each perform()ing easy handle, counts from 0; handles
// sharing connections through a Share count together; a file: transfer's
// connection takes a number too. (Against libcurl's own lines, for many
// multis in one process: pipewait-multi.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, Share, CURLOPT, CURLE, CURLINFO, CURLSHOPT, CURL_LOCK_DATA } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { verboseLines } from '../helpers/fetch.js';

function handle(url: string, setup?: (e: Easy) => void): { e: Easy; lines: string[] } {
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  setup?.(e);
  return { e, lines: verboseLines(e) };
}

test('two easy handles performing alone each get connection #0; a shared connection cache counts on', async () => {
  const srv = await startRawServer(() => ok('x', 'Connection: close\r\n'));
  const url = `http://127.0.0.1:${srv.port}/`;
  const share = new Share();
  const made: Easy[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const { e, lines } = handle(url);
      made.push(e);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(e.getinfo(CURLINFO.CONN_ID), 0);
      assert.ok(lines.includes(`Connected to 127.0.0.1 (127.0.0.1) port ${srv.port} (#0)`), lines.join('\n'));
      assert.ok(lines.includes('Closing connection 0'), lines.join('\n'));
    }
    share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.CONNECT);
    for (let i = 0; i < 3; i++) {
      const { e, lines } = handle(url, (h) => h.setopt(CURLOPT.SHARE, share));
      made.push(e);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(e.getinfo(CURLINFO.CONN_ID), i, 'the share numbers its connections');
      assert.ok(lines.includes(`Connected to 127.0.0.1 (127.0.0.1) port ${srv.port} (#${i})`), lines.join('\n'));
    }
  } finally {
    for (const e of made) e.cleanup();
    share.cleanup();
    await srv.close();
  }
});

test('each multi numbers its own connections; a file: transfer takes a number too', async () => {
  const srv = await startRawServer(() => ok('x'));
  const url = `http://127.0.0.1:${srv.port}/`;
  const multis: Multi[] = [];
  const made: Easy[] = [];
  const run = async (m: Multi, e: Easy): Promise<void> => {
    assert.equal(m.addHandle(e), 0);
    for (let i = 0; i < 1000; i++) {
      m.perform();
      const msg = m.infoRead();
      if (msg) {
        assert.equal(msg.result, CURLE.OK);
        m.removeHandle(e);
        return;
      }
      await m.poll(1000);
    }
    assert.fail('the transfer did not end');
  };
  try {
    for (let k = 0; k < 2; k++) {
      const m = new Multi();
      multis.push(m);
      const file = handle(`file://${process.cwd()}/package.json`);
      const a = handle(url);
      const b = handle(url);
      made.push(file.e, a.e, b.e);
      await run(m, file.e);
      assert.equal(file.e.getinfo(CURLINFO.CONN_ID), 0);
      assert.ok(file.lines.includes('Closing connection 0'), file.lines.join('\n'));
      await run(m, a.e);
      assert.equal(a.e.getinfo(CURLINFO.CONN_ID), 1, `multi ${k}: after file:'s #0`);
      assert.ok(a.lines.includes(`Connection #1 to host 127.0.0.1 left intact`), a.lines.join('\n'));
      await run(m, b.e);
      assert.ok(b.lines.includes('Re-using existing connection #1 with host 127.0.0.1'), b.lines.join('\n'));
    }
  } finally {
    for (const m of multis) m.cleanup();
    for (const e of made) e.cleanup();
    await srv.close();
  }
});
