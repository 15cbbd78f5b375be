// tscurl/node-libcurl's curly end to end over a loopback server: the HTTP
// verbs, body parsers chosen by Content-Type, node-libcurl's header arrays,
// curly's own options, and bad input (wrong option names and types, a body
// that is not the JSON it claims to be).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curly, Curl, CurlEasyError, CurlCode } from '../../src/compat/node-libcurl/index.js';
import { startRawServer, withRawServer, ok, type ReceivedRequest, type Reply } from '../helpers/raw-http-server.js';

function typed(type: string, body: string, extra = ''): Reply {
  return ok(body, `Content-Type: ${type}\r\n${extra}`);
}

const withServer = (handler: (r: ReceivedRequest) => Reply, fn: (base: string, requests: ReceivedRequest[]) => Promise<void>): Promise<void> =>
  withRawServer((srv) => fn(`http://127.0.0.1:${srv.port}`, srv.requests), handler);

test('curly verbs send their method and body; the response is { statusCode, data, headers }', async () => {
  await withServer((r) => typed('text/plain; charset=utf-8', `${r.method} ${r.body.toString()}`), async (base, reqs) => {
    const get = await curly.get(`${base}/g`);
    assert.equal(get.statusCode, 200);
    assert.equal(get.data, 'GET ');
    const post = await curly.post(`${base}/p`, { postFields: 'a=1' });
    assert.equal(post.data, 'POST a=1');
    assert.equal(reqs.at(-1)!.headers.get('content-type'), 'application/x-www-form-urlencoded');
    const put = await curly.put(`${base}/u`, { postFields: JSON.stringify({ x: 1 }), httpHeader: ['Content-Type: application/json'] });
    assert.equal(put.data, 'PUT {"x":1}');
    assert.equal((await curly.patch(`${base}/pa`, { POSTFIELDS: 'z' })).data, 'PATCH z');
    assert.equal((await curly.delete(`${base}/d`)).data, 'DELETE ');
    const head = await curly.head(`${base}/h`);
    assert.equal(head.statusCode, 200);
    assert.equal(reqs.at(-1)!.method, 'HEAD');
    // the body of a HEAD is not read: what curly hands back is an empty text
    assert.equal(head.data, '');
    assert.equal((await curly(`${base}/plain`)).data, 'GET ');
    assert.match(reqs[0]!.headers.get('user-agent')!, /^node-libcurl\/5\.\d+\.\d+ tscurl\//);
  });
});

test('body parsers: JSON, text/*, a Buffer for other types; custom parsers and curlyResponseBodyParser', async () => {
  const bodies: Record<string, Reply> = {
    '/json': typed('application/json; charset=utf-8', '{"a":[1,2]}'),
    '/text': typed('text/html', '<p>hi</p>'),
    '/bin': typed('application/octet-stream', '\x00\x01'),
    '/csv': typed('text/csv', 'a,b'),
  };
  await withServer((r) => bodies[r.target]!, async (base) => {
    assert.deepEqual((await curly.get(`${base}/json`)).data, { a: [1, 2] });
    assert.equal((await curly.get(`${base}/text`)).data, '<p>hi</p>');
    const bin = (await curly.get(`${base}/bin`)).data;
    assert.ok(Buffer.isBuffer(bin));
    assert.deepEqual([...bin], [0, 1]);
    const custom = await curly.get(`${base}/csv`, {
      curlyResponseBodyParsers: { 'text/csv': (data: Buffer) => data.toString().split(',') },
    });
    assert.deepEqual(custom.data, ['a', 'b']);
    const raw = await curly.get(`${base}/json`, { curlyResponseBodyParser: false });
    assert.ok(Buffer.isBuffer(raw.data));
    const always = await curly.get(`${base}/text`, { curlyResponseBodyParser: (d: Buffer, h: unknown[]) => `${h.length}:${d.length}` });
    assert.equal(always.data, '1:9');
    await assert.rejects(curly.get(`${base}/json`, { curlyResponseBodyParsers: { 'application/json': 'nope' as never } }), TypeError);
  });
});

test('a body that is not the JSON it claims rejects with the parse error, its cause and the response', async () => {
  await withServer(() => typed('application/json', '{"broken": '), async (base) => {
    const err = await curly.get(`${base}/`).then(() => null, (e: unknown) => e as Error & { response: { statusCode: number; data: Buffer; headers: unknown[] } });
    assert.ok(err);
    assert.match(err.message, /^curly failed to parse "application\/json" content as JSON/);
    assert.ok(err.cause instanceof SyntaxError);
    assert.equal(err.response.statusCode, 200);
    assert.equal(err.response.data.toString(), '{"broken": ');
    assert.equal(err.response.headers.length, 1);
  });
});

test('headers are node-libcurl arrays: one object per response, result, Set-Cookie as an array; curlyLowerCaseHeaders', async () => {
  await withServer((r) => r.target === '/from'
    ? { data: 'HTTP/1.1 302 Found\r\nLocation: /to\r\nSet-Cookie: a=1\r\nContent-Length: 0\r\n\r\n' }
    : typed('text/plain', 'there', 'Set-Cookie: b=2\r\nSet-Cookie: c=3\r\nX-Thing: one two\r\n'), async (base) => {
    const { statusCode, headers, data } = await curly.get(`${base}/from`, { followLocation: true });
    assert.equal(statusCode, 200);
    assert.equal(data, 'there');
    assert.equal(headers.length, 2);
    assert.deepEqual(headers[0]!.result, { version: 'HTTP/1.1', code: 302, reason: 'Found' });
    assert.equal(headers[0]!.Location, '/to');
    assert.deepEqual(headers[0]!['Set-Cookie'], ['a=1']);
    assert.deepEqual(headers[1]!.result, { version: 'HTTP/1.1', code: 200, reason: 'OK' });
    assert.deepEqual(headers[1]!['Set-Cookie'], ['b=2', 'c=3']);
    assert.equal(headers[1]!['X-Thing'], 'one two');
    const lower = await curly.get(`${base}/to`, { curlyLowerCaseHeaders: true });
    assert.equal(lower.headers[0]!['x-thing'], 'one two');
    assert.deepEqual(lower.headers[0]!['set-cookie'], ['b=2', 'c=3']);
    assert.equal(lower.headers[0]!['X-Thing'], undefined);
  });
});

test('curly.create defaults, curlyBaseUrl, option names by libcurl name, camelCase and id, progress callback', async () => {
  await withServer((r) => typed('text/plain', `${r.target} ${r.headers.get('x-default') ?? ''}`), async (base) => {
    const api = curly.create({ curlyBaseUrl: base, httpHeader: ['X-Default: yes'] });
    assert.equal((await api.get('/one')).data, '/one yes');
    assert.equal((await api.get('/two', { HTTPHEADER: ['X-Default: no'] })).data, '/two no');
    assert.equal((await curly.get('/three', { curlyBaseUrl: base })).data, '/three ');
    let calls = 0;
    await curly.get(`${base}/p`, { noProgress: false, curlyProgressCallback: () => { calls++; return 0; } });
    assert.ok(calls > 0);
  });
});

test('wrong option names or value types throw node-libcurl errors synchronously, and the handle is freed', async () => {
  await withServer(() => typed('text/plain', 'x'), async (base) => {
    assert.throws(() => curly.get(base, { NOT_AN_OPTION: 1 }), (e: unknown) =>
      e instanceof CurlEasyError && e.code === CurlCode.CURLE_UNKNOWN_OPTION && /Unknown option given/.test(e.message));
    assert.throws(() => curly.get(base, { httpHeader: 'X-A: b' }), { name: 'TypeError', message: 'Option value must be an Array.' });
    assert.throws(() => curly.get(base, { userAgent: 42 }), { name: 'TypeError', message: 'Option value must be a string.' });
    assert.throws(() => curly.get(base, { writeFunction: 'x' }), { name: 'TypeError', message: 'Option value must be a null or a function.' });
    assert.throws(() => curly.get(base, { curlyProgressCallback: 5 as never }), TypeError);
    // a request after the refused ones works
    assert.equal((await curly.get(base)).data, 'x');
  });
});

test('a failed transfer rejects with CurlEasyError carrying the CURLcode', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  const port = srv.port;
  await srv.close();
  const err = await curly.get(`http://127.0.0.1:${port}/`).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof CurlEasyError);
  assert.equal(err.code, CurlCode.CURLE_COULDNT_CONNECT);
  assert.match(err.message, /^Request failed: /);
  await withServer(() => ({ data: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' }), async (base) => {
    const e2 = await curly.get(base, { failOnError: true }).then(() => null, (e: unknown) => e);
    assert.ok(e2 instanceof CurlEasyError);
    assert.equal(e2.code, CurlCode.CURLE_HTTP_RETURNED_ERROR);
    assert.equal((await curly.get(base)).statusCode, 404);
  });
});

// a handle left in stream mode would hold its next response forever: the timeout turns that into a failure
test('setObjectPoolLimit reuses Curl handles, each starting clean (options, listeners and features)', { timeout: 30_000 }, async () => {
  await withServer((r) => typed('text/plain', `${r.target} ${r.headers.get('x-h') ?? '-'}`), async (base) => {
    const api = curly.create();
    api.setObjectPoolLimit(1);
    try {
      const streamed = await api.get<import('node:stream').Readable>(`${base}/s`, { curlyStreamResponse: true, httpHeader: ['X-H: 1'] });
      let text = '';
      for await (const c of streamed.data) text += String(c);
      assert.equal(text, '/s 1');
      // let the streamed request hand its handle back to the pool
      await new Promise((r) => setImmediate(r));
      // (an option of their own: a call with none takes curly's plain path, not the pool)
      const plain = await api.get(`${base}/p`, { followLocation: false });
      assert.equal(plain.data, '/p -', 'no header, no stream left over from the pooled handle');
      assert.equal((await api.get(`${base}/q`, { followLocation: false })).data, '/q -');
    } finally {
      api.setObjectPoolLimit(0);
    }
  });
});

test('parallel curly calls run together on the shared Multi and reuse its connections', async () => {
  await withServer((r) => typed('text/plain', r.target), async (base, requests) => {
    let next = 0;
    const seen: string[] = [];
    const worker = async (): Promise<void> => {
      while (next < 100) {
        const i = next++;
        seen.push((await curly.get(`${base}/${i}`)).data as string);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    assert.equal(seen.length, 100);
    assert.deepEqual(new Set(seen), new Set(Array.from({ length: 100 }, (_, i) => `/${i}`)));
    const connections = new Set(requests.map((r) => r.connectionId)).size;
    assert.ok(connections <= 10, `${connections} connections for 100 requests, 10 at a time`);
  });
});

test('a call without libcurl options (kept handles) sends what a new Curl sends, with the User-Agent of the moment, and nothing of an earlier call', async () => {
  const saved = Curl.defaultUserAgent;
  await withServer((r) => (r.target === '/set' ? typed('text/plain', 'set', 'Set-Cookie: s=1\r\n') : typed('text/plain', r.target)), async (base, requests) => {
    try {
      await curly.get(`${base}/a`);
      await curly.get(`${base}/a`, { verbose: false }); // an option: a new Curl
      assert.equal(requests[0]!.raw.toString('latin1'), requests[1]!.raw.toString('latin1'));
      // the same URL again and again on kept handles, in parallel
      const all = await Promise.all(Array.from({ length: 20 }, (_, i) => curly.get(`${base}/${i % 2 ? 'a' : 'b'}`)));
      assert.deepEqual(all.map((r) => r.data), Array.from({ length: 20 }, (_, i) => (i % 2 ? '/a' : '/b')));
      Curl.defaultUserAgent = 'changed/1';
      await curly.get(`${base}/a`);
      assert.equal(requests.at(-1)!.headers.get('user-agent'), 'changed/1');
      Curl.defaultUserAgent = null;
      await curly.get(`${base}/a`);
      assert.equal(requests.at(-1)!.headers.get('user-agent'), undefined);
      // a response's cookie is not sent by a later call (no cookie engine on the kept handle)
      await curly.get(`${base}/set`);
      await curly.get(`${base}/after`);
      assert.equal(requests.at(-1)!.headers.get('cookie'), undefined);
      // curlyBaseUrl, lower-case header names and a parser of the call's own take the same path
      const r = await curly.get('/x', { curlyBaseUrl: base, curlyLowerCaseHeaders: true, curlyResponseBodyParsers: { 'text/plain': (d: Buffer) => `parsed ${d}` } });
      assert.equal(r.data, 'parsed /x');
      assert.equal((r.headers[0] as Record<string, unknown>)['content-type'], 'text/plain');
    } finally {
      Curl.defaultUserAgent = saved;
    }
  });
  // a failed call leaves a handle the next call can use
  const srv = await startRawServer(() => ({ hang: true }));
  const port = srv.port;
  await srv.close();
  await assert.rejects(curly.get(`http://127.0.0.1:${port}/`), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_COULDNT_CONNECT);
  await withServer((req) => typed('text/plain', req.target), async (base) => {
    assert.equal((await curly.get(`${base}/again`)).data, '/again');
  });
});
