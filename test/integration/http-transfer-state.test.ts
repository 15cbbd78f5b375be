// HTTP's per-transfer state lives in the HTTP handler's own object, in the
// transfer's one protocol slot (issue 11): one object for all the requests of
// a transfer (a redirect that switches POST to GET, an authentication round),
// read by getinfo, cut loose when the transfer is retired, and absent (getinfo
// answers its defaults) when the transfer never ran HTTP. The Transfer itself
// carries no HTTP-only field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLAUTH } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { Transfer } from '../../src/multi/transfer.js';
import { HttpTransferState } from '../../src/proto/http-state.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

/** The fields that moved from Transfer to HttpTransferState. */
const HTTP_ONLY = ['auth', 'autoReferer', 'forceGet', 'ignoreCustom', 'disableExpect', 'httpVersion', 'resumeFrom',
  'contentRangeOk', 'timeOfDoc', 'retryAfter', 'mimeSource'];

test('a Transfer has one protocol slot and none of the HTTP-only fields', () => {
  const e = new Easy();
  try {
    const t = new Transfer(e, internalsOf(e)!.opts, { inCallback: (fn) => fn() });
    const keys = Object.keys(t);
    assert.ok(keys.includes('protoState'));
    assert.equal(t.protoState, null, 'no protocol state before a handler is set up');
    for (const f of HTTP_ONLY) assert.ok(!keys.includes(f), `Transfer.${f} should be the HTTP handler's`);
    // every HTTP field is set in the constructor: all instances share one shape
    assert.deepEqual(Object.keys(new HttpTransferState()).sort(), [...HTTP_ONLY].sort());
  } finally {
    e.cleanup();
  }
});

test('one HTTP state across a redirect and an authentication round; getinfo reads it; retire() cuts it loose', async () => {
  const srv = await startRawServer((r) => {
    if (r.target === '/a') return { data: 'HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n' };
    if (!r.headers.get('authorization')) {
      return { data: 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n' };
    }
    return ok('done', 'Retry-After: 7\r\n');
  });
  try {
    const seen: unknown[] = [];
    let easy: Easy | null = null;
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/a`, (e) => {
      easy = e;
      e.setopt(CURLOPT.POSTFIELDS, 'x=1');
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.AUTOREFERER, 1);
      e.setopt(CURLOPT.USERPWD, 'u:p');
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.ANY);
      e.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
        // the state as each response arrives
        if (line.toString('latin1').startsWith('HTTP/')) seen.push(internalsOf(easy!)!.transfer!.protoState);
        return line.length;
      });
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'done');
    assert.deepEqual(srv.requests.map((q) => `${q.method} ${q.target} ${q.headers.has('authorization')}`),
      ['POST /a false', 'GET /b false', 'GET /b true']);
    const referer = `http://127.0.0.1:${srv.port}/a`;
    assert.equal(srv.requests[1]!.headers.get('referer'), referer);
    assert.equal(srv.requests[2]!.headers.get('referer'), referer);

    const t = internalsOf(r.easy)!.transfer!;
    const h = t.protoState;
    assert.ok(h instanceof HttpTransferState);
    assert.equal(seen.length, 3);
    for (const s of seen) assert.equal(s, h, 'every request of the transfer used the same HTTP state');
    assert.equal(h.forceGet, true);
    assert.equal(h.autoReferer, referer);
    assert.equal(r.easy.getinfo(CURLINFO.REFERER), referer);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_AVAIL), CURLAUTH.BASIC);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.BASIC);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_VERSION), 2); // CURL_HTTP_VERSION_1_1
    assert.equal(r.easy.getinfo(CURLINFO.RETRY_AFTER), 7);
    assert.equal(r.easy.getinfo(CURLINFO.REDIRECT_COUNT), 1);

    // the next transfer of the handle retires this one: its HTTP state goes, emptied
    r.easy.setopt(CURLOPT.HEADERFUNCTION, null);
    r.easy.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/c`);
    r.easy.setopt(CURLOPT.HTTPGET, 1);
    assert.equal(await r.easy.perform(), CURLE.OK);
    assert.equal(t.protoState, null);
    assert.equal(h.auth, null);
    assert.equal(h.autoReferer, null);
    assert.equal(h.mimeSource, null);
    const next = internalsOf(r.easy)!.transfer!;
    assert.notEqual(next, t);
    assert.ok(next.protoState instanceof HttpTransferState);
    assert.notEqual(next.protoState, h, 'a new transfer starts with a new HTTP state');
    assert.equal((next.protoState as HttpTransferState).forceGet, false);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('getinfo of a transfer that never ran HTTP answers the defaults of the HTTP facts', async () => {
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, 'nosuch://127.0.0.1/');
    e.setopt(CURLOPT.REFERER, 'http://example.invalid/from');
    assert.equal(await e.perform(), CURLE.UNSUPPORTED_PROTOCOL);
    assert.equal(internalsOf(e)!.transfer!.protoState, null);
    assert.equal(e.getinfo(CURLINFO.HTTP_VERSION), 0);
    assert.equal(e.getinfo(CURLINFO.RETRY_AFTER), 0);
    assert.equal(e.getinfo(CURLINFO.HTTPAUTH_AVAIL), 0);
    assert.equal(e.getinfo(CURLINFO.HTTPAUTH_USED), 0);
    assert.equal(e.getinfo(CURLINFO.PROXYAUTH_AVAIL), 0);
    assert.equal(e.getinfo(CURLINFO.REFERER), 'http://example.invalid/from');
  } finally {
    e.cleanup();
  }
});
