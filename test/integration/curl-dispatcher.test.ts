// CurlDispatcher: undici's fetch and request (and Node's own fetch) running on
// tscurl against loopback servers — bodies both ways, streaming with
// backpressure, abort, CURLcodes in `cause`, curl options for every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startBodyServer as server, closeBodyServer as close, BodyPump, type BodyHandler } from '../helpers/body-server.js';
import { refusedPort } from '../helpers/ports.js';
import { fetch as undiciFetch, request as undiciRequest, setGlobalDispatcher, getGlobalDispatcher, interceptors, stream as undiciStream, pipeline as undiciPipeline, type Dispatcher } from 'undici';
import { Readable, Writable } from 'node:stream';
import { CurlDispatcher } from '../../src/dispatcher/index.js';
import { CurlError, CURLE, MultiRunner } from '../../src/index.js';


const echo: BodyHandler = (req, res, body) => {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Multi', ['1', '2']);
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }));
};

test('CurlDispatcher: undici fetch GET and POST (string and stream bodies) with fetch semantics on the wire', async () => {
  const { base, srv } = await server(echo);
  const runner = new MultiRunner();
  const dispatcher = new CurlDispatcher({ runner });
  try {
    const res = await undiciFetch(`${base}/a?b=c`, { dispatcher, headers: { 'X-One': '1' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-multi'), '1, 2');
    const j = (await res.json()) as Record<string, any>;
    assert.equal(j.url, '/a?b=c');
    assert.equal(j.headers['x-one'], '1');

    const post = (await (await undiciFetch(`${base}/p`, { dispatcher, method: 'POST', body: 'hello' })).json()) as Record<string, any>;
    assert.equal(post.method, 'POST');
    assert.equal(post.body, 'hello');
    assert.equal(post.headers['content-length'], '5');
    assert.equal(post.headers.expect, undefined, 'no Expect: 100-continue under fetch');

    const bytes = (await (await undiciFetch(`${base}/b`, { dispatcher, method: 'PUT', body: new Uint8Array([65, 66]) })).json()) as Record<string, any>;
    assert.equal(bytes.method, 'PUT');
    assert.equal(bytes.body, 'AB');
    assert.equal(bytes.headers['content-type'], undefined, 'curl\'s form content-type is not made up');

    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('str'));
        c.enqueue(new TextEncoder().encode('eam'));
        c.close();
      },
    });
    const s = (await (await undiciFetch(`${base}/s`, { dispatcher, method: 'POST', body: stream, duplex: 'half' } as never)).json()) as Record<string, any>;
    assert.equal(s.body, 'stream');
    assert.equal(s.headers['transfer-encoding'], 'chunked');
  } finally {
    await dispatcher.close();
    runner.close();
    await close(srv);
  }
});

test('CurlDispatcher: undici.request, setGlobalDispatcher and Node\'s built-in fetch all run on tscurl', async () => {
  const { base, srv } = await server(echo);
  const dispatcher = new CurlDispatcher();
  const before = getGlobalDispatcher();
  try {
    const r = await undiciRequest(`${base}/req`, { dispatcher, method: 'POST', body: 'x=1', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.headers['x-multi'], ['1', '2']);
    const j = (await r.body.json()) as Record<string, any>;
    assert.equal(j.body, 'x=1');
    assert.equal(j.headers['user-agent'], undefined, 'undici.request sends no user-agent, nor does curl without one set');

    setGlobalDispatcher(dispatcher);
    const g = (await (await undiciFetch(`${base}/global`)).json()) as Record<string, any>;
    assert.equal(g.url, '/global');

    const n = await fetch(`${base}/node`, { dispatcher } as never);
    assert.equal(((await n.json()) as Record<string, any>).url, '/node');
  } finally {
    setGlobalDispatcher(before);
    await dispatcher.close();
    await close(srv);
  }
});

test('CurlDispatcher: curl options apply to every request (RESOLVE a made-up name, USERPWD)', async () => {
  const { port, srv } = await server(echo);
  const dispatcher = new CurlDispatcher({ options: { RESOLVE: [`no-such-host.test:${port}:127.0.0.1`], USERPWD: 'al:pw' } });
  try {
    const res = await undiciFetch(`http://no-such-host.test:${port}/r`, { dispatcher });
    const j = (await res.json()) as Record<string, any>;
    assert.equal(j.headers.host, `no-such-host.test:${port}`);
    assert.equal(j.headers.authorization, `Basic ${Buffer.from('al:pw').toString('base64')}`);
  } finally {
    await dispatcher.close();
    await close(srv);
  }
});

test('CurlDispatcher: a transfer failure reaches fetch as a TypeError whose cause is the CurlError', async () => {
  const port = await refusedPort(); // nothing listens there, and no server started meanwhile takes it
  const dispatcher = new CurlDispatcher();
  try {
    await assert.rejects(undiciFetch(`http://127.0.0.1:${port}/`, { dispatcher }), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      const cause = (e as TypeError & { cause: unknown }).cause;
      assert.ok(cause instanceof CurlError);
      assert.equal(cause.code, CURLE.COULDNT_CONNECT);
      return true;
    });
    const bad = net.createServer((s) => s.resume().end('NOT HTTP AT ALL\r\n\r\n'));
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    try {
      await assert.rejects(undiciRequest(`http://127.0.0.1:${(bad.address() as AddressInfo).port}/`, { dispatcher }), (e: unknown) => {
        assert.ok(e instanceof CurlError);
        assert.equal(e.code, CURLE.UNSUPPORTED_PROTOCOL); // libcurl: "Received HTTP/0.9 when not allowed"
        return true;
      });
    } finally {
      await new Promise<void>((r) => bad.close(() => r()));
    }
  } finally {
    await dispatcher.close();
  }
});

test('CurlDispatcher: streaming download with backpressure, and abort mid-body and before the response', async () => {
  const total = 32 * 1024 * 1024;
  const pump = new BodyPump(total, 'y');
  const { base, srv } = await server((req, res) => {
    if (req.url === '/stall') return;
    pump.send(res);
  });
  const dispatcher = new CurlDispatcher();
  try {
    const r = await undiciRequest(`${base}/big`, { dispatcher });
    r.body.pause();
    await pump.settle();
    assert.equal(pump.finished, false, 'the body was pulled in although the reader paused');
    r.body.resume();
    let got = 0;
    for await (const c of r.body) got += (c as Buffer).length;
    assert.equal(got, total);

    const ac = new AbortController();
    const pending = undiciFetch(`${base}/stall`, { dispatcher, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(pending, (e: unknown) => (e as Error).name === 'AbortError');

    pump.reset();
    const ac2 = new AbortController();
    const mid = await undiciFetch(`${base}/big2`, { dispatcher, signal: ac2.signal });
    const reader = mid.body!.getReader();
    await reader.read();
    ac2.abort();
    await assert.rejects(reader.read(), (e: unknown) => (e as Error).name === 'AbortError');
  } finally {
    await dispatcher.destroy();
    await close(srv);
  }
});

test('CurlDispatcher: close() waits for running requests, then refuses new ones; destroy() ends them', async () => {
  const { base, srv } = await server((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('late'), 30);
    else if (req.url === '/never') return;
    else res.end('now');
  });
  const dispatcher = new CurlDispatcher();
  try {
    const slow = undiciRequest(`${base}/slow`, { dispatcher }).then((r) => r.body.text());
    await new Promise((r) => setTimeout(r, 5));
    const closing = dispatcher.close();
    await assert.rejects(undiciRequest(`${base}/x`, { dispatcher }), (e: unknown) => (e as { code?: string }).code === 'UND_ERR_CLOSED');
    assert.equal(await slow, 'late');
    await closing;

    const d2 = new CurlDispatcher();
    const never = undiciRequest(`${base}/never`, { dispatcher: d2 });
    await new Promise((r) => setTimeout(r, 20));
    await d2.destroy();
    await assert.rejects(never, (e: unknown) => (e as { code?: string }).code === 'UND_ERR_DESTROYED');
  } finally {
    await close(srv);
  }
});

test('CurlDispatcher: a handler that pauses, resumes and aborts from inside its own callbacks gets the body in order and then its error', async () => {
  const { base, srv } = await server((_req, res) => {
    res.writeHead(200, { 'Content-Length': String(4 * 100_000) });
    for (let i = 0; i < 4; i++) res.write(Buffer.alloc(100_000, String(i)));
    res.end();
  });
  const runner = new MultiRunner();
  const dispatcher = new CurlDispatcher({ runner });
  const dispatchOnce = (stopAfter: number): Promise<{ got: string; err: Error | null; completed: boolean }> =>
    new Promise((resolve) => {
      let got = '';
      let abort: (reason?: unknown) => void = () => {};
      let resume: () => void = () => {};
      const origin = new URL(base).origin;
      dispatcher.dispatch({ origin, path: '/', method: 'GET' }, {
        onConnect: (a: (reason?: unknown) => void) => { abort = a; },
        onHeaders: (_status: number, _raw: Buffer[], r: () => void) => {
          resume = r;
          setImmediate(() => resume()); // start paused, resume later
          return false;
        },
        onData: (chunk: Buffer) => {
          got += chunk.toString('latin1');
          if (got.length >= stopAfter) abort(new Error('enough'));
          return true;
        },
        onComplete: () => resolve({ got, err: null, completed: true }),
        onError: (err: Error) => resolve({ got, err, completed: false }),
      } as never);
    });
  try {
    const whole = await dispatchOnce(Infinity);
    assert.equal(whole.completed, true);
    assert.equal(whole.got, '0'.repeat(100_000) + '1'.repeat(100_000) + '2'.repeat(100_000) + '3'.repeat(100_000));
    const cut = await dispatchOnce(1);
    assert.equal(cut.completed, false);
    assert.equal(cut.err?.message, 'enough');
    for (let i = 0; i < 200 && runner.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(runner.size, 0, 'the aborted transfer was freed');
  } finally {
    await dispatcher.close();
    runner.close();
    await close(srv);
  }
});

test('CurlDispatcher: fetch over HTTP/2 when the curl options ask for it (prior knowledge), bodies both ways, no pseudo-header in the response', async () => {
  const http2 = await import('node:http2');
  const srv = http2.createServer();
  const seen: string[] = [];
  srv.on('stream', (s, h) => {
    let body = '';
    s.on('data', (c: Buffer) => (body += c.toString()));
    s.on('end', () => {
      seen.push(`${String(h[':method'])} ${String(h[':path'])} ${body}`);
      s.respond({ ':status': 201, 'content-type': 'text/plain', 'x-proto': 'h2' });
      s.end(`got ${body.length}`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  // its own runner: closing it closes the HTTP/2 connection, which the server's close() waits for
  const runner = new MultiRunner();
  const dispatcher = new CurlDispatcher({ runner, options: { HTTP_VERSION: 5 } }); // CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
  try {
    const res = await undiciFetch(`${base}/a?b`, { dispatcher, method: 'POST', body: 'abc' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-proto'), 'h2');
    assert.ok(![...res.headers.keys()].some((k) => k.startsWith(':')), 'a pseudo-header reached fetch');
    assert.equal(await res.text(), 'got 3');
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'.repeat(70_000)));
        c.close();
      },
    });
    const put = await undiciFetch(`${base}/s`, { dispatcher, method: 'PUT', body: stream, duplex: 'half' } as Parameters<typeof undiciFetch>[1]);
    assert.equal(await put.text(), 'got 70000');
    assert.deepEqual(seen, ['POST /a?b abc', `PUT /s ${'x'.repeat(70_000)}`]);
  } finally {
    await dispatcher.close();
    runner.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('CurlDispatcher: undici interceptors (retry, redirect) composed on it, undici.stream and pipeline; a handler that throws ends its request through onError, as undici\'s own Request', async () => {
  let flaky = 0;
  const { base, srv } = await server((req, res, body) => {
    if (req.url === '/redir') {
      res.writeHead(302, { Location: '/final' });
      return void res.end();
    }
    if (req.url === '/flaky' && ++flaky === 1) {
      res.writeHead(503);
      return void res.end('later');
    }
    res.end(`at ${req.url} ${body.toString()}`);
  });
  const runner = new MultiRunner();
  const base0 = new CurlDispatcher({ runner });
  const composed = base0.compose(interceptors.redirect({ maxRedirections: 3 }), interceptors.retry({ maxRetries: 2, minTimeout: 5, statusCodes: [503] }));
  try {
    const r1 = await undiciRequest(`${base}/redir`, { dispatcher: composed });
    assert.equal(r1.statusCode, 200);
    assert.equal(await r1.body.text(), 'at /final ');
    // the retry interceptor throws from onComplete to have the 503 retried through onError
    const r2 = await bounded(undiciRequest(`${base}/flaky`, { dispatcher: composed }), 'the retried request');
    assert.equal(r2.statusCode, 200);
    assert.equal(await r2.body.text(), 'at /flaky ');
    assert.equal(flaky, 2);

    let streamed = '';
    await undiciStream(`${base}/s`, { dispatcher: base0, method: 'GET', opaque: null }, () => new Writable({
      write(c: Buffer, _e, cb) {
        streamed += c.toString();
        cb();
      },
    }));
    assert.equal(streamed, 'at /s ');
    const piped: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      Readable.from(['piped body'])
        .pipe(undiciPipeline(`${base}/p`, { dispatcher: base0, method: 'POST' }, ({ body }) => body))
        .on('data', (c: Buffer) => piped.push(c))
        .on('end', resolve)
        .on('error', reject);
    });
    assert.equal(Buffer.concat(piped).toString(), 'at /p piped body');

    // a raw handler that throws from onHeaders: the request ends through its onError with that error
    const thrown = new Error('handler broke');
    const seen = await bounded(new Promise<Error>((resolve) => {
      base0.dispatch({ origin: base, path: '/t', method: 'GET' }, {
        onConnect() {},
        onHeaders() {
          throw thrown;
        },
        onData() {
          return true;
        },
        onComplete() {
          resolve(new Error('completed after a throw'));
        },
        onError: resolve,
      } as unknown as Dispatcher.DispatchHandler);
    }), 'the throwing handler\'s onError');
    assert.equal(seen, thrown);
  } finally {
    // bounded: a request stuck in a handler that threw would hold close() (the old code's failure)
    await bounded(base0.close(), 'close()').catch(() => {});
    runner.close();
    await close(srv);
  }
});

/** `p`, or a failure after 10 s (what used to hang fails instead). */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let dog: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (dog = setTimeout(() => reject(new Error(`${what} never settled`)), 10_000)))])
    .finally(() => clearTimeout(dog));
}
