// The `tscurl` bin is the bundled CLI (dist/src/cli/tscurl.cjs, made by
// scripts/bundle-cli.mjs with a V8 code cache). It must behave exactly as the
// ES-module CLI (dist/src/cli/main.js) that the other CLI tests run: same
// stdout, stderr and exit code, including paths that load lazily bundled
// modules and lazily required built-ins (TLS, crypto for Digest, glob,
// write-out, help).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

const ESM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/cli/tscurl.cjs', import.meta.url));
const CACHE = fileURLToPath(new URL('../../src/cli/tscurl-bundle.cache', import.meta.url));
let plain: http.Server;
let secure: https.Server;
let base = '';
let tlsBase = '';

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.sendDate = false; // both CLIs must see byte-identical responses
  if (req.url === '/digest') {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Digest ')) {
      res.writeHead(401, { 'WWW-Authenticate': 'Digest realm="r", nonce="abc", qop="auth"', 'Content-Length': '0' });
      res.end();
      return;
    }
    res.end(`digest ok ${/username="([^"]*)"/.exec(auth)?.[1]}\n`);
    return;
  }
  if (req.url === '/404') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('nope\n');
    return;
  }
  res.setHeader('X-Test', 'yes');
  res.end(`hello ${req.method} ${req.url} ${req.headers['x-a'] ?? ''}\n`);
}

before(async () => {
  plain = http.createServer(handler);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  if (NO_OPENSSL) return;
  const certs = testCerts();
  secure = https.createServer({ key: certs.server.key, cert: certs.server.cert }, handler);
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  tlsBase = `https://localhost:${(secure.address() as AddressInfo).port}`;
});

after(() => {
  plain.close();
  if (!NO_OPENSSL) secure.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cli: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm run build made the bundle, its launcher and a code cache', () => {
  assert.ok(existsSync(BIN), BIN);
  assert.ok(existsSync(CACHE), CACHE);
  assert.match(readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

const cases: [string, () => string[]][] = [
  ['plain GET', () => ['-s', `${base}/a`]],
  ['-i with a custom header', () => ['-si', '-H', 'X-A: 42', `${base}/b`]],
  ['-s -o /dev/null -w', () => ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}\\n', `${base}/c`]],
  ['-f on a 404', () => ['-sf', `${base}/404`]],
  ['a glob', () => ['-s', `${base}/g[1-3]`]],
  ['connection refused', () => ['-sS', 'http://127.0.0.1:1/']],
  ['HTTPS with --cacert', () => ['-s', '--cacert', testCerts().caFile, `${tlsBase}/tls`]],
  ['HTTPS without the CA', () => ['-sS', `${tlsBase}/tls`]],
  ['Digest authentication', () => ['-s', '--digest', '-u', 'joe:secret', `${base}/digest`]],
  ['--version', () => ['--version']],
  ['--help', () => ['--help']],
  ['a bad option', () => ['--no-such-option']],
];

for (const [name, args] of cases) {
  test(`bundled CLI = ES-module CLI: ${name}`, { skip: name.startsWith('HTTPS') && NO_OPENSSL }, async () => {
    const a = args();
    const [esm, bin] = await Promise.all([run(ESM, a), run(BIN, a)]);
    // elapsed times in error messages differ from run to run
    const stable = (r: Run): Run => ({ ...r, stderr: r.stderr.replace(/after \d+ ms/g, 'after N ms') });
    assert.deepEqual(stable(bin), stable(esm));
  });
}

test('the bundle still works when the code cache is not usable', async () => {
  // V8 rejects a cache made for other source or another V8; simulate by running with a flag that changes the cache's hash
  const r = await new Promise<Run>((resolve) => {
    execFile(process.execPath, ['--no-opt', BIN, '-s', `${base}/nocache`], { encoding: 'latin1' }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
  assert.deepEqual(r, { code: 0, stdout: 'hello GET /nocache \n', stderr: '' });
});
