// The secure-context cache must never serve stale trust: it is keyed on the
// bytes read for each connection, so rewriting the CAINFO file between two
// transfers changes the verdict, as it does in libcurl without a CA cache hit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLOPT, CURLE } from '../../src/index.js';
import { testCerts } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

test('a CA file rewritten between transfers is read afresh', { skip: NO_OPENSSL }, async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server);
  const caFile = join(mkdtempSync(join(tmpdir(), 'tscurl-ca-')), 'ca.pem');
  const get = async () => {
    const r = await fetchUrl(`https://localhost:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.CAINFO, caFile);
      e.setopt(CURLOPT.FRESH_CONNECT, 1);
    });
    r.easy.cleanup();
    return r.code;
  };
  try {
    writeFileSync(caFile, c.selfSigned.cert); // not the CA that signed the server
    assert.equal(await get(), CURLE.PEER_FAILED_VERIFICATION);
    writeFileSync(caFile, readFileSync(c.caFile));
    assert.equal(await get(), CURLE.OK);
    writeFileSync(caFile, c.selfSigned.cert);
    assert.equal(await get(), CURLE.PEER_FAILED_VERIFICATION);
  } finally {
    await srv.close();
  }
});
