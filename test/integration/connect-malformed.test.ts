// CONNECT answers that are not well-formed HTTP (curl case 750 and what curl
// 7.88 does with a scripted proxy): the CONNECT reader is a line reader with
// no HTTP/0.9 notion. Its first line is the status line whatever it holds
// (no "HTTP/1.x NNN" in it: response 0); any other line without a colon is
// "Invalid response header" (43) once it reaches the header callback, and is
// skipped with --suppress-connect-headers. TSCURL_TEST_CLIENT=/usr/bin/curl
// runs the same cases against real curl (whose 43 message in 7.88 is the
// generic "A libcurl function was given a bad argument"; and a refused
// CONNECT exits 56 in 7.88, 7 in curl 8 and tscurl, as curl case 94 wants).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CLIENT = process.env['TSCURL_TEST_CLIENT'];

function runCli(args: string[]): Promise<{ status: number; stderr: string }> {
  const [cmd, pre] = CLIENT ? [CLIENT, []] : [process.execPath, [MAIN]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { encoding: 'latin1', timeout: 20_000, env: {} }, (err, _stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stderr });
    });
  });
}

/** A proxy that answers the first request head with `reply` and then closes. */
async function scriptedProxy(reply: string): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    let head = '';
    s.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) s.end(reply, 'latin1');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function viaProxy(reply: string, extra: string[] = []): Promise<{ status: number; stderr: string }> {
  const proxy = await scriptedProxy(reply);
  try {
    return await runCli(['-sS', '-v', '--proxytunnel', '-x', `http://127.0.0.1:${proxy.port}`, ...extra, 'http://test.example/']);
  } finally {
    await proxy.close();
  }
}

const lastLine = (stderr: string): string => stderr.trimEnd().split('\n').at(-1)!;
const invalidHeader = CLIENT ? 'A libcurl function was given a bad argument' : 'Invalid response header';
const refused = CLIENT ? 56 : 7;

test('an HTML answer that closes (case 750): two lines traced, then 43', async () => {
  const r = await viaProxy('<html>\n<h1>400 Bad request</h1>\n</html>\n');
  assert.equal(r.status, 43, r.stderr);
  assert.match(lastLine(r.stderr), new RegExp(`^[a-z]+: \\(43\\) ${invalidHeader}$`));
  assert.match(r.stderr, /< <html>\n< <h1>400 Bad request<\/h1>\n/);
  assert.doesNotMatch(r.stderr, /< <\/html>/);
});

test('the same answer with --suppress-connect-headers: read to its close, "Proxy CONNECT aborted" (56)', async () => {
  const r = await viaProxy('<html>\n<h1>400 Bad request</h1>\n</html>\n', ['--suppress-connect-headers']);
  assert.equal(r.status, 56, r.stderr);
  assert.match(lastLine(r.stderr), /\(56\) Proxy CONNECT aborted$/);
  assert.match(r.stderr, /< <\/html>\n/);
});

test('a first line that is no status line, then a blank line: "CONNECT tunnel failed, response 0"', async () => {
  const r = await viaProxy('garbage\r\n\r\n');
  assert.equal(r.status, refused, r.stderr);
  assert.match(lastLine(r.stderr), new RegExp(`\\(${refused}\\) CONNECT tunnel failed, response 0$`));
});

test('a 403 with a header line without a colon: 43; with --suppress-connect-headers the 403 itself', async () => {
  const reply = 'HTTP/1.1 403 Forbidden\r\nno colon here\r\nContent-Length: 0\r\n\r\n';
  const r = await viaProxy(reply);
  assert.equal(r.status, 43, r.stderr);
  assert.match(lastLine(r.stderr), new RegExp(`\\(43\\) ${invalidHeader}$`));
  const s = await viaProxy(reply, ['--suppress-connect-headers']);
  assert.equal(s.status, refused, s.stderr);
  assert.match(lastLine(s.stderr), new RegExp(`\\(${refused}\\) CONNECT tunnel failed, response 403$`));
});
