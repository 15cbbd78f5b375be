// Whether a request first negotiates Digest with an empty body (libcurl's
// authneg "probe") is decided by the request kind, not by the method name
// -X puts on the wire: a PUT upload sent as "GET" still probes with
// Content-Length: 0, then sends its body with the credentials (curl cases
// 1001 and 2058); and the answer to that upload is no download whose resume
// the server ignored (no "Cannot resume" error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRawServer } from '../helpers/raw-http-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function runCli(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000, env: {} }, (err) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve(err ? (typeof code === 'number' ? code : -1) : 0);
    });
  });
}

test('-T -C 2 -X GET --digest: the first request is a probe without body, the second carries the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-probe-'));
  const file = join(dir, 'up');
  writeFileSync(file, 'test\n');
  const srv = await startRawServer((r) => r.headers.has('authorization')
    ? { data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }
    : { data: 'HTTP/1.1 401 No\r\nWWW-Authenticate: Digest realm="r", nonce="1"\r\nContent-Length: 0\r\n\r\n' });
  try {
    const code = await runCli(['-s', '-o', '/dev/null', '-u', 'u:p', '--digest', '-T', file, '-C', '2', '-X', 'GET',
      `http://127.0.0.1:${srv.port}/x`]);
    assert.equal(code, 0);
    assert.equal(srv.requests.length, 2);
    const [probe, real] = srv.requests;
    assert.equal(probe!.method, 'GET');
    assert.equal(probe!.headers.get('content-length'), '0');
    assert.equal(probe!.headers.get('content-range'), 'bytes 2-4/5');
    assert.equal(probe!.body.length, 0);
    assert.match(real!.headers.get('authorization') ?? '', /^Digest username="u"/);
    assert.equal(real!.headers.get('content-length'), '3');
    assert.equal(real!.body.toString(), 'st\n');
  } finally {
    await srv.close();
  }
});
