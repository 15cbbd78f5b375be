// request()'s status and headers as HTTP's header store has them (the
// strings curl_easy_header() returns): names as sent, values trimmed of
// blanks, an obs-folded value joined with one space, repeated names kept in
// order, interim and redirect responses left out; on a kept handle (no curl
// options) and on one of its own (FOLLOWLOCATION).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { MultiRunner, request } from '../../src/index.js';

/** A server answering each request on a connection with the next of `replies` (raw bytes); bounded by the list. */
async function rawServer(replies: string[]): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((sock) => {
    let got = '';
    let n = 0;
    sock.on('data', (d) => {
      got += d.toString('latin1');
      // one reply per request head (these requests have no body)
      while (got.includes('\r\n\r\n') && n < replies.length) {
        got = got.slice(got.indexOf('\r\n\r\n') + 4);
        sock.write(replies[n++]!);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const FINAL = 'HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n' +
  'HTTP/1.1 200 Fine Here\r\nX-Folded: first\r\n \t second\r\nX-Pad: \t inner  spaces kept \t\r\n' +
  'Set-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 2\r\n\r\nok';

async function check(res: Awaited<ReturnType<typeof request>>): Promise<void> {
  assert.equal(res.status, 200);
  assert.equal(res.statusText, 'Fine Here');
  assert.equal(res.protocol, 'HTTP/1.1');
  assert.deepEqual(res.rawHeaders, [
    'X-Folded', 'first second', 'X-Pad', 'inner  spaces kept', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Content-Length', '2',
  ]);
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(res.headers['x-folded'], 'first second');
  assert.equal(await res.text(), 'ok');
}

test('request(): header values trimmed, obs-fold joined with a space, repeats in order, the interim response left out (kept handles)', async () => {
  const { server, port } = await rawServer([FINAL, FINAL]);
  const runner = new MultiRunner();
  try {
    // twice: the second request runs on the handle the first one left
    for (let i = 0; i < 2; i++) await check(await request(`http://127.0.0.1:${port}/`, { runner }));
  } finally {
    runner.close();
    await new Promise((r) => server.close(r));
  }
});

test('request(): after a redirect it follows, only the final response\'s headers', async () => {
  const { server, port } = await rawServer([
    'HTTP/1.1 302 Found\r\nLocation: /next\r\nX-Early: no\r\nContent-Length: 0\r\n\r\n',
    FINAL,
  ]);
  const runner = new MultiRunner();
  try {
    const res = await request(`http://127.0.0.1:${port}/`, { runner, options: { FOLLOWLOCATION: 1 } });
    assert.equal(res.url, `http://127.0.0.1:${port}/next`);
    await check(res);
  } finally {
    runner.close();
    await new Promise((r) => server.close(r));
  }
});
