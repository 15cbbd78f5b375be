// XFERINFOFUNCTION runs about once a second even while nothing moves, as
// libcurl's does, so an application can abort a stalled transfer from its
// progress callback: while the body stalls, and while a name lookup waits on
// a DNS server that never answers. No timing is asserted: the stalls end
// only because the callback aborted them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { Easy, CURLOPT, CURLE, openSocketCount } from '../../src/index.js';

test('an idle body: the callback is called again with unchanged numbers and its abort ends the transfer', async () => {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    // headers and a few bytes, then silence (the server never finishes by itself)
    s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhello'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const calls: number[][] = [];
  const e = new Easy();
  e.setopt(CURLOPT.URL, `http://127.0.0.1:${port}/`);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  e.setopt(CURLOPT.NOPROGRESS, 0);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000); // a safety net only: the callback must end it first
  e.setopt(CURLOPT.XFERINFOFUNCTION, (_p: unknown, dlt: number, dln: number) => {
    calls.push([dlt, dln]);
    const idle = calls.filter(([, n]) => n === 5).length;
    return idle >= 3 ? 1 : 0;
  });
  try {
    const code = await e.perform();
    assert.equal(code, CURLE.ABORTED_BY_CALLBACK);
    // the last three calls told the same numbers: the transfer was idle
    assert.deepEqual(calls.slice(-3), [[1000, 5], [1000, 5], [1000, 5]]);
  } finally {
    e.cleanup();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(openSocketCount(), 0);
});

test('a name lookup that never gets an answer: the callback runs and can abort it', async () => {
  const dns = createSocket('udp4'); // takes queries, never answers
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', () => r()));
  const e = new Easy();
  let calls = 0;
  e.setopt(CURLOPT.URL, 'http://stalled.test/');
  e.setopt(CURLOPT.DNS_SERVERS, `127.0.0.1:${dns.address().port}`);
  e.setopt(CURLOPT.NOPROGRESS, 0);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
  e.setopt(CURLOPT.XFERINFOFUNCTION, () => (++calls >= 2 ? 1 : 0));
  try {
    const code = await e.perform();
    assert.equal(code, CURLE.ABORTED_BY_CALLBACK);
    // no last call after the callback aborted (libcurl's multi_done)
    assert.equal(calls, 2);
  } finally {
    e.cleanup();
    dns.close();
  }
});
