// TELNET input from a READFUNCTION that pauses (CURL_READFUNC_PAUSE): no read
// until the application unpauses, under perform(), multi.perform() and the
// multi-socket API, while what the server sends still arrives (the send
// pause leaves receiving alone); and with receiving paused (CURLPAUSE_RECV)
// easy.pause(CURLPAUSE_RECV) unpauses sending alone: the input goes out
// meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLPAUSE, CURL_READFUNC_PAUSE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { pausedUpload, patternBody, DRIVES } from '../helpers/paused-upload.js';

const BODY = patternBody(30 * 1024);
const CHUNK = 1024;

/** Greets at once, then takes the whole input and says goodbye. */
async function server(c: ScriptConn): Promise<void> {
  c.write('hello\r\n');
  if (await c.waitFor((g) => g.length >= BODY.length)) c.end('bye\r\n');
}

for (const drive of DRIVES) {
  test(`TELNET input (${drive}): a paused read callback is not called until unpaused; the server's data arrives meanwhile`, async () => {
    const srv = await startScriptServer(server);
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `telnet://127.0.0.1:${srv.port}`);
      // the first pause lasts until the greeting arrived: receiving is not held by the send pause
      const r = await pausedUpload(e, BODY, drive, CHUNK, { holdUntil: (n) => n.receivedWhilePaused > 0 });
      assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
      assert.equal(r.pauses, 2);
      assert.equal(r.callsWhilePaused, 0);
      assert.equal(r.calls, 2 + BODY.length / CHUNK + 1);
      assert.ok(r.receivedWhilePaused > 0, 'the greeting came while sending was paused');
      assert.equal(r.received.toString('latin1'), 'hello\r\nbye\r\n');
      assert.ok(srv.conns[0]!.received().equals(BODY));
    } finally {
      e.cleanup();
      await srv.close();
    }
  });
}

test('TELNET: a paused write callback (CURLPAUSE_RECV) leaves the input going out', async () => {
  const srv = await startScriptServer(server);
  const e = new Easy();
  try {
    let pos = 0;
    let reads = 0;
    let pausedOnce = false;
    let readsWhileRecvPaused = 0;
    let recvPaused = false;
    const got: Buffer[] = [];
    e.setopt(CURLOPT.URL, `telnet://127.0.0.1:${srv.port}`);
    e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      reads++;
      // no input before the greeting: then receiving is paused, sending unpaused
      if (!pausedOnce) return CURL_READFUNC_PAUSE;
      if (recvPaused) readsWhileRecvPaused++;
      const n = Math.min(buf.length, CHUNK, BODY.length - pos);
      BODY.copy(buf, 0, pos, pos + n);
      pos += n;
      return n;
    });
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (!pausedOnce) {
        // hold the greeting until the server has the whole input
        pausedOnce = true;
        recvPaused = true;
        void (async () => {
          // receiving stays paused, sending goes on (libcurl's pause bits are independent)
          await new Promise((r) => setImmediate(r));
          e.pause(CURLPAUSE.RECV);
          const conn = srv.conns[0]!;
          await conn.waitFor((g) => g.length >= BODY.length);
          recvPaused = false;
          e.pause(CURLPAUSE.CONT);
        })();
        return CURL_WRITEFUNC_PAUSE;
      }
      got.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer ?? '');
    assert.ok(readsWhileRecvPaused > 0, `the input was read while receiving was paused (${reads} reads)`);
    assert.equal(Buffer.concat(got).toString('latin1'), 'hello\r\nbye\r\n');
    assert.ok(srv.conns[0]!.received().equals(BODY));
  } finally {
    e.cleanup();
    await srv.close();
  }
});
