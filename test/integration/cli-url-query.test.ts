// --url-query: pieces encoded as --data-urlencode does ("+" sends the rest as
// it is), joined with '&' and appended to the URL's query through the URL API,
// as curl's tool does; the request target is compared with /usr/bin/curl's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

test('--url-query appends encoded pieces as curl does', async (t) => {
  const srv = await startRawServer(() => ({ data: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') }));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-uq-'));
  writeFileSync(join(dir, 'v.txt'), 'line one\n');
  const url = `http://127.0.0.1:${srv.port}/p?old=1`;
  const cases: { args: string[]; target: string }[] = [
    { args: ['--url-query', 'a=b&c', '--url-query', '+x=y%20z'], target: '/p?old=1&a=b%26c&x=y%20z' },
    { args: ['--url-query', `name@${join(dir, 'v.txt')}`, '--url-query', '=a+b c'], target: '/p?old=1&name=line+one%0a&a%2bb+c' },
    { args: ['--url-query', 'q=1'], target: '/p?old=1&q=1' },
  ];
  try {
    for (const c of cases) {
      const r = await tscurl(['-s', ...c.args, url]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(srv.requests.at(-1)!.target, c.target);
      if (!NO_CURL) {
        await curl(['-s', ...c.args, url]);
        assert.equal(srv.requests.at(-1)!.target, c.target, 'curl sends the same');
      }
    }
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await srv.close();
  }
});
