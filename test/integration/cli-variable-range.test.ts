// --variable name[start-end]@file: a byte range that is not well formed
// (end before start, or no closing bracket) fails the option with exit 2,
// as curl's tool_vars.c does (PARAM_VAR_SYNTAX) - it is not skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

test('--variable byte ranges: good ones slice, bad ones fail the option', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-var-'));
  const file = join(dir, 'v.txt');
  writeFileSync(file, '0123456789');
  const url = `http://127.0.0.1:${srv.port}/v`;
  try {
    const ok = await tscurlBundle(['-s', url, '--variable', `n[2-4]@${file}`, '--expand-data', '{{n}}']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(srv.requests.at(-1)!.body.toString(), '234');
    const seen = srv.requests.length;
    for (const bad of [`n[15-14]@${file}`, `n[3-x]@${file}`, `n[3-4@${file}`]) {
      const r = await tscurlBundle([url, '--variable', bad, '--expand-data', '{{n}}']);
      assert.equal(r.code, 2, bad);
      assert.equal(r.stderr, "tscurl: option --variable: syntax error in --variable argument\ntscurl: try 'tscurl --help' or 'tscurl --manual' for more information\n");
    }
    assert.equal(srv.requests.length, seen, 'no request is made');
  } finally {
    await srv.close();
  }
});
