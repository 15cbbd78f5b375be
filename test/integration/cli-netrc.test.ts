// The tool's .netrc flags as curl's: --netrc-file alone turns .netrc on
// (CURL_NETRC_REQUIRED), --netrc-optional makes it OPTIONAL whatever order
// the flags come in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

test('--netrc-file alone reads the file; --netrc-optional keeps the URL password', async (t) => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-netrc-cli-'));
  const file = join(dir, 'netrc');
  writeFileSync(file, 'machine 127.0.0.1 login u password frometrc\n');
  const base = `127.0.0.1:${srv.port}/n`;
  const cases: { args: string[]; auth: string }[] = [
    { args: ['--netrc-file', file, `http://${base}`], auth: 'u:frometrc' },
    { args: ['--netrc-file', file, `http://u:fromurl@${base}`], auth: 'u:frometrc' },
    { args: ['--netrc-file', file, '--netrc-optional', `http://u:fromurl@${base}`], auth: 'u:fromurl' },
    { args: ['--netrc-optional', '--netrc-file', file, `http://${base}`], auth: 'u:frometrc' },
  ];
  const sent = (): string => Buffer.from(srv.requests.at(-1)!.headers.get('authorization')!.slice(6), 'base64').toString();
  try {
    for (const c of cases) {
      const r = await tscurlBundle(['-s', ...c.args]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sent(), c.auth, c.args.join(' '));
      if (!NO_CURL) {
        await curl(['-s', ...c.args]);
        assert.equal(sent(), c.auth, `curl: ${c.args.join(' ')}`);
      }
    }
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await srv.close();
  }
});
