// CURLOPT_MAXFILESIZE against the announced size, as libcurl's http_size():
// a final response whose Content-Length is over the limit fails with
// CURLE_FILESIZE_EXCEEDED before any body byte is delivered, as does a
// Content-Length too large to count; a chunked or 304 reply, a length within
// the limit, IGNORE_CONTENT_LENGTH and a redirect body that is skipped do not
// (curl test 393).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

const replies: Record<string, string> = {
  '/big': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'x'.repeat(100),
  '/huge': 'HTTP/1.1 200 OK\r\nContent-Length: 36893488147419103232\r\n\r\nabc',
  '/small': 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789',
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  '/304': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n',
  '/redirect': 'HTTP/1.1 302 Found\r\nLocation: /small\r\nContent-Length: 50\r\n\r\n' + 'r'.repeat(50),
};

test('MAXFILESIZE refuses an announced size over the limit before reading the body', async () => {
  const srv = await startRawServer((req) => ({ data: replies[req.target] ?? 'HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n' }));
  const get = async (p: string, setup?: (e: import('../../src/index.js').Easy) => void): Promise<{ code: number; body: string; err: string }> => {
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}${p}`, (e) => {
      e.setopt(CURLOPT.MAXFILESIZE_LARGE, 10);
      setup?.(e);
    });
    const r = { code: f.code, body: f.body, err: f.easy.errorBuffer };
    f.easy.cleanup();
    return r;
  };
  try {
    for (const p of ['/big', '/huge']) {
      const r = await get(p);
      assert.equal(r.code, CURLE.FILESIZE_EXCEEDED, p);
      assert.equal(r.err, 'Maximum file size exceeded', p);
      assert.equal(r.body, '', `${p}: no body byte was delivered`);
    }
    const nobody = await get('/big', (e) => e.setopt(CURLOPT.NOBODY, 1));
    assert.equal(nobody.code, CURLE.FILESIZE_EXCEEDED, 'HEAD: the announced size counts too');
    assert.deepEqual(await get('/small'), { code: CURLE.OK, body: '0123456789', err: '' });
    assert.deepEqual(await get('/chunked'), { code: CURLE.OK, body: 'abc', err: '' });
    assert.equal((await get('/304')).code, CURLE.OK);
    assert.deepEqual(await get('/redirect', (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1)), { code: CURLE.OK, body: '0123456789', err: '' });
    // without a trusted length only the bytes themselves count (then the counting limit applies)
    const ignored = await get('/big', (e) => e.setopt(CURLOPT.IGNORE_CONTENT_LENGTH, 1));
    assert.equal(ignored.code, CURLE.FILESIZE_EXCEEDED);
    assert.match(ignored.err, /^Exceeded the maximum allowed file size \(10\)/);
  } finally {
    await srv.close();
  }
});
