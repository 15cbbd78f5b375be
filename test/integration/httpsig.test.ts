// RFC 9421 HTTP Message Signatures from the library (CURLOPT_HTTPSIG_*, curl
// 8.22) end to end: a loopback server receives the requests and verifies the
// signatures itself (test/helpers/httpsig-verify.ts rebuilds the signature
// base from what arrived), for Ed25519 and HMAC-SHA256, default and listed
// components, redirects to the same and to another origin, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLOPT, CURLE, CURLINFO, CURLAUTH, CURLHTTPSIG, Easy } from '../../src/index.js';
import { withRawServer, ok, type RawServer, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { ED25519_SEED_HEX, signWithEd25519, signatureHeaders, verifyRequest } from '../helpers/httpsig-verify.js';

const HMAC_KEY = '00112233445566778899aabbccddeeff0f1e2d3c4b5a6978';

const ed25519 = signWithEd25519;
const withServer = (fn: (srv: RawServer) => Promise<void>, handler = (_r: ReceivedRequest) => ok('hi')): Promise<void> => withRawServer(fn, handler);

test('ed25519 signs method, authority, path and query by default, right after Host', async () => {
  await withServer(async (srv) => {
    const before = Math.floor(Date.now() / 1000);
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/api/items?name=me&noval&aim=b%25ad`, (e) => ed25519(e));
    assert.equal(r.code, CURLE.OK);
    const req = srv.requests[0]!;
    const v = verifyRequest(req);
    assert.deepEqual(v.components, ['@method', '@authority', '@path', '@query']);
    assert.equal(v.keyid, 'test-key-ed25519');
    assert.equal(v.alg, 'ed25519');
    // created is the signing time in seconds, no later than the check after the transfer
    assert.ok(v.created >= before && v.created <= Math.floor(Date.now() / 1000), `created=${v.created}`);
    assert.match(v.base, /^"@method": GET\n"@authority": 127\.0\.0\.1:\d+\n"@path": \/api\/items\n"@query": \?name=me&noval&aim=b%25ad\n/);
    const lines = req.head.split('\r\n');
    assert.match(lines[2]!, /^Signature-Input: sig1=\(/);
    assert.match(lines[3]!, /^Signature: sig1=:/);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.HTTPSIG);
  });
});

test('hmac-sha256 over listed components: header fields from HTTPHEADER, lowercased, repeated ones joined', async () => {
  await withServer(async (srv) => {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/post`, (e) => {
      e.setopt(CURLOPT.HTTPSIG_ALGORITHM, CURLHTTPSIG.HMAC_SHA256);
      e.setopt(CURLOPT.HTTPSIG_KEY, HMAC_KEY);
      e.setopt(CURLOPT.HTTPSIG_KEYID, 'shared "key" \\1');
      assert.equal(e.setopt(CURLOPT.HTTPSIG_HEADERS, 'Method  authority Content-Type: x-multi:'), CURLE.OK);
      e.setopt(CURLOPT.HTTPHEADER, ['Content-Type: application/json', 'X-Multi: a', 'X-Multi:  b ']);
      e.setopt(CURLOPT.POSTFIELDS, '{"a":1}');
    });
    assert.equal(r.code, CURLE.OK);
    const v = verifyRequest(srv.requests[0]!, HMAC_KEY);
    assert.deepEqual(v.components, ['@method', '@authority', 'content-type', 'x-multi']);
    assert.equal(v.keyid, 'shared "key" \\1');
    assert.equal(v.alg, 'hmac-sha256');
    assert.match(v.base, /^"@method": POST\n"@authority": 127\.0\.0\.1:\d+\n"content-type": application\/json\n"x-multi": a, b\n/);
    // the wrong secret does not verify: the check is real
    assert.throws(() => verifyRequest(srv.requests[0]!, HMAC_KEY.replace(/^00/, '01')), /does not verify/);
  });
});

test('@authority leaves out the default port (CONNECT_TO sends example.com to the local server)', async () => {
  await withServer(async (srv) => {
    const r = await fetchUrl('http://Example.COM/x', (e) => {
      ed25519(e);
      e.setopt(CURLOPT.CONNECT_TO, [`example.com:80:127.0.0.1:${srv.port}`]);
    });
    assert.equal(r.code, CURLE.OK);
    const v = verifyRequest(srv.requests[0]!);
    assert.match(v.base, /^"@method": GET\n"@authority": example\.com\n"@path": \/x\n"@signature-params"/);
  });
});

test('a redirect to the same origin is signed again for its own path and query', async () => {
  await withServer(async (srv) => {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/first?q=1`, (e) => {
      ed25519(e);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(srv.requests.length, 2);
    const first = verifyRequest(srv.requests[0]!);
    const second = verifyRequest(srv.requests[1]!);
    assert.deepEqual(first.components, ['@method', '@authority', '@path', '@query']);
    assert.deepEqual(second.components, ['@method', '@authority', '@path']);
    assert.match(second.base, /"@path": \/second\n/);
  }, (req) => (req.target.startsWith('/first')
    ? { data: 'HTTP/1.1 302 Found\r\nLocation: /second\r\nContent-Length: 0\r\n\r\n' }
    : ok('done')));
});

test('a redirect to another origin carries no signature, unless UNRESTRICTED_AUTH', async () => {
  await withServer(async (other) => {
    const redirector = (target: string) => (req: ReceivedRequest) => (req.target === '/start'
      ? { data: `HTTP/1.1 301 Moved\r\nLocation: ${target}\r\nContent-Length: 0\r\n\r\n` }
      : ok('x'));
    // another port is another origin; credentials in the Location change nothing (curl's test 5025)
    for (const target of [`http://127.0.0.1:${other.port}/elsewhere`, `http://bob:alice@127.0.0.1:${other.port}/elsewhere`]) {
      await withServer(async (srv) => {
        const r = await fetchUrl(`http://127.0.0.1:${srv.port}/start`, (e) => {
          ed25519(e);
          e.setopt(CURLOPT.FOLLOWLOCATION, 1);
        });
        assert.equal(r.code, CURLE.OK);
        verifyRequest(srv.requests[0]!);
        const head = other.requests.at(-1)!.head;
        assert.deepEqual(signatureHeaders(other.requests.at(-1)!), {}, head);
        assert.doesNotMatch(head, /^Authorization:/im);
      }, redirector(target));
    }
    await withServer(async (srv) => {
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/start`, (e) => {
        ed25519(e);
        e.setopt(CURLOPT.FOLLOWLOCATION, 1);
        e.setopt(CURLOPT.UNRESTRICTED_AUTH, 1);
      });
      assert.equal(r.code, CURLE.OK);
      const v = verifyRequest(other.requests.at(-1)!);
      assert.match(v.base, new RegExp(`"@authority": 127\\.0\\.0\\.1:${other.port}\\n"@path": /elsewhere\\n`));
    }, redirector(`http://127.0.0.1:${other.port}/elsewhere`));
  });
});

test('setopt refuses unusable algorithms and component lists (BAD_FUNCTION_ARGUMENT) and keeps the last good ones', async () => {
  await withServer(async (srv) => {
    const bad = ['method method', 'Content-Type: content-type:', '@method authority', 'method foo', 'bad\u00e9:', '', '   ',
      Array.from({ length: 17 }, (_, i) => `x-h${i}:`).join(' ')];
    const sixteen = Array.from({ length: 16 }, (_, i) => `x-h${i}:`).join(' ');
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/opts`, (e) => {
      ed25519(e);
      for (const v of [-1, 3, 100]) assert.equal(e.setopt(CURLOPT.HTTPSIG_ALGORITHM, v as 0), CURLE.BAD_FUNCTION_ARGUMENT, String(v));
      assert.equal(e.setopt(CURLOPT.HTTPSIG_HEADERS, sixteen), CURLE.OK);
      assert.equal(e.setopt(CURLOPT.HTTPSIG_HEADERS, 'query path authority method'), CURLE.OK);
      for (const list of bad) assert.equal(e.setopt(CURLOPT.HTTPSIG_HEADERS, list), CURLE.BAD_FUNCTION_ARGUMENT, JSON.stringify(list));
    });
    assert.equal(r.code, CURLE.OK);
    // still ed25519, over the last list setopt took
    const v = verifyRequest(srv.requests[0]!);
    assert.equal(v.alg, 'ed25519');
    assert.deepEqual(v.components, ['@query', '@path', '@authority', '@method']);
    assert.match(v.base, /^"@query": \?\n/);
  });
});

test('HTTPAUTH set after the algorithm takes over; algorithm NONE signs nothing', async () => {
  await withServer(async (srv) => {
    const r1 = await fetchUrl(`http://127.0.0.1:${srv.port}/basic`, (e) => {
      ed25519(e);
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BASIC);
      e.setopt(CURLOPT.USERPWD, 'a:b');
    });
    assert.equal(r1.code, CURLE.OK);
    assert.deepEqual(signatureHeaders(srv.requests[0]!), {});
    assert.match(srv.requests[0]!.head, /\r\nAuthorization: Basic YTpi\r\n/);
    const r2 = await fetchUrl(`http://127.0.0.1:${srv.port}/none`, (e) => {
      ed25519(e);
      e.setopt(CURLOPT.HTTPSIG_ALGORITHM, CURLHTTPSIG.NONE);
    });
    assert.equal(r2.code, CURLE.OK);
    assert.deepEqual(signatureHeaders(srv.requests[1]!), {});
  });
});

test('missing or bad keys, a bad key id and an unsent header fail before a request is sent', async () => {
  await withServer(async (srv) => {
    const cases: { name: string; setup: (e: Easy) => void; code: number; message: RegExp }[] = [
      { name: 'no key', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_KEY, null); }, code: CURLE.FAILED_INIT, message: /HTTPSIG_KEY/ },
      { name: 'no key id', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_KEYID, null); }, code: CURLE.FAILED_INIT, message: /HTTPSIG_KEYID/ },
      { name: 'not hex', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_KEY, 'xyz1'); }, code: CURLE.BAD_FUNCTION_ARGUMENT, message: /hexadecimal/ },
      { name: 'odd hex', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_KEY, 'abc'); }, code: CURLE.BAD_FUNCTION_ARGUMENT, message: /hexadecimal/ },
      { name: 'short ed25519 key', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_KEY, ED25519_SEED_HEX.slice(2)); }, code: CURLE.BAD_FUNCTION_ARGUMENT, message: /32 bytes/ },
      { name: 'key id', setup: (e) => { ed25519(e, 'caf\u00e9'); }, code: CURLE.BAD_FUNCTION_ARGUMENT, message: /key id/ },
      { name: 'header', setup: (e) => { ed25519(e); e.setopt(CURLOPT.HTTPSIG_HEADERS, 'method x-absent:'); e.setopt(CURLOPT.HTTPHEADER, ['X-Absent:']); }, code: CURLE.BAD_FUNCTION_ARGUMENT, message: /x-absent/ },
    ];
    for (const c of cases) {
      const error = { message: '' };
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/${c.name.replace(/ /g, '-')}`, (e) => {
        e.setopt(CURLOPT.ERRORBUFFER, error);
        c.setup(e);
      });
      assert.equal(r.code, c.code, c.name);
      assert.match(error.message, c.message, c.name);
    }
    assert.equal(srv.requests.length, 0);
  });
});
