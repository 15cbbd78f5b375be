// curl 8.16's --parallel-max-host through the bundled tool: with -Z, at most
// that many connections to one host at once (CURLMOPT_MAX_HOST_CONNECTIONS);
// the other transfers wait for one and reuse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

test('-Z --parallel-max-host 1: three transfers to one host share one connection', async () => {
  const srv = await startRawServer((r) => ({ data: `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${r.target.slice(1)}\n` }));
  try {
    const base = `http://127.0.0.1:${srv.port}`;
    const r = await tscurlBundle(['-s', '-Z', '--parallel-max-host', '1', `${base}/a`, `${base}/b`, `${base}/c`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...r.stdout].sort().join(''), '\n\n\nabc');
    assert.equal(srv.requests.length, 3);
    assert.equal(srv.connections, 1);
    const bad = await tscurlBundle(['-Z', '--parallel-max-host', '-1', `${base}/a`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^tscurl: option --parallel-max-host: /);
  } finally {
    await srv.close();
  }
});
