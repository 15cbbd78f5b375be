// --next as curl 7.88.1 groups the command line, each case compared with
// /usr/bin/curl: a --next before the group has a URL opens no new group (the
// options go with the URL that follows), and a last group without a URL runs
// the earlier groups, then fails with "no URL specified!" and 2 — printed
// even under -s; with -Z nothing runs and the failure is reported as
// "(2) Failed initialization".
import { test, before, after } from 'node:test';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { assertSameAsCurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NO_CURL = requireProgram('curl', 'curl');
let server: RawServer;
let base = '';
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-next-'));
  // the body names the request's X-A header, so which group an -H landed in shows in stdout
  server = await startRawServer((req) => {
    const xa = /\r\nX-A: ([^\r]*)/i.exec(req.head)?.[1] ?? '-';
    const body = `${req.target}:${xa}\n`;
    return { data: `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('--next before a URL joins the options to the URL that follows', { skip: NO_CURL }, async () => {
  await assertSameAsCurl(['-sS', '-H', 'X-A: 1', '-:', `${base}/a`], { cwd: dir });
  await assertSameAsCurl(['-sS', `${base}/a`, '-:', '-H', 'X-A: 2', '-:', `${base}/b`], { cwd: dir });
  await assertSameAsCurl(['-sS', `${base}/a`, '-:', '-:', `${base}/b`], { cwd: dir });
  await assertSameAsCurl(['-sS', '-o', '/dev/stdout', '-:', `${base}/c`], { cwd: dir });
});

test('a last group with no URL: the others run, then "no URL specified!" and 2, even under -s', { skip: NO_CURL }, async () => {
  await assertSameAsCurl(['-sS', `${base}/a`, `${base}/b`, '-:'], { cwd: dir });
  await assertSameAsCurl(['-s', `${base}/a`, '-:', '-H', 'X-A: 1'], { cwd: dir });
  await assertSameAsCurl([`${base}/a`, '-:', '-s'], { cwd: dir });
});

test('-Z with a last group that has no URL runs nothing', { skip: NO_CURL }, async () => {
  const before = server.requests.length;
  await assertSameAsCurl(['-Z', '-sS', `${base}/a`, '-:'], { cwd: dir });
  if (server.requests.length !== before) throw new Error('a transfer ran');
});
