// The easy interface over real sockets: bodies of every framing, getinfo,
// reset/duphandle, pause, connection reuse across performs, IPv6, limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Easy, Multi, CURLOPT, CURLE, CURLINFO, CURLMOPT, CURLPAUSE, CURL_WRITEFUNC_PAUSE, CURLINFO_TYPE, openSocketCount,
} from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { requireProgram } from '../helpers/requires.js';
import { startBlackhole } from '../helpers/blackhole.js';

const NO_PYTHON = requireProgram('python3', 'python3');

function collect(e: Easy): Buffer[] {
  const chunks: Buffer[] = [];
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
  return chunks;
}

test('Content-Length, chunked and close-delimited bodies arrive whole', async () => {
  const big = Buffer.alloc(300_000, 'q');
  const srv = await startRawServer((r) => {
    if (r.target === '/cl') return ok(big);
    if (r.target === '/chunked') {
      return { data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n' };
    }
    return { data: 'HTTP/1.0 200 OK\r\n\r\nuntil the end', close: true };
  });
  try {
    for (const [path, expected] of [['/cl', big.toString()], ['/chunked', 'hello world'], ['/close', 'until the end']] as const) {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}${path}`);
        const chunks = collect(e);
        assert.equal(await e.perform(), CURLE.OK, path);
        assert.equal(Buffer.concat(chunks).toString(), expected, path);
        assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD_T), Buffer.byteLength(expected));
      } finally {
        e.cleanup();
      }
    }
  } finally {
    await srv.close();
  }
});

test('HEADERFUNCTION gets every header line; getinfo reports the transfer', async () => {
  const srv = await startRawServer(() => ok('0123456789', 'Content-Type: text/plain\r\nX-A: 1\r\n'));
  try {
    const e = new Easy();
    try {
      const url = `http://127.0.0.1:${srv.port}/info`;
      e.setopt(CURLOPT.URL, url);
      collect(e);
      const headers: string[] = [];
      e.setopt(CURLOPT.HEADERFUNCTION, (l: Buffer) => (headers.push(l.toString()), l.length));
      assert.equal(await e.perform(), CURLE.OK);
      assert.deepEqual(headers, ['HTTP/1.1 200 OK\r\n', 'Content-Length: 10\r\n', 'Content-Type: text/plain\r\n', 'X-A: 1\r\n', '\r\n']);
      assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 200);
      assert.equal(e.getinfo(CURLINFO.EFFECTIVE_URL), url);
      assert.equal(e.getinfo(CURLINFO.CONTENT_TYPE), 'text/plain');
      assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 10);
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1);
      assert.equal(e.getinfo(CURLINFO.PRIMARY_IP), '127.0.0.1');
      assert.equal(e.getinfo(CURLINFO.PRIMARY_PORT), srv.port);
      assert.equal(e.getinfo(CURLINFO.LOCAL_IP), '127.0.0.1');
      assert.ok(e.getinfo(CURLINFO.LOCAL_PORT) > 0);
      assert.ok(e.getinfo(CURLINFO.SPEED_DOWNLOAD_T) > 0);
      assert.equal(e.getinfo(CURLINFO.HTTP_VERSION), 2); // CURL_HTTP_VERSION_1_1
      assert.ok(e.getinfo(CURLINFO.HEADER_SIZE) > 40);
      // the six timings are ordered as libcurl documents them
      const t = ['NAMELOOKUP_TIME_T', 'CONNECT_TIME_T', 'PRETRANSFER_TIME_T', 'STARTTRANSFER_TIME_T', 'TOTAL_TIME_T'] as const;
      const v = t.map((k) => e.getinfo(CURLINFO[k]));
      for (let i = 1; i < v.length; i++) assert.ok(v[i]! >= v[i - 1]!, `${t[i]} ${v[i]} >= ${t[i - 1]} ${v[i - 1]}`);
      assert.equal(e.getinfo(CURLINFO.APPCONNECT_TIME_T), 0); // no TLS
      assert.ok(Math.abs(e.getinfo(CURLINFO.TOTAL_TIME) * 1e6 - v[4]!) < 2);
      // the connection stays pooled in the handle: ACTIVESOCKET is still a live socket
      assert.ok(e.getinfo(CURLINFO.ACTIVESOCKET) > 0);
    } finally {
      e.cleanup();
    }
    assert.equal(openSocketCount(), 0);
  } finally {
    await srv.close();
  }
});

test('perform() reuses the handle connection; FORBID_REUSE and FRESH_CONNECT do not', async () => {
  const srv = await startRawServer(() => ok('r'));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      collect(e);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 1);
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0);
      e.setopt(CURLOPT.FRESH_CONNECT, 1);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 2);
      e.setopt(CURLOPT.FRESH_CONNECT, 0);
      e.setopt(CURLOPT.FORBID_REUSE, 1);
      // FRESH_CONNECT left #1 pooled beside #2: the next two performs reuse them and close them
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 2);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 3);
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1);
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('reset() restores defaults; duphandle() copies options, not connections', async () => {
  const srv = await startRawServer((r) => ok(r.headers.get('x-custom') ?? 'none'));
  try {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.HTTPHEADER, ['X-Custom: yes']);
    const a = collect(e);
    const d = e.duphandle();
    const b = collect(d);
    assert.equal(await d.perform(), CURLE.OK);
    assert.equal(Buffer.concat(b).toString(), 'yes');
    e.reset();
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    const c = collect(e);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(c).toString(), 'none');
    assert.equal(a.length, 0);
    e.cleanup();
    d.cleanup();
  } finally {
    await srv.close();
  }
});

test('CURL_WRITEFUNC_PAUSE holds data until easy.pause(CURLPAUSE.CONT)', async () => {
  const srv = await startRawServer(() => ok('abcdef'));
  const multi = new Multi();
  try {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    const got: string[] = [];
    let paused = false;
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (!paused) {
        paused = true;
        return CURL_WRITEFUNC_PAUSE;
      }
      got.push(d.toString());
      return d.length;
    });
    multi.addHandle(e);
    let running = 1;
    for (let i = 0; i < 200 && !paused; i++) {
      running = multi.perform().runningHandles;
      if (!paused) await multi.poll(100);
    }
    assert.ok(paused);
    // while paused, nothing is delivered however often we drive the multi
    for (let i = 0; i < 3; i++) {
      multi.perform();
      await multi.poll(10);
    }
    assert.deepEqual(got, []);
    assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
    for (let i = 0; i < 200 && running; i++) {
      running = multi.perform().runningHandles;
      if (running) await multi.poll(100);
    }
    assert.equal(running, 0);
    assert.equal(got.join(''), 'abcdef');
    assert.equal(multi.infoRead()?.result, CURLE.OK);
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('IPv6 literal and localhost (happy eyeballs falls back to the family that answers)', async () => {
  const v6 = await startRawServer(() => ok('six'), '::1');
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://[::1]:${v6.port}/`);
    const a = collect(e);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(a).toString(), 'six');
    assert.equal(e.getinfo(CURLINFO.PRIMARY_IP), '::1');
    assert.equal(e.getinfo(CURLINFO.EFFECTIVE_URL), `http://[::1]:${v6.port}/`);
  } finally {
    e.cleanup();
    await v6.close();
  }

  const v4 = await startRawServer(() => ok('four'));
  try {
    const l = new Easy();
    try {
      l.setopt(CURLOPT.URL, `http://localhost:${v4.port}/`);
      const texts: string[] = [];
      l.setopt(CURLOPT.VERBOSE, 1);
      l.setopt(CURLOPT.DEBUGFUNCTION, (_e, type, data) => {
        if (type === CURLINFO_TYPE.TEXT) texts.push(data.toString());
        return 0;
      });
      const b = collect(l);
      assert.equal(await l.perform(), CURLE.OK);
      assert.equal(Buffer.concat(b).toString(), 'four');
      assert.equal(l.getinfo(CURLINFO.PRIMARY_IP), '127.0.0.1');
      // 127.0.0.1 leads, as libcurl 7.88 orders localhost, and answers: ::1 is never tried
      assert.ok(texts.some((t) => t.includes('Trying 127.0.0.1')), texts.join(''));
      assert.ok(!texts.some((t) => t.includes('Trying [::1]')), texts.join(''));
      l.setopt(CURLOPT.IPRESOLVE, 1);
      assert.equal(await l.perform(), CURLE.OK);
    } finally {
      l.cleanup();
    }
  } finally {
    await v4.close();
  }
});

test('MAX_TOTAL_CONNECTIONS queues transfers and MAXCONNECTS bounds the idle pool', async () => {
  const srv = await startRawServer(() => ({ ...ok('q'), delayMs: 5 }));
  const multi = new Multi();
  try {
    multi.setopt(CURLMOPT.MAX_TOTAL_CONNECTIONS, 3);
    multi.setopt(CURLMOPT.MAXCONNECTS, 2);
    const easies = Array.from({ length: 12 }, (_, i) => {
      const e = new Easy();
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/${i}`);
      collect(e);
      multi.addHandle(e);
      return e;
    });
    // counted on our side: the server sees an idle connection we closed to make room a moment later
    let peak = 0;
    let running = 1;
    for (let i = 0; i < 2000 && running; i++) {
      running = multi.perform().runningHandles;
      peak = Math.max(peak, multi.connectionCount);
      if (running) await multi.poll(100);
    }
    assert.equal(running, 0);
    let n = 0;
    for (let m = multi.infoRead(); m; m = multi.infoRead()) {
      assert.equal(m.result, CURLE.OK);
      n++;
    }
    assert.equal(n, 12);
    assert.ok(peak <= 3, `peak ${peak}`);
    assert.ok(multi.connectionCount <= 2, 'idle pool trimmed to MAXCONNECTS');
    for (const e of easies) multi.removeHandle(e);
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('CONNECTTIMEOUT_MS against a listener that never accepts -> CURLE_OPERATION_TIMEDOUT', { skip: NO_PYTHON }, async () => {
  const hole = await startBlackhole();
  const port = hole.port;
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${port}/`);
    e.setopt(CURLOPT.CONNECTTIMEOUT_MS, 300);
    collect(e);
    const code = await e.perform();
    assert.equal(code, CURLE.OPERATION_TIMEDOUT);
    assert.match(e.errorBuffer, /^Connection timed out after 300 milliseconds$/);
  } finally {
    e.cleanup();
    await hole.close();
  }
});

test('multi.poll() returns early on wakeup(); multi.wait() does not', async () => {
  const multi = new Multi();
  try {
    const t0 = Date.now();
    setTimeout(() => multi.wakeup(), 20);
    await multi.poll(10_000);
    assert.ok(Date.now() - t0 < 5000);
    // a wakeup before poll makes the next poll return at once
    multi.wakeup();
    const r = await multi.poll(10_000);
    assert.equal(r.numfds, 0);
    const w = await multi.wait(30);
    assert.equal(w.code, 0);
  } finally {
    multi.cleanup();
  }
});

test('cleanup() with transfers in flight closes everything', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  const multi = new Multi();
  try {
    for (let i = 0; i < 5; i++) {
      const e = new Easy();
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      multi.addHandle(e);
    }
    for (let i = 0; i < 50 && srv.requests.length < 5; i++) {
      multi.perform();
      await multi.poll(20);
    }
    assert.equal(srv.requests.length, 5);
    assert.equal(multi.cleanup(), 0);
    assert.equal(openSocketCount(), 0);
    for (let i = 0; i < 100 && srv.openConnections > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(srv.openConnections, 0);
  } finally {
    await srv.close();
  }
});

test('a reused connection that dies before answering is retried on a fresh one (Curl_retry_request)', async () => {
  // the server answers the first request of each connection and drops the connection on the second
  const perConn = new Map<number, number>();
  const srv = await startRawServer((r) => {
    const n = (perConn.get(r.connectionId) ?? 0) + 1;
    perConn.set(r.connectionId, n);
    return n === 1 ? ok(`conn ${r.connectionId}`) : { close: true };
  });
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      const texts: string[] = [];
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e, type, data) => {
        if (type === CURLINFO_TYPE.TEXT) texts.push(data.toString());
        return 0;
      });
      const a = collect(e);
      assert.equal(await e.perform(), CURLE.OK);
      a.length = 0;
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(Buffer.concat(a).toString(), 'conn 1');
      assert.ok(texts.some((t) => t.startsWith('Connection died, retrying a fresh connect (retry count: 1)')), texts.join(''));
      assert.equal(srv.connections, 2);
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});
