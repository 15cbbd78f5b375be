// Differential check: a raw loopback server writes exact reply bytes and
// closes; /usr/bin/curl's exit code (its CURLcode) must equal what our
// parser reports for the same bytes followed by eof() (0 for 'end').
// Skipped where curl is not installed. Cases where we knowingly differ
// from curl 7.88 (conflicting Content-Length, HTTP/2 status line, one
// header line over 100 KiB) are in http1-parser.test.ts, not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { ResponseParser } from '../../src/http1/index.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const CURL = '/usr/bin/curl';

let many = 'HTTP/1.1 200 OK\r\n';
for (let i = 0; i < 400; i++) many += `X-H${i}: ${'b'.repeat(1000)}\r\n`;
many += 'Content-Length: 2\r\n\r\nhi';

const CASES: Array<[string, string, string[]?]> = [
  ['empty reply', ''],
  ['partial status line', 'HTTP/1.1 20'],
  ['partial header, no length', 'HTTP/1.1 200 OK\r\nContent-Le'],
  ['headers cut after Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n'],
  ['only a 100 response', 'HTTP/1.1 100 Continue\r\n\r\n'],
  ['short body', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
  ['chunked cut', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'],
  ['bad hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab'],
  ['long hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nab'],
  ['chunk without CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n'],
  ['trailer without colon', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nbad\r\n\r\n'],
  ['HTTP/0.9 refused', 'hello world'],
  ['HTTP/0.9 allowed', 'hello world', ['--http0.9']],
  ['two-digit code', 'HTTP/1.1 20 OK\r\n\r\n'],
  ['HTTP/1.2', 'HTTP/1.2 200 OK\r\n\r\n'],
  ['negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nhi'],
  ['header without colon', 'HTTP/1.1 200 OK\r\nfoo bar\r\n\r\n'],
  ['NUL in header', 'HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n'],
  ['LF only', 'HTTP/1.1 200 OK\nContent-Length: 2\n\nhi'],
  ['folded header', 'HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nhi'],
  ['close-delimited', 'HTTP/1.1 200 OK\r\n\r\nabc'],
  ['too many header bytes', many],
];

function ours(reply: string, extra: string[] = []): number {
  const p = new ResponseParser({ method: 'GET', http09Allowed: extra.includes('--http0.9') });
  p.feed(Buffer.from(reply, 'latin1'));
  p.eof();
  for (let i = 0; i < 10_000; i++) {
    const ev = p.next();
    if (ev.type === 'end') return 0;
    if (ev.type === 'error') return ev.code;
  }
  return -1;
}

async function curlExit(reply: string, extra: string[]): Promise<number | null> {
  const srv = net.createServer((s) => {
    s.once('data', () => s.end(Buffer.from(reply, 'latin1')));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    return await new Promise((resolve) => {
      const c = spawn(CURL, ['-s', '-o', '/dev/null', '--max-time', '10', ...extra, `http://127.0.0.1:${port}/`], { stdio: 'ignore' });
      c.on('close', resolve);
    });
  } finally {
    srv.close();
  }
}

test('http1 parser errors match curl exit codes', { skip: NO_CURL }, async () => {
  const diffs: string[] = [];
  for (const [name, reply, extra] of CASES) {
    const want = await curlExit(reply, extra ?? []);
    const got = ours(reply, extra);
    if (want !== got) diffs.push(`${name}: curl ${want}, parser ${got}`);
  }
  assert.deepEqual(diffs, []);
});
