// CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS: a name resolving to ::1 first and
// 127.0.0.1 second, where ::1 never answers a connect (a full accept queue)
// and 127.0.0.1 serves. The first family runs alone for the set time — the
// deadline curl_multi_timeout() reports right after the connect starts —
// and then the second family connects and the transfer succeeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLMSG } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startBlackhole } from '../helpers/blackhole.js';
import { requireProgram } from '../helpers/requires.js';

const NO_PYTHON = requireProgram('python3', 'python3');

/** Runs one transfer to dual.test (::1 silent, 127.0.0.1 serving); the timeout reported after the first perform. */
async function dualStack(heMs: number | undefined): Promise<{ firstTimeout: number; result: number; body: string; option: number }> {
  const srv = await startRawServer(() => ok('v4'));
  const hole = await startBlackhole('::1', srv.port);
  const multi = new Multi();
  const e = new Easy();
  try {
    let body = '';
    e.setopt(CURLOPT.URL, `http://dual.test:${srv.port}/`);
    e.setopt(CURLOPT.RESOLVE, [`dual.test:${srv.port}:[::1],127.0.0.1`]);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
    const option = heMs === undefined ? 0 : e.setopt(CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS, heMs);
    multi.addHandle(e);
    multi.perform();
    const firstTimeout = multi.timeout().timeoutMs;
    let result = -1;
    for (let i = 0; i < 2000 && result < 0; i++) {
      await multi.poll(1000);
      multi.perform();
      for (let m = multi.infoRead(); m; m = multi.infoRead()) if (m.msg === CURLMSG.DONE) result = m.result;
    }
    return { firstTimeout, result, body, option };
  } finally {
    multi.removeHandle(e);
    e.cleanup();
    multi.cleanup();
    await hole.close();
    await srv.close();
  }
}

test('HAPPY_EYEBALLS_TIMEOUT_MS: the second family starts after the time set, then connects', { skip: NO_PYTHON }, async () => {
  const set = await dualStack(1500);
  assert.equal(set.option, CURLE.OK);
  // the next deadline is the happy-eyeballs one: at most 1500 ms away, more than the 200 ms default
  assert.ok(set.firstTimeout > 200 && set.firstTimeout <= 1500, `timeout ${set.firstTimeout}`);
  assert.equal(set.result, CURLE.OK);
  assert.equal(set.body, 'v4');
});

test('HAPPY_EYEBALLS_TIMEOUT_MS: 200 ms by default, negative refused', { skip: NO_PYTHON }, async () => {
  const dflt = await dualStack(undefined);
  assert.ok(dflt.firstTimeout >= 0 && dflt.firstTimeout <= 200, `timeout ${dflt.firstTimeout}`);
  assert.equal(dflt.result, CURLE.OK);
  const e = new Easy();
  try {
    assert.equal(e.setopt(CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS, -1), CURLE.BAD_FUNCTION_ARGUMENT);
  } finally {
    e.cleanup();
  }
});

test('a leader that connected while the process was busy past the timeout wins: the second family does not start (libcurl looks at the socket first)', async () => {
  // 127.0.0.1 serves and leads; ::1 (second) has nothing listening. The process is kept busy for longer
  // than the timeout right after the first attempt starts, so the timer is due before the leader's
  // 'connect' is delivered (timers run before I/O in Node's loop).
  const srv = await startRawServer(() => ok('v4'));
  const e = new Easy();
  try {
    const trying: string[] = [];
    let stalled = false;
    e.setopt(CURLOPT.URL, `http://dual.test:${srv.port}/`);
    e.setopt(CURLOPT.RESOLVE, [`dual.test:${srv.port}:127.0.0.1,[::1]`]);
    e.setopt(CURLOPT.HAPPY_EYEBALLS_TIMEOUT_MS, 50);
    e.setopt(CURLOPT.VERBOSE, 1);
    e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, _type: number, d: Buffer) => {
      const line = d.toString();
      if (line.includes('Trying')) trying.push(line.trim());
      if (!stalled && line.includes('Trying 127.0.0.1')) {
        stalled = true;
        const until = Date.now() + 300;
        while (Date.now() < until) { /* busy: the connect completes in the kernel meanwhile */ }
      }
      return 0;
    });
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.deepEqual(trying, [`Trying 127.0.0.1:${srv.port}...`]);
  } finally {
    e.cleanup();
    await srv.close();
  }
});
