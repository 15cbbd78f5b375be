// -v and --trace-ascii / --trace of chunked responses against /usr/bin/curl
// 7.88 on the same loopback server: curl traces each read's body part
// before de-chunking it, so the dumps show the chunk framing, the trailers
// (as data, not as received headers) and the reads as they were cut: in one
// read, in several (the server waits between pieces), with a redirect body
// that -L ignores, an authentication round, --raw and gzip.
//
// The pieces are separate reads only if the client read one before the next
// arrives; on a loaded machine two may come in one read for either tool, so
// a run whose outputs differ is tried again (a bounded number of times): a
// real difference stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tscurl, curl, normalise, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { startScriptServer, type ScriptConn, type ScriptServer } from '../helpers/script-server.js';

const NO_CURL = requireProgram('curl', 'curl');

/** Pause between pieces, so that each is a read of its own. */
const GAP_MS = 60;
const ATTEMPTS = 4;

const OK_CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n';
const GZ = gzipSync(Buffer.from('hello gzip world\n'));

/** Path -> the pieces of the reply, written GAP_MS apart (a request with Authorization takes '/auth-ok'). */
const REPLIES: Record<string, Array<string | Buffer>> = {
  '/one': [OK_CHUNKED + 'Trailer: X-T\r\n\r\n6\r\nhello \r\n6;ext=1\r\nworld\n\r\n0\r\nX-T: yes\r\nX-U: no\r\n\r\n'],
  '/reads': [OK_CHUNKED + '\r\n6\r\nhel', 'lo \r\n6\r', '\nworld\n\r\n0\r\n', 'X-T: yes\r\n', '\r\n'],
  '/head-alone': [OK_CHUNKED + '\r\n', '6\r\nhello \r\n', '0\r\n\r\n'],
  '/redirect': ['HTTP/1.1 302 Found\r\nLocation: /one\r\nTransfer-Encoding: chunked\r\n\r\n', '5\r\nmoved\r\n', '0\r\n\r\n'],
  '/auth': ['HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm="x"\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n', '0\r\n\r\n'],
  '/auth-ok': [OK_CHUNKED + '\r\n2\r\nok\r\n0\r\n\r\n'],
  '/gzip': [OK_CHUNKED + 'Content-Encoding: gzip\r\n\r\n' + GZ.length.toString(16) + '\r\n', GZ, '\r\n0\r\n\r\n'],
  '/leftover': [OK_CHUNKED + '\r\n6\r\nhello \r\n0\r\n\r\nEXTRA'],
};

/** Answers every request on a connection (keep-alive) with its REPLIES pieces. */
async function answer(c: ScriptConn): Promise<void> {
  for (let n = 0; n < 5; n++) {
    if (!(await c.waitFor((b) => b.toString('latin1').split('\r\n\r\n').length - 1 > n))) return;
    const head = c.received().toString('latin1').split('\r\n\r\n')[n]!;
    const path = /^\w+ (\S+)/m.exec(head.trimStart())?.[1] ?? '/';
    const pieces = REPLIES[/^Authorization:/im.test(head) ? '/auth-ok' : path] ?? REPLIES['/one']!;
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, GAP_MS));
      c.write(pieces[i]!);
    }
  }
}

let srv: ScriptServer;
let dir = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-chunktrace-'));
  srv = await startScriptServer(answer);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The bundle's identity in "Found bundle for host: %p" is a pointer in 7.88 (src/conn/bundle.ts in tscurl). */
const bundle = (s: string): string => s.replace(/^((== Info: |\* )Found bundle for host: )0x[0-9a-f]+/gm, '$10xPTR');

/**
 * The trace both tools print for `args` (from `pick`, after `fix`), tried
 * again while they differ or `cut` says the reads were not cut as written.
 */
async function same(args: string[], pick: (r: CliRun) => string, fix = (s: string): string => s, cut = (_s: string): boolean => true): Promise<string> {
  let ours = '';
  let theirs = '';
  for (let i = 0; i < ATTEMPTS; i++) {
    const [o, t] = await Promise.all([tscurl(args), curl(args)]);
    assert.equal(o.code, t.code, o.stderr);
    ours = fix(bundle(normalise(pick(o))));
    theirs = fix(bundle(normalise(pick(t))));
    if (ours === theirs && cut(ours)) break;
  }
  assert.equal(ours, theirs, args.join(' '));
  return ours;
}

const common = (): string[] => ['-s', '-A', 'chunk-test', '-o', join(dir, 'body')];
const url = (path: string): string => `http://127.0.0.1:${srv.port}${path}`;

for (const path of ['/one', '/reads', '/head-alone', '/gzip']) {
  test(`--trace-ascii, --trace and -v of a chunked body (${path}) as curl 7.88's`, { skip: NO_CURL }, async () => {
    const gz = path === '/gzip' ? ['--compressed'] : [];
    const ascii = await same([...common(), ...gz, '--trace-ascii', '-', url(path)], (r) => r.stdout);
    // the framing is in the dump: the last chunk is there
    assert.match(ascii, /^<= Recv data, \d+ bytes .*\n([0-9a-f]{4}: .*\n)*?[0-9a-f]{4}: 0\n/m);
    assert.doesNotMatch(ascii, /<= Recv header, \d+ bytes .*\n0000: X-T: yes/);
    await same([...common(), ...gz, '--trace', '-', url(path)], (r) => r.stdout);
    await same(['-v', ...common(), ...gz, url(path)], (r) => r.stderr);
  });
}

test('--trace-ascii of chunked bodies split over reads: one dump per read, the head\'s read from its blank line on', { skip: NO_CURL }, async () => {
  const body = REPLIES['/reads']!.map((p) => p.toString());
  body[0] = body[0]!.slice(body[0]!.indexOf('\r\n\r\n') + 4);
  const sizes = (s: string): number[] => [...s.matchAll(/^<= Recv data, (\d+) bytes/gm)].map((m) => Number(m[1]));
  const asWritten = (s: string): boolean => sizes(s).join() === body.map((p) => p.length).join();
  const ascii = await same([...common(), '--trace-ascii', '-', url('/reads')], (r) => r.stdout, undefined, asWritten);
  assert.deepEqual(sizes(ascii), body.map((p) => p.length));
});

test('-L: the ignored chunked redirect body is traced raw after "Ignoring the response-body", as curl 7.88', { skip: NO_CURL }, async () => {
  const ascii = await same([...common(), '-L', '--trace-ascii', '-', url('/redirect')], (r) => r.stdout);
  assert.match(ascii, /== Info: Ignoring the response-body\n<= Recv data, 10 bytes \(0xa\)\n0000: 5\n0003: moved\n/);
  await same(['-v', '-L', ...common(), url('/redirect')], (r) => r.stderr);
});

test('an authentication round\'s chunked body is traced raw, as curl 7.88', { skip: NO_CURL }, async () => {
  await same([...common(), '-u', 'a:b', '--anyauth', '--trace-ascii', '-', url('/auth')], (r) => r.stdout);
  await same(['-v', ...common(), '-u', 'a:b', '--anyauth', url('/auth')], (r) => r.stderr);
});

test('--raw: the chunked body is traced per read, as curl 7.88', { skip: NO_CURL }, async () => {
  for (const path of ['/one', '/reads']) await same([...common(), '--raw', '--trace-ascii', '-', url(path)], (r) => r.stdout);
});

test('bytes after the last chunk in the same read: traced, with 7.88\'s "Leftovers after chunking"', { skip: NO_CURL }, async () => {
  // tscurl then closes the connection (libcurl 8 does so on excess); 7.88 leaves it open
  const conn = (s: string): string => s.replace(/^== Info: (Closing connection 0|Connection #0 to host .* left intact)\n/m, '');
  const ascii = await same([...common(), '--trace-ascii', '-', url('/leftover')], (r) => r.stdout, conn);
  assert.match(ascii, /0010: EXTRA\n== Info: Leftovers after chunking: {2}5u bytes\n/);
});
