// The CLI's bytes (issue 17, item 5): a -K config file, an -H @file and -G
// data are bytes, and reach the wire as the bytes curl 7.88.1 sends for
// them: a URL's \x80\xff percent-encoded in the path and raw in the query,
// header values raw, text as UTF-8, international host names as punycode.
// Each case runs tscurl, and /usr/bin/curl when it is there, against the
// same loopback server: the request heads must be the same bytes (both get
// an explicit User-Agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RawServer, withRawServer } from '../helpers/raw-http-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const dir = mkdtempSync(join(tmpdir(), 'tscurl-clibytes-'));
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The request head each tool sends for `args` (run against `srv`), tscurl's first. */
async function heads(srv: RawServer, args: (port: number) => string[]): Promise<{ ours: string; theirs: string | null }> {
  const common = ['-s', '-o', '/dev/null', '-A', 'ua'];
  const r = await tscurl([...common, ...args(srv.port)]);
  assert.equal(r.code, 0, r.stderr);
  const ours = srv.requests.at(-1)!.head;
  if (NO_CURL) return { ours, theirs: null };
  // curl's IDN conversion reads the command line in the locale's charset: a UTF-8 one
  const c = await curl([...common, ...args(srv.port)], { env: { LC_ALL: 'C.UTF-8' } });
  assert.equal(c.code, 0, c.stderr);
  return { ours, theirs: srv.requests.at(-1)!.head };
}

const withServer = withRawServer;

test('-K: a URL\'s and a header\'s bytes that are not UTF-8 go out as curl sends them (not as U+FFFD\'s low byte)', async (t) => {
  await withServer(async (s) => {
    const cfg = join(dir, 'bytes.cfg');
    writeFileSync(cfg, latin1(`url = "http://127.0.0.1:${s.port}/k\x80\xff?q\x80\xff"\nheader = "X-H: \x80\xff"\nreferer = "r\xc3\xa9\xff"\n`));
    const { ours, theirs } = await heads(s, () => ['-K', cfg]);
    assert.equal(ours.split('\r\n')[0], 'GET /k%80%ff?q\x80\xff HTTP/1.1');
    assert.match(ours, /\r\nX-H: \x80\xff\r\n/);
    assert.match(ours, /\r\nReferer: r\xc3\xa9\xff\r\n/);
    if (theirs !== null) assert.equal(ours, theirs);
  });
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});

test('-H @file, -G -d and --url-query: bytes and text as curl sends them', async (t) => {
  await withServer(async (s) => {
    const hfile = join(dir, 'headers.txt');
    writeFileSync(hfile, latin1('X-F: \xff\xfe\r\nX-G: \xc4\x8a\n'));
    const get = await heads(s, (port) => ['-H', `@${hfile}`, '-G', '-d', 'q=é', `http://127.0.0.1:${port}/g`]);
    assert.equal(get.ours.split('\r\n')[0], 'GET /g?q=\xc3\xa9 HTTP/1.1');
    assert.match(get.ours, /\r\nX-F: \xff\xfe\r\nX-G: \xc4\x8a\r\n/);
    if (get.theirs !== null) assert.equal(get.ours, get.theirs);
    // U+010D's low byte is CR: it used to make the URL malformed
    const query = await heads(s, (port) => ['--url-query', '+r=\u010d', `http://127.0.0.1:${port}/q`]);
    assert.equal(query.ours.split('\r\n')[0], 'GET /q?r=\xc4\x8d HTTP/1.1');
    if (query.theirs !== null) assert.equal(query.ours, query.theirs);
  });
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});

test('an international host name goes as punycode; one IDNA refuses is curl\'s exit 3', async (t) => {
  await withServer(async (s) => {
    const { ours, theirs } = await heads(s, (port) => ['--connect-to', `::127.0.0.1:${port}`, `http://bücher.example:${port}/ü?é`]);
    assert.equal(ours.split('\r\n').slice(0, 2).join('\n'), `GET /%c3%bc?\xc3\xa9 HTTP/1.1\nHost: xn--bcher-kva.example:${s.port}`);
    if (theirs !== null) assert.equal(ours, theirs);
    const before = s.requests.length;
    const r = await tscurl(['-sS', '--connect-to', `::127.0.0.1:${s.port}`, `http://a\uff0d.example:${s.port}/`]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'tscurl: (3) URL using bad/illegal format or missing URL\n');
    assert.equal(s.requests.length, before);
  });
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});
