// HTTP/2 server push (issue 13, item 4): CURLMOPT_PUSHFUNCTION / PUSHDATA
// with libcurl's semantics, against a node:http2 server that pushes. Push is
// offered in SETTINGS only with a PUSHFUNCTION; the callback gets the parent
// handle, a handle duplicated from it, the PUSH_PROMISE headers through
// bynum()/byname(); CURL_PUSH_OK makes the pushed stream a transfer of the
// multi (its DONE through infoRead, its body to its write callback),
// CURL_PUSH_DENY and a throw reset the stream with CANCEL, CURL_PUSH_ERROROUT
// fails the connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import {
  Easy, CURLOPT, CURLE, CURLH, CURLMOPT, CURLINFO, CURL_PUSH_OK, CURL_PUSH_DENY, CURL_PUSH_ERROROUT, type PushHeaders,
} from '../../src/index.js';
import { socketLoop } from '../helpers/socket-loop.js';
import { startH2Server, type H2Server } from '../helpers/h2-server.js';

/** What the server saw of its push: whether the client allowed it, and how the pushed stream ended. */
interface PushSeen { allowed: boolean[]; enablePush: (boolean | undefined)[]; pushRst: (number | undefined)[]; pushErr: string[] }

/**
 * A server that pushes /pushed.txt (with a header of its own) before
 * answering each request. With `pushEnds` false the pushed stream never ends
 * by itself: only the client's RST_STREAM (or the connection's end) closes it.
 */
async function pushingServer(seen: PushSeen, pushEnds = true): Promise<H2Server> {
  return startH2Server((stream) => {
    seen.allowed.push(stream.pushAllowed);
    seen.enablePush.push(stream.session?.remoteSettings.enablePush);
    const answer = (): void => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      stream.end('main body');
    };
    if (!stream.pushAllowed) return answer();
    stream.pushStream({ ':path': '/pushed.txt?v=1', 'x-promise': 'yes' }, (err, ps) => {
      if (err) {
        seen.pushErr.push(err.message);
        return answer();
      }
      const idx = seen.pushRst.length;
      seen.pushRst.push(undefined);
      ps.on('error', () => {});
      ps.on('close', () => { seen.pushRst[idx] = ps.rstCode; });
      ps.respond({ ':status': 200, 'x-pushed': 'yes' });
      if (pushEnds) ps.end('pushed body');
      else ps.write('pushed body, more to come');
      answer();
    });
  });
}

interface Run { results: Map<Easy, number>; parentBody: string; error?: unknown }

/** One GET of `/` over HTTP/2 (prior knowledge) through socketAction, with `push` as PUSHFUNCTION (or none). */
async function getWithPush(srv: H2Server, push: ((parent: Easy, easy: Easy, n: number, h: PushHeaders, data: unknown) => number) | null,
  expectDone: number, pushData: unknown = null): Promise<Run & { parent: Easy }> {
  const results = new Map<Easy, number>();
  const loop = socketLoop((easy, result) => results.set(easy, result));
  const parent = new Easy();
  const chunks: Buffer[] = [];
  try {
    if (push) {
      assert.equal(loop.multi.setopt(CURLMOPT.PUSHFUNCTION, push), 0);
      assert.equal(loop.multi.setopt(CURLMOPT.PUSHDATA, pushData), 0);
    }
    parent.setopt(CURLOPT.URL, srv.url('/'));
    parent.setopt(CURLOPT.HTTP_VERSION, 5);
    parent.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
    loop.multi.addHandle(parent);
    await loop.doneAfter(expectDone);
    for (const e of results.keys()) loop.multi.removeHandle(e);
    return { results, parentBody: Buffer.concat(chunks).toString(), parent };
  } finally {
    loop.close();
  }
}

test('an accepted push becomes a transfer of the multi: its DONE through infoRead, its body to its own write callback', { timeout: 20000 }, async () => {
  const seen: PushSeen = { allowed: [], enablePush: [], pushRst: [], pushErr: [] };
  const srv = await pushingServer(seen);
  const pushedChunks: Buffer[] = [];
  const calls: { n: number; all: (string | null)[]; path: string | null; method: string | null; bad: (string | null)[]; data: unknown; sameParent: boolean }[] = [];
  let kept: PushHeaders | null = null;
  let pushedEasy: Easy | null = null;
  let parentRef: Easy | null = null;
  try {
    const run = await getWithPush(srv, (parent, easy, n, h, data) => {
      const all: (string | null)[] = [];
      for (let i = 0; i <= n; i++) all.push(h.bynum(i));
      calls.push({ n, all, path: h.byname(':path'), method: h.byname(':method'), bad: [h.byname(''), h.byname(':'), h.byname('x:y')], data, sameParent: parent === parentRef });
      kept = h;
      pushedEasy = easy;
      // the new handle came from the parent (its options too): the application redirects its body
      easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (pushedChunks.push(Buffer.from(d)), d.length));
      return CURL_PUSH_OK;
    }, 2, { mine: 1 }).then((r) => r);
    parentRef = run.parent;
    assert.equal(calls.length, 1);
    const c = calls[0]!;
    assert.equal(c.n, c.all.length - 1);
    assert.equal(c.all[c.n], null, 'bynum past the end is null');
    assert.ok(c.all.includes(':path:/pushed.txt?v=1'), String(c.all));
    assert.ok(c.all.includes('x-promise:yes'), String(c.all));
    assert.equal(c.path, '/pushed.txt?v=1');
    assert.equal(c.method, 'GET');
    assert.deepEqual(c.bad, [null, null, null]);
    assert.deepEqual(c.data, { mine: 1 });
    assert.equal(kept!.byname(':path'), null, 'the headers are gone once the callback returned');
    assert.equal(seen.allowed[0], true);
    assert.equal(seen.enablePush[0], true);
    // both transfers completed
    assert.equal(run.results.get(run.parent), CURLE.OK);
    assert.equal(run.parentBody, 'main body');
    assert.ok(pushedEasy, 'the callback ran');
    const pe = pushedEasy as Easy;
    assert.equal(run.results.get(pe), CURLE.OK);
    assert.equal(Buffer.concat(pushedChunks).toString(), 'pushed body');
    assert.equal(pe.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(pe.getinfo(CURLINFO.HTTP_VERSION), 3);
    assert.equal(pe.getinfo(CURLINFO.EFFECTIVE_URL), srv.url('/pushed.txt?v=1'));
    assert.equal(pe.header('x-pushed', 0, CURLH.HEADER, -1).header?.value, 'yes');
    // only the parent's request went to the server
    assert.equal(srv.requests.length, 1);
    assert.equal(seen.pushRst[0], 0, 'the pushed stream ended normally');
    pe.cleanup();
    run.parent.cleanup();
  } finally {
    await srv.close();
  }
});

for (const how of ['deny', 'throw'] as const) {
  test(`a push the callback ${how === 'deny' ? 'denies' : 'throws for'} is reset with CANCEL; the parent completes`, { timeout: 20000 }, async () => {
    const seen: PushSeen = { allowed: [], enablePush: [], pushRst: [], pushErr: [] };
    const srv = await pushingServer(seen, false);
    const boom = new Error('no pushes today');
    let calls = 0;
    try {
      const run = await getWithPush(srv, () => {
        calls++;
        if (how === 'throw') throw boom;
        return CURL_PUSH_DENY;
      }, 1);
      assert.equal(calls, 1);
      assert.equal(run.results.size, 1);
      assert.equal(run.results.get(run.parent), CURLE.OK);
      assert.equal(run.parentBody, 'main body');
      if (how === 'throw') assert.equal(run.parent.lastCallbackError, boom);
      // the server's pushed stream (which never ends by itself) was reset by the client
      for (let i = 0; i < 500 && seen.pushRst[0] === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen.pushRst[0], http2.constants.NGHTTP2_CANCEL);
      run.parent.cleanup();
    } finally {
      await srv.close();
    }
  });
}

test('CURL_PUSH_ERROROUT fails the connection: the parent transfer ends with an error', { timeout: 20000 }, async () => {
  const seen: PushSeen = { allowed: [], enablePush: [], pushRst: [], pushErr: [] };
  const srv = await pushingServer(seen, false);
  try {
    const run = await getWithPush(srv, () => CURL_PUSH_ERROROUT, 1);
    assert.equal(run.results.size, 1);
    assert.equal(run.results.get(run.parent), CURLE.RECV_ERROR);
    assert.match(run.parent.errorBuffer, /The user callback function failed/);
    // the connection is gone: the server's pushed stream (which never ends by itself) closes
    for (let i = 0; i < 500 && seen.pushRst[0] === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(seen.pushRst[0], undefined);
    run.parent.cleanup();
  } finally {
    await srv.close();
  }
});

test('without a PUSHFUNCTION push is never enabled (SETTINGS_ENABLE_PUSH 0): the server cannot push', { timeout: 20000 }, async () => {
  const seen: PushSeen = { allowed: [], enablePush: [], pushRst: [], pushErr: [] };
  const srv = await pushingServer(seen);
  try {
    const run = await getWithPush(srv, null, 1);
    assert.equal(run.results.get(run.parent), CURLE.OK);
    assert.equal(run.parentBody, 'main body');
    assert.deepEqual(seen.allowed, [false]);
    assert.deepEqual(seen.enablePush, [false]);
    assert.deepEqual(seen.pushRst, []);
    run.parent.cleanup();
  } finally {
    await srv.close();
  }
});
