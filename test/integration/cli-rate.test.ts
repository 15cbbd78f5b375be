// --rate (curl 7.84+): serial transfers start no more often than N per unit.
// curl waits only between transfers (not after the last one), notes the wait
// under -v, ignores --rate with --parallel, and refuses bad rates with its
// parameter errors (the "unsupported --rate unit" line muted by -s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

const NO_CURL = requireProgram('curl', 'curl');

test('--rate spaces the starts of serial transfers; the wait is noted under -v', async () => {
  const arrivals: number[] = [];
  const srv = await startRawServer(() => {
    arrivals.push(performance.now());
    return ok('x');
  });
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    // 1 per second: a transfer starts 1000 ms after the one before it, at the soonest. (At 2/s a
    // transfer slowed past 500 ms on a loaded machine gets no wait and no note, as in curl.)
    const r = await tscurl(['-v', '--rate', '1/s', url, url, url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'xxx');
    assert.equal(arrivals.length, 3);
    // a note per wait, none after the last transfer; what a transfer took plus its wait is the 1000 ms
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('Note: Transfer took'));
    assert.equal(notes.length, 2, r.stderr);
    notes.forEach((n, i) => {
      const m = /^Note: Transfer took (\d+) ms, waits (\d+)ms as set by --rate$/.exec(n);
      assert.ok(m, n);
      assert.equal(Number(m[1]) + Number(m[2]), 1000);
      // the wait lies between one request's arrival and the next one's (the server's clock is this
      // process's event loop, which may note an arrival late: 100 ms of slack against a wait near 1 s)
      assert.ok(arrivals[i + 1]! - arrivals[i]! >= Number(m[2]) - 100, `gap ${i}: ${arrivals[i + 1]! - arrivals[i]!} ms, wait ${m[2]} ms`);
    });
  } finally {
    await srv.close();
  }
});

test('--rate with one URL, and with --parallel, does not wait', async () => {
  const srv = await startRawServer(() => ok('y'));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    // one transfer a day: a wait would outlast the test
    const one = await tscurl(['-s', '--rate', '1/d', url]);
    assert.equal(one.code, 0);
    const par = await tscurl(['-s', '-Z', '--rate', '1/d', url, url]);
    assert.equal(par.code, 0);
    assert.equal(par.stdout, 'yy');
  } finally {
    await srv.close();
  }
});

test('bad --rate values fail as curl 7.88 fails them', { skip: NO_CURL }, async () => {
  for (const rate of ['0/s', '1/x', 'abc', '-1/s', '99999999999999999999999999/s', '99999999999999999999/s']) {
    for (const silent of [[], ['-s']]) {
      const args = [...silent, '--rate', rate, 'http://127.0.0.1:9/'];
      const [mine, ref] = await Promise.all([tscurl(args), curl(args)]);
      assert.equal(mine.code, ref.code, args.join(' '));
      assert.equal(mine.stderr, ref.stderr.replace(/\bcurl\b/g, 'tscurl'), args.join(' '));
    }
  }
});
