// -Z/--parallel, --parallel-max, --fail-early in parallel, and curl's
// parallel progress meter, against /usr/bin/curl 7.88 where the bytes matter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

let dir = '';
let plain: RawServer;
let base = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-par-'));
  plain = await startRawServer((req) => {
    const m = /^\/s\/(\d+)/.exec(req.target);
    const body = `body ${req.target}\n`;
    return { data: `HTTP/1.1 ${m ? m[1] : 200} X\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
  });
  base = `http://127.0.0.1:${plain.port}`;
});

after(async () => {
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A server that answers nothing until `want` requests wait at once (or a
 * fallback time passed), and reports the most requests it saw waiting.
 */
async function gatheringServer(want: number, fallbackMs = 1500): Promise<{ port: number; maxWaiting: () => number; close: () => Promise<void> }> {
  const waiting: { sock: Socket; path: string }[] = [];
  let max = 0;
  const flush = (): void => {
    for (const w of waiting.splice(0)) {
      const body = `gathered ${w.path}\n`;
      w.sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    }
  };
  let fallback: NodeJS.Timeout | undefined;
  const server: Server = createServer((sock) => {
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      waiting.push({ sock, path: buf.split(' ')[1]! });
      max = Math.max(max, waiting.length);
      clearTimeout(fallback);
      if (waiting.length >= want) flush();
      else fallback = setTimeout(flush, fallbackMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    maxWaiting: () => max,
    close: () => new Promise((r) => {
      clearTimeout(fallback);
      server.close(() => r());
    }),
  };
}

test('-Z --parallel-immediate runs the transfers at the same time, each into its own -o file', async () => {
  const g = await gatheringServer(3);
  try {
    const u = `http://127.0.0.1:${g.port}`;
    // (without --parallel-immediate the 2nd and 3rd wait to learn whether the server multiplexes: test/integration/cli-pipewait.test.ts)
    const r = await tscurl(['-Z', '--parallel-immediate', '-s', `${u}/a`, '-o', join(dir, 'a'), `${u}/b`, '-o', join(dir, 'b'), `${u}/c`, '-o', join(dir, 'c')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(g.maxWaiting(), 3);
    for (const f of ['a', 'b', 'c']) assert.equal(readFileSync(join(dir, f), 'latin1'), `gathered /${f}\n`);
  } finally {
    await g.close();
  }
});

test('--parallel-max 1 runs one at a time; globs expand into the queue', async () => {
  const g = await gatheringServer(2, 150);
  try {
    const u = `http://127.0.0.1:${g.port}`;
    const r = await tscurl(['-Z', '--parallel-max', '1', '-s', `${u}/g[1-3]`, '-o', join(dir, 'g#1')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(g.maxWaiting(), 1);
    for (const i of [1, 2, 3]) assert.equal(readFileSync(join(dir, `g${i}`), 'latin1'), `gathered /g${i}\n`);
  } finally {
    await g.close();
  }
});

test('the exit code is the last error; --fail-early aborts the others like curl', { skip: NO_CURL }, async () => {
  // (curl 7.88 shows the parallel meter with -s: --no-progress-meter leaves the error line alone)
  const r = await tscurl(['-Z', '--no-progress-meter', '-sS', '-f', `${base}/s/404`, `${base}/ok`, '-o', join(dir, 'x1'), '-o', join(dir, 'x2')]);
  assert.equal(r.code, 22);
  assert.equal(r.stderr, 'tscurl: (22) The requested URL returned error: 404\n');
  // with one transfer at a time, the failure stops the queue: n1 and n2 never run
  const before = plain.requests.length;
  const fe = await tscurl(['-Z', '--no-progress-meter', '-sS', '-f', '--fail-early', '--parallel-max', '1', `${base}/s/500`, `${base}/n[1-2]`, '-o', '/dev/null']);
  assert.equal(fe.code, 22);
  assert.equal(fe.stderr.split('\n')[0], 'tscurl: (22) The requested URL returned error: 500');
  assert.deepEqual(plain.requests.slice(before).map((q) => q.target), ['/s/500']);
  // running ones are aborted with curl's message (as curl 7.88 prints for them)
  const hang = await startRawServer((req) => (req.target === '/fail' ? { data: 'HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n', delayMs: 200 } : { hang: true }));
  try {
    const h = `http://127.0.0.1:${hang.port}`;
    const ab = await tscurl(['-Z', '--no-progress-meter', '-sS', '-f', '--fail-early', `${h}/fail`, `${h}/slow`, '-o', '/dev/null', '-o', '/dev/null']);
    assert.equal(ab.code, 22);
    assert.equal(ab.stderr, 'tscurl: (22) The requested URL returned error: 500\ntscurl: (42) Transfer aborted due to critical error in another transfer\n');
  } finally {
    await hang.close();
  }
});

test('the parallel meter has curl 7.88\'s layout', { skip: NO_CURL }, async () => {
  const args = ['-Z', `${base}/m1`, '-o', '/dev/null', `${base}/m2`, '-o', '/dev/null'];
  const [o, t] = await Promise.all([tscurl(args), curl(args)]);
  assert.equal(o.code, 0);
  // the speed column depends on timing: mask it
  const mask = (l: string): string => (l.startsWith('DL%') ? l : l.slice(0, -11) + 'SPEED' + l.slice(-6));
  const lines = (s: string): string[] => s.split('\r').filter(Boolean).map(mask);
  const ours = lines(o.stderr);
  const theirs = lines(t.stderr);
  assert.equal(ours[0], 'DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n');
  assert.equal(ours[0], theirs[0]);
  assert.equal(ours[1], theirs[1]);
  assert.equal(ours[ours.length - 1], theirs[theirs.length - 1]);
  assert.match(ours[ours.length - 1]!, /^100 -- {4} *\d+ {5}0 {5}2 {5}0 {2}--:--:-- --:--:-- --:--:-- SPEED {5}\n$/);
});
