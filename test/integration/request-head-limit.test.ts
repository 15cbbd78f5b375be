// libcurl builds an HTTP/1 request head in a buffer of at most 1 MiB
// (DYN_HTTP_REQUEST): a custom header that makes it larger is refused with
// curl 8's CURLE_TOO_LARGE before anything is sent (curl case 3229); one
// just under the limit goes out whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';

test('a request head of 1 MiB or more: CURLE_TOO_LARGE and nothing sent; just under it is sent', async () => {
  const received: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        received.push(end + 4);
        got = got.slice(end + 4);
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const run = async (valueLength: number): Promise<number> => {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${port}/`);
      e.setopt(CURLOPT.HTTPHEADER, [`X-Large: ${'x'.repeat(valueLength)}`]);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
      return await e.perform();
    } finally {
      e.cleanup();
    }
  };
  try {
    assert.equal(await run(1024 * 1024), CURLE.TOO_LARGE);
    assert.deepEqual(received, []);
    assert.equal(await run(1024 * 1024 - 200), CURLE.OK);
    assert.equal(received.length, 1);
    assert.ok(received[0]! < 1024 * 1024 && received[0]! > 1024 * 1024 - 200);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
