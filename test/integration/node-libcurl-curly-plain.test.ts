// curly's plain path (a call with no libcurl option, on a kept handle):
// header bytes gathered in one buffer the handle keeps and grows, decoded
// once; node-libcurl's status-line split and header arrays; body parsers
// picked by Content-Type patterns part by part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curly } from '../../src/compat/node-libcurl/index.js';
import { parseHeaders } from '../../src/compat/node-libcurl/headers.js';
import { withRawServer, ok, type ReceivedRequest, type Reply } from '../helpers/raw-http-server.js';

const withServer = (handler: (r: ReceivedRequest) => Reply, fn: (base: string) => Promise<void>): Promise<void> =>
  withRawServer((srv) => fn(`http://127.0.0.1:${srv.port}`), handler);

/** `n` headers X-Hn of `size` bytes of value each. */
function manyHeaders(n: number, size: number): { text: string; expect: Record<string, string> } {
  const expect: Record<string, string> = {};
  let text = '';
  for (let i = 0; i < n; i++) {
    const v = String.fromCharCode(97 + (i % 26)).repeat(size);
    expect[`X-H${i}`] = v;
    text += `X-H${i}: ${v}\r\n`;
  }
  return { text, expect };
}

test('curly.get: heads larger than the kept header buffer (and far larger) come whole, UTF-8 decoded; the next call on the handle is clean', async () => {
  const small = manyHeaders(3, 10);
  const mid = manyHeaders(4, 1000); // past the 2 KiB the handle starts with
  const large = manyHeaders(90, 1000); // past the 64 KiB it keeps between calls
  const heads: Record<string, string> = { '/small': small.text, '/mid': mid.text, '/large': large.text };
  await withServer((r) => ok('body', `${heads[r.target]!}X-Utf8: caf\u00e9 \u2713\r\n`), async (base) => {
    for (const [p, want] of [['/small', small], ['/mid', mid], ['/large', large], ['/small', small], ['/mid', mid]] as const) {
      const res = await curly.get(`${base}${p}`, { curlyResponseBodyParser: false });
      assert.equal(res.statusCode, 200);
      assert.equal(res.data.toString(), 'body');
      assert.equal(res.headers.length, 1, p);
      const h = res.headers[0] as Record<string, unknown>;
      assert.deepEqual(h.result, { version: 'HTTP/1.1', code: 200, reason: 'OK' });
      for (const [k, v] of Object.entries(want.expect)) assert.equal(h[k], v, `${p} ${k}`);
      assert.equal(h['X-Utf8'], 'caf\u00e9 \u2713');
      // nothing of another response's head
      const names = Object.keys(h).filter((k) => k.startsWith('X-H'));
      assert.equal(names.length, Object.keys(want.expect).length, p);
    }
  });
});

test('node-libcurl header arrays: status lines split as node-libcurl splits them', () => {
  const parse = (status: string): unknown => parseHeaders(`${status}\r\nA: 1\r\n\r\n`)[0]!.result;
  assert.deepEqual(parse('HTTP/1.1 404 Not  Found'), { version: 'HTTP/1.1', code: 404, reason: 'Not  Found' });
  assert.deepEqual(parse('HTTP/1.1 200'), { version: 'HTTP/1.1', code: 200, reason: '' });
  assert.deepEqual(parse('HTTP/2 200 '), { version: 'HTTP/2', code: 200, reason: '' });
  assert.deepEqual(parse('HTTP/1.1 200 OK '), { version: 'HTTP/1.1', code: 200, reason: 'OK ' });
  assert.deepEqual(parse('HTTP/1.1  200 x'), { version: 'HTTP/1.1', code: NaN, reason: '200 x' });
  assert.deepEqual(parse('WEIRD'), { version: 'WEIRD', code: 0, reason: '' });
  // two responses, Set-Cookie in an array whatever its case, a value's one leading blank dropped
  const two = parseHeaders('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nset-cookie: a=1\r\nSet-Cookie:b=2\r\nX:\t  v \r\n\r\n');
  assert.equal(two.length, 2);
  assert.deepEqual(two[1]!['Set-Cookie'], ['a=1', 'b=2']);
  assert.equal(two[1]!['X'], '  v ');
});

test('curly body parsers: Content-Type patterns match part by part, an exact entry first, "*" last', async () => {
  const types: Record<string, string> = {
    '/vnd': 'application/vnd.x+json',
    '/csv': 'text/csv; charset=utf-8',
    '/odd': 'text/csv/extra',
    '/none': '',
  };
  await withServer((r) => ok('a,b', types[r.target] ? `Content-Type: ${types[r.target]}\r\n` : ''), async (base) => {
    const parsers = {
      'application/*': () => 'app-any',
      '*/csv': () => 'any-csv',
      'text/csv': () => 'exact-csv',
    };
    assert.equal((await curly.get(`${base}/vnd`, { curlyResponseBodyParsers: parsers })).data, 'app-any');
    assert.equal((await curly.get(`${base}/csv`, { curlyResponseBodyParsers: parsers })).data, 'exact-csv');
    // patterns in order, the defaults first: 'text/*' takes text/csv before a call's '*/csv'
    assert.equal((await curly.get(`${base}/csv`, { curlyResponseBodyParsers: { '*/csv': () => 'any-csv' } })).data, 'a,b');
    assert.equal((await curly.get(`${base}/vnd`, { curlyResponseBodyParsers: { '*/vnd.x+json': () => 'any-vnd' } })).data, 'any-vnd');
    // three parts match no two-part pattern: the '*' default (a Buffer)
    const odd = (await curly.get(`${base}/odd`, { curlyResponseBodyParsers: parsers })).data;
    assert.ok(Buffer.isBuffer(odd));
    assert.equal((await curly.get(`${base}/odd`, { curlyResponseBodyParsers: { '*/*/*': () => 'three' } })).data, 'three');
    assert.ok(Buffer.isBuffer((await curly.get(`${base}/none`, { curlyResponseBodyParsers: parsers })).data));
  });
});
