// The examples/ programs (ports of libcurl's event-driven examples) run
// against a local server and do what their C originals do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadAll } from '../../examples/multi-event.js';
import { multiApp } from '../../examples/multi-app.js';
import { tenAtATime } from '../../examples/10-at-a-time.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { openSocketCount } from '../../src/index.js';

test('multi-event (hiperfifo / multi-uv port) downloads every URL through socketAction', async () => {
  const srv = await startRawServer((r) => ok('x'.repeat(Number(r.target.slice(1)) || 1)));
  try {
    const urls = [10, 200, 3000, 40000].map((n) => `http://127.0.0.1:${srv.port}/${n}`);
    const reps = await downloadAll(urls);
    assert.equal(reps.length, 4);
    for (const r of reps) {
      assert.equal(r.result, 0);
      assert.equal(r.status, 200);
      assert.equal(r.bytes, Number(new URL(r.url).pathname.slice(1)));
    }
    assert.equal(openSocketCount(), 0);
  } finally {
    await srv.close();
  }
});

test('multi-app reports each transfer result', async () => {
  const srv = await startRawServer(() => ok('hi'));
  try {
    const rs = await multiApp([`http://127.0.0.1:${srv.port}/a`, `http://127.0.0.1:1/b`]);
    assert.equal(rs.length, 2);
    assert.equal(rs.find((r) => r.url.endsWith('/a'))!.result, 0);
    assert.equal(rs.find((r) => r.url.endsWith('/b'))!.result, 7);
  } finally {
    await srv.close();
  }
});

test('10-at-a-time never runs more than ten transfers and finishes all', async () => {
  const srv = await startRawServer((r) => ({ ...ok(r.target), delayMs: 5 }));
  try {
    const urls = Array.from({ length: 35 }, (_, i) => `http://127.0.0.1:${srv.port}/${i}`);
    const rs = await tenAtATime(urls);
    assert.equal(rs.length, 35);
    assert.ok(rs.every((r) => r.result === 0));
    assert.equal(rs[0]!.maxInFlight, 10);
    assert.deepEqual(new Set(rs.map((r) => r.url)), new Set(urls));
  } finally {
    await srv.close();
  }
});
