// SocketWatcher: the application's poll for tscurl sockets (DESIGN.md §3).
// Level-triggered, always asynchronous, stoppable, and harmless after close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Multi, Easy, SocketWatcher, CURLOPT, CURLMOPT, CURL_POLL, CURL_CSELECT, CURL_SOCKET_TIMEOUT } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

test('constructing a watcher for a socket that is not open throws TypeError', () => {
  assert.throws(() => new SocketWatcher(987654), TypeError);
  assert.throws(() => new SocketWatcher('3' as unknown as number), TypeError);
});

test('OUT fires once connected, asynchronously and level-triggered until stopped; IN when data is buffered', async () => {
  const srv = await startRawServer(() => ok('data'));
  const multi = new Multi();
  try {
    const sockets: number[] = [];
    multi.setopt(CURLMOPT.SOCKETFUNCTION, (_e, s, what) => {
      if (what !== CURL_POLL.REMOVE) sockets.push(s);
      return 0;
    });
    const e = new Easy();
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    multi.addHandle(e);
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
    const s = sockets[0]!;
    const w = new SocketWatcher(s);
    let fired = 0;
    let sync = true;
    await new Promise<void>((resolve) => {
      w.start(CURL_POLL.OUT, (ev) => {
        assert.equal(sync, false, 'never called from inside start()');
        assert.ok(ev & CURL_CSELECT.OUT);
        if (++fired === 3) resolve(); // still writable: it keeps firing, once per loop turn
      });
      sync = false;
    });
    w.stop();
    const after = fired;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fired, after, 'a stopped watcher stays quiet');
    // send the request; then IN becomes ready when the reply is buffered
    multi.socketAction(s, CURL_CSELECT.OUT);
    const ev = await new Promise<number>((resolve) => w.start(CURL_POLL.IN, (x) => resolve(x)));
    assert.ok(ev & CURL_CSELECT.IN);
    w.stop();
    assert.equal(multi.socketAction(s, CURL_CSELECT.IN).runningHandles, 0);
    multi.cleanup();
    // the socket is closed now: a new watcher cannot be made for it
    assert.throws(() => new SocketWatcher(s), TypeError);
  } finally {
    await srv.close();
  }
});
