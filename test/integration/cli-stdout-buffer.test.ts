// The tool's stdout is buffered as curl's stdio buffers it (src/cli/stdio-sink.ts)
// and many URLs run through one Multi (src/cli/serial-multi.ts): what reaches
// stdout, the -D file and the exit code must stay curl's. Each case runs
// tscurl and /usr/bin/curl against the same loopback servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurl, curl, normalise, CLI_MAIN, CURL, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { refusedPort } from '../helpers/ports.js';

const NO_CURL = requireProgram('curl', 'curl');

let server: Server;
let base = '';
let root = '';
/** /hold: the response that waits for the test (headers and a first piece sent, the rest on release) */
const held: ServerResponse[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tscurl-stdout-'));
  server = createServer((req, res) => {
    // no Date header: the -i and -D output is byte for byte the same for both tools
    res.sendDate = false;
    if (req.url === '/hold') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first piece\n');
      held.push(res);
      return;
    }
    const body = `body of ${req.url}\n`;
    res.writeHead(200, { 'content-length': Buffer.byteLength(body), 'x-url': req.url ?? '' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

function same(ours: CliRun, theirs: CliRun, what: string): void {
  assert.equal(ours.code, theirs.code, `${what}: exit code (stderr ${ours.stderr})`);
  assert.equal(ours.stdout, theirs.stdout, `${what}: stdout`);
  assert.equal(ours.stderr, normalise(theirs.stderr), `${what}: stderr`);
}

test('200 URLs from -K to stdout: every body, -i header and -w line, in order', { skip: NO_CURL }, async () => {
  const cfg = join(root, 'many.cfg');
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) lines.push(`url = "${base}/n${i}"`);
  writeFileSync(cfg, lines.join('\n') + '\n');
  const args = ['-s', '-i', '-w', '[%{http_code} %{url_effective}]\n', '-K', cfg];
  const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
  same(ours, theirs, '-i -w -K');
  assert.match(ours.stdout, /body of \/n199\n\[200 [^\]]+\/n199\]\n$/);
});

test('-D FILE for several URLs of one group gets every header line, as curl writes it', { skip: NO_CURL }, async () => {
  const od = join(root, 'd-ours');
  const td = join(root, 'd-theirs');
  const urls = [`${base}/d1`, `${base}/d2`, `${base}/d3`];
  const [ours, theirs] = await Promise.all([
    tscurl(['-s', '-D', od, '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', ...urls]),
    curl(['-s', '-D', td, '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', ...urls]),
  ]);
  same(ours, theirs, '-D');
  assert.equal(readFileSync(od, 'latin1'), readFileSync(td, 'latin1'));
  assert.equal(readFileSync(od, 'latin1').match(/^HTTP\/1\.1 200/gm)?.length, 3);
});

test('--fail-early ending the list mid-way: what earlier URLs wrote to stdout is all there, before the error', { skip: NO_CURL }, async () => {
  const dead = await refusedPort(); // nothing listens there: connection refused
  const args = ['--stderr', '-', '-sS', '--fail-early', `${base}/e1`, `${base}/e2`, `http://127.0.0.1:${dead}/x`, `${base}/e4`];
  const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
  assert.equal(ours.code, 7);
  assert.equal(ours.code, theirs.code);
  // --stderr -: the error line goes through stdout's buffer too, after the bodies
  const expected = `body of /e1\nbody of /e2\n`;
  assert.ok(ours.stdout.startsWith(expected + 'tscurl: (7) Failed to connect to 127.0.0.1 port'), ours.stdout);
  assert.ok(theirs.stdout.startsWith(expected + 'curl: (7) Failed to connect to 127.0.0.1 port'), theirs.stdout);
  assert.ok(!ours.stdout.includes('/e4'));
});

/** Runs `cmd args` with stdout a pipe whose reading end is closed before the tool writes. */
function runIntoClosedPipe(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: root } });
    child.stdout.destroy(); // the reader goes away at once: the tool's first write(2) gets EPIPE
    let stderr = '';
    child.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 20000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('stdout a pipe whose reader is gone: a small body fails with 23 "Failed writing body", as curl says', { skip: NO_CURL }, async () => {
  const ours = await runIntoClosedPipe(process.execPath, [CLI_MAIN, '-sS', `${base}/p1`, `${base}/p2`]);
  const theirs = await runIntoClosedPipe(CURL, ['-sS', `${base}/p1`, `${base}/p2`]);
  assert.equal(theirs.code, 23);
  assert.equal(ours.code, theirs.code);
  assert.equal(ours.stderr, normalise(theirs.stderr));
  assert.match(ours.stderr, /^tscurl: \(23\) Failed writing body\n/);
});

/** Starts `args` with stdout a pipe; resolves with what stdout had once `want` appeared in it (while /hold waits). */
async function seenWhileHeld(args: string[], want: string): Promise<{ early: string; all: string; code: number | null }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: root } });
  let out = '';
  let early = '';
  const timer = setTimeout(() => child.kill(), 20000);
  try {
    const closed = new Promise<number | null>((r) => child.once('close', r));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('latin1').on('data', (d: string) => {
        out += d;
        if (!early && out.includes(want)) {
          early = out;
          resolve();
        }
      });
      child.once('close', () => resolve());
    });
    // the transfer is still running: the server sends the rest only now
    for (const res of held.splice(0)) res.end('the rest\n');
    const code = await closed;
    return { early, all: out, code };
  } finally {
    clearTimeout(timer);
    child.kill();
  }
}

test('-N: a piece of a body that is still coming reaches stdout at once', async () => {
  const r = await seenWhileHeld(['-sN', `${base}/hold`], 'first piece\n');
  assert.equal(r.early, 'first piece\n');
  assert.equal(r.all, 'first piece\nthe rest\n');
  assert.equal(r.code, 0);
});

test('without -N the buffer never sits on a piece while the transfer waits for the network', async () => {
  const r = await seenWhileHeld(['-s', `${base}/hold`], 'first piece\n');
  assert.equal(r.early, 'first piece\n');
  assert.equal(r.all, 'first piece\nthe rest\n');
  assert.equal(r.code, 0);
});
