// 1,000 concurrent transfers driven only through socketAction() and
// SocketWatcher by an application-side loop: every callback hands back the
// object assigned to its socket, connections are reused, and cleanup() leaves
// nothing behind — no socket, no timer, no listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLMOPT, CURL_POLL, openSocketCount, CURLINFO } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startAppLoop } from '../helpers/app-loop.js';

const TRANSFERS = 1000;

function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout' || r === 'Immediate').length;
}

test('1,000 concurrent transfers through socketAction with assign, reuse and a clean teardown', async () => {
  const srv = await startRawServer((req) => ok(`body of ${req.target}`));
  const baseline = activeHandles();
  const multi = new Multi();
  // cap connections so that transfers must queue and reuse them
  try {
    multi.setopt(CURLMOPT.MAX_HOST_CONNECTIONS, 100);
    multi.setopt(CURLMOPT.MAXCONNECTS, 100);
    const loop = startAppLoop(multi, { assign: true, record: true });
    const bodies = new Map<Easy, Buffer[]>();
    for (let i = 0; i < TRANSFERS; i++) {
      const e = new Easy();
      const sink: Buffer[] = [];
      bodies.set(e, sink);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/item/${i}`);
      e.setopt(CURLOPT.PRIVATE, i);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (sink.push(Buffer.from(d)), d.length));
      multi.addHandle(e);
    }
    await loop.finished;
    assert.equal(loop.done.length, TRANSFERS);
    for (const m of loop.done) {
      assert.equal(m.result, CURLE.OK);
      const i = m.easy.getinfo(CURLINFO.PRIVATE) as number;
      assert.equal(Buffer.concat(bodies.get(m.easy)!).toString(), `body of /item/${i}`);
    }
    assert.equal(srv.requests.length, TRANSFERS);
    assert.ok(srv.connections <= 100, `at most 100 connections, saw ${srv.connections}`);
    const reused = loop.done.filter((m) => m.easy.getinfo(CURLINFO.NUM_CONNECTS) === 0).length;
    assert.ok(reused >= TRANSFERS - 100, `connections were reused (${reused} transfers reused one)`);

    // every callback for a socket we had assigned handed our object back
    assert.equal(loop.wrongSocketp, 0);
    const socketEvents = loop.events.filter((e) => e.kind === 'socket');
    const assignedSeen = socketEvents.filter((e) => e.kind === 'socket' && e.socketp !== null).length;
    assert.ok(assignedSeen > 0);
    // a REMOVE ends every socket's story: no socket is left being watched
    assert.equal(loop.contexts.size, 0);
    for (const e of socketEvents) if (e.kind === 'socket') assert.ok([1, 2, 3, 4].includes(e.what));

    for (const e of bodies.keys()) multi.removeHandle(e);
    assert.ok(multi.connectionCount > 0, 'idle connections stay pooled until cleanup');
    multi.cleanup();
    loop.stop();
    assert.equal(multi.connectionCount, 0);
    assert.equal(openSocketCount(), 0, 'no tscurl socket left open');
    // let the closes reach the server, then compare Node's active handles with before
    for (let i = 0; i < 100 && srv.openConnections > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(srv.openConnections, 0, 'the server saw every connection closed');
    await new Promise((r) => setImmediate(r));
    assert.ok(activeHandles() <= baseline, `active handles ${activeHandles()} vs baseline ${baseline}`);
    void CURL_POLL;
  } finally {
    await srv.close();
  }
});

test('1,000 transfers on 1,000 simultaneous connections, then 1,000 more reusing every one', async () => {
  const srv = await startRawServer((req) => ok(req.target));
  const multi = new Multi();
  try {
    multi.setopt(CURLMOPT.MAXCONNECTS, TRANSFERS);
    const loop = startAppLoop(multi, { assign: true, record: false });
    let peakOpen = 0;
    const handles: Easy[] = [];
    const round = async (n: number): Promise<void> => {
      const before = loop.done.length;
      let finished!: () => void;
      const all = new Promise<void>((r) => (finished = r));
      const poll = setInterval(() => {
        peakOpen = Math.max(peakOpen, srv.openConnections);
        if (loop.done.length - before === n) finished();
      }, 2);
      for (let i = 0; i < n; i++) {
        const e = handles[i] ?? new Easy();
        handles[i] = e;
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/${i}`);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
        multi.addHandle(e);
      }
      await all;
      clearInterval(poll);
      for (const m of loop.done.slice(before)) {
        assert.equal(m.result, CURLE.OK);
        multi.removeHandle(m.easy);
      }
    };
    try {
      await round(TRANSFERS);
      assert.equal(srv.connections, TRANSFERS, 'each transfer had its own connection');
      assert.ok(peakOpen > TRANSFERS / 2, `connections were open at the same time (peak ${peakOpen})`);
      await round(TRANSFERS);
      assert.equal(srv.connections, TRANSFERS, 'the second round opened no connection');
      assert.equal(srv.requests.length, 2 * TRANSFERS);
      assert.ok(handles.every((e) => e.getinfo(CURLINFO.NUM_CONNECTS) === 0));
      assert.equal(loop.wrongSocketp, 0);
    } finally {
      multi.cleanup();
      loop.stop();
    }
    assert.equal(openSocketCount(), 0);
  } finally {
    await srv.close();
  }
});
