// The tool's flags reach their library options (issue 12, item 1): a flag
// whose option exists is passed to setopt, so it works as soon as the
// library does (--dns-servers, --create-file-mode) and says exit 4 while the
// library does not build the feature (--http3; --http2 since HTTP/2 landed). Flags curl 7.88
// only warns about warn the same way; --engine list lists CURLINFO_SSL_ENGINES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { Easy, CURLINFO } from '../../src/index.js';

const NOT_BUILT = (flag: string): string =>
  `tscurl: option ${flag}: the installed libcurl version doesn't support this\n` +
  "tscurl: try 'tscurl --help' or 'tscurl --manual' for more information\n";

test('--http3, --http3-only: exit 4 while HTTP/3 is not built; --http2 to an HTTP/1 server is HTTP/1.1, prior knowledge fails as curl\'s', async () => {
  const srv = await startRawServer(() => ok('no'));
  try {
    const h2 = await tscurl(['-s', '--http2', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(h2.code, 0);
    assert.equal(h2.stdout, 'no');
    const pk = await tscurl(['-s', '--http2-prior-knowledge', `http://127.0.0.1:${srv.port}/`]);
    if (!NO_CURL) assert.equal(pk.code, (await curl(['-s', '--http2-prior-knowledge', `http://127.0.0.1:${srv.port}/`])).code);
    assert.equal(pk.code, 52); // "Empty reply from server": nothing of a response came
    srv.requests.length = 0;
    for (const flag of ['--http3', '--http3-only']) {
      const r = await tscurl(['-s', flag, `http://127.0.0.1:${srv.port}/`]);
      assert.equal(r.code, 4, flag);
      assert.equal(r.stderr, NOT_BUILT(flag), flag);
      assert.equal(r.stdout, '');
    }
    assert.equal(srv.requests.length, 0, 'nothing was sent as HTTP/1.1 instead');
    // --http1.1 after --http2 wins, as in curl (the last version flag counts)
    const r = await tscurl(['-s', '--http2', '--http1.1', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'no');
  } finally {
    await srv.close();
  }
});

test('--dns-servers: the tool resolves through the given server (CURLOPT_DNS_SERVERS)', async () => {
  const srv = await startRawServer((req) => ok(`host ${req.headers.get('host')}`));
  const dns = await startDnsServer({ 'wired.test': { a: ['127.0.0.1'] } });
  try {
    const r = await tscurl(['-s', '-4', '--dns-servers', dns.address, `http://wired.test:${srv.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `host wired.test:${srv.port}`);
    assert.ok(dns.queries.some((q) => q.startsWith('wired.test/')));
  } finally {
    await dns.close();
    await srv.close();
  }
});

test('--create-file-mode: the mode of a file a file:// upload creates; curl\'s octal checks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cfm-'));
  const old = process.umask(0);
  try {
    writeFileSync(join(dir, 'src.txt'), 'data\n');
    const r = await tscurl(['-s', '--create-file-mode', '0600', '-T', join(dir, 'src.txt'), `file://${dir}/made.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(dir, 'made.txt')).mode & 0o777, 0o600);
    const bad = await tscurl(['--create-file-mode', '999', `file://${dir}/x`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^tscurl: option --create-file-mode: expected a proper numerical parameter\n/);
    const big = await tscurl(['--create-file-mode', '1777', `file://${dir}/x`]);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /^tscurl: option --create-file-mode: too large number\n/);
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-2, -3 and --no-npn warn as curl 7.88 does and change nothing; mapped flags of missing protocols say exit 4, the mail ones work', async () => {
  const srv = await startRawServer(() => ok('body'));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    const a = await tscurl(['-2', '-3', '--no-npn', '--no-progress-meter', url]);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, 'body');
    assert.equal(a.stderr, 'Warning: Ignores instruction to use SSLv2\nWarning: Ignores instruction to use SSLv3\nWarning: --npn is no longer supported\n');
    if (!NO_CURL) {
      const c = await curl(['-2', '-3', '--no-npn', '--no-progress-meter', url]);
      assert.equal(c.stderr, a.stderr);
    }
    for (const args of [['--doh-url', 'https://127.0.0.1/'], ['--negotiate'], ['--ntlm-wb']]) {
      const r = await tscurl(['-s', ...args, url]);
      assert.equal(r.code, 4, args[0]);
      assert.equal(r.stderr, NOT_BUILT(args[0]!));
    }
    // the mail flags reach their options now that the mail protocols are built: an HTTP URL ignores them, as curl's
    for (const args of [['--mail-from', 'a@b'], ['--mail-rcpt', 'c@d'], ['--mail-auth', 'e@f'], ['--mail-rcpt-allowfails'],
      ['--sasl-authzid', 'z'], ['--sasl-ir'], ['--login-options', 'AUTH=PLAIN'], ['--ssl'], ['--ssl-reqd']]) {
      const r = await tscurl(['-s', ...args, url]);
      assert.equal(r.code, 0, args[0]);
      assert.equal(r.stdout, 'body', args[0]);
    }
  } finally {
    await srv.close();
  }
});

test('--engine list: the engines CURLINFO_SSL_ENGINES names, in curl\'s layout', async () => {
  const r = await tscurl(['--engine', 'list']);
  assert.equal(r.code, 0);
  const e = new Easy();
  const engines = e.getinfo(CURLINFO.SSL_ENGINES);
  e.cleanup();
  assert.equal(r.stdout, 'Build-time engines:\n' + (engines.length ? engines.map((n) => `  ${n}\n`).join('') : '  <none>\n'));
});

test('curl 7.88\'s ignored flags (--egd-file, --random-file, --false-start) change nothing; --metalink is refused as curl refuses it', { skip: NO_CURL }, async () => {
  const srv = await startRawServer(() => ok('fine'));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    for (const flag of [['--egd-file', 'x'], ['--random-file', 'x'], ['--false-start']]) {
      const r = await tscurl(['-sS', ...flag, url]);
      assert.equal(r.code, 0, flag.join(' '));
      assert.equal(r.stdout, 'fine');
      assert.equal(r.stderr, '');
    }
    for (const silent of [[], ['-s']]) {
      const args = [...silent, '--metalink', url];
      const [mine, ref] = await Promise.all([tscurl(args), curl(args)]);
      assert.equal(mine.code, 2);
      assert.equal(mine.code, ref.code);
      assert.equal(mine.stderr, ref.stderr.replace(/\bcurl\b/g, 'tscurl'));
    }
  } finally {
    await srv.close();
  }
});
