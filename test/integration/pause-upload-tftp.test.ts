// TFTP uploads to Debian's tftpd-hpa whose READFUNCTION pauses
// (CURL_READFUNC_PAUSE): the block being filled waits, the read callback is
// not called again (no busy wake) until the application unpauses, and the
// upload then goes on to the end under perform(), multi.perform() and the
// multi-socket API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startTftpdHpa } from '../helpers/tftp-server.js';
import { pausedUpload, patternBody, tscurlSlowPipe, DRIVES } from '../helpers/paused-upload.js';

const NO_TFTPD = requireProgram('in.tftpd', 'tftpd-hpa');
const BODY = patternBody(5000);
const CHUNK = 300;

for (const drive of DRIVES) {
  test(`TFTP upload (${drive}): a paused read callback is not called until unpaused, and the file arrives whole`, { skip: NO_TFTPD }, async () => {
    const srv = await startTftpdHpa({ create: true });
    const e = new Easy();
    try {
      const name = `paused-${drive}.bin`;
      e.setopt(CURLOPT.URL, srv.url(name));
      e.setopt(CURLOPT.INFILESIZE, BODY.length);
      const r = await pausedUpload(e, BODY, drive, CHUNK);
      assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
      assert.equal(r.pauses, 2);
      assert.equal(r.callsWhilePaused, 0);
      // two pauses and the chunks (a block can end within a chunk: a few more reads, never a spin)
      assert.ok(r.calls >= 2 + Math.ceil(BODY.length / CHUNK) && r.calls <= 2 + 2 * Math.ceil(BODY.length / CHUNK), `${r.calls} read calls`);
      assert.ok(readFileSync(join(srv.root, name)).equals(BODY), 'the stored file is the body');
    } finally {
      e.cleanup();
      await srv.stop();
    }
  });
}

test('CLI: -T - from a pipe that fills slowly uploads over TFTP whole', { skip: NO_TFTPD }, async () => {
  const srv = await startTftpdHpa({ create: true });
  try {
    const r = await tscurlSlowPipe(['-sS', '-T', '-', srv.url('piped.bin')], [BODY.subarray(0, 700), BODY.subarray(700)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(srv.root, 'piped.bin')).equals(BODY));
  } finally {
    await srv.stop();
  }
});
