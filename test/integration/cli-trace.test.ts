// --trace, --trace-ascii, --trace-time, --trace-ids, -v and --stderr against
// /usr/bin/curl 7.88 on the same loopback server: the dumps must be the
// same bytes (after naming the tool and 7.88's "(#0)").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

let server: RawServer;
let base = '';
let dir = '';

// CRLF inside and at the edge of a 64-character row, control and high bytes
const BODY = Buffer.concat([
  Buffer.from('hello\r\nworld\n' + 'x'.repeat(51) + '\r\n' + 'y'.repeat(64) + '\r\n\r\n'),
  Buffer.from([0, 1, 0x1f, 0x7f, 0x80, 0xff, 0x0d]),
  Buffer.from('tail\r\n'),
]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-trace-'));
  server = await startRawServer(() => ({
    data: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nX-Thing: yes\r\n\r\n`), BODY]),
  }));
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const common = (): string[] => ['-s', '-A', 'trace-test', '-o', join(dir, 'body')];

for (const flag of ['--trace', '--trace-ascii']) {
  test(`${flag} - dumps the same bytes as curl (GET and POST with a body)`, { skip: NO_CURL }, async () => {
    for (const extra of [[], ['-d', 'a=b&c=d']]) {
      const args = [...common(), flag, '-', ...extra, `${base}/path`];
      const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(normalise(ours.stdout), normalise(theirs.stdout));
      if (!extra.length) {
        assert.match(ours.stdout, flag === '--trace' ? /^0000: 47 45 54 20 2f 70 61 74 68 20 48 54 54 50 2f 31 GET \/path HTTP\/1$/m : /^0000: GET \/path HTTP\/1\.1$/m);
      }
      if (extra.length) assert.match(ours.stdout, /^=> Send data, 7 bytes \(0x7\)$/m);
    }
  });
}

test('--trace FILE writes the dump to the file; % sends it to stderr', { skip: NO_CURL }, async () => {
  const a = join(dir, 'ours.trace');
  const b = join(dir, 'theirs.trace');
  const [ours, theirs] = await Promise.all([tscurl([...common(), '--trace', a, `${base}/f`]), curl([...common(), '--trace', b, `${base}/f`])]);
  assert.equal(ours.code, 0);
  assert.equal(theirs.code, 0);
  assert.equal(normalise(readFileSync(a, 'latin1')), normalise(readFileSync(b, 'latin1')));
  const pct = await tscurl([...common(), '--trace-ascii', '%', `${base}/f`]);
  assert.equal(pct.stdout, '');
  assert.match(pct.stderr, /^== Info: {3}Trying 127\.0\.0\.1:\d+\.\.\.\n/);
});

test('--trace-time stamps every trace line, --trace-ids adds [xfer-conn]', async () => {
  const r = await tscurl([...common(), '--trace-ascii', '-', '--trace-time', `${base}/t`]);
  const heads = r.stdout.split('\n').filter((l) => /(== Info|=> Send|<= Recv)/.test(l));
  assert.ok(heads.length >= 5);
  for (const l of heads) assert.match(l, /^\d\d:\d\d:\d\d\.\d{6} (== Info|=> Send|<= Recv)/);
  // the dump rows carry no stamp
  assert.ok(r.stdout.split('\n').some((l) => /^0000: GET \/t HTTP\/1\.1$/.test(l)));
  const ids = await tscurl([...common(), '--trace-ascii', '-', '--trace-ids', '--trace-time', `${base}/t`]);
  for (const l of ids.stdout.split('\n').filter((x) => /(== Info|=> Send|<= Recv)/.test(x))) {
    assert.match(l, /^\d\d:\d\d:\d\d\.\d{6} \[0-0\] (== Info|=> Send|<= Recv)/);
  }
  const v = await tscurl(['-v', '--trace-ids', ...common(), `${base}/t`]);
  assert.match(v.stderr, /^\[0-0\] > GET \/t HTTP\/1\.1\r$/m);
});

test('-v prints what curl -v prints; an override warns like curl', { skip: NO_CURL }, async () => {
  const args = ['-v', ...common(), `${base}/v`];
  const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
  assert.equal(normalise(ours.stderr), normalise(theirs.stderr));
  for (const order of [['--trace-ascii', join(dir, 'x'), '-v'], ['-v', '--trace', join(dir, 'y')]]) {
    const a = [...order, '-o', join(dir, 'body'), `${base}/v`];
    const [o, t] = await Promise.all([tscurl(a), curl(a)]);
    const warn = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('Warning:'));
    assert.deepEqual(warn(o.stderr), warn(t.stderr));
    assert.equal(warn(o.stderr).length, 1);
  }
});

test('--stderr FILE takes the error messages; --stderr - sends them to stdout', { skip: NO_CURL }, async () => {
  const ef = join(dir, 'err.txt');
  const r = await tscurl(['--stderr', ef, '-sS', 'http://127.0.0.1:1/']);
  assert.equal(r.code, 7);
  assert.equal(r.stderr, '');
  assert.match(readFileSync(ef, 'latin1'), /^tscurl: \(7\) Failed to connect to 127\.0\.0\.1 port 1 after \d+ ms: /);
  const [o, t] = await Promise.all([tscurl(['--stderr', '-', '-sS', '-f', `${base}/x`, '-o', join(dir, 'b2')]), curl(['--stderr', '-', '-sS', '-f', 'http://127.0.0.1:1/'])]);
  assert.equal(o.stderr, '');
  assert.equal(t.stderr, '');
  assert.match(t.stdout, /^curl: \(7\)/);
  const e2 = await tscurl(['--stderr', '-', '-sS', 'http://127.0.0.1:1/']);
  assert.match(e2.stdout, /^tscurl: \(7\)/);
  assert.equal(e2.stderr, '');
});

test('--trace-ascii of a 1xx head and of a redirect followed on the same connection reads as curl 7.88\'s', { skip: NO_CURL }, async () => {
  // curl leaves the blank line of a 1xx out of the trace, and says it ignores a redirect's body only
  // when body bytes come (Curl_http_firstwrite)
  const srv = await startRawServer((r) => {
    if (r.target === '/100') return { data: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' };
    if (r.target === '/empty') return { data: 'HTTP/1.1 301 Moved\r\nLocation: /end\r\nContent-Length: 0\r\n\r\n' };
    if (r.target === '/body') return { data: 'HTTP/1.1 301 Moved\r\nLocation: /end\r\nContent-Length: 5\r\n\r\nmoved' };
    return { data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend' };
  });
  try {
    for (const path of ['/100', '/empty', '/body']) {
      const args = ['-s', '-L', '-A', 'trace-test', '--trace-ascii', '-', '-o', join(dir, 'body'), `http://127.0.0.1:${srv.port}${path}`];
      const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
      assert.equal(ours.code, 0, ours.stderr);
      // the bundle's identity is a pointer in 7.88 (src/conn/bundle.ts)
      const bundle = (s: string): string => s.replace(/^(== Info: Found bundle for host: )0x[0-9a-f]+/gm, '$10xPTR');
      assert.equal(bundle(normalise(ours.stdout)), bundle(normalise(theirs.stdout)), path);
    }
  } finally {
    await srv.close();
  }
});
