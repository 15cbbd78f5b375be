// SFTP and SCP uploads against Debian's OpenSSH whose READFUNCTION pauses
// (CURL_READFUNC_PAUSE): libcurl does not call the read callback again until
// the application unpauses, however often the transfer is woken meanwhile,
// and the upload then goes on to the end under perform(), multi.perform() and
// the multi-socket API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, sshArgs, type Sshd } from '../helpers/sshd.js';
import { pausedUpload, patternBody, tscurlSlowPipe, DRIVES } from '../helpers/paused-upload.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
let s: Sshd;
const BODY = patternBody(200 * 1024);
const CHUNK = 8192;
const CHUNKS = Math.ceil(BODY.length / CHUNK);

before(async () => {
  if (!SKIP) s = await startSshd();
});
after(async () => {
  if (s) await s.stop();
});

for (const scheme of ['sftp', 'scp']) {
  for (const drive of DRIVES) {
    test(`${scheme.toUpperCase()} upload (${drive}): a paused read callback is not called until unpaused, and the file arrives whole`, { skip: SKIP }, async () => {
      const name = `paused-${scheme}-${drive}.bin`;
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `${scheme}://127.0.0.1:${s.port}${s.home}/${name}`);
        e.setopt(CURLOPT.USERNAME, s.user);
        e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
        // SCP needs the size up front
        e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
        const r = await pausedUpload(e, BODY, drive, CHUNK);
        assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
        assert.equal(r.pauses, 2);
        assert.equal(r.callsWhilePaused, 0);
        // two pauses and the chunks; SFTP asks once more for the end (SCP knows the size)
        assert.ok(r.calls >= 2 + CHUNKS && r.calls <= 2 + CHUNKS + 1, `${r.calls} read calls`);
        assert.ok(readFileSync(join(s.home, name)).equals(BODY), 'the stored file is the body');
      } finally {
        e.cleanup();
      }
    });
  }
}

test('CLI: -T - from a pipe that fills slowly uploads over SFTP whole', { skip: SKIP }, async () => {
  const r = await tscurlSlowPipe(['-sS', ...sshArgs(s), '-T', '-', `sftp://127.0.0.1:${s.port}${s.home}/piped.bin`], [BODY.subarray(0, 1000), BODY.subarray(1000)]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readFileSync(join(s.home, 'piped.bin')).equals(BODY));
});
