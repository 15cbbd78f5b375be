// Whether a request first negotiates Digest with an empty body (libcurl's
// authneg "probe") is decided by the request kind, not by the method name
// -X puts on the wire: a PUT upload sent as "GET" still probes with
// Content-Length: 0, then sends its body with the credentials (curl cases
// 1001 and 2058); and the answer to that upload is no download whose resume
// the server ignored (no "Cannot resume" error). A probe the server answers
// 2xx without asking for credentials is followed by the request with its
// body, for the same reason: libcurl's Curl_http_auth_act looks at the
// request kind (curl 7.88.1 does it for "-T f -X GET" and "-d x -X HEAD").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRawServer } from '../helpers/raw-http-server.js';
import { CURLAUTH, CURLE, CURLOPT, Easy } from '../../src/index.js';

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

test('tool: a probe answered 200 is followed by the body, whatever -X names (Digest and NTLM)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-probe-'));
  const file = join(dir, 'up');
  writeFileSync(file, 'filedata');
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  try {
    const cases: [string[], string, string][] = [
      [['--digest', '-T', file, '-X', 'GET'], 'GET', 'filedata'],
      [['--ntlm', '-T', file, '-X', 'GET'], 'GET', 'filedata'],
      [['--digest', '-d', 'postdata', '-X', 'GET'], 'GET', 'postdata'],
      [['--ntlm', '-d', 'postdata', '-X', 'HEAD'], 'HEAD', 'postdata'],
    ];
    for (const [args, method, body] of cases) {
      const from = srv.requests.length;
      assert.equal(await runCli(['-s', '-o', '/dev/null', '-u', 'u:p', ...args, `http://127.0.0.1:${srv.port}/x`]), 0, args.join(' '));
      const [probe, real, ...more] = srv.requests.slice(from);
      assert.deepEqual(more, [], args.join(' '));
      assert.equal(probe?.method, method, args.join(' '));
      assert.equal(probe?.headers.get('content-length'), '0', args.join(' '));
      assert.equal(real?.method, method, args.join(' '));
      assert.equal(real?.body.toString(), body, args.join(' '));
    }
  } finally {
    await srv.close();
  }
});

test('library: POSTFIELDS or an upload sent as CUSTOMREQUEST "GET" sends its body after a probe answered 204', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 204 No Content\r\n\r\n' }));
  try {
    const setups: [number, (e: Easy) => void][] = [
      [CURLAUTH.DIGEST, (e) => e.setopt(CURLOPT.POSTFIELDS, 'fields')],
      [CURLAUTH.NTLM, (e) => {
        const data = Buffer.from('fields');
        let pos = 0;
        e.setopt(CURLOPT.UPLOAD, 1);
        e.setopt(CURLOPT.INFILESIZE_LARGE, data.length);
        e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
          const n = data.copy(buf, 0, pos);
          pos += n;
          return n;
        });
      }],
    ];
    for (const [auth, setup] of setups) {
      const from = srv.requests.length;
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/lib`);
        e.setopt(CURLOPT.HTTPAUTH, auth);
        e.setopt(CURLOPT.USERPWD, 'u:p');
        e.setopt(CURLOPT.CUSTOMREQUEST, 'GET');
        setup(e);
        assert.equal(await e.perform(), CURLE.OK);
      } finally {
        e.cleanup();
      }
      const [probe, real, ...more] = srv.requests.slice(from);
      assert.deepEqual(more, []);
      assert.equal(probe?.headers.get('content-length'), '0', String(auth));
      assert.equal(real?.method, 'GET');
      assert.equal(real?.body.toString(), 'fields', String(auth));
    }
  } finally {
    await srv.close();
  }
});
