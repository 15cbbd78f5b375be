// An HTTP/1.0 server, as libcurl treats one: the response is assumed to close
// the connection unless "Connection: keep-alive" says otherwise (both said in
// the verbose text), and once a connection (or the transfer) has seen an
// HTTP/1.0 response its next requests are HTTP/1.0 requests
// (Curl_use_http_1_1plus / get_http_string; curl test 1074).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO_TYPE } from '../../src/index.js';
import { startRawServer } from '../helpers/raw-http-server.js';

function collect(e: Easy): { texts: string[]; body: Buffer[] } {
  const out = { texts: [] as string[], body: [] as Buffer[] };
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
    if (type === CURLINFO_TYPE.TEXT) out.texts.push(data.toString('latin1').trimEnd());
    if (type === CURLINFO_TYPE.HEADER_IN) out.texts.push(`< ${data.toString('latin1').trimEnd()}`);
    return 0;
  });
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (out.body.push(d), d.length));
  return out;
}

test('HTTP/1.0 keep-alive server: the reused connection gets an HTTP/1.0 request', async () => {
  const srv = await startRawServer(() => ({
    data: 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: Keep-Alive\r\n\r\nabc',
  }));
  try {
    const e = new Easy();
    try {
      const out = collect(e);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/one`);
      assert.equal(await e.perform(), CURLE.OK);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/two`);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 1, 'the keep-alive connection was reused');
      assert.equal(srv.requests[0]!.head.split('\r\n')[0], 'GET /one HTTP/1.1');
      assert.equal(srv.requests[1]!.head.split('\r\n')[0], 'GET /two HTTP/1.0');
      // curl -v's order: the assumption before the status line, the keep-alive news before its header
      const i = out.texts.indexOf('HTTP 1.0, assume close after body');
      assert.ok(i >= 0, out.texts.join('\n'));
      assert.equal(out.texts[i + 1], '< HTTP/1.0 200 OK');
      const k = out.texts.indexOf('HTTP/1.0 connection set to keep alive');
      assert.ok(k > i, out.texts.join('\n'));
      assert.equal(out.texts[k + 1], '< Connection: Keep-Alive');
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('HTTP/1.0 without keep-alive: no keep-alive line; a redirect in the same transfer goes out as HTTP/1.0', async () => {
  const srv = await startRawServer((req) => req.target === '/from'
    ? { data: 'HTTP/1.0 302 Found\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n', close: true }
    : { data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
  try {
    const e = new Easy();
    try {
      const out = collect(e);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/from`);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(Buffer.concat(out.body).toString(), 'ok');
      assert.deepEqual(srv.requests.map((r) => r.head.split('\r\n')[0]), ['GET /from HTTP/1.1', 'GET /to HTTP/1.0']);
      assert.equal(out.texts.filter((t) => t === 'HTTP 1.0, assume close after body').length, 1);
      assert.ok(!out.texts.includes('HTTP/1.0 connection set to keep alive'));
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});
