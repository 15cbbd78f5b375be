// request()'s cheap paths give what its general path gives. A request with
// no curl options runs on a kept handle and, for an HTTP(S) URL, reads its
// head from the transfer's header store when the head ends (no header
// callback); with any curl option it takes the general path, whose head
// comes from HEADERFUNCTION lines. Both must agree on status, reason,
// protocol, headers, trailers and body for final responses found at the
// blank line (2xx), at the first body byte (other statuses) and at the end
// (no body). The body stream, detached until a Readable reader comes, is
// iterated straight from the transfer's chunks, and still behaves as a
// Readable for other readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { CURLE, CURLOPT, CurlError, Easy, MultiRunner, request } from '../../src/index.js';
import { CURL_HTTP_VERSION } from '../../src/constants.js';
import { internalsOf } from '../../src/easy/internals.js';
import { ResponseHead } from '../../src/request/response-head.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { testCerts } from '../helpers/certs.js';
import { refusedPort } from '../helpers/ports.js';

/** Answers each request head on a connection with `reply(path, method)`; bounded by the connection's requests. */
async function rawServer(reply: (path: string, method: string) => string | Buffer): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((sock) => {
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      for (let end = got.indexOf('\r\n\r\n'); end >= 0; end = got.indexOf('\r\n\r\n')) {
        const [method = '', target = ''] = got.slice(0, got.indexOf('\r\n')).split(' ');
        got = got.slice(end + 4);
        const r = reply(target, method);
        sock.write(typeof r === 'string' ? Buffer.from(r, 'latin1') : r);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const REPLIES: Record<string, string> = {
  '/ok': 'HTTP/1.1 200 Fine\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 2\r\n\r\nok',
  '/missing': 'HTTP/1.1 404 Not  Found Here\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope',
  '/empty': 'HTTP/1.1 204 No Content\r\nX-Empty: yes\r\n\r\n',
  '/interim': 'HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 201 Made\r\nX-Final: 1\r\nContent-Length: 1\r\n\r\nm',
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\nX-More:  padded \r\n\r\n',
  '/old': 'HTTP/1.0 200 Old\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nold',
  '/noreason': 'HTTP/1.1 500\r\nContent-Length: 1\r\n\r\nx',
};

test('request(): a kept handle reading its head from the header store gives what the header-line path gives', { timeout: 30_000 }, async () => {
  const { server, port } = await rawServer((p, method) => {
    const r = REPLIES[p] ?? REPLIES['/ok']!;
    // a HEAD gets the head alone (the interim and chunked replies are not asked with HEAD)
    return method === 'HEAD' ? r.slice(0, r.indexOf('\r\n\r\n') + 4) : r;
  });
  const runner = new MultiRunner();
  try {
    const base = `http://127.0.0.1:${port}`;
    for (const p of Object.keys(REPLIES)) {
      for (const method of ['GET', 'HEAD']) {
        if (method === 'HEAD' && (p === '/chunked' || p === '/interim')) continue;
        const seen = [];
        // twice on the kept path (the second on the handle the first left), then on the line path
        for (const options of [undefined, undefined, { VERBOSE: 0 as const }]) {
          const res = await request(`${base}${p}`, { runner, method, options });
          const body = await res.text();
          seen.push({
            status: res.status, statusText: res.statusText, protocol: res.protocol, raw: res.rawHeaders,
            trailers: res.trailers, url: res.url, body,
          });
        }
        assert.deepEqual(seen[0], seen[2], `${method} ${p}: kept handle vs header lines`);
        assert.deepEqual(seen[1], seen[2], `${method} ${p}: re-used kept handle vs header lines`);
      }
    }
    const chunked = await request(`${base}/chunked`, { runner });
    assert.equal(await chunked.text(), 'abc');
    assert.deepEqual({ ...chunked.trailers }, { 'x-sum': '42', 'x-more': 'padded' });
    const missing = await request(`${base}/missing`, { runner });
    assert.equal(missing.statusText, 'Not  Found Here');
    assert.equal(await missing.text(), 'nope');
    const old = await request(`${base}/old`, { runner });
    assert.equal(old.protocol, 'HTTP/1.0');
    assert.equal((await request(`${base}/noreason`, { runner })).statusText, '');
  } finally {
    runner.close();
    await new Promise((r) => server.close(r));
  }
});

test('request(): a non-HTTP URL on a kept handle still reads header lines; bad input rejects instead of throwing', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscurl-fast-'));
  const { server, port } = await rawServer(() => REPLIES['/ok']!);
  const runner = new MultiRunner();
  try {
    const file = path.join(dir, 'f.txt');
    fs.writeFileSync(file, 'from a file');
    for (let i = 0; i < 2; i++) {
      const res = await request(`file://${file}`, { runner });
      assert.equal(await res.text(), 'from a file');
    }
    // the same runner, an HTTP URL: another kept handle, its head from the store
    const res = await request(`http://127.0.0.1:${port}/ok`, { runner });
    assert.deepEqual(res.headers['x-a'], ['1', '2']);
    await res.text();
    // a URL libcurl refuses and a header it cannot send reject the promise (nothing thrown at the call)
    const bad = request('http://[::1', { runner });
    await assert.rejects(bad, (e: unknown) => e instanceof CurlError && e.code === CURLE.URL_MALFORMAT);
    const badHeader = request(`http://127.0.0.1:${port}/ok`, { runner, headers: { 'Bad:Name': 'x' } });
    await assert.rejects(badHeader, TypeError);
    // a transfer that fails before any head rejects with its CURLcode
    const gone = await refusedPort();
    await assert.rejects(request(`http://127.0.0.1:${gone}/`, { runner }), (e: unknown) => e instanceof CurlError && e.code === CURLE.COULDNT_CONNECT);
    assert.equal(runner.size, 0);
  } finally {
    runner.close();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('request(): the body iterated straight from its chunks ends as a Readable does; other readers attach and get every byte in order', { timeout: 30_000 }, async () => {
  const big = Buffer.alloc(300 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  const { server, port } = await rawServer((p) => {
    if (p === '/big') return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]);
    if (p === '/utf8') return Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), Buffer.from('h\u00e9llo \u20ac')]);
    return REPLIES[p] ?? REPLIES['/ok']!;
  });
  const runner = new MultiRunner();
  const base = `http://127.0.0.1:${port}`;
  try {
    // for await to the end: 'end' and 'close' come, the stream is ended and destroyed, as under Node's iterator
    {
      const res = await request(`${base}/big`, { runner });
      const body = res.body;
      const ended = once(body, 'end');
      const closed = once(body, 'close');
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(big));
      await ended;
      await closed;
      assert.equal(body.readableEnded, true);
      assert.equal(body.destroyed, true);
    }
    // for await to the end with nobody listening (the stream's state is made only when something asks for
    // it): afterwards the body is what Node's iterator leaves of a Readable, and 'end' does not come again
    {
      const res = await request(`${base}/big`, { runner });
      const body = res.body;
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(big));
      const plain = Readable.from([Buffer.from('a'), Buffer.from('b')], { objectMode: false });
      for await (const c of plain) void c;
      await new Promise((r) => setImmediate(r));
      const flags = (s: Readable): unknown[] =>
        [s.readableEnded, s.destroyed, s.closed, s.readable, s.readableAborted, s.errored, s.readableLength, s.readableFlowing, s.readableDidRead, s.isPaused()];
      assert.deepEqual(flags(body), flags(plain));
      assert.ok(body instanceof Readable);
      let lateEnd = false;
      body.on('end', () => (lateEnd = true));
      await finished(body);
      await new Promise((r) => setImmediate(r));
      assert.equal(lateEnd, false);
      // an empty body likewise (no chunk read)
      const empty = await request(`${base}/empty`, { runner });
      for await (const c of empty.body) void c;
      const none = Readable.from([], { objectMode: false });
      for await (const c of none) void c;
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(flags(empty.body), flags(none));
    }
    // setEncoding() before for await: decoded strings, as Node's iterator gives them
    {
      const res = await request(`${base}/utf8`, { runner });
      res.body.setEncoding('utf8');
      const parts: unknown[] = [];
      for await (const c of res.body) parts.push(c);
      assert.ok(parts.every((c) => typeof c === 'string'), 'every chunk decoded');
      assert.equal(parts.join(''), 'h\u00e9llo \u20ac');
    }
    // unshift() before for await: the chunk put back comes first, then the body
    {
      const res = await request(`${base}/ok`, { runner });
      res.body.unshift(Buffer.from('>'));
      const parts: Buffer[] = [];
      for await (const c of res.body) parts.push(c as Buffer);
      assert.equal(Buffer.concat(parts).toString(), '>ok');
    }
    // a reader through 'data' after the whole body arrived
    {
      const res = await request(`${base}/ok`, { runner });
      await new Promise((r) => setTimeout(r, 50));
      const parts: Buffer[] = [];
      res.body.on('data', (c: Buffer) => parts.push(c));
      await once(res.body, 'end');
      assert.equal(Buffer.concat(parts).toString(), 'ok');
    }
    // pipe (pipeline) of a body larger than the stream's buffer: backpressure through the pause
    {
      const res = await request(`${base}/big`, { runner });
      const parts: Buffer[] = [];
      await pipeline(res.body, new Writable({
        highWaterMark: 1024,
        write(c: Buffer, _e, cb) {
          parts.push(c);
          setImmediate(cb);
        },
      }));
      assert.ok(Buffer.concat(parts).equals(big));
    }
    // read() first (the Readable attaches mid-way), then for await takes the rest through Node's iterator
    {
      const res = await request(`${base}/big`, { runner });
      const body = res.body;
      await once(body, 'readable');
      const first = body.read(1000) as Buffer;
      assert.equal(first.length, 1000);
      const parts: Buffer[] = [first];
      for await (const c of body) parts.push(c as Buffer);
      assert.ok(Buffer.concat(parts).equals(big));
    }
    // for await first, a Readable reader after the first chunk: nothing lost, nothing twice
    {
      const res = await request(`${base}/big`, { runner });
      const body = res.body;
      const parts: Buffer[] = [];
      const it = body[Symbol.asyncIterator]();
      const one = await it.next();
      parts.push(one.value as Buffer);
      for (let c = await it.next(); !c.done; c = await it.next()) {
        parts.push(c.value as Buffer);
        if (parts.length === 2) {
          // a second reader type meanwhile: the rest goes through the stream, still to this iterator
          body.on('readable', () => {});
        }
      }
      assert.ok(Buffer.concat(parts).equals(big));
    }
    // a for await that stops early destroys the stream and stops the transfer; the handle serves the next request
    {
      const res = await request(`${base}/big`, { runner });
      for await (const _c of res.body) break;
      assert.equal(res.body.destroyed, true);
      const next = await request(`${base}/ok`, { runner });
      assert.equal(await next.text(), 'ok');
      assert.equal(runner.size, 0);
    }
  } finally {
    runner.close();
    await new Promise((r) => server.close(r));
  }
});

test('the header store knows an HTTP/2 response as the header lines tell it: protocol, status, empty reason, fields', { timeout: 30_000 }, async () => {
  const srv = await startH2Server(answer('h2 body', { 'x-one': 'a', 'x-two': ['b', 'c'] }), { tls: true });
  try {
    for (const version of [CURL_HTTP_VERSION['2TLS']]) {
      const easy = new Easy();
      const fromLines = new ResponseHead();
      easy.setopt(CURLOPT.URL, srv.url('/x'));
      easy.setopt(CURLOPT.CAINFO, testCerts().caFile);
      easy.setopt(CURLOPT.HTTP_VERSION, version);
      easy.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
        fromLines.line(line);
        return line.length;
      });
      easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      try {
        assert.equal(await easy.perform(), CURLE.OK);
        const fromStore = new ResponseHead();
        fromStore.fromStore(internalsOf(easy)!.transfer!.headerStore);
        assert.equal(fromStore.protocol, 'HTTP/2');
        assert.equal(fromStore.statusText, '');
        assert.deepEqual(
          { p: fromStore.protocol, s: fromStore.status, t: fromStore.statusText, h: fromStore.rawHeaders },
          { p: fromLines.protocol, s: fromLines.status, t: fromLines.statusText, h: fromLines.rawHeaders },
        );
      } finally {
        easy.cleanup();
      }
    }
  } finally {
    await srv.close();
  }
});
