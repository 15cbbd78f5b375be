// The writer stack's pause buffer over a real loopback socket: what a paused
// WRITEFUNCTION did not take stays held while the application keeps the
// transfer paused, however often the multi runs it, and goes out in order
// only after easy.pause(CURLPAUSE_CONT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLMOPT, CURLE, CURLPAUSE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a transfer run while paused keeps what it holds until pause(CONT)', async () => {
  const body = Buffer.alloc(200_000);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
  const srv = await startRawServer(() => ok(body));
  const multi = new Multi();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    const got: Buffer[] = [];
    let calls = 0;
    let paused = false;
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      calls++;
      if (!paused) {
        paused = true;
        return CURL_WRITEFUNC_PAUSE;
      }
      got.push(Buffer.from(d));
      return d.length;
    });
    multi.addHandle(e);
    for (let i = 0; i < 2000 && !paused; i++) {
      multi.perform();
      if (!paused) await multi.poll(50);
    }
    assert.ok(paused, 'the write callback paused the transfer');
    // with a SOCKETFUNCTION, multi.perform() runs every transfer, paused or not
    multi.setopt(CURLMOPT.SOCKETFUNCTION, () => 0);
    const held = (): number => internalsOf(e)?.transfer?.writers.heldBytes ?? 0;
    assert.ok(held() > 0, 'the paused piece is held');
    for (let i = 0; i < 20; i++) {
      multi.perform();
      await tick(2);
    }
    assert.equal(calls, 1, 'nothing is written while the application keeps the transfer paused');
    assert.ok(held() > 0);
    assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
    multi.setopt(CURLMOPT.SOCKETFUNCTION, null);
    let result: number | undefined;
    for (let i = 0; i < 2000 && result === undefined; i++) {
      multi.perform();
      const m = multi.infoRead();
      if (m) result = m.result;
      else await multi.poll(50);
    }
    assert.equal(result, CURLE.OK);
    assert.equal(held(), 0);
    assert.ok(Buffer.concat(got).equals(body), 'the whole body, in order');
  } finally {
    multi.removeHandle(e);
    e.cleanup();
    multi.cleanup();
    await srv.close();
  }
});
