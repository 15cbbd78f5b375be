// Where the CLI puts what a transfer brings, in cases curl 7.88 settles:
// --etag-compare and --etag-save naming the same file, a 304 or an unmet -z
// leaving the output file alone, -J on a scheme-less URL, one -D file for
// several URLs, --remote-name-all with --no-remote-name, %{referer}
// after a followed redirect with --referer ";auto", and the default config
// file found as $CURL_HOME/.config/curlrc. Each runs the CLI
// against a raw loopback server and checks the files and output it leaves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, type RawServer, type Reply } from '../helpers/raw-http-server.js';
import { tscurl } from '../helpers/cli-run.js';
import { fetchUrl } from '../helpers/fetch.js';
import { CURLOPT, CURLINFO, CURLE } from '../../src/index.js';

let server: RawServer;
let base = '';
let root = '';
let caseNo = 0;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tscurl-outcases-'));
  server = await startRawServer((req): Reply => {
    const path = req.target;
    if (path === '/etag') return { data: 'HTTP/1.1 200 OK\r\nETag: "new-tag"\r\nContent-Length: 0\r\n\r\n' };
    if (path === '/not-modified') return { data: 'HTTP/1.1 304 Not Modified\r\nETag: "same"\r\n\r\n' };
    if (path === '/old') {
      return { data: 'HTTP/1.1 200 OK\r\nLast-Modified: Tue, 13 Jun 1990 12:10:00 GMT\r\nContent-Length: 6\r\n\r\n-foo-\n' };
    }
    if (path === '/empty') return { data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' };
    if (path === '/cd') {
      return { data: 'HTTP/1.1 200 OK\r\nContent-Disposition: inline; filename="semi;colon"\r\nContent-Length: 6\r\n\r\n12345\n' };
    }
    if (path === '/from') return { data: 'HTTP/1.1 302 Found\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n' };
    return { data: `HTTP/1.1 200 OK\r\nContent-Length: ${path.length + 1}\r\n\r\n${path}\n` };
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function freshDir(): string {
  const d = join(root, `c${++caseNo}`);
  mkdirSync(d);
  return d;
}

test('--etag-compare and --etag-save on the same file: the old tag is sent, the new one saved', async () => {
  const d = freshDir();
  writeFileSync(join(d, 'etag'), '"old-tag"\n');
  const r = await tscurl(['-s', `${base}/etag`, '--etag-compare', 'etag', '--etag-save', 'etag'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.match(server.requests.at(-1)!.head, /\r\nIf-None-Match: "old-tag"\r\n/);
  assert.equal(readFileSync(join(d, 'etag'), 'latin1'), '"new-tag"\n');
});

test('a 304 to --etag-compare leaves the -o file as it was', async () => {
  const d = freshDir();
  writeFileSync(join(d, 'etag'), '"same"\n');
  writeFileSync(join(d, 'out'), 'downloaded already\n');
  const r = await tscurl(['-s', `${base}/not-modified`, '-o', 'out', '--etag-compare', 'etag'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(d, 'out'), 'latin1'), 'downloaded already\n');
  // and creates no file when there was none
  const r2 = await tscurl(['-s', `${base}/not-modified`, '-o', 'absent', '--etag-compare', 'etag'], { cwd: d });
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(existsSync(join(d, 'absent')), false);
});

test('an unmet -z leaves the -o file alone; an empty 200 still creates (truncates) it', async () => {
  const d = freshDir();
  writeFileSync(join(d, 'out'), 'original contents\n');
  const r = await tscurl(['-s', `${base}/old`, '-z', 'dec 12 11:00:00 1999 GMT', '-o', 'out'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(d, 'out'), 'latin1'), 'original contents\n');
  const r2 = await tscurl(['-s', `${base}/empty`, '-o', 'out'], { cwd: d });
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(readFileSync(join(d, 'out'), 'latin1'), '');
});

test('CONDITION_UNMET is 1 after a 304 to a custom If-None-Match (no TIMECONDITION set)', async () => {
  const r = await fetchUrl(`${base}/not-modified`, (e) => e.setopt(CURLOPT.HTTPHEADER, ['If-None-Match: "same"']));
  assert.equal(r.code, CURLE.OK);
  assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 304);
  assert.equal(r.easy.getinfo(CURLINFO.CONDITION_UNMET), 1);
  const ok = await fetchUrl(`${base}/empty`);
  assert.equal(ok.easy.getinfo(CURLINFO.CONDITION_UNMET), 0);
});

test('-J -O on a URL without a scheme uses the Content-Disposition name, ";" and all', async () => {
  const d = freshDir();
  const r = await tscurl(['-s', `127.0.0.1:${server.port}/cd`, '-J', '-O', '--output-dir', d], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(d), ['semi;colon']);
  assert.equal(readFileSync(join(d, 'semi;colon'), 'latin1'), '12345\n');
});

test('one -D file for several URLs gets every transfer\'s headers; a new --next group starts it over', async () => {
  const d = freshDir();
  writeFileSync(join(d, 'heads'), 'stale\n');
  const r = await tscurl(['-s', '-D', 'heads', `${base}/a`, `${base}/bb`], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/a\n/bb\n');
  const h = (p: string): string => `HTTP/1.1 200 OK\r\nContent-Length: ${p.length + 1}\r\n\r\n`;
  assert.equal(readFileSync(join(d, 'heads'), 'latin1'), h('/a') + h('/bb'));
  const r2 = await tscurl(['-s', '-D', 'heads', `${base}/a`, '--next', '-D', 'heads', `${base}/ccc`], { cwd: d });
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(readFileSync(join(d, 'heads'), 'latin1'), h('/ccc'));
});

test('--remote-name-all applies to URLs given after it; --no-remote-name turns it off for one URL', async () => {
  const d = freshDir();
  const off = await tscurl(['-s', '--remote-name-all', '--no-remote-name', `${base}/one`], { cwd: d });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.stdout, '/one\n');
  const late = await tscurl(['-s', `${base}/late`, '--remote-name-all'], { cwd: d });
  assert.equal(late.stdout, '/late\n');
  assert.deepEqual(readdirSync(d), []);
  const mixed = await tscurl(['-s', '--remote-name-all', '--no-remote-name', `${base}/two`, `${base}/three`], { cwd: d });
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.equal(mixed.stdout, '/two\n');
  assert.deepEqual(readdirSync(d), ['three']);
  assert.equal(readFileSync(join(d, 'three'), 'latin1'), '/three\n');
});

test('--no-remote-name with no --remote-name-all and no URL waiting makes no node: no "more output options" warning', async () => {
  const d = freshDir();
  const r = await tscurl(['--no-progress-meter', `${base}/nrn`, '-o', 'out', '--no-remote-name', '-w', '%{stderr}yes\\n'], { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'yes\n');
  assert.equal(readFileSync(join(d, 'out'), 'latin1'), '/nrn\n');
  // still one node per URL: the second URL goes to stdout
  const two = await tscurl(['-s', '-o', 'a', '--no-remote-name', `${base}/a`, `${base}/b`], { cwd: d });
  assert.equal(two.stdout, '/b\n');
  assert.equal(readFileSync(join(d, 'a'), 'latin1'), '/a\n');
});

test('%{referer} after following a redirect with --referer "x;auto" is the URL it came from', async () => {
  const r = await tscurl(['-s', '-L', `${base}/from`, '--referer', 'first.html;auto', '-w', '%{stderr}|%{referer}|'], { cwd: root });
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `|${base}/from|`);
  const reqs = server.requests.slice(-2);
  assert.match(reqs[0]!.head, /\r\nReferer: first\.html\r\n/);
  assert.match(reqs[1]!.head, new RegExp(`\\r\\nReferer: ${base.replace(/\./g, '\\.')}/from\\r\\n`));
  // without a redirect it is the one given
  const plain = await tscurl(['-s', `${base}/to`, '--referer', 'first.html;auto', '-w', '%{stderr}|%{referer}|'], { cwd: root });
  assert.equal(plain.stderr, '|first.html|');
});

test('the default config file: $CURL_HOME/.config/curlrc while XDG_CONFIG_HOME is unset', async () => {
  const d = freshDir();
  mkdirSync(join(d, '.config'));
  writeFileSync(join(d, '.config', 'curlrc'), '--next\nheader = "a: a"\ndata = "curlrc read"\n');
  const r = await tscurl(['-s', `${base}/rc`], { cwd: d, env: { CURL_HOME: d } });
  assert.equal(r.code, 0, r.stderr);
  const req = server.requests.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.match(req.head, /\r\na: a\r\n/);
  assert.equal(req.body.toString(), 'curlrc read');
  // with XDG_CONFIG_HOME set, only $XDG_CONFIG_HOME/.curlrc counts
  const x = join(d, 'xdg');
  mkdirSync(x);
  const r2 = await tscurl(['-s', `${base}/rc2`], { cwd: d, env: { CURL_HOME: d, XDG_CONFIG_HOME: x } });
  assert.equal(server.requests.at(-1)!.method, 'GET', r2.stderr);
  writeFileSync(join(x, '.curlrc'), 'request = PUT\n');
  await tscurl(['-s', `${base}/rc3`], { cwd: d, env: { CURL_HOME: d, XDG_CONFIG_HOME: x } });
  assert.equal(server.requests.at(-1)!.method, 'PUT');
});
