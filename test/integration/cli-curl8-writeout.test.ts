// curl 8.17's -w %header{name:all:sep} through the bundled tool: the fields
// of every response of a -L chain in arrival order (an interim 1xx response
// is not one of them), where %header{name} shows the last response's first
// field of the name (curl 7.88's curl_easy_header() index 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

test('-w %header{this:all:sep} over a redirect chain', async () => {
  const srv = await startRawServer((r) => r.target === '/first'
    ? { data: 'HTTP/1.1 301 Moved\r\nThis: one\r\nThis: two\r\nLocation: /second\r\nContent-Length: 0\r\n\r\n' }
    : { data: 'HTTP/1.1 100 Continue\r\nThis: interim\r\n\r\nHTTP/1.1 200 OK\r\nThis: three\r\nthis: four\r\nContent-Length: 3\r\n\r\nok\n' });
  try {
    const url = `http://127.0.0.1:${srv.port}/first`;
    const r = await tscurlBundle([url, '-s', '-L', '-o', '/dev/null', '-w', '%header{this:all:***}|%header{This:all:-{\\}-}|%header{this}|%{num_headers}\\n']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'one***two***three***four|one-{}-two-{}-three-{}-four|three|3\n');
    // without -L the chain is the one response
    const one = await tscurlBundle([url, '-s', '-o', '/dev/null', '-w', '%header{this:all:,}']);
    assert.equal(one.stdout, 'one,two');
  } finally {
    await srv.close();
  }
});
