// Cookies a hostile server sends (curl's advisories as a checklist):
//   CVE-2022-35252  control codes in cookies: stored, then sent back, they make
//                   other servers reject every request ("cookie bomb")
//   CVE-2022-32205  too many / too big Set-Cookie: the next request's Cookie
//                   header must stay sendable (libcurl's 8190-byte and 150-cookie
//                   caps, at most 50 Set-Cookie taken per response)
//   CVE-2023-46218  mixed-case public suffix (domain=co.UK) bypassing the PSL check
//   CVE-2013-1944   tail match: example.com's cookie must not reach fakeexample.com
//   CVE-2014-3613   IP address hosts: no partial (domain) match on numbers
//   CVE-2022-27779  trailing-dot public suffix ("co.uk.") bypassing the PSL check
//   CVE-2023-38546  duphandle of a handle with cookies but no file must not read a
//                   file called "none"
// Names resolve to 127.0.0.1 through CURLOPT_RESOLVE; only loopback is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startRawServer, ok, type RawServer } from '../helpers/raw-http-server.js';

/** A server whose /?set=N answers with the Nth batch of Set-Cookie lines and whose other paths say 200. */
async function cookieServer(batches: string[][]): Promise<RawServer> {
  return startRawServer((r) => {
    const m = /^\/\?set=(\d+)/.exec(r.target);
    if (!m) return ok('plain');
    const lines = batches[Number(m[1])]!.map((c) => `Set-Cookie: ${c}\r\n`).join('');
    return { data: `HTTP/1.1 200 OK\r\n${lines}Content-Length: 2\r\n\r\nok` };
  });
}

function handle(port: number, hosts: string[] = []): Easy {
  const e = new Easy();
  e.setopt(CURLOPT.COOKIEFILE, '');
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  if (hosts.length) e.setopt(CURLOPT.RESOLVE, hosts.map((h) => `${h}:${port}:127.0.0.1`));
  return e;
}

async function get(e: Easy, url: string): Promise<number> {
  e.setopt(CURLOPT.URL, url);
  return e.perform();
}

test('CVE-2022-35252: cookies with control codes are refused; TAB is allowed', async () => {
  const srv = await cookieServer([['bad1=a\x01b', 'bad2=x\x7fy', 'bad\x1f3=z', 'good=tab\tinside', 'fine=1']]);
  try {
    const e = handle(srv.port);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/?set=0`), CURLE.OK);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/next`), CURLE.OK);
    const cookie = srv.requests[1]!.headers.get('cookie') ?? '';
    assert.doesNotMatch(cookie, /bad/);
    assert.doesNotMatch(cookie, /[\x00-\x08\x0a-\x1f\x7f]/);
    assert.match(cookie, /fine=1/, 'the engine works (control)');
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2022-32205: a flood of big cookies leaves a request the server can still read', async () => {
  // 4 responses x 70 (280 KB of headers each) Set-Cookie of ~4000 bytes each
  const big = (b: number, i: number): string => `c${b}_${i}=${'v'.repeat(3990)}`;
  const batches = [0, 1, 2, 3].map((b) => Array.from({ length: 70 }, (_, i) => big(b, i)));
  const srv = await cookieServer(batches);
  try {
    const e = handle(srv.port);
    for (let b = 0; b < 4; b++) assert.equal(await get(e, `http://127.0.0.1:${srv.port}/?set=${b}`), CURLE.OK);
    const jar = e.getinfo(CURLINFO.COOKIELIST) as string[];
    assert.ok(jar.length > 0 && jar.length <= 4 * 50, `at most 50 Set-Cookie per response are taken (${jar.length})`);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/final`), CURLE.OK);
    const cookie = srv.requests.at(-1)!.headers.get('cookie') ?? '';
    assert.ok(cookie.length > 0 && cookie.length < 8190, `Cookie header of ${cookie.length} bytes`);
    assert.ok(cookie.split('; ').length <= 150);
    assert.ok(srv.requests.at(-1)!.head.length < 9000);
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2023-46218 / CVE-2022-27779: public suffixes are refused whatever their case or trailing dot', async () => {
  const srv = await cookieServer([
    ['psl1=1; domain=co.UK', 'psl2=1; domain=CO.uk', 'psl3=1; domain=co.uk.', 'psl4=1; domain=.Co.Uk', 'mine=1; domain=Example.CO.uk'],
  ]);
  try {
    const hosts = ['www.example.co.uk', 'attacker.co.uk', 'other.example.co.uk'];
    const e = handle(srv.port, hosts);
    assert.equal(await get(e, `http://www.example.co.uk:${srv.port}/?set=0`), CURLE.OK);
    assert.equal(await get(e, `http://attacker.co.uk:${srv.port}/x`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), undefined, 'no super-cookie reaches another co.uk site');
    assert.equal(await get(e, `http://other.example.co.uk:${srv.port}/x`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), 'mine=1', 'a registrable domain in any case works (control)');
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2013-1944: a cookie for example.com does not reach fakeexample.com', async () => {
  const srv = await cookieServer([['tail=1; domain=example.com']]);
  try {
    const e = handle(srv.port, ['www.example.com', 'fakeexample.com', 'sub.example.com']);
    assert.equal(await get(e, `http://www.example.com:${srv.port}/?set=0`), CURLE.OK);
    assert.equal(await get(e, `http://fakeexample.com:${srv.port}/x`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), undefined);
    assert.equal(await get(e, `http://sub.example.com:${srv.port}/x`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), 'tail=1', 'control');
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2014-3613: an IP address host cannot set a cookie for a partial address', async () => {
  const srv = await cookieServer([['ip1=1; domain=0.0.1', 'ip2=1; domain=.0.0.1', 'ip3=1; domain=127.0.0.1']]);
  try {
    const e = handle(srv.port);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/?set=0`), CURLE.OK);
    const jar = (e.getinfo(CURLINFO.COOKIELIST) as string[]).map((l) => l.split('\t')[5]);
    assert.deepEqual(jar, ['ip3']);
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2023-38546: duphandle of a handle whose cookies came from COOKIELIST reads no file named "none"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-none-'));
  // what an attacker would plant in the application's working directory
  writeFileSync(join(dir, 'none'), '127.0.0.1\tFALSE\t/\tFALSE\t0\tinjected\tyes\n');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const srv = await startRawServer(() => ok('x'));
    const e = new Easy();
    try {
      e.setopt(CURLOPT.COOKIELIST, 'Set-Cookie: mine=1; domain=127.0.0.1');
      const d = e.duphandle();
      d.setopt(CURLOPT.WRITEFUNCTION, (b: Buffer) => b.length);
      d.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      assert.equal(await d.perform(), CURLE.OK);
      assert.doesNotMatch(srv.requests[0]!.headers.get('cookie') ?? '', /injected/);
      // control: the original handle, told to read that file, does read it
      e.setopt(CURLOPT.COOKIEFILE, 'none');
      e.setopt(CURLOPT.WRITEFUNCTION, (b: Buffer) => b.length);
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      assert.equal(await e.perform(), CURLE.OK);
      assert.match(srv.requests[1]!.headers.get('cookie') ?? '', /injected=yes/);
      d.cleanup();
    } finally {
      e.cleanup();
      await srv.close();
    }
  } finally {
    process.chdir(cwd);
  }
});

test('a domain cookie for a public suffix loaded from a file is never sent (curl 8, its test 409); one for the host itself is', async () => {
  const srv = await cookieServer([]);
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-psl-file-'));
  const jar = join(dir, 'cookies.txt');
  writeFileSync(jar, [
    '.co.uk\tTRUE\t/\tFALSE\t0\tbad\tnot-allowed',
    'foo.co.uk\tTRUE\t/\tFALSE\t0\tgood\tallowed',
    '.CO.UK.\tTRUE\t/\tFALSE\t0\tbad2\tnot-allowed',
    '.localhost\tTRUE\t/\tFALSE\t0\tlocal\tyes',
    '',
  ].join('\n'));
  const e = handle(srv.port, ['foo.co.uk', 'localhost']);
  try {
    e.setopt(CURLOPT.COOKIEFILE, jar);
    assert.equal(await get(e, `http://foo.co.uk:${srv.port}/`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), 'good=allowed');
    // a name that is its own suffix (libpsl's implicit "*" rule) still gets its domain cookie
    assert.equal(await get(e, `http://localhost:${srv.port}/`), CURLE.OK);
    assert.equal(srv.requests.at(-1)!.headers.get('cookie'), 'local=yes');
  } finally {
    e.cleanup();
    await srv.close();
  }
});
