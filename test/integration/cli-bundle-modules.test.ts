// The CLI bundle (scripts/bundle-cli.mjs) hands out a module's exports
// object before the module has run, and runs the module on the first read
// of an export. A module that came out different from its ES build would
// break silently, and a module that runs for no reason costs every CLI
// start; both are checked here by observable means: the bundle runtime's
// inspection door and its TSCURL_BUNDLE_TRACE list of executed modules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import vm from 'node:vm';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const BUNDLE = fileURLToPath(new URL('../../src/cli/tscurl-bundle.cjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/cli/tscurl.cjs', import.meta.url));

interface Runtime {
  ids: string[];
  require(id: string): Record<string, unknown>;
  load(id: string): Record<string, unknown>;
}

// A fresh copy of the bundle runtime, without running the CLI.
function runtime(): Runtime {
  const fn = new vm.Script(readFileSync(BUNDLE, 'latin1'), { filename: BUNDLE }).runInThisContext() as (...a: unknown[]) => void;
  const module: { exports: unknown; tscurlBundleInspect: boolean } = { exports: {}, tscurlBundleInspect: true };
  fn.call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return module.exports as Runtime;
}

let server: http.Server;
let base = '';
let tmp = '';

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/set') res.setHeader('Set-Cookie', 'a=1; Path=/');
    res.end(`hi ${req.headers.cookie ?? ''}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = mkdtempSync(join(tmpdir(), 'tscurl-bundle-'));
});

after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('every bundled module, run through its lazy exports object, exports what its ES build exports', async () => {
  const ids = runtime().ids;
  assert.ok(ids.length > 100, `${ids.length} modules`);
  for (const id of ids) {
    if (id === 'cli/main.js') continue; // the entry runs the CLI
    const rt = runtime(); // one where no other module ran this one
    const exports = rt.require(id);
    // handed out before running: only the __esModule marker of its own
    assert.deepEqual(Object.keys(exports), [], id);
    const esm = (await import(new URL(`../../src/${id}`, import.meta.url).href)) as Record<string, unknown>;
    const names = Object.keys(esm).sort();
    // the first read of an export runs the module into the same object
    if (names.length > 0) assert.equal(typeof exports[names[0]!], typeof esm[names[0]!], `${id} ${names[0]}`);
    else void rt.load(id);
    assert.equal(rt.load(id), exports, id);
    assert.equal(Object.getPrototypeOf(exports), Object.prototype, id);
    assert.deepEqual(Object.keys(exports).sort(), names, id);
    for (const k of names) assert.equal(typeof exports[k], typeof esm[k], `${id} ${k}`);
  }
});

test('a lazily required module runs on its first export read, into the object importers hold', () => {
  const rt = runtime();
  const codes = rt.require('codes.js');
  assert.equal(codes.__esModule, true); // TypeScript's interop helpers read it: it must not run the module
  assert.deepEqual(Object.keys(codes), []);
  assert.ok('easyStrerror' in codes); // `in` runs it
  assert.deepEqual(Object.keys(codes), Object.keys(rt.load('codes.js')));
  assert.ok(Object.keys(codes).includes('easyStrerror'));
  // plain data properties on an ordinary object: nothing lazy left on the hot path
  assert.equal(typeof Object.getOwnPropertyDescriptor(codes, 'easyStrerror')?.value, 'function');
  assert.equal(Object.getPrototypeOf(codes), Object.prototype);
  assert.equal(rt.require('codes.js'), codes);
  const easyStrerror = codes.easyStrerror as (c: number) => string;
  assert.equal(easyStrerror(7), "Couldn't connect to server");
  // a read of anything else runs a module too, and awaiting one (a dynamic import) runs it
  const table = rt.require('codes-table.js');
  assert.equal((table.CURLE as Record<string, number>).COULDNT_CONNECT, 7);
  const retry = rt.require('request/retry-policy.js');
  return Promise.resolve(retry).then((r) => {
    assert.equal(r, retry);
    assert.ok(Object.keys(retry).length > 0, 'awaiting ran the module');
  });
});

function trace(args: string[]): Promise<{ code: number; stdout: string; modules: string[] }> {
  const file = join(tmp, `trace-${Math.random().toString(36).slice(2)}.txt`);
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'latin1', env: { ...process.env, TSCURL_BUNDLE_TRACE: file } }, (err, stdout) => {
      const code = err ? Number(err.code) : 0;
      resolve({ code, stdout, modules: readFileSync(file, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

// modules a plain GET names through its imports but never needs
const NOT_FOR_A_PLAIN_GET = [
  'cookies/cookie-jar.js', 'cookies/psl.js', 'cf/tls-connect.js', 'vtls/tls-config.js', 'vtls/x509-verify-codes.js',
  'cr/mime.js', 'auth/digest.js', 'auth/aws-sigv4.js', 'auth/netrc.js', 'cw/content-decoders.js', 'multi/tunneling.js',
  'cf/socks.js', 'cli/setopt-map.js', 'cli/messages.js',
];

test('a plain GET through the bundle does not execute the modules it does not use', async () => {
  const r = await trace(['-s', '-o', '/dev/null', '-w', '%{http_code}', `${base}/plain`]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '200');
  for (const id of ['cli/main.js', 'cli/operate.js', 'easy/easy.js', 'multi/engine.js', 'proto/http.js', 'http1/response-parser.js'])
    assert.ok(r.modules.includes(id), `${id} ran`);
  assert.deepEqual(r.modules.filter((id) => NOT_FOR_A_PLAIN_GET.includes(id)), []);
  assert.equal(new Set(r.modules).size, r.modules.length, 'no module ran twice');
});

test('a transfer that needs a lazily handed-out module gets it run', async () => {
  const jar = join(tmp, 'jar.txt');
  const r = await trace(['-s', '-c', jar, `${base}/set`, `${base}/again`]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'hi \nhi a=1\n');
  assert.ok(r.modules.includes('cookies/cookie-jar.js'), 'the cookie engine ran');
  assert.match(readFileSync(jar, 'utf8'), /\ta\t1\n/);
});
