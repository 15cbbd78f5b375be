// The multi interface as libcurl behaves: CURLOPT_ERRORBUFFER is filled when
// a transfer ends through multi.perform() or socketAction() (not only
// through easy.perform()), and emptied when the next transfer starts;
// easy.pause(CURLPAUSE_RECV) inside the write callback stops delivery at
// once, the rest of the chunk held as after CURL_WRITEFUNC_PAUSE.
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLM, CURLMSG, CURLPAUSE, type DoneMessage } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startAppLoop } from '../helpers/app-loop.js';

function drain(multi: Multi, done: DoneMessage[]): void {
  for (let m = multi.infoRead(); m; m = multi.infoRead()) if (m.msg === CURLMSG.DONE) done.push(m);
}

/** multi.perform() and poll() until `count` transfers are done (bounded). */
async function performUntilDone(multi: Multi, count: number): Promise<DoneMessage[]> {
  const done: DoneMessage[] = [];
  for (let i = 0; i < 500 && done.length < count; i++) {
    assert.equal(multi.perform().code, CURLM.OK);
    drain(multi, done);
    if (done.length < count) await multi.poll(100);
  }
  assert.equal(done.length, count, 'the transfers finished');
  return done;
}

const notFound = { data: 'HTTP/1.1 404 Nope\r\nContent-Length: 4\r\n\r\nnope' };

test('ERRORBUFFER through multi.perform() + infoRead(): filled when the DONE message is there, emptied by the next transfer', async () => {
  const srv = await startRawServer((req) => (req.target === '/missing' ? notFound : ok('fine')));
  const multi = new Multi();
  const e = new Easy();
  try {
    const eb = { message: 'left over' };
    e.setopt(CURLOPT.ERRORBUFFER, eb);
    e.setopt(CURLOPT.FAILONERROR, 1);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/missing`);
    assert.equal(multi.addHandle(e), CURLM.OK);
    assert.equal(eb.message, '', 'emptied when the transfer starts');
    const [msg] = await performUntilDone(multi, 1);
    assert.equal(msg!.result, CURLE.HTTP_RETURNED_ERROR);
    assert.equal(eb.message, 'The requested URL returned error: 404');
    assert.equal(e.errorBuffer, eb.message);
    assert.equal(multi.removeHandle(e), CURLM.OK);
    // a transfer that works leaves it empty
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/fine`);
    assert.equal(multi.addHandle(e), CURLM.OK);
    assert.equal(eb.message, '');
    const [second] = await performUntilDone(multi, 1);
    assert.equal(second!.result, CURLE.OK);
    assert.equal(eb.message, '');
    multi.removeHandle(e);
  } finally {
    multi.cleanup();
    e.cleanup();
    await srv.close();
  }
});

test('ERRORBUFFER through socketAction(): filled for each failed transfer of an application-driven multi', async () => {
  const srv = await startRawServer((req) => (req.target === '/missing' ? notFound : { data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', close: true }));
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const a = new Easy();
  const b = new Easy();
  try {
    const ebA = { message: '' };
    const ebB = { message: '' };
    for (const [e, eb, path] of [[a, ebA, '/missing'], [b, ebB, '/cut']] as const) {
      e.setopt(CURLOPT.ERRORBUFFER, eb);
      e.setopt(CURLOPT.FAILONERROR, 1);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}${path}`);
      assert.equal(multi.addHandle(e), CURLM.OK);
    }
    await loop.finished;
    assert.equal(loop.done.length, 2);
    const byEasy = new Map(loop.done.map((m) => [m.easy, m.result]));
    assert.equal(byEasy.get(a), CURLE.HTTP_RETURNED_ERROR);
    assert.equal(ebA.message, 'The requested URL returned error: 404');
    assert.equal(byEasy.get(b), CURLE.PARTIAL_FILE);
    assert.equal(ebB.message, 'transfer closed with 7 bytes remaining to read');
    assert.equal(ebB.message, b.errorBuffer);
  } finally {
    loop.stop();
    multi.cleanup();
    a.cleanup();
    b.cleanup();
    await srv.close();
  }
});

for (const gzip of [false, true]) {
  test(`easy.pause(CURLPAUSE_RECV) inside the write callback stops delivery at once; CONT delivers the rest in order${gzip ? ' (gzip content decoding)' : ''}`, async () => {
    // one reply in one write: it arrives in reads far larger than the 1024-byte pieces the callback gets
    const body = Buffer.alloc(200_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 10)) & 0xff;
    const srv = await startRawServer(() => (gzip ? ok(gzipSync(body), 'Content-Encoding: gzip\r\n') : ok(body)));
    const multi = new Multi();
    const e = new Easy();
    try {
      const pieces: Buffer[] = [];
      let pauseRc: number | null = null;
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.BUFFERSIZE, 1024);
      if (gzip) e.setopt(CURLOPT.ACCEPT_ENCODING, '');
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        pieces.push(Buffer.from(d));
        if (pieces.length === 1) pauseRc = e.pause(CURLPAUSE.RECV);
        return d.length;
      });
      assert.equal(multi.addHandle(e), CURLM.OK);
      for (let i = 0; i < 500 && pieces.length === 0; i++) {
        multi.perform();
        // the call that delivered the first piece delivered nothing after it
        if (pieces.length > 0) break;
        await multi.poll(100);
      }
      assert.equal(pauseRc, CURLE.OK);
      assert.equal(pieces.length, 1, 'delivery stopped inside the call that paused');
      assert.equal(pieces[0]!.length, 1024);
      // paused: however often the application calls, nothing arrives
      for (let i = 0; i < 5; i++) {
        multi.perform();
        await multi.poll(20);
      }
      assert.equal(pieces.length, 1, 'nothing delivered while paused');
      assert.equal(multi.infoRead(), undefined);
      assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
      const [msg] = await performUntilDone(multi, 1);
      assert.equal(msg!.result, CURLE.OK);
      assert.ok(Buffer.concat(pieces).equals(body), 'every byte, once, in order');
      assert.ok(pieces.every((p) => p.length <= 1024));
      multi.removeHandle(e);
    } finally {
      multi.cleanup();
      e.cleanup();
      await srv.close();
    }
  });
}
