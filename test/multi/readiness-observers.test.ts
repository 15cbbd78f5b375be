// Readiness plumbing under the multi-socket API: a Transport's observers (two
// slots, then a list), the SocketWatcher batch (one flush per event-loop turn,
// each watcher at most once), and the socket registry's reuse of the entries
// of sockets that were REMOVEd. What an application sees must be exactly what
// it saw before those fast paths: who is told, how often, and with which
// socketp. The built-in driver observes sockets an application polls itself
// only once someone calls poll()/wait()/perform() that needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import { Transport, type ReadinessObserver } from '../../src/transport/transport.js';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { Multi, Easy, SocketWatcher, CURLOPT, CURLMOPT, CURLINFO, CURLE, CURL_POLL, CURL_CSELECT } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { SocketRegistry, type PollEntry, type PollsetOwner } from '../../src/multi/socket-registry.js';
import { BuiltinDriver } from '../../src/multi/driver.js';

class TestTransport extends Transport {
  ready = 0;
  readiness(): number {
    return this.ready;
  }
  poke(): void {
    this.notify();
  }
  protected closeResources(): void {}
}

function recorder(log: string[], name: string, onTold?: () => void): ReadinessObserver {
  return {
    readinessChanged: () => {
      log.push(name);
      onTold?.();
    },
  };
}

test('observers: each told once per change, in any number; adding twice counts once', () => {
  const t = new TestTransport();
  const log: string[] = [];
  const obs = ['a', 'b', 'c', 'd'].map((n) => recorder(log, n));
  for (const o of obs) t.addObserver(o);
  t.addObserver(obs[0]!);
  t.addObserver(obs[2]!);
  t.poke();
  assert.deepEqual([...log].sort(), ['a', 'b', 'c', 'd']);
  log.length = 0;
  t.removeObserver(obs[0]!);
  t.removeObserver(obs[2]!);
  t.poke();
  assert.deepEqual([...log].sort(), ['b', 'd']);
  log.length = 0;
  // a freed slot is taken again, and nothing is told twice
  t.addObserver(obs[3]!);
  t.addObserver(obs[0]!);
  t.poke();
  assert.deepEqual([...log].sort(), ['a', 'b', 'd']);
  t.close();
});

test('observers: one removed or added while others are being told takes effect from the next change', () => {
  const t = new TestTransport();
  const log: string[] = [];
  const late = recorder(log, 'late');
  const b = recorder(log, 'b');
  const c = recorder(log, 'c');
  const a = recorder(log, 'a', () => {
    t.removeObserver(b);
    t.removeObserver(c);
    t.addObserver(late);
  });
  t.addObserver(a);
  t.addObserver(b);
  t.addObserver(c);
  t.poke();
  assert.deepEqual(log, ['a', 'b', 'c']);
  log.length = 0;
  t.poke();
  assert.deepEqual(log.sort(), ['a', 'late']);
  // close tells everyone once more, then forgets them
  log.length = 0;
  t.close();
  assert.deepEqual(log.sort(), ['a', 'late']);
  log.length = 0;
  t.poke();
  assert.deepEqual(log, []);
});

async function pair(): Promise<{ server: Server; transports: StreamTransport[]; close: () => void }> {
  const server = createServer((sock) => {
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const transports: StreamTransport[] = [];
  for (let i = 0; i < 3; i++) {
    const sock = connect(port, '127.0.0.1');
    transports.push(new StreamTransport(sock));
    await new Promise<void>((r) => sock.once('connect', () => r()));
  }
  return { server, transports, close: () => { for (const t of transports) t.close(); server.close(); } };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('watchers: every ready watcher once per turn; one stopped by another in the same batch is not called', async () => {
  const { transports, close } = await pair();
  try {
    const calls: number[] = [];
    let zeros = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const ws = transports.map((t) => new SocketWatcher(t.id));
    ws.forEach((w, i) =>
      w.start(CURL_POLL.OUT, (ev) => {
        assert.equal(ev, CURL_CSELECT.OUT);
        calls.push(i);
        if (i !== 0) return;
        zeros++;
        if (zeros === 2) ws[2]!.stop(); // in its batch, before watcher 2's turn
        if (zeros === 4) {
          for (const x of ws) x.stop();
          done();
        }
      }));
    // starting again in the same turn replaces the callback, and is still one call per turn
    ws[1]!.start(CURL_POLL.OUT, (ev) => {
      assert.equal(ev, CURL_CSELECT.OUT);
      calls.push(1);
    });
    await finished;
    // level-triggered: one call per watcher per turn, in a stable order
    assert.deepEqual(calls, [0, 1, 2, 0, 1, 0, 1, 0]);
    await turn();
    await turn();
    assert.equal(calls.length, 8, 'nothing after stop()');
    // stop then start twice within one turn: still exactly once per turn
    const again: number[] = [];
    ws[0]!.start(CURL_POLL.OUT, () => again.push(0));
    ws[0]!.stop();
    ws[0]!.start(CURL_POLL.OUT, () => {
      again.push(1);
      ws[0]!.stop();
    });
    await turn();
    await turn();
    await turn();
    assert.deepEqual(again, [1]);
  } finally {
    close();
  }
});

class Owner implements PollsetOwner {
  pollset: PollEntry[] = [];
  constructor(readonly name: string) {}
}

test('registry: a socket polled again after REMOVE starts with no socketp, with entries reused across sockets', () => {
  const calls: string[] = [];
  const reg = new SocketRegistry<Owner>((o, s, what, socketp) => {
    calls.push(`${o.name} ${s} ${what} ${String(socketp)}`);
    return true;
  });
  const t1 = new TestTransport();
  const t2 = new TestTransport();
  const a = new Owner('a');
  const b = new Owner('b');
  reg.update(a, [{ transport: t1, what: CURL_POLL.OUT }]);
  assert.equal(reg.assign(t1.id, 'p1'), true);
  reg.update(a, [{ transport: t1, what: CURL_POLL.IN }]);
  reg.update(b, [{ transport: t1, what: CURL_POLL.IN }]); // shared: no change to report
  reg.update(a, []);
  reg.update(b, []); // the last user leaves: REMOVE with the assigned pointer
  assert.equal(reg.assign(t1.id, 'stale'), false);
  // a new socket (reusing the retired entry) and the old one again: fresh, socketp null
  reg.update(a, [{ transport: t2, what: CURL_POLL.IN }]);
  reg.update(b, [{ transport: t1, what: CURL_POLL.IN | CURL_POLL.OUT }]);
  assert.deepEqual([...reg.users(t2.id)!].map((o) => o.name), ['a']);
  assert.deepEqual([...reg.users(t1.id)!].map((o) => o.name), ['b']);
  // one owner moving from one socket to another: the new one is reported before the REMOVE of the old
  reg.update(a, [{ transport: t1, what: CURL_POLL.IN }]);
  reg.update(b, []);
  reg.update(a, [{ transport: t2, what: CURL_POLL.OUT }]);
  const [s1, s2] = [t1.id, t2.id];
  assert.deepEqual(calls, [
    `a ${s1} ${CURL_POLL.OUT} null`,
    `a ${s1} ${CURL_POLL.IN} p1`,
    `b ${s1} ${CURL_POLL.REMOVE} p1`,
    `a ${s2} ${CURL_POLL.IN} null`,
    `b ${s1} ${CURL_POLL.INOUT} null`,
    `a ${s2} ${CURL_POLL.REMOVE} null`,
    `b ${s1} ${CURL_POLL.IN} null`,
    `a ${s2} ${CURL_POLL.OUT} null`,
    `a ${s1} ${CURL_POLL.REMOVE} null`,
  ]);
  assert.equal(reg.size, 1);
  t1.close();
  t2.close();
});

test('poll()/wait() with a SOCKETFUNCTION set still see socket readiness, including readiness that came before the call', async () => {
  const srv = await startRawServer(() => ok('hello'));
  const multi = new Multi();
  const sockets: number[] = [];
  multi.setopt(CURLMOPT.SOCKETFUNCTION, (_e: Easy | null, s: number, what: number) => {
    if (what !== CURL_POLL.REMOVE) sockets.push(s);
    return 0;
  });
  try {
    for (const mode of ['ready before the call', 'ready during the call']) {
      const body: Buffer[] = [];
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
        multi.addHandle(e);
        // drive it with perform(), using wait()/poll() only once the request is out
        let s = -1;
        for (let i = 0; i < 200 && s < 0; i++) {
          multi.perform();
          if (sockets.length > 0 && e.getinfo(CURLINFO.REQUEST_SIZE) > 0) s = sockets[sockets.length - 1]!;
          else await turn();
        }
        assert.ok(s >= 0, `${mode}: the request went out`);
        if (mode === 'ready before the call') {
          // let the answer arrive while nobody waits, seen through a watcher of our own
          const mine = new SocketWatcher(s);
          await new Promise<void>((resolve) => mine.start(CURL_POLL.IN, () => {
            mine.stop();
            resolve();
          }));
          const { numfds } = await multi.wait(0);
          assert.ok(numfds >= 1, `${mode}: wait(0) reports the ready socket`);
        } else {
          const { numfds } = await multi.poll(30_000);
          assert.ok(numfds >= 1, `${mode}: poll() woke for the answer`);
        }
        let running = 1;
        for (let i = 0; i < 50 && running > 0; i++) {
          running = multi.perform().runningHandles;
          if (running > 0) await turn();
        }
        assert.equal(running, 0);
        const m = multi.infoRead();
        assert.equal(m?.result, CURLE.OK);
        assert.equal(Buffer.concat(body).toString(), 'hello');
        multi.removeHandle(e);
      } finally {
        e.cleanup();
      }
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('built-in driver: a socket that became ready and idle again while its transfers ran is not reported ready afterwards', () => {
  const d = new BuiltinDriver({ timeoutMs: () => -1, socketFn: null });
  const t = new TestTransport();
  try {
    d.socketChanged(t.id, CURL_POLL.IN, t);
    assert.deepEqual(d.takeReady(), []);
    // an HTTP/2 session decoded events for its transfers (readiness up) ...
    t.ready = CURL_CSELECT.IN;
    t.poke();
    // ... which took them in the same run (readiness down)
    t.ready = 0;
    d.recheck(t.id);
    assert.deepEqual(d.takeReady(), [], 'no round of poll()/perform() for nothing');
    // still ready after the run: kept (level-triggered)
    t.ready = CURL_CSELECT.IN;
    t.poke();
    d.recheck(t.id);
    assert.deepEqual(d.takeReady(), [t.id]);
  } finally {
    d.close();
    t.close();
  }
});

class BurstTransport extends TestTransport {
  override get readsInBursts(): boolean {
    return true;
  }
}

test('driver: one socket whose bytes come in bursts (TLS records) wakes poll() once the burst is in, a plain one at once', async () => {
  const d = new BuiltinDriver({ timeoutMs: () => -1, socketFn: null });
  const plain = new TestTransport();
  const tls = new BurstTransport();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  try {
    // plain: the wait returns right after the notification (no extra loop phase per chunk)
    d.socketChanged(plain.id, CURL_POLL.IN, plain);
    let woke = false;
    let waiting = d.wait(60_000, false).then((n) => {
      woke = true;
      return n;
    });
    plain.ready = CURL_CSELECT.IN;
    plain.poke();
    await settle();
    assert.equal(woke, true, 'a plain socket wakes the wait at once');
    assert.equal(await waiting, 1);
    assert.deepEqual(d.takeReady(), [plain.id]);
    d.socketChanged(plain.id, CURL_POLL.REMOVE, plain);

    // bursts: the first record does not end the wait; the next ones of the same read join it
    d.socketChanged(tls.id, CURL_POLL.IN, tls);
    woke = false;
    waiting = d.wait(60_000, false).then((n) => {
      woke = true;
      return n;
    });
    tls.ready = CURL_CSELECT.IN;
    tls.poke();
    await settle();
    assert.equal(woke, false, 'not woken per record');
    tls.poke();
    assert.equal(await waiting, 1, 'woken once, after the I/O phase');
    assert.deepEqual(d.takeReady(), [tls.id]);
  } finally {
    d.close();
    plain.close();
    tls.close();
  }
});
