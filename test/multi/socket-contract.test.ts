// The multi-socket contract (DESIGN.md §3, curl_multi_socket_action(3),
// curl_multi_assign(3), CURLMOPT_SOCKETFUNCTION(3), CURLMOPT_TIMERFUNCTION(3)),
// driven over real loopback sockets by an application-owned loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Easy, Multi, CURLOPT, CURLMOPT, CURLE, CURLM, CURL_POLL, CURL_SOCKET_TIMEOUT, CURLMSG, CURLINFO, SocketWatcher,
  openSocketCount,
} from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startAppLoop } from '../helpers/app-loop.js';

function easyFor(url: string, sink?: Buffer[]): Easy {
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    sink?.push(Buffer.from(d)); // the data is only valid during the call, as in libcurl
    return d.length;
  });
  return e;
}

test('one GET: the exact socket and timer callback sequence', async () => {
  const srv = await startRawServer(() => ok('hello'));
  const multi = new Multi();
  const loop = startAppLoop(multi);
  try {
    const body: Buffer[] = [];
    const easy = easyFor(`http://127.0.0.1:${srv.port}/`, body);
    assert.equal(multi.addHandle(easy), CURLM.OK);
    await loop.finished;
    const seq = loop.events.map((e) =>
      e.kind === 'timer' ? `timer:${e.ms <= 0 ? e.ms : e.ms > 299_000 ? 'connect-timeout' : 'other'}` : `socket:${e.what}`);
    assert.deepEqual(seq, [
      'timer:0', // addHandle asks to be kicked off
      `socket:${CURL_POLL.OUT}`, // connecting: wait for writable
      'timer:connect-timeout', // the 300 s default connect timeout
      `socket:${CURL_POLL.IN}`, // request sent: wait for the reply
      'timer:-1', // no more deadlines
      `socket:${CURL_POLL.REMOVE}`, // done: the connection goes to the pool unwatched
    ]);
    // every socket callback concerned the same socket and the same transfer
    const sockets = new Set(loop.events.flatMap((e) => (e.kind === 'socket' ? [e.s] : [])));
    assert.equal(sockets.size, 1);
    for (const e of loop.events) if (e.kind === 'socket') assert.equal(e.easy, easy);
    assert.equal(Buffer.concat(body).toString(), 'hello');
    assert.equal(loop.done.length, 1);
    assert.equal(loop.done[0]!.msg, CURLMSG.DONE);
    assert.equal(loop.done[0]!.result, CURLE.OK);
    assert.equal(loop.done[0]!.easy, easy);
    assert.equal(easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(loop.wrongSocketp, 0);
    multi.removeHandle(easy);
  } finally {
    multi.cleanup();
    loop.stop();
    await srv.close();
  }
});

test('assign: BAD_SOCKET when not in use, socketp handed back, last assignment wins, OK inside REMOVE, cleared after it', async () => {
  const srv = await startRawServer(() => ok('x'));
  const multi = new Multi();
  try {
    assert.equal(multi.assign(12345, {}), CURLM.BAD_SOCKET);
    const seen: { what: number; socketp: unknown }[] = [];
    const first = { name: 'first' };
    const second = { name: 'second' };
    let watcher: SocketWatcher | null = null;
    let timer: NodeJS.Timeout | null = null;
    let sock = -1;
    let assignInRemove: number | null = null;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const act = (s: number): void => {
      const r = multi.socketAction(s, 0);
      if (r.runningHandles === 0) resolveDone();
    };
    multi.setopt(CURLMOPT.SOCKETFUNCTION, (_e, s, what, _c, socketp) => {
      seen.push({ what, socketp });
      sock = s;
      if (what === CURL_POLL.REMOVE) {
        watcher?.stop();
        // multi-uv.c's curl_multi_assign(s, NULL) here: the socket is still known during the callback
        // (checked after: an assertion thrown in here would only end the transfers)
        assignInRemove = multi.assign(s, null);
        return 0;
      }
      if (!socketp) {
        // assign works inside the callback; the second one replaces the first
        assert.equal(multi.assign(s, first), CURLM.OK);
        assert.equal(multi.assign(s, second), CURLM.OK);
        watcher = new SocketWatcher(s);
      }
      watcher!.start(what, () => act(s));
      return 0;
    });
    multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => {
      if (timer) clearTimeout(timer);
      timer = ms >= 0 ? setTimeout(() => act(CURL_SOCKET_TIMEOUT), ms) : null;
      return 0;
    });
    multi.addHandle(easyFor(`http://127.0.0.1:${srv.port}/`));
    await done;
    assert.deepEqual(seen.map((x) => x.what), [CURL_POLL.OUT, CURL_POLL.IN, CURL_POLL.REMOVE]);
    assert.equal(seen[0]!.socketp, null);
    assert.equal(seen[1]!.socketp, second);
    assert.equal(seen[2]!.socketp, second);
    assert.equal(assignInRemove, CURLM.OK);
    // the assignment went with the socket's entry after REMOVE
    assert.equal(multi.assign(sock, first), CURLM.BAD_SOCKET);
    assert.equal(multi.lastCallbackError, undefined);
    if (timer) clearTimeout(timer);
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('a reused connection is reported again with no assignment', async () => {
  const srv = await startRawServer(() => ok('y'));
  const multi = new Multi();
  try {
    const loop = startAppLoop(multi);
    const a = easyFor(`http://127.0.0.1:${srv.port}/a`);
    multi.addHandle(a);
    await loop.finished;
    const firstSocket = loop.events.find((e) => e.kind === 'socket')!;
    loop.events.length = 0;
    loop.finished = new Promise<void>((r) => {
      const check = setInterval(() => {
        if (loop.done.length === 2) {
          clearInterval(check);
          r();
        }
      }, 5);
    });
    const b = easyFor(`http://127.0.0.1:${srv.port}/b`);
    try {
      multi.addHandle(b);
      await loop.finished;
      const sockEvents = loop.events.filter((e) => e.kind === 'socket');
      assert.equal(srv.connections, 1, 'the second transfer reused the connection');
      assert.equal(sockEvents[0]!.kind === 'socket' && sockEvents[0]!.s, firstSocket.kind === 'socket' && firstSocket.s);
      assert.equal(sockEvents[0]!.kind === 'socket' && sockEvents[0]!.socketp, null);
      assert.equal(sockEvents[0]!.kind === 'socket' && sockEvents[0]!.what, CURL_POLL.IN); // straight to sending+reading
      assert.equal(b.getinfo(CURLINFO.NUM_CONNECTS), 0);
      assert.equal(a.getinfo(CURLINFO.NUM_CONNECTS), 1);
    } finally {
      loop.stop();
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('socketAction, perform and addHandle from inside callbacks return CURLM_RECURSIVE_API_CALL', async () => {
  const srv = await startRawServer(() => ok('z'));
  const multi = new Multi();
  try {
    const results: Record<string, number> = {};
    const loop = startAppLoop(multi);
    // wrap the loop's socket callback to probe the rules from inside
    const extra = new Easy();
    let timer: NodeJS.Timeout | null = null;
    multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => {
      if (timer) clearTimeout(timer);
      timer = null;
      results.timerSocketAction ??= multi.socketAction(CURL_SOCKET_TIMEOUT, 0).code;
      results.timerPerform ??= multi.perform().code;
      results.timerAdd ??= multi.addHandle(extra);
      results.timerTimeout ??= multi.timeout().code;
      if (ms >= 0) timer = setTimeout(() => {
        const r = multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
        for (let m = multi.infoRead(); m; m = multi.infoRead()) loop.done.push(m);
        if (r.runningHandles === 0) done();
      }, ms);
      return 0;
    });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const e = easyFor(`http://127.0.0.1:${srv.port}/`);
    try {
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        results.writeSocketAction ??= multi.socketAction(CURL_SOCKET_TIMEOUT, 0).code;
        results.writeRemove ??= multi.removeHandle(e);
        return d.length;
      });
      multi.addHandle(e);
      // drive via the loop's socket watchers; the timer is ours
      const r = multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
      assert.equal(r.code, CURLM.OK);
      await Promise.race([finished, loop.finished]);
      assert.equal(results.timerSocketAction, CURLM.RECURSIVE_API_CALL);
      assert.equal(results.timerPerform, CURLM.RECURSIVE_API_CALL);
      assert.equal(results.timerAdd, CURLM.RECURSIVE_API_CALL);
      assert.equal(results.timerTimeout, CURLM.RECURSIVE_API_CALL);
      assert.equal(results.writeSocketAction, CURLM.RECURSIVE_API_CALL);
      assert.equal(results.writeRemove, CURLM.RECURSIVE_API_CALL);
      if (timer) clearTimeout(timer);
    } finally {
      loop.stop();
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('easy.perform() inside a callback returns CURLE_RECURSIVE_API_CALL', async () => {
  const srv = await startRawServer(() => ok('abc'));
  try {
    const outer = easyFor(`http://127.0.0.1:${srv.port}/`);
    const inner = easyFor(`http://127.0.0.1:${srv.port}/`);
    try {
      let innerResult: Promise<number> | null = null;
      outer.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        innerResult ??= inner.perform();
        return d.length;
      });
      assert.equal(await outer.perform(), CURLE.OK);
      assert.equal(await innerResult, CURLE.RECURSIVE_API_CALL);
    } finally {
      outer.cleanup();
      inner.cleanup();
    }
  } finally {
    await srv.close();
  }
});

for (const which of ['socket', 'timer'] as const) {
  test(`a ${which} callback returning -1 fails every transfer of the multi`, async () => {
    const srv = await startRawServer(() => ({ hang: true }));
    const multi = new Multi();
    try {
      const loop = startAppLoop(multi);
      const easies = [0, 1, 2].map(() => easyFor(`http://127.0.0.1:${srv.port}/`));
      try {
        for (const e of easies) multi.addHandle(e);
        // make the callback fail from now on
        let calls = 0;
        if (which === 'socket') {
          multi.setopt(CURLMOPT.SOCKETFUNCTION, () => (calls++, -1));
        } else {
          multi.setopt(CURLMOPT.TIMERFUNCTION, () => (calls++, -1));
        }
        const r = multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
        assert.equal(r.code, CURLM.ABORTED_BY_CALLBACK);
        assert.equal(r.runningHandles, 0);
        assert.ok(calls >= 1);
        const msgs = [];
        for (let m = multi.infoRead(); m; m = multi.infoRead()) msgs.push(m);
        assert.equal(msgs.length, 3);
        for (const m of msgs) assert.equal(m.result, CURLE.ABORTED_BY_CALLBACK);
        for (const e of easies) multi.removeHandle(e);
      } finally {
        loop.stop();
        multi.cleanup();
      }
      assert.equal(openSocketCount(), 0);
    } finally {
      await srv.close();
    }
  });
}

test('data is consumed only inside calls into the library', async () => {
  const srv = await startRawServer(() => ok('payload'));
  const multi = new Multi();
  try {
    const got: Buffer[] = [];
    const e = easyFor(`http://127.0.0.1:${srv.port}/`, got);
    const interest = new Map<number, number>();
    multi.setopt(CURLMOPT.SOCKETFUNCTION, (_e, s, what) => {
      interest.set(s, what);
      return 0;
    });
    multi.addHandle(e);
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0); // starts connecting
    const s = [...interest.keys()][0]!;
    // wait until writable, then let the library send the request
    const ow = new SocketWatcher(s);
    await new Promise<void>((r) => ow.start(CURL_POLL.OUT, () => r()));
    ow.stop();
    multi.socketAction(s, 0);
    assert.equal(interest.get(s), CURL_POLL.IN);
    // the reply arrives, but nobody calls the library: nothing may be consumed
    const w = new SocketWatcher(s);
    await new Promise<void>((r) => w.start(CURL_POLL.IN, () => r()));
    w.stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 0);
    assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 0);
    const { runningHandles } = multi.socketAction(s, 0);
    assert.equal(runningHandles, 0);
    assert.equal(Buffer.concat(got).toString(), 'payload');
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('TIMERFUNCTION: 0 on add, N for deadlines, -1 when none; multi.timeout() agrees', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  const multi = new Multi();
  try {
    const timers: number[] = [];
    multi.setopt(CURLMOPT.SOCKETFUNCTION, () => 0);
    multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => (timers.push(ms), 0));
    assert.equal(multi.timeout().timeoutMs, -1);
    const e = easyFor(`http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.TIMEOUT_MS, 5000);
    multi.addHandle(e);
    assert.deepEqual(timers, [0]);
    assert.equal(multi.timeout().timeoutMs, 0);
    // a second handle does not move the earliest expiry: no call
    const e2 = easyFor(`http://127.0.0.1:${srv.port}/`);
    multi.addHandle(e2);
    assert.deepEqual(timers, [0]);
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
    assert.equal(timers.length, 2);
    assert.ok(timers[1]! > 4000 && timers[1]! <= 5000, `timeout ${timers[1]}`);
    const t = multi.timeout().timeoutMs;
    assert.ok(t > 4000 && t <= 5000);
    multi.removeHandle(e);
    multi.removeHandle(e2);
    assert.equal(timers.at(-1), -1);
    assert.equal(multi.timeout().timeoutMs, -1);
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('TIMERFUNCTION: after socketAction(CURL_SOCKET_TIMEOUT) the next timeout is announced even when it is the same (libcurl clears timer_lastcall)', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  const multi = new Multi();
  try {
    const timers: number[] = [];
    multi.setopt(CURLMOPT.SOCKETFUNCTION, () => 0);
    multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => (timers.push(ms), 0));
    const e = easyFor(`http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.TIMEOUT_MS, 5000);
    multi.addHandle(e);
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
    const n = timers.length;
    assert.ok(n >= 2 && timers[n - 1]! > 0, JSON.stringify(timers));
    // the application runs its timer early (or its one-shot timer fired): the same deadline is announced again,
    // so an application that dropped its timer when it fired gets a new one
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
    assert.equal(timers.length, n + 1, JSON.stringify(timers));
    assert.ok(timers[n]! > 0 && timers[n]! <= 5000);
    multi.removeHandle(e);
  } finally {
    multi.cleanup();
    await srv.close();
  }
});
