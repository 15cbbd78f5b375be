// The cookie engine against real curl (/usr/bin/curl, 7.88.1): for the same
// server replies, the jar tscurl writes at cleanup must equal curl's byte for
// byte, and reading that jar back must produce the same Cookie header on the
// wire. Expiry times come from absolute dates (not Max-Age) so both clients
// compute the same numbers whatever second they run in.
// Two differences from 7.88 are on purpose (curl 8, RFC 6265bis) and are
// mapped before comparing: the jar's path field is the sanitised path, and a
// server's expiry is capped at 400 days (compared as "capped", since the cap
// depends on the second each client ran in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const CURL = '/usr/bin/curl';

function runCurl(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(CURL, ['-s', '-o', '/dev/null', ...args], { timeout: 20000 }, (err) => {
      resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0);
    });
  });
}

async function runTscurl(url: string, opts: { jar?: string; file?: string; follow?: boolean }): Promise<number> {
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  if (opts.jar) e.setopt(CURLOPT.COOKIEJAR, opts.jar);
  if (opts.file) e.setopt(CURLOPT.COOKIEFILE, opts.file);
  if (opts.follow) e.setopt(CURLOPT.FOLLOWLOCATION, 1);
  const code = await e.perform();
  e.cleanup();
  return code;
}

/** A server answering each path with the Set-Cookie lines of `replies[path]` (a redirect when `location` is set). */
function cookieServer(replies: Record<string, { cookies: string[]; location?: string }>): Promise<RawServer> {
  return startRawServer((req) => {
    const path = req.target.split('?')[0]!;
    const r = replies[path] ?? { cookies: [] };
    const status = r.location ? 'HTTP/1.1 302 Found\r\nLocation: ' + r.location + '\r\n' : 'HTTP/1.1 200 OK\r\n';
    const head = status + r.cookies.map((c) => `Set-Cookie: ${c}\r\n`).join('') + 'Content-Length: 2\r\n\r\nok';
    return { data: Buffer.from(head, 'latin1') };
  });
}

const CAP = 400 * 24 * 3600;

/** A jar with capped expiry times shown as "capped": `written` is when the jar was written (seconds). */
function markCapped(jar: string, written: number): string {
  return jar.replace(/^([^\t\n]*\t[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t)(\d+)\t/gm, (all, head: string, exp: string) =>
    Number(exp) > written + CAP - 120 ? `${head}capped\t` : all);
}

/** curl 7.88's jar as curl 8 (and tscurl) writes it: the path field sanitised (no quotes, no trailing '/'). */
function asCurl8(jar: string): string {
  return jar.replace(/^([^\t\n]*\t[^\t\n]*\t)([^\t\n]*)\t/gm, (_all, head: string, path: string) => {
    let p = path.replace(/^"/, '').replace(/"$/, '');
    if (!p.startsWith('/')) p = '/';
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    return `${head}${p}\t`;
  });
}

const cookieLines = (srv: RawServer, from: number): string[] =>
  srv.requests.slice(from).map((r) => /^Cookie: .*$/m.exec(r.head)?.[0] ?? '(none)');

interface Case {
  name: string;
  host?: string;
  path: string;
  replies: Record<string, { cookies: string[]; location?: string }>;
  /** paths to request afterwards with the jar as COOKIEFILE */
  then: string[];
  follow?: boolean;
}

const CASES: Case[] = [
  {
    name: 'names, values and default/explicit paths',
    path: '/p/q/file.html?x=/y/z',
    replies: {
      '/p/q/file.html': {
        cookies: ['a=1', 'b=2; Path=/', 'c=3; path=/p/q/', 'd=4; path="/quoted/"', 'e=; path=/', 'f=6; Path=nope',
          '  spaced  =  value with spaces  ; path=/p', 'longername=x', 'g=7; version=1; comment=hi; SameSite=Strict'],
      },
    },
    then: ['/p/q/r', '/p/q', '/p', '/quoted/x', '/other'],
  },
  {
    name: 'every Expires format curl_getdate reads, and bad ones',
    path: '/e/',
    replies: {
      '/e/': {
        cookies: [
          'rfc1123=1; expires=Sun, 06 Nov 2044 08:49:37 GMT',
          'rfc850=1; expires=Sunday, 06-Nov-44 08:49:37 GMT',
          'asctime=1; expires=Sun Nov  6 08:49:37 2044',
          'noday=1; expires=06 Nov 2044 08:49:37',
          'zone=1; expires=Sun, 12 Sep 2044 15:05:58 -0700',
          'cet=1; expires=Sun, 06 Nov 2044 08:49:37 CET',
          'compact=1; expires=20440912 15:05:58 -0700',
          'weird=1; expires=2044.Nov.6',
          'slashes=1; expires=Sun/Nov/6/44/GMT',
          'notime=1; expires=2044 Nov 6',
          'bad=1; expires=not a date at all',
          'past=1; expires=Thu, 01 Jan 1970 00:00:01 GMT',
          'pre1970=1; expires=Wed, 01 Jan 1969 00:00:00 GMT',
          'maxfirst=1; max-age=0; expires=Sun, 06 Nov 2044 08:49:37 GMT',
        ],
      },
    },
    then: ['/e/x'],
  },
  {
    name: 'secure, httponly and the __Secure-/__Host- prefixes on a loopback host',
    path: '/s/t',
    replies: {
      '/s/t': {
        cookies: ['sec=1; Secure', 'ho=1; HttpOnly', 'both=1; secure; httponly', 'secureeq=1; secure=', '__Secure-ok=1; secure',
          '__Secure-bad=1', '__Host-ok=1; secure; path=/', '__Host-path=1; secure; path=/s', '__Host-dom=1; secure; path=/; domain=127.0.0.1',
          '__host-lower=1; secure; path=/'],
      },
    },
    then: ['/s/x', '/'],
  },
  {
    name: 'domains on an IP host',
    path: '/',
    replies: { '/': { cookies: ['ip=1; domain=127.0.0.1', 'dotip=1; domain=.127.0.0.1', 'tail=1; domain=0.0.1', 'other=1; domain=example.com'] } },
    then: ['/'],
  },
  {
    name: 'domains on localhost and the public-suffix rule',
    host: 'localhost',
    path: '/',
    replies: { '/': { cookies: ['l=1; domain=localhost', 'l2=1; domain=.localhost', 'com=1; domain=com', 'sub=1; domain=a.localhost', 'h=1'] } },
    then: ['/'],
  },
  {
    name: 'replacing and deleting within one response, and invalid lines',
    path: '/r/',
    replies: {
      '/r/': {
        // (names differing in case only are two cookies since curl 8: cookies-6265bis.test.ts)
        cookies: ['a=1', 'a=2', 'b=1', 'b=gone; max-age=0', 'c=1', 'c=x; expires=Thu, 01 Jan 1970 00:00:01 GMT',
          'noequals', '=novalue', 'ctl=a\x01b', 'tab=a\tb', 'n' + 'x'.repeat(4100) + '=1', 'ok=last'],
      },
    },
    then: ['/r/'],
  },
  {
    name: 'a redirect chain: every response sets cookies, each request sends them',
    path: '/one/start',
    follow: true,
    replies: {
      '/one/start': { cookies: ['first=1; path=/'], location: '/two/next' },
      '/two/next': { cookies: ['second=2', 'first=changed; path=/'], location: '/two/final' },
      '/two/final': { cookies: ['third=3; path=/two'] },
    },
    then: ['/two/x', '/one/x'],
  },
];

for (const c of CASES) {
  test(`cookie jar and Cookie header equal curl's: ${c.name}`, { skip: NO_CURL }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-cookies-'));
    const srv = await cookieServer(c.replies);
    try {
      const base = `http://${c.host ?? '127.0.0.1'}:${srv.port}`;
      const curlJar = join(dir, 'curl.jar');
      const ourJar = join(dir, 'tscurl.jar');
      const args = c.follow ? ['-L'] : [];
      let n = srv.requests.length;
      assert.equal(await runCurl([...args, '-c', curlJar, base + c.path]), 0);
      const curlFirst = cookieLines(srv, n);
      n = srv.requests.length;
      assert.equal(await runTscurl(base + c.path, { jar: ourJar, follow: !!c.follow }), CURLE.OK);
      const ourFirst = cookieLines(srv, n);
      assert.deepEqual(ourFirst, curlFirst, 'Cookie headers along the first transfer');
      assert.equal(existsSync(ourJar), existsSync(curlJar));
      const written = Math.floor(Date.now() / 1000);
      assert.equal(markCapped(readFileSync(ourJar, 'latin1'), written), markCapped(asCurl8(readFileSync(curlJar, 'latin1')), written));
      // both ways round: tscurl reads 7.88's jar, 7.88 reads tscurl's. 7.88 orders the Cookie
      // header by the path field as written, curl 8 and tscurl by the sanitised path: so 7.88
      // is also given its own jar with sanitised paths, which is what it reads back from ours.
      const curlJar8 = join(dir, 'curl8.jar');
      writeFileSync(curlJar8, asCurl8(readFileSync(curlJar, 'latin1')), 'latin1');
      for (const p of c.then) {
        n = srv.requests.length;
        assert.equal(await runCurl(['-b', curlJar8, base + p]), 0);
        assert.equal(await runTscurl(base + p, { file: curlJar }), CURLE.OK);
        assert.equal(await runCurl(['-b', ourJar, base + p]), 0);
        const [theirs, ours, theirsFromOurs] = cookieLines(srv, n);
        assert.equal(ours, theirs, `Cookie header for ${p}`);
        assert.equal(theirsFromOurs, theirs, `Cookie header for ${p}, curl 7.88 reading tscurl's jar`);
      }
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a jar with no cookies in it is still written, as curl does', { skip: NO_CURL }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cookies-'));
  const srv = await cookieServer({});
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    await runCurl(['-c', join(dir, 'curl.jar'), url]);
    await runTscurl(url, { jar: join(dir, 'ours.jar') });
    assert.equal(existsSync(join(dir, 'ours.jar')), existsSync(join(dir, 'curl.jar')));
    if (existsSync(join(dir, 'curl.jar'))) {
      assert.equal(readFileSync(join(dir, 'ours.jar'), 'latin1'), readFileSync(join(dir, 'curl.jar'), 'latin1'));
    }
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
