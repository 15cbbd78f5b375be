// tscurl/node-libcurl's Curl class end to end: its events, CurlFeature
// storage and parsing flags, options by name/alias/id, getInfo, dupHandle,
// reset, errors with node-libcurl's types and codes, and close() of a running
// request freeing its connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Curl, CurlFeature, CurlEasyError, CurlCode, CurlHttpVersion, CurlAuth, CurlInfoDebug, CurlProtocol, curly } from '../../src/compat/node-libcurl/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

interface Ended { status: number; data: string | Buffer; headers: unknown }

function run(curl: Curl): Promise<Ended> {
  return new Promise((resolve, reject) => {
    curl.on('end', (status: number, data: string | Buffer, headers: unknown) => resolve({ status, data, headers }));
    curl.on('error', (e: Error) => reject(e));
    curl.perform();
  });
}

test("Curl emits 'header' and 'data' per chunk, then 'end' with status, body text and parsed headers", async () => {
  const body = 'y'.repeat(40_000);
  const srv = await startRawServer(() => ok(body, 'Content-Type: text/plain\r\n'));
  try {
    const curl = new Curl();
    curl.setOpt('URL', `http://127.0.0.1:${srv.port}/`);
    const dataChunks: Buffer[] = [];
    const headerLines: string[] = [];
    curl.on('data', (c: Buffer, self: Curl) => { assert.equal(self, curl); dataChunks.push(c); });
    curl.on('header', (c: Buffer) => headerLines.push(c.toString()));
    const { status, data, headers } = await run(curl);
    assert.equal(status, 200);
    assert.equal(data, body);
    assert.ok(dataChunks.length >= 3, 'the body came in several pieces');
    assert.equal(Buffer.concat(dataChunks).toString(), body);
    assert.deepEqual(headerLines, ['HTTP/1.1 200 OK\r\n', `Content-Length: ${body.length}\r\n`, 'Content-Type: text/plain\r\n', '\r\n']);
    assert.deepEqual(headers, [{ result: { version: 'HTTP/1.1', code: 200, reason: 'OK' }, 'Content-Length': String(body.length), 'Content-Type': 'text/plain' }]);
    assert.equal(curl.getInfo('RESPONSE_CODE'), 200);
    assert.equal(curl.getInfo(Curl.info.RESPONSE_CODE), 200);
    assert.equal(curl.getInfo('EFFECTIVE_URL'), `http://127.0.0.1:${srv.port}/`);
    assert.equal(curl.getInfo('REDIRECT_URL'), '');
    curl.close();
    assert.equal(curl.isOpen, false);
  } finally {
    await srv.close();
  }
});

test('CurlFeature flags: raw Buffers, no storage, and the handle is reusable for the next request', async () => {
  const srv = await startRawServer(() => ok('héllo'));
  try {
    const curl = new Curl();
    curl.setOpt(Curl.option.URL, `http://127.0.0.1:${srv.port}/`);
    curl.enable(CurlFeature.Raw);
    let r = await run(curl);
    assert.ok(Buffer.isBuffer(r.data) && Buffer.isBuffer(r.headers));
    assert.equal((r.data as Buffer).toString(), 'héllo');
    assert.match((r.headers as Buffer).toString(), /^HTTP\/1\.1 200 OK\r\n/);
    curl.removeAllListeners();
    curl.disable(CurlFeature.Raw).enable(CurlFeature.NoStorage);
    let seen = 0;
    curl.on('data', (c: Buffer) => { seen += c.length; });
    r = await run(curl);
    assert.equal(seen, Buffer.byteLength('héllo'));
    assert.equal((r.data as Buffer).length, 0);
    assert.equal((r.headers as Buffer).length, 0);
    assert.throws(() => { curl.perform(); curl.perform(); }, /Handle already running!/);
    assert.throws(() => curl.enable(CurlFeature.Raw), /while a request is running/);
    await new Promise((resolve) => curl.once('end', resolve));
    curl.close();
    assert.equal(srv.connections, 1, 'every request reused the one connection');
  } finally {
    await srv.close();
  }
});

test('options by name, lower case, camelCase alias and id; enum values reach libcurl', async () => {
  const srv = await startRawServer((r) => ok(`${r.headers.get('x-a')}|${r.headers.get('authorization') ?? ''}`));
  try {
    const curl = new Curl();
    curl.setOpt('url', `http://127.0.0.1:${srv.port}/`)
      .setOpt('httpHeader', ['X-A: 1'])
      .setOpt('HTTP_VERSION', CurlHttpVersion.V1_1)
      .setOpt(Curl.option.HTTPAUTH, CurlAuth.Basic)
      .setOpt('USERPWD', 'u:p');
    const debug: number[] = [];
    curl.setOpt('VERBOSE', true).setOpt('DEBUGFUNCTION', (type: number) => { debug.push(type); return 0; });
    const { data } = await run(curl);
    assert.equal(data, '1|Basic dTpw');
    assert.ok(debug.includes(CurlInfoDebug.HeaderOut) && debug.includes(CurlInfoDebug.HeaderIn));
    curl.close();
  } finally {
    await srv.close();
  }
});

test('wrong option names and types throw node-libcurl errors with their codes; getInfo of an unknown info throws', () => {
  const curl = new Curl();
  assert.throws(() => curl.setOpt('NOPE', 1), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_UNKNOWN_OPTION
    && e.message === 'Unknown option given. First argument must be the option internal id or the option name. You can use the Curl.option constants.');
  assert.throws(() => curl.setOpt(999999, 1), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_UNKNOWN_OPTION);
  assert.throws(() => curl.setOpt('URL', 1), { name: 'TypeError', message: 'Option value must be a string.' });
  assert.throws(() => curl.setOpt('HTTPHEADER', 'x'), { name: 'TypeError', message: 'Option value must be an Array.' });
  assert.throws(() => curl.setOpt('XFERINFOFUNCTION', 1), { name: 'TypeError', message: 'Option value must be a null or a function.' });
  assert.throws(() => curl.setOpt('WRITEDATA', 1), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_UNKNOWN_OPTION);
  assert.throws(() => curl.getInfo('NOT_AN_INFO'), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_UNKNOWN_OPTION);
  assert.throws(() => curl.getInfo('PRIVATE'), CurlEasyError);
  curl.close();
  assert.throws(() => curl.handle.setOpt('URL', 'x'), (e: unknown) => e instanceof CurlEasyError && e.code === CurlCode.CURLE_BAD_FUNCTION_ARGUMENT);
});

test("a failed transfer emits 'error' with a CurlEasyError and the CURLcode; a throwing callback aborts with its error as cause", async () => {
  const srv = await startRawServer(() => ok('body'));
  try {
    const dead = await startRawServer(() => ({ hang: true }));
    const deadPort = dead.port;
    await dead.close();
    const curl = new Curl();
    curl.setOpt('URL', `http://127.0.0.1:${deadPort}/`);
    const [err, code, self] = await new Promise<[Error, number, Curl]>((resolve) => {
      curl.on('error', (e: Error, c: number, s: Curl) => resolve([e, c, s]));
      curl.perform();
    });
    assert.ok(err instanceof CurlEasyError);
    assert.equal(code, CurlCode.CURLE_COULDNT_CONNECT);
    assert.equal(err.code, code);
    assert.equal(self, curl);
    curl.close();
    const thrower = new Curl();
    thrower.setOpt('URL', `http://127.0.0.1:${srv.port}/`);
    thrower.on('data', () => { throw new Error('listener broke'); });
    const [e2, c2] = await new Promise<[Error, number]>((resolve) => {
      thrower.on('error', (e: Error, c: number) => resolve([e, c]));
      thrower.perform();
    });
    assert.equal(c2, CurlCode.CURLE_ABORTED_BY_CALLBACK);
    assert.equal(e2.message, 'Request was aborted by a callback');
    assert.equal((e2.cause as Error).message, 'listener broke');
    thrower.close();
  } finally {
    await srv.close();
  }
});

test('dupHandle copies options, features and listeners; reset() drops options and listeners', async () => {
  const srv = await startRawServer((r) => ok(`${r.target}:${r.headers.get('x-b') ?? '-'}`));
  try {
    const a = new Curl();
    a.setOpt('URL', `http://127.0.0.1:${srv.port}/a`).setOpt('HTTPHEADER', ['X-B: 2']).enable(CurlFeature.NoDataParsing);
    const ends: string[] = [];
    a.on('end', (_s: number, d: Buffer) => ends.push(d.toString()));
    const b = a.dupHandle();
    const c = a.dupHandle(false);
    await new Promise((r) => { b.once('end', r); b.perform(); });
    assert.deepEqual(ends, ['/a:2']);
    const cd = await run(c);
    assert.ok(Buffer.isBuffer(cd.data));
    assert.equal(ends.length, 1, "the copy made with false has none of a's listeners");
    a.reset();
    assert.equal(a.listenerCount('end'), 0);
    a.setOpt('URL', `http://127.0.0.1:${srv.port}/r`);
    const r = await run(a);
    assert.equal(r.data.toString(), '/r:-');
    for (const h of [a, b, c]) h.close();
  } finally {
    await srv.close();
  }
});

test('close() during a transfer stops it without events and frees its connection', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  try {
    const curl = new Curl();
    curl.setOpt('URL', `http://127.0.0.1:${srv.port}/slow`);
    let events = 0;
    curl.on('end', () => events++);
    curl.on('error', () => events++);
    curl.perform();
    for (let i = 0; i < 200 && srv.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.openConnections, 1);
    curl.close();
    for (let i = 0; i < 200 && srv.openConnections > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(srv.openConnections, 0, 'the connection was closed');
    assert.equal(events, 0);
    assert.equal(Curl.getCount(), 0);
  } finally {
    await srv.close();
  }
});

test('deprecated options node-libcurl programs still use: PROTOCOLS, REDIR_PROTOCOLS (bitmasks) and PUT', async () => {
  const srv = await startRawServer((r) => (r.target === '/redir'
    ? { data: `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${srv.port}/to\r\nContent-Length: 0\r\n\r\n` }
    : ok(`${r.method} ${r.body.toString()}`)));
  try {
    const base = `http://127.0.0.1:${srv.port}`;
    // only HTTPS allowed: an http:// URL is refused before anything is sent
    const refused = await curly.get(`${base}/x`, { protocols: CurlProtocol.HTTPS }).then(() => null, (e: unknown) => e);
    assert.ok(refused instanceof CurlEasyError && refused.code === CurlCode.CURLE_UNSUPPORTED_PROTOCOL);
    assert.equal(String((await curly.get(`${base}/x`, { PROTOCOLS: CurlProtocol.HTTP | CurlProtocol.HTTPS })).data), 'GET ');
    const redir = await curly.get(`${base}/redir`, { followLocation: true, redirProtocols: CurlProtocol.HTTPS }).then(() => null, (e: unknown) => e);
    assert.ok(redir instanceof CurlEasyError && redir.code === CurlCode.CURLE_UNSUPPORTED_PROTOCOL);
    const curl = new Curl();
    let offset = 0;
    const body = Buffer.from('put body');
    curl.setOpt('URL', `${base}/put`).setOpt(Curl.option.PUT, true).setOpt('INFILESIZE', body.length)
      .setOpt('READFUNCTION', (buf: Buffer) => { const n = body.copy(buf, 0, offset); offset += n; return n; });
    assert.equal((await run(curl)).data, 'PUT put body');
    curl.close();
    assert.equal(srv.requests.filter((r) => r.target === '/x').length, 1);
  } finally {
    await srv.close();
  }
});
