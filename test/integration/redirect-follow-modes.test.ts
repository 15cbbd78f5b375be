// CURLOPT_FOLLOWLOCATION's modes for a CUSTOMREQUEST method (curl 8.13's
// CURLFOLLOW_*): ALL (1) keeps the custom method after every redirect;
// OBEYCODE (2) drops it where the code changes the method (301/302 of a POST,
// any 303 but HEAD's); FIRSTONLY (3) sends it on the first request only.
// Under all of them a 301/302 switches a POST *kind* (POSTFIELDS, even under
// a custom name) to GET without its body, as libcurl 7.88 does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLFOLLOW } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

const redirect = (code: number): { data: string } => ({ data: `HTTP/1.1 ${code} Redirect\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n` });

async function withServer(fn: (follow: (code: number, setup: (e: Easy) => void) => Promise<string[]>) => Promise<void>): Promise<void> {
  const srv = await startRawServer((r) => {
    const m = /^\/(\d{3})$/.exec(r.target);
    return m ? redirect(Number(m[1])) : ok('done');
  });
  try {
    await fn(async (code, setup) => {
      const before = srv.requests.length;
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/${code}`, setup);
      assert.equal(r.code, CURLE.OK);
      r.easy.cleanup();
      // each request as "METHOD target body"
      return srv.requests.slice(before).map((q) => `${q.method} ${q.target} ${q.body.toString()}`.trimEnd());
    });
  } finally {
    await srv.close();
  }
}

const custom = (mode: number, method: string, data?: string) => (e: Easy): void => {
  e.setopt(CURLOPT.FOLLOWLOCATION, mode);
  e.setopt(CURLOPT.CUSTOMREQUEST, method);
  if (data !== undefined) e.setopt(CURLOPT.POSTFIELDS, data);
};

test('FOLLOWLOCATION 1 (ALL): the custom method stays; a 301/302 still drops a POST body', async () => {
  await withServer(async (follow) => {
    assert.deepEqual(await follow(302, custom(CURLFOLLOW.ALL, 'IGLOO', 'moo')), ['IGLOO /302 moo', 'IGLOO /final']);
    assert.deepEqual(await follow(301, custom(CURLFOLLOW.ALL, 'IGLOO', 'moo')), ['IGLOO /301 moo', 'IGLOO /final']);
    assert.deepEqual(await follow(303, custom(CURLFOLLOW.ALL, 'DELETE')), ['DELETE /303', 'DELETE /final']);
    assert.deepEqual(await follow(308, custom(CURLFOLLOW.ALL, 'IGLOO', 'moo')), ['IGLOO /308 moo', 'IGLOO /final moo']);
  });
});

test('FOLLOWLOCATION 2 (OBEYCODE): 301/302 of a POST and any 303 go to GET; 307/308 keep the method', async () => {
  await withServer(async (follow) => {
    assert.deepEqual(await follow(302, custom(CURLFOLLOW.OBEYCODE, 'IGLOO', 'moo')), ['IGLOO /302 moo', 'GET /final']);
    assert.deepEqual(await follow(301, custom(CURLFOLLOW.OBEYCODE, 'IGLOO', 'moo')), ['IGLOO /301 moo', 'GET /final']);
    assert.deepEqual(await follow(303, custom(CURLFOLLOW.OBEYCODE, 'DELETE')), ['DELETE /303', 'GET /final']);
    assert.deepEqual(await follow(307, custom(CURLFOLLOW.OBEYCODE, 'IGLOO', 'moo')), ['IGLOO /307 moo', 'IGLOO /final moo']);
    assert.deepEqual(await follow(308, custom(CURLFOLLOW.OBEYCODE, 'IGLOO', 'moo')), ['IGLOO /308 moo', 'IGLOO /final moo']);
    // a 301/302 does not change what is no POST
    assert.deepEqual(await follow(302, custom(CURLFOLLOW.OBEYCODE, 'DELETE')), ['DELETE /302', 'DELETE /final']);
    // POSTREDIR keeps a POST's method on a 303
    assert.deepEqual(await follow(303, (e) => {
      custom(CURLFOLLOW.OBEYCODE, 'IGLOO', 'moo')(e);
      e.setopt(CURLOPT.POSTREDIR, 4);
    }), ['IGLOO /303 moo', 'IGLOO /final moo']);
  });
});

test('FOLLOWLOCATION 3 (FIRSTONLY): the custom method only on the first request, then the code decides', async () => {
  await withServer(async (follow) => {
    assert.deepEqual(await follow(307, custom(CURLFOLLOW.FIRSTONLY, 'IGLOO', 'moo')), ['IGLOO /307 moo', 'POST /final moo']);
    assert.deepEqual(await follow(302, custom(CURLFOLLOW.FIRSTONLY, 'IGLOO', 'moo')), ['IGLOO /302 moo', 'GET /final']);
    assert.deepEqual(await follow(308, custom(CURLFOLLOW.FIRSTONLY, 'DELETE')), ['DELETE /308', 'GET /final']);
  });
});

test('FOLLOWLOCATION other than 0..3 is BAD_FUNCTION_ARGUMENT (curl 8.13\'s setopt) and leaves the mode set before', async () => {
  await withServer(async (follow) => {
    assert.deepEqual(await follow(307, (e) => {
      custom(CURLFOLLOW.FIRSTONLY, 'IGLOO', 'moo')(e);
      for (const v of [4, 5, 100, -1, 0x7fffffff]) assert.equal(e.setopt(CURLOPT.FOLLOWLOCATION, v as 1), CURLE.BAD_FUNCTION_ARGUMENT, String(v));
    }), ['IGLOO /307 moo', 'POST /final moo']);
    // never set to a mode: no redirect is followed, the 307 is the answer
    assert.deepEqual(await follow(307, (e) => assert.equal(e.setopt(CURLOPT.FOLLOWLOCATION, 4 as 1), CURLE.BAD_FUNCTION_ARGUMENT)), ['GET /307']);
  });
});
