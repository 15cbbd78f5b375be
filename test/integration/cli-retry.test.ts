// --retry and its family against /usr/bin/curl 7.88: the same warnings,
// the same output file after a retry (truncated, not appended), the same
// exit codes. Retries wait whole seconds (curl's minimum without
// Retry-After), so every case retries at most once or twice and tscurl and
// curl run side by side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusedPort } from '../helpers/ports.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl, normalise, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

let server: RawServer;
let base = '';
let root = '';
let n = 0;
const counts = new Map<string, number>();

/**
 * /TOOL/flip/CODE: CODE the first time, then 200. /TOOL/always/CODE: always.
 * ?ra=N adds Retry-After: N. The body never names the tool, so both agree.
 */
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tscurl-retry-'));
  server = await startRawServer((req) => {
    const url = new URL(req.target, 'http://x');
    const seen = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, seen);
    const m = /^\/\w+\/(flip|always)\/(\d+)/.exec(url.pathname);
    const status = m ? (m[1] === 'flip' && seen > 1 ? 200 : Number(m[2])) : 200;
    const ra = url.searchParams.get('ra');
    const body = `attempt ${seen} status ${status}\n`;
    return { data: `HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\n${ra !== null ? `Retry-After: ${ra}\r\n` : ''}\r\n${body}` };
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs both tools with `{}` in args replaced by a per-tool path prefix. */
async function both(args: string[]): Promise<{ ours: CliRun; theirs: CliRun; od: string; td: string }> {
  n++;
  const od = join(root, `o${n}`);
  const td = join(root, `t${n}`);
  mkdirSync(od);
  mkdirSync(td);
  const sub = (tool: string): string[] => args.map((a) => a.replace('{}', `${base}/${tool}${n}`));
  const [ours, theirs] = await Promise.all([tscurl(sub('o'), { cwd: od }), curl(sub('t'), { cwd: td })]);
  return { ours, theirs, od, td };
}

function same(r: { ours: CliRun; theirs: CliRun }): void {
  assert.equal(r.ours.code, r.theirs.code, r.ours.stderr);
  assert.equal(r.ours.stdout, r.theirs.stdout);
  assert.equal(normalise(r.ours.stderr), normalise(r.theirs.stderr));
}

test('a 503 is retried; the output file holds only the last attempt', { skip: NO_CURL }, async () => {
  const r = await both(['--no-progress-meter', '--retry', '2', '-o', 'out', '{}/flip/503']);
  same(r);
  assert.equal(r.ours.stderr, 'Warning: Problem : HTTP error. Will retry in 1 seconds. 2 retries left.\nThrowing away 21 bytes\n');
  assert.equal(readFileSync(join(r.od, 'out'), 'latin1'), 'attempt 2 status 200\n');
  assert.equal(readFileSync(join(r.td, 'out'), 'latin1'), 'attempt 2 status 200\n');
});

test('-f with a transient error: the error, the warning, the retry, and exit 22 at the end', { skip: NO_CURL }, async () => {
  const r = await both(['-sS', '-f', '--retry', '1', '{}/always/502']);
  same(r);
  assert.equal(r.ours.code, 22);
  // -s mutes the warnings, -S keeps the errors
  assert.equal(r.ours.stderr, 'tscurl: (22) The requested URL returned error: 502\n'.repeat(2));
  // 404 is not transient: no retry
  const nf = await both(['--no-progress-meter', '-f', '--retry', '3', '{}/always/404']);
  same(nf);
  assert.equal(nf.ours.stderr, 'tscurl: (22) The requested URL returned error: 404\n');
});

test('--retry-all-errors retries any error; Retry-After beyond --retry-max-time stops', { skip: NO_CURL }, async () => {
  const r = await both(['--no-progress-meter', '-f', '--retry', '1', '--retry-all-errors', '{}/flip/404']);
  same(r);
  // curl cuts warnings at 79 columns, after a space
  assert.match(r.ours.stderr, /^Warning: Problem \(retrying all errors\)\. Will retry in 1 seconds\. 1 retries \nWarning: left\.$/m);
  assert.equal(r.ours.code, 0);
  const ra = await both(['--no-progress-meter', '--retry', '3', '--retry-max-time', '2', '{}/always/429?ra=60']);
  same(ra);
  assert.equal(ra.ours.stderr,
    // (curl's text has no newline at the end)
    'Warning: The Retry-After: time would make this command line exceed the maximum \nWarning: allowed time for retries.');
});

test('--retry-connrefused retries a refused connection; without it there is no retry', { skip: NO_CURL }, async () => {
  const port = await refusedPort(); // nothing listens there, and no server started meanwhile takes it
  const url = `http://127.0.0.1:${port}/`;
  const [ours, theirs] = await Promise.all([
    tscurl(['--no-progress-meter', '--retry', '1', '--retry-connrefused', url]),
    curl(['--no-progress-meter', '--retry', '1', '--retry-connrefused', url]),
  ]);
  const strip = (s: string): string => normalise(s).replace(/after \d+ ms/g, 'after N ms');
  assert.equal(ours.code, 7);
  assert.equal(ours.code, theirs.code);
  assert.equal(strip(ours.stderr), strip(theirs.stderr));
  assert.match(ours.stderr, /^Warning: Problem : connection refused\. Will retry in 1 seconds\. 1 retries \nWarning: left\.$/m);
  const plain = await tscurl(['--no-progress-meter', '--retry', '1', url]);
  assert.equal(plain.code, 7);
  assert.doesNotMatch(plain.stderr, /Warning/);
});

test('a timeout is transient', async () => {
  const hang = await startRawServer(() => ({ hang: true }));
  try {
    const r = await tscurl(['--no-progress-meter', '-m', '0.3', '--retry', '1', `http://127.0.0.1:${hang.port}/`]);
    assert.equal(r.code, 28);
    assert.match(r.stderr, /^Warning: Problem : timeout\. Will retry in 1 seconds\. 1 retries left\.$/m);
    assert.equal(hang.requests.length, 2);
  } finally {
    await hang.close();
  }
});

test('--retry takes a non-negative integer, as curl', { skip: NO_CURL }, async () => {
  for (const bad of ['-1', 'x']) {
    const [o, t] = await Promise.all([tscurl(['--retry', bad, base]), curl(['--retry', bad, base])]);
    assert.equal(o.code, t.code);
    assert.equal(normalise(o.stderr), normalise(t.stderr));
  }
});
