// CURLOPT_SSLENGINE / --engine: an engine OpenSSL does not know is
// CURLE_SSL_ENGINE_NOTFOUND (53) at setopt time, with libcurl's message in
// the error buffer at once; the CLI stops before any transfer with exit 53
// and "(53) SSL Engine '...' not found" (muted by -s, like curl 7.88).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl } from '../helpers/cli-run.js';
import { fetchUrl } from '../helpers/fetch.js';

const BOGUS = 'no-such-crypto-engine-xyzzy';
let server: RawServer;
let base = '';

before(async () => {
  server = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n' }));
  base = `http://127.0.0.1:${server.port}`;
});
after(async () => {
  await server.close();
});

test('SSLENGINE with an unknown engine: 53 and the message in ERRORBUFFER; empty is a no-op', () => {
  const e = new Easy();
  try {
    const eb = { message: 'stale' };
    e.setopt(CURLOPT.ERRORBUFFER, eb);
    assert.equal(e.setopt(CURLOPT.SSLENGINE, BOGUS), CURLE.SSL_ENGINE_NOTFOUND);
    assert.equal(eb.message, `SSL Engine '${BOGUS}' not found`);
    assert.equal(e.errorBuffer, `SSL Engine '${BOGUS}' not found`);
    assert.equal(e.setopt(CURLOPT.SSLENGINE, ''), CURLE.OK);
  } finally {
    e.cleanup();
  }
});

test('the setopt message goes away with the next transfer', async () => {
  const r = await fetchUrl(`${base}/x`, (e) => {
    assert.equal(e.setopt(CURLOPT.SSLENGINE, BOGUS), CURLE.SSL_ENGINE_NOTFOUND);
    assert.notEqual(e.errorBuffer, '');
  });
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.easy.errorBuffer, '');
});

test('--engine with an unknown engine: exit 53 before any request', async () => {
  const before = server.requests.length;
  const r = await tscurl(['--engine', BOGUS, '-k', `${base}/y`]);
  assert.equal(r.code, 53);
  assert.equal(r.stderr, `tscurl: (53) SSL Engine '${BOGUS}' not found\n`);
  const quiet = await tscurl(['-s', '--engine', BOGUS, `${base}/y`]);
  assert.equal(quiet.code, 53);
  assert.equal(quiet.stderr, '');
  assert.equal(server.requests.length, before);
});
