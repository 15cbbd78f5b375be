// MAX_RECV_SPEED_LARGE / MAX_SEND_SPEED_LARGE (libcurl's RATELIMITING state)
// and LOW_SPEED_LIMIT / LOW_SPEED_TIME. No test measures a duration: the rate
// limit is checked through what the library does — at most the limit read in
// one socketAction() call, and the socket dropped from the poll set (REMOVE)
// then polled again (IN) while the transfer waits — and the slow-speed abort
// through its CURLcode and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURL_POLL, CURL_SOCKET_TIMEOUT } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startAppLoop, type AppLoop } from '../helpers/app-loop.js';
import { fetchUrl } from '../helpers/fetch.js';
import net from 'node:net';

interface Run {
  code: number;
  body: Buffer;
  /** most body bytes delivered inside one socketAction() call */
  maxPerCall: number;
  loop: AppLoop;
  /** a REMOVE for the transfer's socket followed by IN on it before the transfer ended */
  pausedAndResumed: boolean;
  /** the TIMERFUNCTION delay asked for right after the first REMOVE */
  timerAfterRemove: number | undefined;
  /** body bytes delivered before the socket was first removed from the poll set */
  bytesBeforeRemove: number;
}

async function runLimited(url: string, setup: (e: Easy) => void): Promise<Run> {
  const multi = new Multi();
  const loop = startAppLoop(multi);
  let perCall = 0;
  let maxPerCall = 0;
  const original = multi.socketAction.bind(multi);
  multi.socketAction = (s: number, ev?: number) => {
    perCall = 0;
    const r = original(s, ev);
    maxPerCall = Math.max(maxPerCall, perCall);
    return r;
  };
  const easy = new Easy();
  const chunks: Buffer[] = [];
  /** [events recorded so far, bytes] per write callback */
  const writes: [number, number][] = [];
  easy.setopt(CURLOPT.URL, url);
  easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    perCall += d.length;
    writes.push([loop.events.length, d.length]);
    chunks.push(Buffer.from(d));
    return d.length;
  });
  setup(easy);
  multi.addHandle(easy);
  original(CURL_SOCKET_TIMEOUT, 0);
  await loop.finished;
  loop.stop();
  let pausedAndResumed = false;
  let timerAfterRemove: number | undefined;
  let bytesBeforeRemove = -1;
  const ev = loop.events;
  for (let i = 0; i < ev.length; i++) {
    const a = ev[i]!;
    if (a.kind !== 'socket' || a.what !== CURL_POLL.REMOVE) continue;
    if (bytesBeforeRemove < 0) bytesBeforeRemove = writes.filter(([at]) => at <= i).reduce((n, [, len]) => n + len, 0);
    const next = ev.slice(i + 1).find((x) => x.kind === 'timer');
    if (timerAfterRemove === undefined && next && next.kind === 'timer') timerAfterRemove = next.ms;
    if (ev.slice(i + 1).some((b) => b.kind === 'socket' && b.s === a.s && b.what === CURL_POLL.IN)) pausedAndResumed = true;
  }
  const code = loop.done[0]!.result;
  multi.removeHandle(easy);
  easy.cleanup();
  multi.cleanup();
  return { code, body: Buffer.concat(chunks), maxPerCall, loop, pausedAndResumed, timerAfterRemove, bytesBeforeRemove };
}

test('MAX_RECV_SPEED_LARGE: at most the limit per run, then RATELIMITING (socket removed, timer set, polled again)', async () => {
  const body = Buffer.alloc(10_000, 'r');
  const srv = await startRawServer(() => ok(body));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    const limit = 4000;
    const limited = await runLimited(url, (e) => e.setopt(CURLOPT.MAX_RECV_SPEED_LARGE, limit));
    assert.equal(limited.code, CURLE.OK);
    assert.ok(limited.body.equals(body), 'every byte arrived, in order');
    assert.ok(limited.maxPerCall <= limit, `one call delivered ${limited.maxPerCall} bytes`);
    assert.ok(limited.pausedAndResumed, 'the transfer stopped polling its socket and came back to it');
    assert.ok(limited.timerAfterRemove !== undefined && limited.timerAfterRemove > 0, 'a TOOFAST timer was set');
    // the same download without a limit: the whole body in one call, no pause
    const free = await runLimited(url, () => {});
    assert.equal(free.code, CURLE.OK);
    assert.equal(free.maxPerCall, body.length);
    assert.equal(free.pausedAndResumed, false);
  } finally {
    await srv.close();
  }
});

test('MAX_SEND_SPEED_LARGE: an upload over the limit waits in RATELIMITING before reading the answer', async () => {
  const srv = await startRawServer((r) => ok(String(r.body.length)));
  try {
    const data = Buffer.alloc(1500, 'u');
    const limited = await runLimited(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.POSTFIELDS, data);
      e.setopt(CURLOPT.MAX_SEND_SPEED_LARGE, 1000);
    });
    assert.equal(limited.code, CURLE.OK);
    assert.equal(limited.body.toString(), '1500');
    // all 1500 bytes went out in the first run (as libcurl 7.88 sends a buffer): the wait comes after
    assert.equal(limited.bytesBeforeRemove, 0, 'the socket left the poll set before the answer was read');
    assert.ok(limited.timerAfterRemove !== undefined && limited.timerAfterRemove > 0, 'a TOOFAST timer was set');
  } finally {
    await srv.close();
  }
});

test('MAX_RECV_SPEED_LARGE through easy.perform (the built-in driver)', async () => {
  const body = Buffer.alloc(6000, 'p');
  const srv = await startRawServer(() => ok(body));
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.MAX_RECV_SPEED_LARGE, 4000));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, body.toString());
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('LOW_SPEED_LIMIT/LOW_SPEED_TIME: a stalled body fails with CURLE_OPERATION_TIMEDOUT', async () => {
  // the server promises 100000 bytes, sends 10 and stalls
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789' }));
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.LOW_SPEED_LIMIT, 1000);
      e.setopt(CURLOPT.LOW_SPEED_TIME, 1);
    });
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
    assert.equal(r.easy.errorBuffer, 'Operation too slow. Less than 1000 bytes/sec transferred the last 1 seconds');
    assert.equal(r.body, '0123456789');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('LOW_SPEED_LIMIT: a server that never answers is too slow as well', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.LOW_SPEED_LIMIT, 1);
      e.setopt(CURLOPT.LOW_SPEED_TIME, 1);
    });
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
    assert.equal(r.easy.errorBuffer, 'Operation too slow. Less than 1 bytes/sec transferred the last 1 seconds');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('speed options refuse negative values', () => {
  const e = new Easy();
  try {
    for (const o of [CURLOPT.MAX_RECV_SPEED_LARGE, CURLOPT.MAX_SEND_SPEED_LARGE, CURLOPT.LOW_SPEED_LIMIT, CURLOPT.LOW_SPEED_TIME]) {
      assert.equal(e.setopt(o, -1), CURLE.BAD_FUNCTION_ARGUMENT);
      assert.equal(e.setopt(o, 10), CURLE.OK);
    }
  } finally {
    e.cleanup();
  }
});

test('MAX_RECV_SPEED_LARGE on a protocol that reads its own connection (GOPHER): at most the limit per run, the rest waits in the transport', async () => {
  const body = Buffer.alloc(10_000, 'g');
  const srv = net.createServer((s) => s.once('data', () => s.end(body)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const url = `gopher://127.0.0.1:${(srv.address() as net.AddressInfo).port}/0/file`;
    const limit = 3000;
    const limited = await runLimited(url, (e) => e.setopt(CURLOPT.MAX_RECV_SPEED_LARGE, limit));
    assert.equal(limited.code, CURLE.OK);
    assert.ok(limited.body.equals(body), 'every byte arrived, in order');
    assert.ok(limited.maxPerCall <= limit, `one call delivered ${limited.maxPerCall} bytes`);
    assert.ok(limited.pausedAndResumed, 'the transfer stopped polling its socket and came back to it');
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
