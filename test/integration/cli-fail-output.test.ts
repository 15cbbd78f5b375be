// -f, --fail-with-body, --fail-early and the exit code of several URLs;
// the output-file options: --remove-on-error, --no-clobber, -J, --etag-save,
// --etag-compare. Each case runs tscurl and /usr/bin/curl in their own
// directories against the same loopback server and compares results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl, normalise, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

let server: RawServer;
let base = '';
let root = '';
let caseNo = 0;

/** /s/CODE answers CODE; ?cd=... and ?etag=... add those headers. */
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tscurl-fail-'));
  server = await startRawServer((req) => {
    const url = new URL(req.target, 'http://x');
    const m = /^\/s\/(\d+)/.exec(url.pathname);
    const status = m ? Number(m[1]) : 200;
    let extra = '';
    const cd = url.searchParams.get('cd');
    if (cd !== null) extra += `Content-Disposition: ${cd}\r\n`;
    const etag = url.searchParams.get('etag');
    if (etag !== null) extra += `ETag: ${etag}\r\n`;
    const inm = req.headers.get('if-none-match');
    const body = `body ${url.pathname} inm=${inm ?? '-'}\n`;
    return { data: `HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}` };
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs both tools, each in a fresh directory prepared by `prep`. */
async function both(args: string[], prep: (dir: string) => void = () => {}): Promise<{ ours: CliRun; theirs: CliRun; od: string; td: string }> {
  caseNo++;
  const od = join(root, `o${caseNo}`);
  const td = join(root, `t${caseNo}`);
  for (const d of [od, td]) {
    mkdirSync(d);
    prep(d);
  }
  const [ours, theirs] = await Promise.all([tscurl(args, { cwd: od }), curl(args, { cwd: td })]);
  return { ours, theirs, od, td };
}

const files = (d: string): Record<string, string> =>
  Object.fromEntries(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f), 'latin1')]));

function same(r: { ours: CliRun; theirs: CliRun; od: string; td: string }, what: ('code' | 'stdout' | 'stderr' | 'files')[] = ['code', 'stdout', 'stderr', 'files']): void {
  if (what.includes('code')) assert.equal(r.ours.code, r.theirs.code, `exit codes: ${r.ours.stderr}`);
  if (what.includes('stdout')) assert.equal(r.ours.stdout, r.theirs.stdout);
  if (what.includes('stderr')) assert.equal(normalise(r.ours.stderr), normalise(r.theirs.stderr));
  if (what.includes('files')) assert.deepEqual(files(r.od), files(r.td));
}

test('-f fails on 404 with exit 22; several URLs: the last transfer decides', { skip: NO_CURL }, async () => {
  same(await both(['-sS', '-f', `${base}/s/404`]));
  same(await both(['-sS', '-f', `${base}/s/404`, `${base}/ok`]));
  same(await both(['-sS', '-f', `${base}/ok`, `${base}/s/500`, '-o', 'a', '-o', 'b']));
  const r = await both(['-sS', '-f', `${base}/ok`, `${base}/s/500`, '-o', 'a', '-o', 'b']);
  assert.equal(r.ours.code, 22);
});

test('--fail-early stops at the first failure and exits with it', { skip: NO_CURL }, async () => {
  const before = server.requests.length;
  const r = await both(['-sS', '-f', '--fail-early', `${base}/s/404`, `${base}/never`]);
  same(r);
  assert.equal(r.ours.code, 22);
  assert.equal(server.requests.slice(before).filter((q) => q.target === '/never').length, 0);
  // without -f a 404 is no error: both URLs run
  same(await both(['-sS', '--fail-early', `${base}/s/404`, `${base}/ok`]));
});

test('--fail-with-body keeps the body and exits 22; with -f the later one wins', { skip: NO_CURL }, async () => {
  same(await both(['-sS', '--fail-with-body', `${base}/s/404`]));
  same(await both(['-sS', '--fail-with-body', `${base}/s/503`, '-o', 'out']));
  // curl 8 (the suite's test 360): the later one wins with a warning; 7.88 refused the pair
  const r = await tscurl(['--no-progress-meter', '--fail-with-body', '-f', `${base}/s/404`]);
  assert.equal(r.code, 22);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'Warning: --fail deselects --fail-with-body here\ntscurl: (22) The requested URL returned error: 404\n');
  const r2 = await tscurl(['--no-progress-meter', '-f', '--fail-with-body', `${base}/s/404`]);
  assert.equal(r2.code, 22);
  assert.equal(r2.stdout, 'body /s/404 inm=-\n');
  assert.equal(r2.stderr, 'Warning: --fail-with-body deselects --fail here\ntscurl: (22) The requested URL returned error: 404\n');
});

test('--remove-on-error deletes the partial file; without it the file stays', { skip: NO_CURL }, async () => {
  const r = await both(['-sS', '--fail-with-body', '--remove-on-error', '-o', 'out', `${base}/s/500`]);
  same(r);
  assert.deepEqual(readdirSync(r.od), []);
  const keep = await both(['-sS', '--fail-with-body', '-o', 'out', `${base}/s/500`]);
  same(keep);
  assert.deepEqual(readdirSync(keep.od), ['out']);
  // with -v the tool says so
  const v = await tscurl(['-v', '--fail-with-body', '--remove-on-error', '-o', join(r.od, 'out'), `${base}/s/500`]);
  assert.match(v.stderr, /^Note: Removing output file: .*out$/m);
});

test('--no-clobber picks NAME.1, NAME.2 ... instead of overwriting', { skip: NO_CURL }, async () => {
  const prep = (d: string): void => {
    writeFileSync(join(d, 'f.txt'), 'old');
    writeFileSync(join(d, 'f.txt.1'), 'old1');
  };
  const r = await both(['-sS', '--no-clobber', '-o', 'f.txt', `${base}/a`, '--no-clobber', '-O', `${base}/f.txt`], prep);
  same(r);
  assert.deepEqual(Object.keys(files(r.od)), ['f.txt', 'f.txt.1', 'f.txt.2', 'f.txt.3']);
  // without it the file is overwritten
  same(await both(['-sS', '-o', 'f.txt', `${base}/b`], prep));
});

test('-J names the -O file after Content-Disposition, without its path, never overwriting', { skip: NO_CURL }, async () => {
  const cd = encodeURIComponent('attachment; filename="../../etc/x.txt"');
  same(await both(['-sS', '-J', '-O', `${base}/dir/url-name?cd=${cd}`]));
  const r = await both(['-sS', '-JO', `${base}/u?cd=${encodeURIComponent('inline; filename=plain.bin; size=3')}`]);
  same(r);
  assert.deepEqual(Object.keys(files(r.od)), ['plain.bin']);
  // an existing file is not overwritten: write error 23
  const ex = await both(['-JO', `${base}/u?cd=${cd}`], (d) => writeFileSync(join(d, 'x.txt'), 'mine'));
  same(ex, ['code', 'files']);
  assert.equal(ex.ours.code, 23);
  assert.match(ex.ours.stderr, /Warning: Failed to open the file x\.txt: File exists\n/);
  assert.match(ex.ours.stderr, /^tscurl: \(23\) Failed writing header$/m);
  // no header: the URL's name
  same(await both(['-sS', '-JO', `${base}/named.txt`]));
  // -J without -O does nothing
  same(await both(['-sS', '-J', `${base}/x?cd=${cd}`]));
});

test('--etag-save stores the ETag; --etag-compare sends If-None-Match', { skip: NO_CURL }, async () => {
  const r = await both(['-sS', '--etag-save', 'tag', `${base}/e?etag=${encodeURIComponent('"v1"')}`]);
  same(r);
  assert.equal(readFileSync(join(r.od, 'tag'), 'latin1'), '"v1"\n');
  const c = await both(['-sS', '--etag-compare', 'tag', `${base}/e`], (d) => writeFileSync(join(d, 'tag'), '"v1"\n'));
  same(c);
  assert.match(c.ours.stdout, /inm="v1"/);
  // a missing compare file: error 26, unless --etag-save is given too (then "")
  const miss = await both(['--etag-compare', 'nope', `${base}/e`]);
  same(miss, ['code', 'stdout', 'stderr']);
  assert.equal(miss.ours.code, 26);
  same(await both(['-sS', '--etag-compare', 'nope', '--etag-save', 'nope', `${base}/e?etag=${encodeURIComponent('"v2"')}`]));
  // --etag-save - writes the tag to stdout
  same(await both(['-sS', '--etag-save', '-', '-o', 'b', `${base}/e?etag=${encodeURIComponent('"v3"')}`]));
});

test('-X naming the method the flags already imply is a note while tracing; -X HEAD a warning (curl\'s customrequest_helper)', { skip: NO_CURL }, async () => {
  const dir = mkdtempSync(join(root, 'x-'));
  writeFileSync(join(dir, 'up'), 'up');
  const cases: string[][] = [
    ['-X', 'POST', '-d', 'x'], ['-X', 'get'], ['-X', 'PUT', '-T', join(dir, 'up')], ['-X', 'POST', '-F', 'a=b'],
    ['-I', '-X', 'HEAD'], ['-X', 'head'], ['-X', 'PUT', '-d', 'x'],
  ];
  for (const args of cases) {
    for (const trace of [[], ['--trace-ascii', join(dir, 'trace')]]) {
      const argv = ['--no-progress-meter', '-o', join(dir, 'out'), ...trace, ...args, `${base}/s/200`];
      const [t, c] = [await tscurl(argv), await curl(argv)];
      assert.equal(t.code, c.code, args.join(' '));
      assert.equal(t.stderr, c.stderr, `${args.join(' ')} ${trace.length ? 'traced' : ''}`);
    }
  }
  // the positive control: the note is there at all
  const r = await tscurl(['--no-progress-meter', '--trace-ascii', join(dir, 'trace'), '-o', join(dir, 'out'), '-X', 'POST', '-d', 'x', `${base}/s/200`]);
  assert.equal(r.stderr, 'Note: Unnecessary use of -X or --request, POST is already inferred.\n');
});

test('-f on a 404: -D gets the blank line ending the head, -v does not trace it (7.88 fails first)', { skip: NO_CURL }, async () => {
  same(await both(['-sS', '-f', '-o', '/dev/null', '-D', '-', `${base}/s/404`]));
  const v = await both(['-sv', '-f', '-o', '/dev/null', `${base}/s/404`]);
  const ua = (s: string): string => s.replace(/^> User-Agent: .*\r\n/m, '');
  assert.equal(ua(normalise(v.ours.stderr)), ua(normalise(v.theirs.stderr)));
  assert.equal(v.ours.code, 22);
});
