// A CONNECT reply and a SOCKS-free tunnel whose bytes arrive in pieces over
// several event-loop turns: the receive path hands out views of reused
// memory, so whatever the tunnel keeps between turns must be its own copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a CONNECT reply split over many turns, then a body split the same way', async () => {
  const body = 'x'.repeat(3000) + 'END';
  const origin = createServer((s) => {
    s.on('error', () => {});
    s.once('data', async () => {
      const reply = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nX-Filler: ${'f'.repeat(500)}\r\n\r\n${body}`;
      for (let i = 0; i < reply.length; i += 97) {
        s.write(reply.slice(i, i + 97));
        await sleep(1);
      }
    });
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
  const originPort = (origin.address() as { port: number }).port;
  const sockets = new Set<Socket>();
  const proxy = createServer((c) => {
    sockets.add(c);
    c.on('error', () => {});
    c.once('data', async () => {
      const up = connect(originPort, '127.0.0.1');
      sockets.add(up);
      up.on('error', () => {});
      await new Promise((r) => up.once('connect', r));
      const reply = `HTTP/1.1 200 Connection established\r\nX-Proxy: ${'p'.repeat(300)}\r\n\r\n`;
      for (let i = 0; i < reply.length; i += 7) {
        c.write(reply.slice(i, i + 7));
        await sleep(1);
      }
      c.pipe(up);
      up.pipe(c);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const proxyPort = (proxy.address() as { port: number }).port;
  const e = new Easy();
  const chunks: Buffer[] = [];
  try {
    e.setopt(CURLOPT.URL, `http://origin.test:${originPort}/`);
    e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxyPort}`);
    e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    const code = await e.perform();
    assert.equal(code, CURLE.OK, e.errorBuffer);
    assert.equal(e.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
    assert.equal(Buffer.concat(chunks).toString(), body);
  } finally {
    e.cleanup();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => proxy.close(() => r()));
    await new Promise<void>((r) => origin.close(() => r()));
  }
});
