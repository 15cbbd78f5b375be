// tscurl/node-libcurl over HTTP/2 against node:http2 servers on loopback:
// CurlHttpVersion's V2_0, V2Tls and V2PriorKnowledge through curly and Curl,
// PIPEWAIT putting parallel Curl requests on one connection, and Multi's
// PUSHFUNCTION with node-libcurl's (parent, duplicatedHandle, headers)
// shape: an accepted push is a transfer whose end reaches onMessage, a
// refused one frees its handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curly, Curl, Easy, Multi, CurlHttpVersion, CurlPush, type HeaderInfo } from '../../src/compat/node-libcurl/index.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { testCerts } from '../helpers/certs.js';

const versionOf = (headers: HeaderInfo[]): string | undefined => headers.at(-1)?.result?.version;

test('curly speaks HTTP/2: prior knowledge in clear text, V2Tls and V2_0 over TLS (ALPN)', async () => {
  const clear = await startH2Server(answer((h) => `clear ${h[':path']}`, { 'content-type': 'text/plain' }));
  const tls = await startH2Server(answer((h) => `tls ${h[':path']}`, { 'content-type': 'text/plain' }), { tls: true });
  try {
    const a = await curly.get(clear.url('/a'), { httpVersion: CurlHttpVersion.V2PriorKnowledge });
    assert.equal(a.statusCode, 200);
    assert.equal(a.data, 'clear /a');
    assert.equal(versionOf(a.headers), 'HTTP/2');
    for (const v of [CurlHttpVersion.V2Tls, CurlHttpVersion.V2_0]) {
      const b = await curly.get(tls.url(`/v${v}`), { HTTP_VERSION: v, caInfo: testCerts().caFile });
      assert.equal(b.data, `tls /v${v}`);
      assert.equal(versionOf(b.headers), 'HTTP/2');
    }
  } finally {
    await clear.close();
    await tls.close();
  }
});

test('Curl with PIPEWAIT: requests started together share one HTTP/2 connection', async () => {
  const srv = await startH2Server(answer((h) => String(h[':path'])));
  try {
    const one = (i: number): Promise<string> => new Promise((resolve, reject) => {
      const curl = new Curl();
      curl.setOpt('URL', srv.url(`/${i}`));
      curl.setOpt(Curl.option.HTTP_VERSION, CurlHttpVersion.V2PriorKnowledge);
      curl.setOpt('PIPEWAIT', true);
      curl.on('end', (status: number, data: string | Buffer) => {
        curl.close();
        resolve(`${status} ${data}`);
      });
      curl.on('error', (err: Error) => {
        curl.close();
        reject(err);
      });
      curl.perform();
    });
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map(one)), ['200 /1', '200 /2', '200 /3', '200 /4']);
    assert.equal(srv.sessions, 1);
  } finally {
    await srv.close();
  }
});

test('Multi PUSHFUNCTION: node-libcurl\'s callback gets the parent, the duplicated handle and the promise headers', { timeout: 30_000 }, async () => {
  const srv = await startH2Server((stream) => {
    stream.on('error', () => {});
    const respond = (): void => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      stream.end('main body');
    };
    if (!stream.pushAllowed) return respond();
    stream.pushStream({ ':path': '/pushed.txt' }, (err, ps) => {
      if (err) return respond();
      ps.on('error', () => {});
      ps.respond({ ':status': 200 });
      ps.end('pushed body');
      respond();
    });
  });
  const run = async (answerWith: number | 'throw'): Promise<{ bodies: Map<Easy, string>; done: Easy[]; child: Easy | null; path: string | null; parentSeen: boolean }> => {
    const multi = new Multi();
    const bodies = new Map<Easy, string>();
    const done: Easy[] = [];
    let child: Easy | null = null;
    let path: string | null = null;
    let parentSeen = false;
    const parent = new Easy();
    multi.setOpt('PUSHFUNCTION', (p: Easy, dup: Easy, headers: { getByName(n: string): string | null; numberOfHeaders: number }) => {
      parentSeen = p === parent;
      child = dup;
      path = headers.getByName(':path');
      assert.ok(headers.numberOfHeaders >= 4);
      if (answerWith === 'throw') throw new Error('no push');
      return answerWith;
    });
    try {
      parent.setOpt('URL', srv.url('/main'));
      parent.setOpt('HTTP_VERSION', CurlHttpVersion.V2PriorKnowledge);
      parent.setOpt('WRITEFUNCTION', function (this: Easy, data: Buffer) {
        bodies.set(this, (bodies.get(this) ?? '') + data.toString());
        return data.length;
      });
      const finished = new Promise<void>((resolve) => {
        multi.onMessage((error, easy) => {
          assert.equal(error, null);
          done.push(easy);
          multi.removeHandle(easy);
          // the parent ends last or first: wait for the pushed transfer too when it was accepted
          if (done.length === (answerWith === CurlPush.Ok ? 2 : 1)) resolve();
        });
      });
      multi.addHandle(parent);
      await finished;
      return { bodies, done, child, path, parentSeen };
    } finally {
      for (const e of done) if (e.isOpen) e.close();
      multi.close();
    }
  };
  try {
    const ok = await run(CurlPush.Ok);
    assert.equal(ok.parentSeen, true);
    assert.equal(ok.path, '/pushed.txt');
    assert.ok(ok.child instanceof Easy);
    assert.equal(ok.done.length, 2);
    assert.ok(ok.done.includes(ok.child!));
    assert.equal(ok.bodies.get(ok.child!), 'pushed body', 'the copied WRITEFUNCTION runs with the pushed handle as this');
    assert.equal([...ok.bodies.values()].sort().join('|'), 'main body|pushed body');
    for (const refusal of [CurlPush.Deny, 'throw' as const]) {
      const denied = await run(refusal);
      assert.equal(denied.done.length, 1);
      assert.equal(denied.child!.isOpen, false, 'a refused push\'s handle is freed');
      assert.deepEqual([...denied.bodies.values()], ['main body']);
    }
  } finally {
    await srv.close();
  }
});
