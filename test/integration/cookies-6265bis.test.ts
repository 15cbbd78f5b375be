// Where tscurl's cookie engine does as curl 8 (RFC 6265bis) rather than
// 7.88, end to end over real sockets: the jar keeps the sanitised path (and
// curl 7.88 still reads it), a server cookie lives at most 400 days, names
// and paths are case-sensitive, control octets in a cookie file are refused;
// and one request sends one Host: line however many -H "Host:" were given
// (curl's cases 31 46 444 483 1105 1415 1561 1645 2311).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, type RawServer, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { CURL, run, tscurlBundle } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');
const DAYS_400 = 400 * 86400;

function reply(setCookies: string[]): { data: string } {
  return { data: 'HTTP/1.1 200 OK\r\n' + setCookies.map((c) => `Set-Cookie: ${c}\r\n`).join('') + 'Content-Length: 2\r\n\r\nok' };
}
const cookieOf = (r: ReceivedRequest | undefined): string | undefined => r?.headers.get('cookie');

/** The cookie lines of a jar file (the header and blank line left out). */
const jarLines = (file: string): string[] => readFileSync(file, 'latin1').split('\n').filter((l) => l && !l.startsWith('# '));

async function withServer(handler: Parameters<typeof startRawServer>[0], fn: (srv: RawServer, dir: string) => Promise<void>): Promise<void> {
  const srv = await startRawServer(handler);
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-6265bis-'));
  try {
    await fn(srv, dir);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One transfer on a new handle: `url` (test.curl resolves to the server), optional cookie file and jar. */
async function transfer(srv: RawServer, url: string, opts: { file?: string; jar?: string } = {}): Promise<void> {
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.RESOLVE, [`test.curl:${srv.port}:127.0.0.1`]);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.COOKIEFILE, opts.file ?? '');
    if (opts.jar) e.setopt(CURLOPT.COOKIEJAR, opts.jar);
    assert.equal(await e.perform(), CURLE.OK);
  } finally {
    e.cleanup();
  }
}

test('the jar keeps the sanitised path (no quotes, no trailing slash), and curl 7.88 reads it back', { skip: NO_CURL }, async () => {
  await withServer((r) => (r.target === '/we/want/set' ? reply(['d=1', 'q=2; path="/silly/"', 'r=3; path=/']) : reply([])), async (srv, dir) => {
    const jar = join(dir, 'jar');
    await transfer(srv, `http://test.curl:${srv.port}/we/want/set`, { jar });
    assert.deepEqual(jarLines(jar), [
      'test.curl\tFALSE\t/\tFALSE\t0\tr\t3',
      'test.curl\tFALSE\t/silly\tFALSE\t0\tq\t2',
      'test.curl\tFALSE\t/we/want\tFALSE\t0\td\t1',
    ]);
    // curl 7.88 matches the paths of this jar as tscurl does
    const resolve = ['--resolve', `test.curl:${srv.port}:127.0.0.1`, '-s', '-o', '/dev/null', '-b', jar];
    for (const p of ['/we/want/x', '/silly/y', '/we/wanted']) {
      assert.equal((await run(CURL, [...resolve, `http://test.curl:${srv.port}${p}`])).code, 0);
      await transfer(srv, `http://test.curl:${srv.port}${p}`, { file: jar });
      const [theirs, ours] = srv.requests.slice(-2).map(cookieOf);
      assert.equal(ours, theirs, p);
    }
    assert.deepEqual(srv.requests.slice(-6).map(cookieOf), ['d=1; r=3', 'd=1; r=3', 'q=2; r=3', 'q=2; r=3', 'r=3', 'r=3']);
  });
});

test('a server cookie lives at most 400 days; an Expires of 80 bytes or more is not read; file cookies keep their expiry', async () => {
  const far = 'Fri Feb 13 11:56:27 GMT 2525';
  await withServer(() => reply([
    `exp=1; expires=${far}`, 'age=2; max-age=99999999999', 'big=3; max-age=999999999999999999999999',
    `long=4; expires=Fri Feb 13 11:56:27 ${'.'.repeat(52)}GMT 2525`, `short=5; expires=Fri Feb 13 11:56:27 ${'.'.repeat(51)}GMT 2525`,
  ]), async (srv, dir) => {
    const file = join(dir, 'in');
    writeFileSync(file, 'test.curl\tFALSE\t/\tFALSE\t22147483647\tfromfile\tyes\n');
    const jar = join(dir, 'jar');
    const before = Math.floor(Date.now() / 1000);
    await transfer(srv, `http://test.curl:${srv.port}/`, { file, jar });
    const after = Math.floor(Date.now() / 1000);
    const capLow = Math.floor((before + DAYS_400 + 30) / 60) * 60;
    const capHigh = Math.floor((after + DAYS_400 + 30) / 60) * 60;
    const expiry = new Map(jarLines(jar).map((l) => { const f = l.split('\t'); return [f[5]!, Number(f[4])]; }));
    for (const name of ['exp', 'age', 'big', 'short']) {
      const t = expiry.get(name)!;
      assert.ok(t >= capLow && t <= capHigh && t % 60 === 0, `${name}: ${t} is 400 days on, to the minute`);
    }
    assert.equal(expiry.get('long'), 0, 'not a date: a session cookie');
    assert.equal(expiry.get('fromfile'), 22147483647);
  });
});

test('cookie names and paths are case-sensitive: "a" and "A", "/we/want" and "/WE/WANT" are different cookies', async () => {
  const handler = (r: ReceivedRequest): { data: string } =>
    r.target === '/1' ? reply(['ismatch=this; path=/silly/', 'ISMATCH=that; path=/silly/', 'name=lower; path=/we/want'])
      : r.target === '/2' ? reply(['name=upper; path=/WE/WANT']) : reply([]);
  await withServer(handler, async (srv, dir) => {
    const jar = join(dir, 'jar');
    await transfer(srv, `http://test.curl:${srv.port}/1`, { jar });
    await transfer(srv, `http://test.curl:${srv.port}/2`, { file: jar, jar });
    await transfer(srv, `http://test.curl:${srv.port}/silly/x`, { file: jar });
    await transfer(srv, `http://test.curl:${srv.port}/WE/WANT/x`, { file: jar });
    await transfer(srv, `http://test.curl:${srv.port}/we/want/x`, { file: jar });
    assert.deepEqual(srv.requests.slice(2).map(cookieOf), ['ISMATCH=that; ismatch=this', 'name=upper', 'name=lower']);
    assert.equal(jarLines(jar).length, 4);
  });
});

test('a cookie file line with a control octet is refused; the other lines are read', async () => {
  await withServer(() => reply([]), async (srv, dir) => {
    const file = join(dir, 'in');
    writeFileSync(file, 'test.curl\tFALSE\t/\tFALSE\t0\tclean\tgood\ntest.curl\tFALSE\t/\tFALSE\t0\tbad\tba\x07d\n' +
      'test.curl\tFALSE\t/\tFALSE\t0\tdel\tx\x7fy\ntest.curl\tFALSE\t/\tFALSE\t0\tb\x01ad\tname\n', 'latin1');
    await transfer(srv, `http://test.curl:${srv.port}/`, { file });
    assert.equal(cookieOf(srv.requests[0]), 'clean=good');
  });
});

test('-H "Host: ..." given twice: the request has one Host line, the first', async () => {
  await withServer(() => reply([]), async (srv) => {
    const r = await tscurlBundle(['-s', '-o', '/dev/null', '-H', 'Host: www.example.com', '-H', 'Host: other.example', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0);
    assert.deepEqual(srv.requests[0]!.head.split('\r\n').filter((l) => /^host:/i.test(l)), ['Host: www.example.com']);
  });
});
