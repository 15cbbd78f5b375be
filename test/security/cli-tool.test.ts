// The tool's own advisories:
//   CVE-2020-8177  -J (with -i) could overwrite a local file: never, CURLE_WRITE_ERROR instead
//   (libcurl-security.md "Server-supplied names") -J keeps only the file name part
//   CVE-2024-2004  --proto that removes every protocol must not fall back to the default set
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { tscurl } from '../helpers/cli-run.js';

test('CVE-2020-8177: -J never overwrites an existing file, with or without -i; -J with -C - is refused', async () => {
  // curl 7.71-8.x refused -J with -i; curl 8.10+ (and its test suite, cases 1460/1492) allows it but
  // still never overwrites: the transfer fails with CURLE_WRITE_ERROR and the file is untouched
  const srv = await startRawServer(() => ok('body', 'Content-Disposition: attachment; filename="victim"\r\n'));
  try {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-j-'));
    writeFileSync(join(dir, 'victim'), 'precious');
    const url = `http://127.0.0.1:${srv.port}/x`;
    for (const args of [['-O', '-J', '-i'], ['-O', '-J']]) {
      const r = await tscurl(['-s', ...args, url], { cwd: dir });
      assert.equal(r.code, 23, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(readFileSync(join(dir, 'victim'), 'latin1'), 'precious');
    }
    const c = await tscurl(['-s', '-O', '-J', '-C', '-', url], { cwd: dir });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /^tscurl: --continue-at - and --remote-header-name cannot be combined$/m);
    assert.equal(srv.requests.length, 2);
    // as curl 7.88, only the last --next group is checked: an earlier -J -C - group runs
    const next = await tscurl(['-s', '-O', '-J', '-C', '-', `${url}2`, '--next', '-s', '-o', '/dev/null', url], { cwd: dir });
    assert.equal(next.code, 0, next.stderr);
    assert.equal(srv.requests.length, 4);
  } finally {
    await srv.close();
  }
});

test('-J takes only the last path component of a server-supplied name', async () => {
  const srv = await startRawServer(() => ok('body', 'Content-Disposition: attachment; filename="../../escaped"\r\n'));
  try {
    const parent = mkdtempSync(join(tmpdir(), 'tscurl-jp-'));
    const dir = join(parent, 'a', 'b');
    await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }));
    const r = await tscurl(['-s', '-O', '-J', `http://127.0.0.1:${srv.port}/x`], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir), ['escaped']);
    assert.equal(existsSync(join(parent, 'escaped')), false);
  } finally {
    await srv.close();
  }
});

test('CVE-2024-2004: --proto -all,-http allows nothing, so nothing is sent', async () => {
  const srv = await startRawServer(() => ok('body'));
  try {
    const r = await tscurl(['-s', '--proto', '-all,-http', `http://127.0.0.1:${srv.port}/`]);
    assert.notEqual(r.code, 0);
    const s = await tscurl(['-s', '--proto', '=https', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(s.code, 1, 'CURLE_UNSUPPORTED_PROTOCOL');
    assert.equal(srv.requests.length, 0);
    const control = await tscurl(['-s', '--proto', '=http', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(control.code, 0);
    assert.equal(srv.requests.length, 1);
  } finally {
    await srv.close();
  }
});

test('CVE-2022-27778: --no-clobber with --remove-on-error removes only the file it created', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nfail' }));
  try {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-nc-'));
    writeFileSync(join(dir, 'out'), 'precious');
    const r = await tscurl(['-s', '--fail-with-body', '--no-clobber', '--remove-on-error', '-o', 'out', `http://127.0.0.1:${srv.port}/`], { cwd: dir });
    assert.equal(r.code, 22);
    assert.equal(readFileSync(join(dir, 'out'), 'latin1'), 'precious');
    assert.deepEqual(readdirSync(dir), ['out'], 'out.1 was written, then removed');
  } finally {
    await srv.close();
  }
});
