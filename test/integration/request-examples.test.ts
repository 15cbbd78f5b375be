// The README's request() and CurlDispatcher examples (examples/*.ts, shown in
// the README verbatim) run against local servers and do what the README says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { requestBasics } from '../../examples/request-basics.js';
import { fetchThroughCurl } from '../../examples/fetch-dispatcher.js';
import { firstReply } from '../../examples/websocket-dispatcher.js';
import { WebSocketServer } from 'ws';
import { startProxyServer } from '../helpers/proxy-server.js';

const ROOT = new URL('../../../', import.meta.url);

/** The example as the README shows it: imports from the package instead of ../src. */
function asInReadme(file: string): string {
  return readFileSync(new URL(`examples/${file}`, ROOT), 'utf8')
    .replace("'../src/index.js'", "'tscurl'")
    .replace("'../src/dispatcher/index.js'", "'tscurl/dispatcher'")
    .trim();
}

test('README shows examples/request-basics.ts, fetch-dispatcher.ts and websocket-dispatcher.ts as they are', () => {
  const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
  for (const f of ['request-basics.ts', 'fetch-dispatcher.ts', 'websocket-dispatcher.ts']) {
    assert.ok(readme.includes(asInReadme(f)), `README.md does not show examples/${f} verbatim`);
  }
});

test('examples/request-basics: GET as JSON, POST retried past a 503, a refused connection as CURLcode 7', async () => {
  let posts = 0;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.url === '/users/1') return void res.end(JSON.stringify({ id: 1 }));
      if (++posts === 1) {
        res.writeHead(503);
        return void res.end('later');
      }
      res.end(`created ${body}`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const out = await requestBasics(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
    assert.equal(out.status, 200);
    assert.deepEqual(out.json, { id: 1 });
    assert.equal(out.text, 'created {"name":"ada"}');
    assert.equal(posts, 2);
    assert.equal(out.failed, 7);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('examples/fetch-dispatcher: fetch goes through the HTTP proxy named in the curl options', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy' }));
  try {
    const text = await fetchThroughCurl('http://origin.example/page', `http://127.0.0.1:${proxy.port}`);
    assert.equal(text, 'via proxy');
    assert.equal(proxy.requests.length, 1);
    assert.match(proxy.requests[0]!.head, /^GET http:\/\/origin\.example\/page HTTP\/1\.1\r\n/);
    assert.match(proxy.requests[0]!.head, new RegExp(`\r\nProxy-Authorization: Basic ${Buffer.from('me:secret').toString('base64')}\r\n`));
  } finally {
    await proxy.close();
  }
});

test('examples/websocket-dispatcher: undici\'s WebSocket reaches the server RESOLVE names and gets its answer', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const hosts: string[] = [];
  wss.on('connection', (ws, req) => {
    hosts.push(String(req.headers.host));
    ws.on('message', (m) => ws.send(`re: ${m.toString()}`));
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  try {
    assert.equal(await firstReply(`ws://chat.example:${port}/`, `chat.example:${port}:127.0.0.1`, 'hello'), 're: hello');
    assert.deepEqual(hosts, [`chat.example:${port}`]);
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  }
});
