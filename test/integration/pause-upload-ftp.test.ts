// FTP uploads (STOR, APPE, FTPS) whose READFUNCTION pauses
// (CURL_READFUNC_PAUSE): libcurl does not call the read callback again until
// the application unpauses, however often the transfer is woken meanwhile,
// and the upload then goes on to the end under perform(), multi.perform() and
// the multi-socket API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { pausedUpload, patternBody, tscurlSlowPipe, DRIVES } from '../helpers/paused-upload.js';
import { testCerts } from '../helpers/certs.js';

const BODY = patternBody(48 * 1024);
const CHUNKS = Math.ceil(BODY.length / 1024);

for (const drive of DRIVES) {
  test(`FTP STOR (${drive}): a paused read callback is not called until unpaused, and the file arrives whole`, async () => {
    const srv = await startFtpServer({});
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/up/paused.bin`);
      e.setopt(CURLOPT.FTP_CREATE_MISSING_DIRS, 1);
      const r = await pausedUpload(e, BODY, drive);
      assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
      assert.equal(r.pauses, 2);
      assert.equal(r.callsWhilePaused, 0);
      // two pauses, the chunks, the end
      assert.equal(r.calls, 2 + CHUNKS + 1);
      assert.ok(srv.files.get('/up/paused.bin')?.equals(BODY), 'the stored file is the body');
    } finally {
      e.cleanup();
      await srv.close();
    }
  });
}

test('FTP APPE (socket API): a paused read callback is not called until unpaused, the data is appended', async () => {
  const srv = await startFtpServer({ files: { '/f': 'old:' } });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/f`);
    e.setopt(CURLOPT.APPEND, 1);
    const r = await pausedUpload(e, BODY, 'socket');
    assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
    assert.equal(r.callsWhilePaused, 0);
    assert.ok(srv.files.get('/f')?.equals(Buffer.concat([Buffer.from('old:'), BODY])));
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('FTPS upload (multi.perform): a paused read callback is not called until unpaused', async () => {
  const certs = testCerts();
  const srv = await startFtpServer({ tls: certs.server });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/tls.bin`);
    e.setopt(CURLOPT.USE_SSL, 3);
    e.setopt(CURLOPT.CAINFO, certs.caFile);
    e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
    const r = await pausedUpload(e, BODY, 'multi');
    assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
    assert.equal(r.callsWhilePaused, 0);
    assert.ok(srv.files.get('/tls.bin')?.equals(BODY));
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CLI: -T - from a pipe that fills slowly uploads over FTP whole', async () => {
  const srv = await startFtpServer({});
  try {
    const r = await tscurlSlowPipe(['-sS', '-T', '-', `ftp://127.0.0.1:${srv.port}/piped.bin`], [BODY.subarray(0, 1000), BODY.subarray(1000)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(srv.files.get('/piped.bin')?.equals(BODY));
  } finally {
    await srv.close();
  }
});
