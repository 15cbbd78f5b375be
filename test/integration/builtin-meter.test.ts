// libcurl's own progress meter: NOPROGRESS 0 and no progress callback (or one
// that answers CURL_PROGRESSFUNC_CONTINUE) show lib/progress.c's meter on
// CURLOPT_STDERR, where VERBOSE's default output goes too: the header once
// per handle ("** Resuming transfer from byte position N" before it), and
// when each request is done a last line and a newline before the words about
// the connection. No timing is asserted: the numbers are masked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startScriptServer, type ScriptConn, type ScriptServer } from '../helpers/script-server.js';

const HEADER = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';

async function answer(c: ScriptConn): Promise<void> {
  for (let n = 1; n <= 4; n++) {
    if (!(await c.waitFor((b) => b.toString('latin1').split('\r\n\r\n').length > n))) return;
    const head = c.received().toString('latin1').split('\r\n\r\n')[n - 1]!;
    if (/^GET \/moved/.test(head.trimStart())) c.write('HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n');
    else if (/^Range: bytes=5-/im.test(head)) c.write('HTTP/1.1 206 Partial\r\nContent-Range: bytes 5-9/10\r\nContent-Length: 5\r\n\r\nhello');
    else c.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood');
  }
}

let srv: ScriptServer;
before(async () => {
  srv = await startScriptServer(answer);
});
after(async () => {
  await srv.close();
});

/** A handle that shows its meter (and VERBOSE text) into a string. */
function metered(): { e: Easy; text: () => string } {
  let out = '';
  const e = new Easy();
  e.setopt(CURLOPT.STDERR, new Writable({ write: (chunk: Buffer, _enc, done) => ((out += chunk.toString('latin1')), done()) }));
  e.setopt(CURLOPT.NOPROGRESS, 0);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  // meter lines masked, their runs merged; the verbose lines kept
  return { e, text: () => out.replace(/\r[ \d]{3} [^\r\n*]*/g, '\r[meter]').replace(/(\r\[meter\])+/g, '\r[meter]').replace(/\r\n/g, '\n') };
}

test('NOPROGRESS 0 without a callback: the meter on CURLOPT_STDERR, its last line before "left intact", the header once per handle', async () => {
  const { e, text } = metered();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/ok`);
    e.setopt(CURLOPT.VERBOSE, 1);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(await e.perform(), CURLE.OK);
    const t = text();
    assert.ok(t.startsWith(`${HEADER}\r[meter]*   Trying 127.0.0.1:${srv.port}...\n`), t);
    assert.equal(t.split(HEADER).length, 2, t);
    // (libcurl's own verbose output shows no data)
    assert.equal(t.split('< \n\r[meter]\n* Connection #').length, 3, t);
    assert.ok(t.endsWith(' left intact\n'), t);
  } finally {
    e.cleanup();
  }
});

test('each request of a followed redirect ends with the meter\'s last line; a resumed transfer says where it resumes first', async () => {
  const { e, text } = metered();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/moved`);
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(text(), `${HEADER}\r[meter]\n\r[meter]\n`);
  } finally {
    e.cleanup();
  }
  const r = metered();
  try {
    r.e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/part`);
    r.e.setopt(CURLOPT.RESUME_FROM_LARGE, 5);
    assert.equal(await r.e.perform(), CURLE.OK);
    assert.equal(r.text(), `** Resuming transfer from byte position 5\n${HEADER}\r[meter]\n`);
  } finally {
    r.e.cleanup();
  }
});

test('a progress callback hides the meter, unless it answers CURL_PROGRESSFUNC_CONTINUE', async () => {
  for (const [rc, shows] of [[0, false], [0x10000001, true]] as const) {
    const { e, text } = metered();
    let calls = 0;
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/ok`);
      e.setopt(CURLOPT.XFERINFOFUNCTION, () => (calls++, rc));
      assert.equal(await e.perform(), CURLE.OK);
      assert.ok(calls > 0);
      assert.equal(text(), shows ? `${HEADER}\r[meter]\n` : '');
    } finally {
      e.cleanup();
    }
  }
});
