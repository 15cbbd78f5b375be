// The curl-case runner's own rules, each checked end to end: synthetic test
// cases in a temp data directory, run by the runner against its sws emulation
// with a scripted client (fake-client.ts) that sends exact bytes, or against
// the emulated server directly over a loopback socket.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expectedExitCodes, unwrapWarnings, type CaseResult } from './runner/run-case.js';
import { runSuite, summaryText, type SuiteSummary } from './runner/suite.js';
import {
  parseServerCommands, postCommandWaitSeconds, requestLength, requestTarget,
} from './runner/sws-request.js';
import { SwsServer } from './runner/sws-server.js';
import { TestFile } from './runner/test-file.js';

const FAKE = fileURLToPath(new URL('./fake-client.js', import.meta.url));
const CLIENT = `${process.execPath} ${FAKE}`;

/** A test file from its sections' inner XML. */
function testCase(parts: { reply?: string; client: string; verify?: string }): string {
  return `<testcase>\n<reply>\n${parts.reply ?? ''}</reply>\n<client>\n<server>\nhttp\n</server>\n${parts.client}</client>\n` +
    `<verify>\n${parts.verify ?? ''}</verify>\n</testcase>\n`;
}

const REPLY = '<data crlf="headers" nocheck="yes">\nHTTP/1.1 200 OK\nContent-Length: 6\n\nhello\n</data>\n' +
  '<data2 crlf="headers">\nHTTP/1.1 200 two\nContent-Length: 4\n\ntwo\n</data2>\n';

/** Runs synthetic cases (number -> file text) with the scripted client. */
async function runCases(cases: Record<number, string>): Promise<SuiteSummary> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-runner-'));
  try {
    for (const [num, text] of Object.entries(cases)) writeFileSync(path.join(dir, `test${num}`), text);
    return await runSuite({ client: CLIENT, dataDir: dir, jobs: 2, timeoutMs: 30_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function result(s: SuiteSummary, num: number): CaseResult {
  const r = s.results.find((x) => x.num === num);
  assert.ok(r, `no result for case ${num}`);
  return r;
}

function assertVerdict(s: SuiteSummary, num: number, verdict: string, reason = ''): void {
  const r = result(s, num);
  assert.equal(`${r.verdict} ${r.reason}`, `${verdict} ${reason}`, `case ${num}: ${r.detail ?? ''}`);
}

test('sws emulation: which test and part a request names', () => {
  assert.deepEqual(requestTarget('GET /want/5 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 5, part: 0, connect: false });
  assert.deepEqual(requestTarget('GET /50002 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 5, part: 2, connect: false });
  // another test's number is that test, which the running case's server does not have
  assert.deepEqual(requestTarget('GET /7 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 7, part: 0, connect: false });
  assert.deepEqual(requestTarget('GET /70001 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 7, part: 1, connect: false });
  // no number: the running test (sws reads it from server.cmd)
  assert.deepEqual(requestTarget('GET /page HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 5, part: 0, connect: false });
  assert.deepEqual(requestTarget('GET /0 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 5, part: 0, connect: false });
  assert.deepEqual(requestTarget('CONNECT host:80 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 5, part: 0, connect: true });
  assert.deepEqual(requestTarget('CONNECT [::1]:80 HTTP/1.1\r\n\r\n', 5), { kind: 'test', test: 1, part: 0, connect: true });
  // no HTTP version on the request line: a Testno: header, else sws' 404 page
  assert.deepEqual(requestTarget('XXX\r\nTestno: 5\r\n\r\n', 9), { kind: 'test', test: 5, part: 0, connect: false });
  assert.deepEqual(requestTarget('GET /5\r\n\r\n', 5), { kind: '404', connect: false });
});

test('sws emulation: a request ends only at CRLF CRLF, then its body', () => {
  const none = parseServerCommands(undefined);
  assert.equal(requestLength(Buffer.from('GET / HTTP/1.1\nHost: x\n\n'), none), undefined);
  assert.equal(requestLength(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET'), none), 27);
  const post = Buffer.from('POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab');
  assert.equal(requestLength(post, none), undefined);
  assert.equal(requestLength(Buffer.concat([post, Buffer.from('c')]), none), post.length + 1);
});

test('sws emulation: servercmd delay and writedelay, postcmd wait', () => {
  const t = new TestFile([
    '<testcase>\n', '<reply>\n', '<servercmd>\n', 'delay: 250\n', 'writedelay: 10\n', '</servercmd>\n',
    '<postcmd>\n', 'wait 2\n', '</postcmd>\n', '</reply>\n', '</testcase>\n',
  ]);
  const cmds = parseServerCommands(t);
  assert.equal(cmds.delayMs, 250);
  assert.equal(cmds.writeDelayMs, 10);
  assert.equal(postCommandWaitSeconds(t), 2);
  assert.equal(postCommandWaitSeconds(undefined), 0);
});

test('sws emulation: the reply goes out in writes of at most 20 bytes', async () => {
  const body = 'x'.repeat(150);
  const t = new TestFile(['<testcase>\n', '<reply>\n', '<data>\n',
    `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}\n`, '</data>\n', '</reply>\n', '</testcase>\n']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-pieces-'));
  const server = new SwsServer({ logFile: path.join(dir, 'server.input'), testNumber: 1, test: () => t });
  const sizes: number[] = [];
  const proto = net.Socket.prototype;
  const ownWrite = Object.hasOwn(proto, 'write');
  const origWrite = proto.write;
  try {
    const port = await server.listen('127.0.0.1');
    // Record the server side's writes: the sockets whose local port is the server's.
    proto.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
      if (this.localPort === port && (Buffer.isBuffer(chunk) || typeof chunk === 'string')) sizes.push(Buffer.byteLength(chunk));
      return (origWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof origWrite;
    const got = await new Promise<string>((resolve, reject) => {
      let text = '';
      const c = net.connect({ host: '127.0.0.1', port }, () => c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n'));
      c.setEncoding('latin1');
      c.on('data', (d: string) => {
        text += d;
        if (text.endsWith(`${body}\n`)) c.end();
      });
      c.on('error', reject);
      c.on('close', () => resolve(text));
    });
    assert.ok(got.endsWith(`${body}\n`), got);
    assert.equal(sizes.reduce((a, b) => a + b, 0), got.length);
    assert.ok(sizes.length >= Math.ceil(got.length / 20), `${sizes.length} writes`);
    assert.ok(sizes.every((n) => n <= 20), `write sizes ${sizes.join(' ')}`);
  } finally {
    if (ownWrite) proto.write = origWrite;
    else delete (proto as Partial<net.Socket>).write;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runner: bare-LF requests, partial requests, test numbers in the path', { timeout: 120_000 }, async () => {
  const s = await runCases({
    // a request with CRLFs is answered
    1: testCase({
      reply: REPLY,
      client: "<command>\n--send %HTTPPORT 'GET /%TESTNUMBER HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'\n</command>\n",
      verify: '<stdout crlf="headers">\nHTTP/1.1 200 OK\nContent-Length: 6\n\nhello\n</stdout>\n' +
        '<protocol crlf="yes">\nGET /%TESTNUMBER HTTP/1.1\nHost: x\n\n</protocol>\n',
    }),
    // bare LFs never end a request: no reply; the bytes are logged when the client goes
    2: testCase({
      reply: REPLY,
      client: "<command>\n--send %HTTPPORT 'GET /%TESTNUMBER HTTP/1.1\\nHost: x\\n\\n'\n</command>\n",
      verify: '<stdout>\n%EMPTY\n</stdout>\n<protocol>\nGET /%TESTNUMBER HTTP/1.1\nHost: x\n\n</protocol>\n',
    }),
    // a client that closes in the middle of a request has it logged as far as it got
    3: testCase({
      reply: REPLY,
      client: "<command>\n--send %HTTPPORT 'POST /%TESTNUMBER HTTP/1.1\\r\\nContent-Length: 10\\r\\n\\r\\nabc'\n</command>\n",
      verify: '<stdout>\n%EMPTY\n</stdout>\n' +
        '<protocol crlf="headers" nonewline="yes">\nPOST /%TESTNUMBER HTTP/1.1\nContent-Length: 10\n\nabc\n</protocol>\n',
    }),
    // another test's number: sws has no such test file, answers nothing and closes
    4: testCase({
      reply: REPLY,
      client: "<command>\n--send %HTTPPORT 'GET /7 HTTP/1.1\\r\\n\\r\\n'\n</command>\n",
      verify: '<stdout>\n%EMPTY\n</stdout>\n<protocol crlf="yes">\nGET /7 HTTP/1.1\n\n</protocol>\n',
    }),
    // the running test's number with a part, and no number at all
    5: testCase({
      reply: REPLY,
      client: "<command>\n--send %HTTPPORT 'GET /%TESTNUMBER0002 HTTP/1.1\\r\\n\\r\\n' --send %HTTPPORT 'GET /x HTTP/1.1\\r\\n\\r\\n'\n</command>\n",
      verify: '<stdout crlf="headers">\nHTTP/1.1 200 two\nContent-Length: 4\n\ntwo\nHTTP/1.1 200 OK\nContent-Length: 6\n\nhello\n</stdout>\n',
    }),
  });
  for (const n of [1, 2, 3, 4, 5]) assertVerdict(s, n, 'PASS');
});

test('runner: the command line, <file> parts, errorcode and warnings', { timeout: 120_000 }, async () => {
  const s = await runCases({
    // runtests' additions, in its order, ahead of the case's command
    11: testCase({
      client: '<command>\n--exit 0\n</command>\n',
      verify: '<file name="%LOGDIR/argv">\n-q\n--output\nlog/curl%TESTNUMBER.out\n--include\n--trace-ascii\nlog/trace%TESTNUMBER\n--trace-time\n--exit\n0\n</file>\n',
    }),
    12: testCase({
      client: '<command option="no-include,binary-trace">\n--exit 0\n</command>\n',
      verify: '<file name="%LOGDIR/argv">\n-q\n--output\nlog/curl%TESTNUMBER.out\n--trace\nlog/trace%TESTNUMBER\n--trace-time\n--exit\n0\n</file>\n',
    }),
    // a file to create without a name
    13: testCase({ client: '<file>\ncontent\n</file>\n<command>\n--exit 0\n</command>\n' }),
    // a file to verify without a name
    14: testCase({ client: '<command>\n--exit 0\n</command>\n', verify: '<file>\ncontent\n</file>\n' }),
    // only the first line of <errorcode> counts
    15: testCase({ client: '<command>\n--exit 7\n</command>\n', verify: '<errorcode>\n0\n7\n</errorcode>\n' }),
    16: testCase({ client: '<command>\n--exit 7\n</command>\n', verify: '<errorcode>\n5,7\n</errorcode>\n' }),
    // mode="warn": a warning wrapped by the terminal width matches the unwrapped text ...
    17: testCase({
      client: "<command>\n--stderr 'Warning: a warning that \\nWarning: wraps\\n'\n</command>\n",
      verify: '<stderr mode="warn">\nWarning: a warning that wraps\n</stderr>\n',
    }),
    // ... and nothing else is forgiven: a space that is not there fails
    18: testCase({
      client: "<command>\n--stderr 'Warning: a warning that\\nWarning: wraps\\n'\n</command>\n",
      verify: '<stderr mode="warn">\nWarning: a warning that wraps\n</stderr>\n',
    }),
  });
  assertVerdict(s, 11, 'PASS');
  assertVerdict(s, 12, 'PASS');
  assertVerdict(s, 13, 'FAIL', 'client <file> has no name attribute');
  assertVerdict(s, 14, 'FAIL', 'file');
  assertVerdict(s, 15, 'FAIL', 'errorcode');
  assertVerdict(s, 16, 'PASS');
  assertVerdict(s, 17, 'PASS');
  assertVerdict(s, 18, 'FAIL', 'stderr');
});

test('runner: a run whose client lacks a feature says so in its summary', { timeout: 60_000 }, async () => {
  const s = await runCases({
    21: testCase({ client: '<features>\nno-such-feature\n</features>\n<command>\n--exit 0\n</command>\n' }),
    22: testCase({ client: '<features>\n!http\n</features>\n<command>\n--exit 0\n</command>\n' }),
    23: testCase({ client: '<command>\n--exit 0\n</command>\n' }),
  });
  assertVerdict(s, 21, 'SKIP', 'missing feature no-such-feature');
  assertVerdict(s, 22, 'SKIP', 'feature http present');
  assertVerdict(s, 23, 'PASS');
  const text = summaryText(s);
  assert.match(text, /^SUMMARY: 1 passed, 0 failed, 2 skipped, of 3$/m);
  assert.match(text, /^SKIPPED 2 because the client lacks \(or has\) a feature:$/m);
  assert.match(text, /^ {2}missing feature no-such-feature: 1 \(21\)$/m);
  assert.match(text, /^ {2}feature http present: 1 \(22\)$/m);
});

test('runner helpers: first errorcode line, warnings unwrapped', () => {
  const tf = (lines: string[]): TestFile => new TestFile(['<testcase>\n', '<verify>\n', ...lines, '</verify>\n', '</testcase>\n']);
  assert.deepEqual(expectedExitCodes(tf([])), [0]);
  assert.deepEqual(expectedExitCodes(tf(['<errorcode>\n', '28,6\n', '</errorcode>\n'])), [28, 6]);
  assert.deepEqual(expectedExitCodes(tf(['<errorcode>\n', '7\n', '8\n', '</errorcode>\n'])), [7]);
  assert.equal(unwrapWarnings('Warning: one \nWarning: two\n'), 'one two');
  assert.equal(unwrapWarnings('plain\n'), 'plain');
});
