// --hsts and --alt-svc on the command line, next to curl 7.88 when it is
// installed: the same responses must leave the same cache files (time
// stamps compared to the second, with one second of slack for the two
// runs), and the transfers of one command line share HSTS as curl's tool
// makes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, ok, type RawServer } from '../helpers/raw-http-server.js';
import { testCerts } from '../helpers/certs.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram, requirePrograms } from '../helpers/requires.js';

/** The test certificates are made with openssl; the comparisons run curl 7.88. */
const NO_OPENSSL = requireProgram('openssl', 'openssl');
const NO_CURL_OR_OPENSSL = requirePrograms(['curl', 'curl'], ['openssl', 'openssl']);
const NO_CURL = requireProgram('curl', 'curl');

/** HTTPS: /sts/<v> and /alt/<v> reply with those headers (several pairs allowed); anything else just "tls". */
function server(): Promise<RawServer> {
  return startRawServer((req) => {
    const parts = req.target.split('/').slice(1);
    let extra = '';
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const v = decodeURIComponent(parts[i + 1]!);
      if (parts[i] === 'sts') extra += `Strict-Transport-Security: ${v}\r\n`;
      if (parts[i] === 'alt') extra += `Alt-Svc: ${v}\r\n`;
    }
    return ok('tls\n', extra);
  }, '127.0.0.1', { tls: testCerts().server });
}

const enc = encodeURIComponent;

/** A cache file with each time stamp replaced by its distance from `ref` (seconds), for comparing two runs. */
function relative(text: string, ref: number): string {
  return text.replace(/"(\d{4,})(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)"/g, (_m, y, mo, d, h, mi, s) =>
    `"${Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 1000 - ref}"`);
}

/** Two relative files agree when every stamp differs by at most a few seconds (the runs are moments apart; on a loaded machine a run can take seconds). */
function sameFiles(a: string, b: string): boolean {
  const na = a.split(/("-?\d+")/);
  const nb = b.split(/("-?\d+")/);
  if (na.length !== nb.length) return false;
  return na.every((x, i) => (x.startsWith('"') && /^"-?\d+"$/.test(x) ? Math.abs(Number(x.slice(1, -1)) - Number(nb[i]!.slice(1, -1))) <= 5 : x === nb[i]));
}

test('--hsts and --alt-svc leave the files curl 7.88 leaves for the same responses', { skip: NO_CURL_OR_OPENSSL }, async () => {
  const srv = await server();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-hsts-'));
  try {
    const resolve = ['--resolve', `a.example:${srv.port}:127.0.0.1`, '--resolve', `sub.a.example:${srv.port}:127.0.0.1`];
    const cases: { opt: string; seed: string; path: string }[] = [
      { opt: '--hsts', seed: '', path: `/sts/${enc('max-age=3600; includeSubDomains')}` },
      { opt: '--hsts', seed: 'b.example "20991001 04:47:41"\n.c.example "unlimited"\n', path: `/sts/${enc('max-age="99"')}/sts/${enc('max-age=5')}` },
      { opt: '--hsts', seed: 'a.example "20991001 04:47:41"\n', path: `/sts/${enc('max-age=0')}` },
      { opt: '--hsts', seed: '', path: `/sts/${enc('max-age=99999999999999999999')}` },
      { opt: '--alt-svc', seed: '', path: `/alt/${enc(`h1=":${srv.port}"; ma=100; persist=1, h2="other.example:443", h3=":443"`)}` },
      { opt: '--alt-svc', seed: 'h2 x.example 443 h3 y.example 8443 "20991001 04:47:41" 1 0\n', path: `/alt/${enc('h1="nowhere.foo:81", un-kno22!wn=":82"')}` },
      { opt: '--alt-svc', seed: '', path: `/alt/${enc('h1="y:82"; ma=60')}/alt/${enc('h1="x:81"; ma=')}` },
    ];
    for (const [i, c] of cases.entries()) {
      const files = [join(dir, `c${i}`), join(dir, `t${i}`)];
      for (const f of files) if (c.seed) writeFileSync(f, c.seed);
      const url = `https://a.example:${srv.port}${c.path}`;
      const t0 = Math.floor(Date.now() / 1000);
      const r1 = await curl(['-sk', c.opt, files[0]!, url, ...resolve]);
      const t1 = Math.floor(Date.now() / 1000);
      const r2 = await tscurl(['-sk', c.opt, files[1]!, url, ...resolve]);
      assert.equal(r1.code, 0);
      assert.equal(r2.code, 0, r2.stderr);
      const want = relative(readFileSync(files[0]!, 'latin1'), t0);
      const got = relative(readFileSync(files[1]!, 'latin1'), t1);
      assert.ok(sameFiles(want, got), `case ${i}:\ncurl:\n${want}\ntscurl:\n${got}`);
    }
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the transfers of one command line share HSTS, with --hsts or without, as curl\'s tool does', { skip: NO_OPENSSL }, async () => {
  const srv = await server();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-hsts-'));
  const file = join(dir, 'hsts.txt');
  try {
    const args = ['-sk', '-w', '%{url_effective}\\n', '--resolve', `a.example:${srv.port}:127.0.0.1`,
      `https://a.example:${srv.port}/sts/${enc('max-age=600')}`, `http://a.example:${srv.port}/after`];
    const expected = `tls\nhttps://a.example:${srv.port}/sts/${enc('max-age=600')}\ntls\nhttps://a.example:${srv.port}/after\n`;
    const mem = await tscurl(args);
    assert.equal(mem.stdout, expected, mem.stderr);
    if (!NO_CURL) assert.equal((await curl(args)).stdout, expected, 'curl 7.88 does the same');
    const withFile = await tscurl(['--hsts', file, ...args]);
    assert.equal(withFile.stdout, expected);
    assert.match(readFileSync(file, 'latin1'), /^a\.example "\d{8} [\d:]{8}"$/m);
    // a later command line reads the file: the first URL is upgraded at once
    const next = await tscurl(['-sk', '--hsts', file, '-v', '--resolve', `a.example:${srv.port}:127.0.0.1`, `http://a.example:${srv.port}/x`]);
    assert.equal(next.code, 0);
    assert.match(next.stderr, new RegExp(`\\* Switched from HTTP to HTTPS due to HSTS => https://a\\.example:${srv.port}/x`));
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--alt-svc: a later command line connects to the alternative the file names', { skip: NO_OPENSSL }, async () => {
  const a = await server();
  const b = await startRawServer((req) => ok(`B ${req.headers.get('alt-used') ?? '-'}\n`), '127.0.0.1', { tls: testCerts().server });
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-alt-'));
  const file = join(dir, 'alt.txt');
  try {
    const common = ['-s', '--cacert', testCerts().caFile, '--alt-svc', file,
      '--resolve', `localhost:${a.port}:127.0.0.1`, '--resolve', `localhost:${b.port}:127.0.0.1`];
    const first = await tscurl([...common, `https://localhost:${a.port}/alt/${enc(`h1="localhost:${b.port}"`)}`]);
    assert.equal(first.stdout, 'tls\n', first.stderr);
    const second = await tscurl([...common, `https://localhost:${a.port}/again`]);
    assert.equal(second.stdout, `B localhost:${b.port}\n`, second.stderr);
    const version = await tscurl(['--version']);
    assert.match(version.stdout, /^Features:.* alt-svc .*HSTS /m);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
