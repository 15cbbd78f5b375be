// How much body one WRITEFUNCTION call gets: at most CURL_MAX_WRITE_SIZE
// (16 KiB), or CURLOPT_BUFFERSIZE when that is smaller (libcurl's chop_write
// and receive buffer). A 200 KB body is sent in one write, so the library
// reads it in 64 KiB pieces and has to cut them; a pause in the middle of a
// cut read holds the rest, which comes in order after the unpause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Easy, Multi, CURLOPT, CURLE, CURLPAUSE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

const BODY = randomBytes(200_000);

async function download(bufferSize: number | null): Promise<{ rc: number; sizes: number[]; body: Buffer }> {
  const srv = await startRawServer(() => ok(BODY));
  try {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    if (bufferSize !== null) assert.equal(e.setopt(CURLOPT.BUFFERSIZE, bufferSize), CURLE.OK);
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      sizes.push(d.length);
      parts.push(Buffer.from(d));
      return d.length;
    });
    const rc = await e.perform();
    e.cleanup();
    return { rc, sizes, body: Buffer.concat(parts) };
  } finally {
    await srv.close();
  }
}

test('a write callback gets at most CURL_MAX_WRITE_SIZE (16 KiB) of body per call', async () => {
  const r = await download(null);
  assert.equal(r.rc, CURLE.OK);
  assert.ok(r.body.equals(BODY));
  assert.ok(Math.max(...r.sizes) <= 16384, `largest call ${Math.max(...r.sizes)}`);
  assert.ok(r.sizes.length >= Math.ceil(BODY.length / 16384));
});

test('CURLOPT_BUFFERSIZE below 16 KiB makes the pieces smaller; above it changes nothing', async () => {
  const small = await download(4000);
  assert.equal(small.rc, CURLE.OK);
  assert.ok(small.body.equals(BODY));
  assert.ok(Math.max(...small.sizes) <= 4000, `largest call ${Math.max(...small.sizes)}`);
  const big = await download(512 * 1024);
  assert.ok(big.body.equals(BODY));
  assert.ok(Math.max(...big.sizes) <= 16384);
});

test('CURLOPT_BUFFERSIZE is clamped as libcurl 7.88 does: to 1024 at least, 10 MB at most, the default for < 1', async () => {
  // 100 is raised to 1024: no piece over 1024, and the pieces are not all tiny
  const tiny = await download(100);
  assert.ok(tiny.body.equals(BODY));
  assert.ok(Math.max(...tiny.sizes) <= 1024);
  assert.ok(Math.max(...tiny.sizes) > 100, 'BUFFERSIZE 100 is raised to the minimum, 1024');
  // 0 and negative mean the default (16 KiB); huge values are accepted (clamped)
  for (const v of [0, -5, 2 ** 31 - 1]) {
    const r = await download(v);
    assert.equal(r.rc, CURLE.OK);
    assert.ok(Math.max(...r.sizes) <= 16384);
    assert.ok(Math.max(...r.sizes) > 4096, `BUFFERSIZE ${v}: pieces of the default size`);
  }
});

test('a pause in the middle of a cut read holds the rest; unpaused, it comes in order', async () => {
  const srv = await startRawServer(() => ok(BODY));
  const multi = new Multi();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    const parts: Buffer[] = [];
    let calls = 0;
    let paused = false;
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      calls++;
      assert.ok(d.length <= 16384);
      // the second call is the second 16 KiB of the first read: pause there once
      if (calls === 2 && !paused) {
        paused = true;
        return CURL_WRITEFUNC_PAUSE;
      }
      parts.push(Buffer.from(d));
      return d.length;
    });
    multi.addHandle(e);
    for (let i = 0; i < 200 && !paused; i++) {
      multi.perform();
      if (!paused) await multi.poll(100);
    }
    assert.ok(paused);
    const before = Buffer.concat(parts).length;
    for (let i = 0; i < 5; i++) {
      multi.perform();
      await multi.poll(10);
    }
    assert.equal(Buffer.concat(parts).length, before, 'nothing is delivered while paused');
    assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
    let done = false;
    for (let i = 0; i < 500 && !done; i++) {
      multi.perform();
      const m = multi.infoRead();
      if (m) {
        assert.equal(m.result, CURLE.OK);
        done = true;
      } else await multi.poll(100);
    }
    assert.ok(done);
    assert.ok(Buffer.concat(parts).equals(BODY), 'every byte once, in order');
  } finally {
    multi.removeHandle(e);
    e.cleanup();
    multi.cleanup();
    await srv.close();
  }
});
