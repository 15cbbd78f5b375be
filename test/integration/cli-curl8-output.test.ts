// curl 8's output options through the bundled tool: --skip-existing leaves a
// file that is there alone (no request), -C refuses --remove-on-error and
// --no-clobber, whichever of the two comes second, -J with -i writes the
// headers into the file Content-Disposition names, and --out-null drops one
// URL's response.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

const OK = { data: 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnew\n' };
const HINT = "tscurl: try 'tscurl --help' or 'tscurl --manual' for more information\n";

test('--skip-existing: an existing output file is kept and not downloaded; a missing one is', async () => {
  const srv = await startRawServer(() => OK);
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-skip-'));
  try {
    writeFileSync(join(dir, 'hey'), 'old\n');
    const url = `http://127.0.0.1:${srv.port}/{hey,ho}`;
    const r = await tscurlBundle(['-s', '-o', join(dir, '#1'), url, '--skip-existing']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'the note shows only while tracing');
    assert.equal(readFileSync(join(dir, 'hey'), 'latin1'), 'old\n');
    assert.equal(readFileSync(join(dir, 'ho'), 'latin1'), 'new\n');
    assert.deepEqual(srv.requests.map((q) => q.target), ['/ho']);
    // -v shows curl's note; --output-dir is part of the name checked
    const v = await tscurlBundle(['-v', '--output-dir', dir, '-o', 'hey', `http://127.0.0.1:${srv.port}/hey`, '--skip-existing']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stderr, new RegExp(`^Note: skips transfer, "${join(dir, 'hey')}" exists locally$`, 'm'));
    assert.equal(srv.requests.length, 1);
    // --no-skip-existing switches it off again
    const again = await tscurlBundle(['-s', '-o', join(dir, 'hey'), `http://127.0.0.1:${srv.port}/hey`, '--skip-existing', '--no-skip-existing']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(dir, 'hey'), 'latin1'), 'new\n');
  } finally {
    await srv.close();
  }
});

test('--skip-existing over file://: the source is not overwritten by itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-skip-'));
  const file = join(dir, 'self.txt');
  writeFileSync(file, 'foo\nbar\n');
  const r = await tscurlBundle(['-v', `file://${file}`, '-o', file, '--skip-existing']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Note: skips transfer, ".*self\.txt" exists locally/);
  assert.equal(readFileSync(file, 'latin1'), 'foo\nbar\n');
});

test('-C with --remove-on-error or --no-clobber is a usage error, named after the later option', async () => {
  const srv = await startRawServer(() => OK);
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-resume-'));
  const out = join(dir, 'f');
  const url = `http://127.0.0.1:${srv.port}/f`;
  try {
    const cases: [string[], string][] = [
      [['--remove-on-error', '-C', '1'], 'tscurl: --continue-at is mutually exclusive with --remove-on-error\ntscurl: option -C: is badly used here\n'],
      [['-C', '1', '--remove-on-error'], 'tscurl: --continue-at is mutually exclusive with --remove-on-error\ntscurl: option --remove-on-error: is badly used here\n'],
      [['--no-clobber', '-C', '-'], 'tscurl: --continue-at is mutually exclusive with --no-clobber\ntscurl: option -C: is badly used here\n'],
      [['-C', '1', '--no-clobber'], 'tscurl: --continue-at is mutually exclusive with --no-clobber\ntscurl: option --no-clobber: is badly used here\n'],
    ];
    for (const [flags, stderr] of cases) {
      const r = await tscurlBundle([url, ...flags, '-o', out]);
      assert.equal(r.code, 2, flags.join(' '));
      assert.equal(r.stderr, stderr + HINT);
    }
    // switched off again, they combine as before
    const ok = await tscurlBundle(['-s', url, '--no-clobber', '--clobber', '--remove-on-error', '--no-remove-on-error', '-C', '0', '-o', out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(srv.requests.length, 1, 'only the last command made a request');
    assert.ok(existsSync(out));
  } finally {
    await srv.close();
  }
});

test('-J -O with -i: the headers go into the file Content-Disposition names, or the URL\'s without one', async () => {
  const srv = await startRawServer((r) => ({
    data: r.target === '/cd'
      ? 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Disposition: inline; filename="named"\r\nContent-Length: 4\r\n\r\nbody'
      : 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 4\r\n\r\nbody',
  }));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-ji-'));
  try {
    const a = await tscurlBundle(['-s', `http://127.0.0.1:${srv.port}/cd`, '-J', '-O', '-i', '--output-dir', dir]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(readFileSync(join(dir, 'named'), 'latin1'), 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Disposition: inline; filename="named"\r\nContent-Length: 4\r\n\r\nbody');
    assert.ok(!existsSync(join(dir, 'cd')), 'no file of the URL\'s name');
    const b = await tscurlBundle(['-s', `http://127.0.0.1:${srv.port}/plain`, '-J', '-O', '--show-headers', '--output-dir', dir]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(readFileSync(join(dir, 'plain'), 'latin1'), 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 4\r\n\r\nbody');
    // -J never overwrites: the named file is there, so the transfer fails with 23 and leaves it
    const c = await tscurlBundle([`http://127.0.0.1:${srv.port}/cd`, '-J', '-O', '-i', '--output-dir', dir, '--no-progress-meter']);
    assert.equal(c.code, 23);
    assert.match(c.stderr, /Failed to open .*named: File exists/);
  } finally {
    await srv.close();
  }
});

test('--out-null: that URL\'s response goes nowhere (still received and counted), the next one to stdout', async () => {
  const srv = await startRawServer((r) => ({ data: `HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n${r.target.slice(1, 4)}!\r\n` }));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-null-'));
  try {
    const base = `http://127.0.0.1:${srv.port}`;
    const r = await tscurlBundle(['-s', '-i', `${base}/one`, '--out-null', `${base}/two`, '-w', '[%{size_download}]'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[6]HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ntwo!\r\n[6]');
    assert.deepEqual(srv.requests.map((q) => q.target), ['/one', '/two']);
    // with --remote-name-all in force, --out-null still makes no file
    const all = await tscurlBundle(['-s', '--remote-name-all', `${base}/three`, '--out-null'], { cwd: dir });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, '');
    assert.ok(!existsSync(join(dir, 'three')));
    // one output setting more than URLs: curl's warning
    const extra = await tscurlBundle(['--no-progress-meter', `${base}/four`, '--out-null', '--out-null'], { cwd: dir });
    assert.equal(extra.code, 0);
    assert.equal(extra.stderr, 'Warning: Got more output options than URLs\n');
  } finally {
    await srv.close();
  }
});
