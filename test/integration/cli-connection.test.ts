// The connection flags of the CLI, run as a child process (async execFile:
// the servers live in this process) and, where the output is ours to compare,
// side by side with /usr/bin/curl against the same loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { localPortRange, sizeParameter } from '../../src/cli/size-param.js';
import { requireProgram } from '../helpers/requires.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CURL = '/usr/bin/curl';
const NO_CURL = requireProgram('curl', 'curl');

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
function run(bin: string, args: string[]): Promise<Out> {
  const [cmd, argv] = bin === CURL ? [CURL, args] : [process.execPath, [MAIN, ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv, { encoding: 'latin1', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const tscurl = (...args: string[]): Promise<Out> => run(MAIN, args);

/** An HTTP server answering with the Host header and the peer's address and port. */
async function echoServer(listen: (s: Server) => Promise<void>): Promise<Server> {
  const s = createServer((req, res) => res.end(`${req.headers.host} ${req.socket.remoteAddress ?? 'unix'} ${req.socket.remotePort ?? 0}\n`));
  await listen(s);
  return s;
}
const tcpEcho = (): Promise<Server> => echoServer((s) => new Promise((r) => s.listen(0, '127.0.0.1', r)));
const portOf = (s: Server): number => (s.address() as { port: number }).port;
const close = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

test('--resolve and --connect-to: same bytes and verbose lines as curl', async (t) => {
  const s = await tcpEcho();
  try {
    const p = portOf(s);
    for (const args of [
      ['-s', '--resolve', `name.test:${p}:127.0.0.1`, `http://name.test:${p}/`],
      ['-s', '--connect-to', `name.test:80:127.0.0.1:${p}`, 'http://name.test/'],
    ]) {
      const ours = await tscurl(...args);
      assert.equal(ours.code, 0, ours.stderr);
      assert.match(ours.stdout, /^name\.test(:\d+)? 127\.0\.0\.1 \d+\n$/);
      if (!NO_CURL) {
        const theirs = await run(CURL, args);
        assert.equal(ours.stdout.split(' ')[0], theirs.stdout.split(' ')[0], 'the same Host header');
      }
    }
    const v = await tscurl('-sv', '-o', '/dev/null', '--resolve', `name.test:${p}:127.0.0.1`, `http://name.test:${p}/`);
    assert.ok(v.stderr.includes(`* Added name.test:${p}:127.0.0.1 to DNS cache\n`), v.stderr);
    assert.ok(v.stderr.includes('* Hostname name.test was found in DNS cache\n'));
    assert.ok(v.stderr.includes(`* Connected to name.test (127.0.0.1) port ${p} (#0)\n`), v.stderr);
    const bad = await tscurl('-s', '--resolve', 'name.test:80:nope', 'http://name.test/');
    assert.equal(bad.code, 49);
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await close(s);
  }
});

test('--unix-socket and --abstract-unix-socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-unix-'));
  const path = join(dir, 's.sock');
  const s = await echoServer((srv) => new Promise((r) => srv.listen(path, r)));
  const name = `tscurl-cli-${process.pid}-${Date.now()}`;
  const a = await echoServer((srv) => new Promise((r) => srv.listen(`\0${name}`, r)));
  try {
    const ours = await tscurl('-s', '--unix-socket', path, 'http://sock.test/');
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(ours.stdout, /^sock\.test /);
    if (!NO_CURL) assert.equal(ours.stdout, (await run(CURL, ['-s', '--unix-socket', path, 'http://sock.test/'])).stdout);
    const abs = await tscurl('-s', '--abstract-unix-socket', name, 'http://abs.test/');
    assert.match(abs.stdout, /^abs\.test /);
    const missing = await tscurl('-sS', '--unix-socket', join(dir, 'none.sock'), 'http://sock.test/');
    assert.equal(missing.code, 7);
    assert.match(missing.stderr, /^tscurl: \(7\) Failed to connect to sock\.test port 80 after \d+ ms: Couldn't connect to server\n$/);
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await close(s);
    await close(a);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--local-port N-M and --interface', async () => {
  const s = await tcpEcho();
  const url = `http://127.0.0.1:${portOf(s)}/`;
  const busy = createNetServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  try {
    const bp = (busy.address() as { port: number }).port;
    const one = await tscurl('-sS', '--local-port', String(bp), url);
    assert.equal(one.code, 45);
    assert.equal(one.stderr, 'tscurl: (45) bind failed with errno 98: Address already in use\n');
    const range = await tscurl('-s', '--local-port', `${bp}-${bp + 20}`, url);
    assert.equal(range.code, 0, range.stderr);
    const used = Number(range.stdout.trim().split(' ')[2]);
    assert.ok(used > bp && used <= bp + 20, `port ${used}`);
    const iface = await tscurl('-s', '--interface', '127.0.0.4', url);
    assert.equal(iface.stdout.split(' ')[1], '127.0.0.4');
    const noIf = await tscurl('-sS', '--interface', 'if!nosuchif0', url);
    assert.equal(noIf.code, 45);
    assert.equal(noIf.stderr, "tscurl: (45) Couldn't bind to interface 'nosuchif0'\n");
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
    await close(s);
  }
});

test('--limit-rate: the whole body arrives; -Y/-y: a stalled transfer exits 28', async () => {
  const body = Buffer.alloc(6000, 'L');
  const srv = await startRawServer((r) => (r.target === '/stall'
    ? { data: 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc' }
    : ok(body)));
  try {
    const limited = await tscurl('-s', '--limit-rate', '4k', `http://127.0.0.1:${srv.port}/`);
    assert.equal(limited.code, 0);
    assert.equal(limited.stdout, body.toString('latin1'));
    const slow = await tscurl('-sS', '-y', '1', `http://127.0.0.1:${srv.port}/stall`);
    assert.equal(slow.code, 28);
    assert.equal(slow.stderr, 'tscurl: (28) Operation too slow. Less than 1 bytes/sec transferred the last 1 seconds\n');
    const slow2 = await tscurl('-sS', '-Y', '500', '--speed-time', '1', `http://127.0.0.1:${srv.port}/stall`);
    assert.equal(slow2.code, 28);
    assert.equal(slow2.stderr, 'tscurl: (28) Operation too slow. Less than 500 bytes/sec transferred the last 1 seconds\n');
  } finally {
    await srv.close();
  }
});

test('size and port-range parameters as curl parses them', async (t) => {
  assert.equal(sizeParameter('--limit-rate', '100', 'rate'), 100);
  assert.equal(sizeParameter('--limit-rate', '4k', 'rate'), 4096);
  assert.equal(sizeParameter('--limit-rate', '2M', 'rate'), 2 * 1024 * 1024);
  assert.equal(sizeParameter('--limit-rate', '1g', 'rate'), 1024 ** 3);
  assert.equal(sizeParameter('--limit-rate', '7B', 'rate'), 7);
  // base 10, as curl 7.88 (checked against /usr/bin/curl): 010 is ten, 0x10 is 0 with the unit "x10"
  assert.equal(sizeParameter('--limit-rate', '010', 'rate'), 10);
  assert.equal(sizeParameter('--limit-rate', '+5', 'rate'), 5);
  assert.equal(sizeParameter('--limit-rate', ' 5', 'rate'), 5);
  assert.equal(sizeParameter('--limit-rate', '9223372036854775807', 'rate'), 2 ** 63);
  for (const bad of ['1.5k', '10x', 'abc', '-1', ' -1', '5kb', '', '0x10', '5 ', '9223372036854775808']) {
    assert.throws(() => sizeParameter('--limit-rate', bad, 'rate'), /is badly used here/, bad);
  }
  assert.throws(() => sizeParameter('--limit-rate', '8589934592g', 'rate'), /too large number/);
  assert.deepEqual(localPortRange('--local-port', '5000'), { port: 5000, range: 1 });
  assert.deepEqual(localPortRange('--local-port', '5000-5009'), { port: 5000, range: 10 });
  assert.deepEqual(localPortRange('--local-port', '5000 - 5001'), { port: 5000, range: 2 });
  for (const bad of ['5-2', '99999', 'x', '5000-x', '5000-70000']) {
    assert.throws(() => localPortRange('--local-port', bad), /is badly used here/, bad);
  }
  if (NO_CURL) return t.skip(NO_CURL);
  // curl agrees on what is refused, and on the warning that says why
  for (const args of [['--limit-rate', '1.5k'], ['--max-filesize', ' -1'], ['--local-port', '5-2'], ['--local-port', '99999']]) {
    const theirs = await run(CURL, [...args, 'http://127.0.0.1:1/']);
    const ours = await tscurl(...args, 'http://127.0.0.1:1/');
    assert.equal(ours.code, theirs.code, args.join(' '));
    assert.equal(ours.stderr, theirs.stderr.replaceAll('curl', 'tscurl'), args.join(' '));
  }
});

test('--keepalive-time and --no-keepalive reach the library', async () => {
  const srv = await startRawServer(() => ok('k'));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    for (const args of [['--keepalive-time', '20'], ['--no-keepalive'], []]) {
      const r = await tscurl('-s', ...args, url);
      assert.equal(r.code, 0, args.join(' '));
      assert.equal(r.stdout, 'k');
    }
    const bad = await tscurl('-s', '--keepalive-time', 'x', url);
    assert.equal(bad.code, 2);
  } finally {
    await srv.close();
  }
});

test('localhost: 127.0.0.1 leads and ::1 follows, the connect lines as curl 7.88 prints them', { skip: NO_CURL }, async () => {
  // one server on each family: whichever answers, the "Trying"/"connect to" lines are curl's
  for (const host of ['127.0.0.1', '::1']) {
    const srv = await startRawServer(() => ok('x'), host);
    try {
      const args = ['-sv', '-o', '/dev/null', `http://localhost:${srv.port}/`];
      const connectLines = (s: string): string =>
        s.split('\n').filter((l) => /^\* ( {2}Trying|connect to|Connected to)/.test(l)).map((l) => l.replace(/ \(#\d+\)$/, '')).join('\n');
      const theirs = await run(CURL, args);
      const ours = await tscurl(...args);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(connectLines(ours.stderr), connectLines(theirs.stderr), host);
    } finally {
      await srv.close();
    }
  }
});
