// request(): the Promise API over real loopback servers — bodies both ways,
// backpressure through CURLPAUSE, abort, retries by curl's rules, errors with
// CURLcodes, connection reuse on the shared runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { startBodyServer as server, closeBodyServer as close, BodyPump, type BodyHandler } from '../helpers/body-server.js';
import { refusedPort } from '../helpers/ports.js';
import { request, CurlError, CURLE, MultiRunner } from '../../src/index.js';


const echo: BodyHandler = (req, res, body) => {
  res.setHeader('Set-Cookie', ['a=1', 'b=2']);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }));
};

test('request(): GET resolves with status, lower-case headers (repeats as arrays) and the body helpers', async () => {
  const { base, srv } = await server(echo);
  try {
    const res = await request(`${base}/hello?x=1`, { headers: { 'X-Token': 'abc', Accept: 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(res.statusText, 'OK');
    assert.equal(res.protocol, 'HTTP/1.1');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.url, `${base}/hello?x=1`);
    const j = await res.json<{ method: string; url: string; headers: Record<string, string> }>();
    assert.equal(j.method, 'GET');
    assert.equal(j.url, '/hello?x=1');
    assert.equal(j.headers['x-token'], 'abc');
    assert.equal(j.headers.accept, 'application/json');
  } finally {
    await close(srv);
  }
});

test('request(): bodies from a string, a Buffer, a Readable and an async iterable; methods as curl sets them', async () => {
  const { base, srv } = await server(echo);
  try {
    const s = await (await request(`${base}/s`, { method: 'POST', body: 'a=1' })).json<Record<string, any>>();
    assert.equal(s.method, 'POST');
    assert.equal(s.body, 'a=1');
    assert.equal(s.headers['content-length'], '3');
    const b = await (await request(`${base}/b`, { method: 'PUT', body: Buffer.from('bytes!'), headers: { Expect: null } })).json<Record<string, any>>();
    assert.equal(b.method, 'PUT');
    assert.equal(b.body, 'bytes!');
    assert.equal(b.headers['content-length'], '6');
    const r = await (await request(`${base}/r`, { method: 'POST', body: Readable.from(['re', 'ad', 'able']), headers: { 'Content-Type': 'text/plain' } })).json<Record<string, any>>();
    assert.equal(r.body, 'readable');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal(r.headers['content-type'], 'text/plain');
    async function* slow(): AsyncGenerator<string> {
      for (let i = 0; i < 5; i++) {
        await new Promise((res) => setImmediate(res));
        yield `part${i};`;
      }
    }
    const g = await (await request(`${base}/g`, { method: 'PATCH', body: slow() })).json<Record<string, any>>();
    assert.equal(g.method, 'PATCH');
    assert.equal(g.body, 'part0;part1;part2;part3;part4;');
    const h = await request(`${base}/h`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal((await h.bytes()).length, 0);
    const d = await (await request(`${base}/d`, { method: 'DELETE' })).json<Record<string, any>>();
    assert.equal(d.method, 'DELETE');
    const removed = await (await request(`${base}/n`, { headers: { Accept: null, 'User-Agent': 'me' } })).json<Record<string, any>>();
    assert.equal(removed.headers.accept, undefined);
    assert.equal(removed.headers['user-agent'], 'me');
  } finally {
    await close(srv);
  }
});

test('request(): curl options by name apply (FOLLOWLOCATION, USERPWD) and a refused option rejects with its CURLcode', async () => {
  const { base, srv } = await server((req, res, body) => {
    if (req.url === '/from') {
      res.writeHead(302, { Location: '/to' });
      res.end('moved');
      return;
    }
    echo(req, res, body);
  });
  try {
    const res = await request(`${base}/from`, { options: { FOLLOWLOCATION: 1, USERPWD: 'u:p' } });
    assert.equal(res.status, 200);
    assert.equal(res.url, `${base}/to`);
    const j = await res.json<Record<string, any>>();
    assert.equal(j.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    const noFollow = await request(`${base}/from`);
    assert.equal(noFollow.status, 302);
    assert.equal(await noFollow.text(), 'moved');
    // libcurl's answers: an HTTP version past the last is CURLE_UNSUPPORTED_PROTOCOL, an unknown name CURLE_UNKNOWN_OPTION
    await assert.rejects(request(`${base}/`, { options: { HTTP_VERSION: 999 } }), (e: unknown) => e instanceof CurlError && e.code === CURLE.UNSUPPORTED_PROTOCOL);
    await assert.rejects(request(`${base}/`, { options: { NO_SUCH_OPTION: 1 } as never }), (e: unknown) => e instanceof CurlError && e.code === CURLE.UNKNOWN_OPTION);
    await assert.rejects(request(`${base}/`, { options: { WRITEFUNCTION: () => 0 } }), CurlError);
    await assert.rejects(request('htp:/bad url'), (e: unknown) => e instanceof CurlError);
  } finally {
    await close(srv);
  }
});

test('request(): a failed transfer rejects with a CurlError carrying the CURLcode and error text', async () => {
  const port = await refusedPort(); // nothing listens there, and no server started meanwhile takes it
  await assert.rejects(request(`http://127.0.0.1:${port}/`), (e: unknown) => {
    assert.ok(e instanceof CurlError);
    assert.equal(e.code, CURLE.COULDNT_CONNECT);
    assert.match(e.detail, /Failed to connect/);
    return true;
  });
  const { base, srv } = await server((_req, res) => {
    res.writeHead(500);
    res.end('oops');
  });
  try {
    await assert.rejects(request(base, { options: { FAILONERROR: 1 } }), (e: unknown) => e instanceof CurlError && e.code === CURLE.HTTP_RETURNED_ERROR);
  } finally {
    await close(srv);
  }
});

test('request(): the body stream holds the transfer back (CURLPAUSE) until it is read', async () => {
  const total = 64 * 1024 * 1024;
  const pump = new BodyPump(total, 'z');
  const { base, srv } = await server((_req, res) => {
    pump.send(res);
  });
  try {
    const res = await request(`${base}/big`);
    // not reading: the server must come to a stop long before the end
    await pump.settle();
    assert.equal(pump.finished, false, 'the whole body was pulled in although nobody read it');
    assert.ok(res.body.readableLength <= 1024 * 1024, `the stream buffered ${res.body.readableLength} bytes`);
    let got = 0;
    for await (const c of res.body) got += (c as Buffer).length;
    assert.equal(got, total);
  } finally {
    await close(srv);
  }
});

test('request(): abort before the response rejects with the reason and closes the connection; abort mid-body errors the stream', async () => {
  const { base, srv, sockets } = await server((req, res) => {
    if (req.url === '/stall') return; // never answers
    res.writeHead(200, { 'Content-Length': '1000000' });
    res.write(Buffer.alloc(1000, 'x'));
  });
  try {
    const ac = new AbortController();
    const p = request(`${base}/stall`, { signal: ac.signal });
    for (let i = 0; i < 200 && sockets.size === 0; i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
    for (let i = 0; i < 200 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sockets.size, 0, 'the aborted transfer left its connection open');
    await assert.rejects(request(`${base}/stall`, { signal: AbortSignal.abort() }), (e: unknown) => (e as Error).name === 'AbortError');

    const ac2 = new AbortController();
    const res = await request(`${base}/part`, { signal: ac2.signal });
    const reading = res.text();
    ac2.abort(new Error('enough'));
    await assert.rejects(reading, /enough/);
  } finally {
    await close(srv);
  }
});

test('request(): retry follows curl --retry: transient statuses are retried (their bodies dropped), other errors only with allErrors', async () => {
  let hits = 0;
  const { base, srv } = await server((req, res) => {
    hits++;
    if (hits < 3) {
      res.writeHead(503, { 'Retry-After': '0' });
      res.end('busy');
      return;
    }
    res.end(`ok after ${hits}`);
  });
  try {
    const res = await request(`${base}/r`, { retry: { retries: 3, delayMs: 1 } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok after 3');
    assert.equal(res.retries, 2);
    hits = 0;
    const limited = await request(`${base}/r`, { retry: { retries: 1, delayMs: 1 } });
    assert.equal(limited.status, 503, 'with retries spent the last response is handed over');
    assert.equal(await limited.text(), 'busy');
    hits = 0;
    const none = await request(`${base}/r`);
    assert.equal(none.status, 503);
    await none.text();
  } finally {
    await close(srv);
  }
  // any error is retried with allErrors (curl's --retry-all-errors): the server drops two connections
  let conns = 0;
  const dropper = net.createServer((sock) => {
    conns++;
    if (conns <= 2) {
      sock.destroy();
      return;
    }
    sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfine'));
  });
  await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
  const dport = (dropper.address() as AddressInfo).port;
  try {
    await assert.rejects(request(`http://127.0.0.1:${dport}/`, { retry: 3 }), (e: unknown) => e instanceof CurlError && e.code === CURLE.GOT_NOTHING);
    assert.equal(conns, 1, 'an empty reply is not transient without allErrors');
    const res = await request(`http://127.0.0.1:${dport}/`, { retry: { retries: 3, delayMs: 1, allErrors: true } });
    assert.equal(await res.text(), 'fine');
    assert.equal(conns, 3);
    assert.equal(res.retries, 1);
  } finally {
    await new Promise<void>((r) => dropper.close(() => r()));
  }
});

test('request(): parallel calls share the runner and reuse connections; a stream consumer stopping frees the transfer', async () => {
  const { base, srv, sockets } = await server((req, res) => {
    if (req.url === '/endless') {
      res.writeHead(200);
      const t = setInterval(() => res.write(Buffer.alloc(64 * 1024)), 1);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.end('x');
  });
  const conns = new Set<net.Socket>();
  srv.on('connection', (s) => conns.add(s));
  const runner = new MultiRunner();
  try {
    for (let i = 0; i < 5; i++) assert.equal(await (await request(`${base}/${i}`, { runner })).text(), 'x');
    assert.equal(conns.size, 1, 'sequential requests reuse one connection');
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => request(`${base}/p${i}`, { runner }).then((r) => r.text())));
    assert.deepEqual(all, Array(8).fill('x'));
    const res = await request(`${base}/endless`, { runner });
    for await (const _c of res.body) break; // the consumer stops
    for (let i = 0; i < 200 && runner.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(runner.size, 0, 'the transfer ended when its reader stopped');
    void sockets;
  } finally {
    runner.close();
    await close(srv);
  }
});

test('request(): bad JSON rejects with the parse error, the response attached; progress is reported', async () => {
  const { base, srv } = await server((_req, res) => res.end('{not json'));
  try {
    const seen: number[] = [];
    const res = await request(base, { onProgress: (p) => seen.push(p.downloaded) });
    await assert.rejects(res.json(), (e: unknown) => e instanceof SyntaxError && (e as SyntaxError & { response: unknown }).response === res);
    assert.ok(seen.length > 0 && seen.at(-1) === 9);
  } finally {
    await close(srv);
  }
});

test('request(): trailers of a chunked response are on response.trailers after the body', async () => {
  const { base, srv } = await server((_req, res) => {
    res.writeHead(200, { Trailer: 'X-Sum' });
    res.write('abc');
    res.addTrailers({ 'X-Sum': '42' });
    res.end();
  });
  try {
    const res = await request(base);
    assert.equal(await res.text(), 'abc');
    assert.equal(res.trailers['x-sum'], '42');
  } finally {
    await close(srv);
  }
});

test('request(): a re-used plain-GET handle serves one request at a time; an old response cannot reach the new transfer', async () => {
  const { base, srv } = await server((req, res) => {
    if (req.url === '/slow') {
      res.writeHead(200, { 'Content-Length': '4' });
      setTimeout(() => res.end('slow'), 30);
      return;
    }
    if (req.url === '/echo') return void res.end(JSON.stringify({ auth: req.headers.authorization ?? null, x: req.headers['x-only'] ?? null }));
    res.end(`body of ${req.url}`);
  });
  const runner = new MultiRunner();
  try {
    const first = await request(`${base}/first`, { runner });
    // let the first transfer finish and hand its handle back, body unread
    for (let i = 0; i < 200 && runner.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(runner.size, 0);
    const second = request(`${base}/slow`, { runner }); // takes the handle the first one left
    await new Promise((r) => setImmediate(r));
    first.body.destroy(); // must not end the second transfer
    const res = await second;
    assert.equal(await res.text(), 'slow');
    assert.equal(await (await request(`${base}/third`, { runner })).text(), 'body of /third');
    // a request with options gets a handle of its own: no option leaks into the next plain GET
    const authed = await request(`${base}/a`, { runner, options: { USERPWD: 'u:p' }, headers: { 'X-Only': 'once' } });
    await authed.text();
    const plain = await request(`${base}/echo`, { runner });
    assert.deepEqual(await plain.json(), { auth: null, x: null });
  } finally {
    runner.close();
    await close(srv);
  }
});

test('request(): text() without a stream: a body nobody reads yet holds the transfer back, text() takes all of it; errors and a later stream behave as with a stream', async () => {
  // well past what the kernel's socket buffers can hold (about 7 MiB on loopback with a 32 MiB tcp_rmem
  // ceiling); 8 MiB left the pump a chance to finish with nobody reading
  const total = 64 * 1024 * 1024;
  const pump = new BodyPump(total, 'q');
  const { base, srv } = await server((req, res) => {
    if (req.url === '/big') return pump.send(res);
    if (req.url === '/cut') {
      res.writeHead(200, { 'Content-Length': '100000' });
      res.write(Buffer.alloc(1000, 'x'), () => res.destroy());
      return;
    }
    res.end('small');
  });
  const runner = new MultiRunner();
  try {
    const res = await request(`${base}/big`, { runner });
    await pump.settle();
    assert.equal(pump.finished, false, 'the whole body was pulled in although nobody asked for it');
    const text = await res.text();
    assert.equal(text.length, total);
    assert.ok(/^q+$/.test(text));
    // the chunks went to text(): the stream has none and has ended
    let after = 0;
    for await (const c of res.body) after += (c as Buffer).length;
    assert.equal(after, 0);
    // a stream asked for after the whole body arrived gets all of it
    const late = await request(`${base}/small`, { runner });
    for (let i = 0; i < 200 && runner.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    const parts: Buffer[] = [];
    for await (const c of late.body) parts.push(c as Buffer);
    assert.equal(Buffer.concat(parts).toString(), 'small');
    // a transfer that fails mid-body rejects text() with its CURLcode
    const cut = await request(`${base}/cut`, { runner });
    await assert.rejects(cut.text(), (e: unknown) => e instanceof CurlError && e.code === CURLE.PARTIAL_FILE);
  } finally {
    runner.close();
    await close(srv);
  }
});

test('request(): a body stream with no reader and no listener fails quietly mid-body; a listener added by the caller gets the error', async () => {
  const { base, srv } = await server((req, res) => {
    res.writeHead(200, { 'Content-Length': '100000' });
    res.write(Buffer.alloc(1000, 'x'), () => res.destroy());
  });
  const runner = new MultiRunner();
  const isPartial = (e: unknown): boolean => e instanceof CurlError && e.code === CURLE.PARTIAL_FILE;
  // an 'error' event nobody handles is an uncaught exception, and its 'close' never comes: fail on it, not hang
  let onUncaught: (e: unknown) => void = () => {};
  const uncaught = new Promise<never>((_, reject) => {
    onUncaught = (e) => reject(new Error(`uncaught: ${String(e)}`));
  });
  uncaught.catch(() => {});
  process.on('uncaughtException', onUncaught);
  // not events.once(): it listens for 'error' itself
  const closed = (s: Readable): Promise<void> => Promise.race([new Promise<void>((r) => s.on('close', () => r())), uncaught]);
  try {
    // made before the failure, never read: destroyed with the error, and no 'error' event left unhandled
    // (one would be an uncaught exception here, which fails this test)
    const early = await request(`${base}/a`, { runner });
    const body = early.body;
    assert.equal(body.listenerCount('error'), 0, 'no listener of ours on a body that has not failed');
    await closed(body);
    assert.ok(isPartial(body.errored), String(body.errored));
    // made after the failure
    const late = await request(`${base}/b`, { runner });
    for (let i = 0; i < 200 && runner.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await closed(late.body);
    assert.ok(isPartial(late.body.errored));
    // the caller's own listener gets the error, once
    const heard = await request(`${base}/c`, { runner });
    const errors: unknown[] = [];
    heard.body.on('error', (e) => errors.push(e));
    await closed(heard.body);
    assert.equal(errors.length, 1);
    assert.ok(isPartial(errors[0]));
    // the caller destroying a body with an error of its own, no listener: quiet too
    const mine = await request(`${base}/d`, { runner });
    mine.body.destroy(new Error('mine'));
    await closed(mine.body);
    assert.equal(mine.body.errored?.message, 'mine');
    await Promise.race([new Promise((r) => setImmediate(r)), uncaught]);
  } finally {
    process.off('uncaughtException', onUncaught);
    runner.close();
    await close(srv);
  }
});

test('request(): requests with headers and methods run on handles kept per method and header list: the same bytes as a fresh handle, nothing of another request', async () => {
  const seen: string[] = [];
  const srv = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        seen.push(head);
        const body = head.startsWith('HEAD') ? '' : 'ok';
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const runner = new MultiRunner();
  const send = async (opts: Parameters<typeof request>[1]): Promise<string> => {
    const res = await request(`${base}/p`, { runner, ...opts });
    await res.text();
    return seen.at(-1)!;
  };
  try {
    const headers = { 'X-A': '1', Accept: 'text/plain' };
    const fresh = await send({ headers, method: 'DELETE', options: { VERBOSE: 0 } }); // an option: a handle of its own
    assert.equal(await send({ headers, method: 'DELETE' }), fresh);
    assert.equal(await send({ headers, method: 'delete' }), fresh, 'the kept handle again');
    // another header list, another method, none: each sends only its own
    assert.doesNotMatch(await send({ headers: { 'X-B': '2' }, method: 'DELETE' }), /X-A/);
    const head = await send({ headers, method: 'HEAD' });
    assert.match(head, /^HEAD \/p /);
    assert.match(await send({}), /^GET \/p HTTP\/1\.1\r\nHost: [^\r]+\r\nAccept: \*\/\*\r\n\r\n$/);
    // more header lists than the runner keeps handles for: the least recently used ones make room
    for (let i = 0; i < 300; i++) assert.match(await send({ headers: { 'X-N': String(i) } }), new RegExp(`X-N: ${i}\r\n`));
    assert.equal(await send({ headers, method: 'DELETE' }), fresh);
  } finally {
    runner.close();
    await new Promise((r) => srv.close(r));
  }
});
