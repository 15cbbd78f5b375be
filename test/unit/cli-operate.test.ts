import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, groupEntries } from '../../src/cli/args.js';
import { buildConfig } from '../../src/cli/transfer-config.js';
import { TraceFormatter } from '../../src/cli/trace-format.js';
import { CURLOPT } from '../../src/index.js';

const cfgOf = (argv: string[], n = 0) => {
  const p = parseArgs(argv, { env: {}, exists: () => false });
  return buildConfig(groupEntries(p, p.groups[n]!));
};

test('URLs pair with -o/-O in order, like curl\'s getout nodes', () => {
  const c = cfgOf(['-o', 'a', 'u1', 'u2', '-O', 'u3', '-o', 'x']);
  assert.deepEqual(c.urls, [{ outfile: 'a', url: 'u1', outSet: true }, { url: 'u2', remoteName: true, outSet: true }, { url: 'u3', outfile: 'x', outSet: true }]);
  // --remote-name-all makes the URLs given after it -O; -o and --no-remote-name take the first node still free
  const all = cfgOf(['u0', '--remote-name-all', '--no-remote-name', 'u1', 'u2', '-o', 'x']);
  assert.deepEqual(all.urls, [{ url: 'u0', outSet: true }, { url: 'u1', outfile: 'x', outSet: true }, { url: 'u2', remoteName: true }]);
});

test('URLs, outputs and uploads each fill the first node still free of their kind, in any order', () => {
  const c = cfgOf(['u1', 'u2', 'u3', '-T', 'f1', '-o', 'a', '-T', 'f2', 'u4', '-o', 'b', '-o', 'c', '-T', 'f3', '-o', 'd', '-o', 'e']);
  assert.deepEqual(c.urls, [
    { url: 'u1', uploadFile: 'f1', outfile: 'a', outSet: true },
    { url: 'u2', uploadFile: 'f2', outfile: 'b', outSet: true },
    { url: 'u3', outfile: 'c', outSet: true, uploadFile: 'f3' },
    { url: 'u4', outfile: 'd', outSet: true },
    { outfile: 'e', outSet: true },
  ]);
  // a long list pairs each URL with its own output (the search for a free node resumes where it stopped)
  const argv: string[] = [];
  for (let i = 0; i < 3000; i++) argv.push(`u${i}`, '-o', `o${i}`);
  const long = cfgOf(argv);
  assert.equal(long.urls.length, 3000);
  assert.ok(long.urls.every((n, i) => n.url === `u${i}` && n.outfile === `o${i}`));
});

test('-d pieces join with &, -H collects, timeouts become ms', () => {
  const c = cfgOf(['-d', 'a=1', '--data-binary', 'b', '-H', 'X: 1', '-H', 'Y: 2', '-m', '1.5', '--connect-timeout', '2', 'u']);
  const byId = new Map(c.steps.map((s) => [s.id, s.value]));
  assert.equal((byId.get(CURLOPT.POSTFIELDS) as Buffer).toString(), 'a=1&b');
  assert.deepEqual(byId.get(CURLOPT.HTTPHEADER), ['X: 1', 'Y: 2']);
  assert.equal(byId.get(CURLOPT.TIMEOUT_MS), 1500);
  assert.equal(byId.get(CURLOPT.CONNECTTIMEOUT_MS), 2000);
});

test('bad numbers are curl\'s parameter errors', () => {
  assert.throws(() => cfgOf(['-m', 'abc', 'u']), (e: Error & { lines?: string[] }) => e.lines?.[0] === 'option -m: expected a proper numerical parameter');
});

test('options without an implementation are collected, never dropped', () => {
  // --krb has no library option here (KRBLEVEL is gone from libcurl's table): the tool cannot do it
  const c = cfgOf(['--krb', 'private', '--tftp-blksize', '3', '--compressed', 'u']);
  assert.deepEqual(c.unsupported.map((e) => e.given), ['--krb']);
  // mapped flags always reach setopt, which reports NOT_BUILT_IN until implemented
  assert.deepEqual(c.steps.map((s) => [s.id, s.value]), [[CURLOPT.TFTP_BLKSIZE, 3], [CURLOPT.ACCEPT_ENCODING, '']]);
});

test('-G moves data to the query; --json adds JSON headers; list options collect', () => {
  const g = cfgOf(['-G', '-d', 'a=1', '-d', 'b=2', 'u']);
  assert.equal(g.getQuery, 'a=1&b=2');
  assert.ok(!g.steps.some((s) => s.id === CURLOPT.POSTFIELDS));
  const j = cfgOf(['--json', '{"a":', '--json', '1}', '--resolve', 'h:80:127.0.0.1', '--resolve', 'i:80:127.0.0.1', 'u']);
  const byId = new Map(j.steps.map((s) => [s.id, s.value]));
  assert.equal((byId.get(CURLOPT.POSTFIELDS) as Buffer).toString(), '{"a":1}');
  assert.deepEqual(byId.get(CURLOPT.HTTPHEADER), ['Content-Type: application/json', 'Accept: application/json']);
  assert.deepEqual(byId.get(CURLOPT.RESOLVE), ['h:80:127.0.0.1', 'i:80:127.0.0.1']);
});

test('verbose trace formats like curl\'s debug callback', () => {
  const t = new TraceFormatter('plain');
  let out = t.format(0, Buffer.from('  Trying 127.0.0.1:80...\n'));
  out += t.format(2, Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n\r\n'));
  out += t.format(1, Buffer.from('HTTP/1.1 200 OK\r\n'));
  out += t.format(3, Buffer.from('abc'));
  out += t.format(3, Buffer.from('def'));
  out += t.format(0, Buffer.from('partial'));
  out += t.format(0, Buffer.from(' line\n'));
  assert.equal(out, '*   Trying 127.0.0.1:80...\n> GET / HTTP/1.1\r\n> Host: h\r\n> \r\n< HTTP/1.1 200 OK\r\n{ [3 bytes data]\n* partial line\n');
  assert.equal(new TraceFormatter('plain', true).format(3, Buffer.from('x')), '');
});
