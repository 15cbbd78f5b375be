// file:// uploads whose READFUNCTION pauses (CURL_READFUNC_PAUSE): no read
// until the application unpauses (libcurl fails such an upload with "Read
// callback asked for PAUSE when not supported"; here it waits, as every
// network protocol does), then the file is written whole, under perform(),
// multi.perform() and the multi-socket API. And the CLI's `-T -` from a pipe
// that fills slowly, which pauses the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { pausedUpload, patternBody, tscurlSlowPipe, DRIVES } from '../helpers/paused-upload.js';

const BODY = patternBody(40 * 1024);
const CHUNK = 4096;

for (const drive of DRIVES) {
  test(`file:// upload (${drive}): a paused read callback is not called until unpaused, and the file is written whole`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-file-pause-'));
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `file://${dir}/up.bin`);
      const r = await pausedUpload(e, BODY, drive, CHUNK);
      assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
      assert.equal(r.pauses, 2);
      assert.equal(r.callsWhilePaused, 0);
      // two pauses, the chunks, the end
      assert.equal(r.calls, 2 + Math.ceil(BODY.length / CHUNK) + 1);
      assert.ok(readFileSync(join(dir, 'up.bin')).equals(BODY));
    } finally {
      e.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('CLI: -T - from a pipe that fills slowly uploads to file:// whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-file-pipe-'));
  try {
    const r = await tscurlSlowPipe(['-sS', '-T', '-', `file://${dir}/piped.bin`], [BODY.subarray(0, 1000), BODY.subarray(1000)]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(dir, 'piped.bin')).equals(BODY));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
