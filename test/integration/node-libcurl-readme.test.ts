// README "node-libcurl drop-in": its example runs as written (only the URL
// points at this test's server), importing 'tscurl/node-libcurl' through the
// package's "exports" as an application would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRawServer } from '../helpers/raw-http-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function readmeExample(): string {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## node-libcurl drop-in'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the section has a js example');
  return m[1]!;
}

test('the README node-libcurl example runs against a local server', async () => {
  const srv = await startRawServer((r) => (r.target === '/hello.json'
    ? { data: 'HTTP/1.1 301 Moved\r\nLocation: /moved.json\r\nContent-Length: 0\r\n\r\n' }
    : { data: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"greeting":"hello"}' }));
  // inside the package, so that 'tscurl/node-libcurl' resolves through package.json "exports"
  const file = `${ROOT}dist/readme-node-libcurl-${process.pid}.mjs`;
  try {
    writeFileSync(file, readmeExample().replaceAll('http://127.0.0.1:8080', `http://127.0.0.1:${srv.port}`));
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [file], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.equal(out, '200 hello application/json\n301 \n');
    assert.deepEqual(srv.requests.map((r) => r.target), ['/hello.json', '/moved.json', '/hello.json']);
  } finally {
    rmSync(file, { force: true });
    await srv.close();
  }
});
