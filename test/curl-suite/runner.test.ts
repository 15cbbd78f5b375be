// The curl-case runner's own rules, each checked end to end: synthetic test
// cases in a temp data directory, run by the runner against its sws emulation
// with a scripted client (fake-client.ts) that sends exact bytes, or against
// the emulated server directly over a loopback socket.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { FTP_PROTOCOL } from './runner/ftp-commands.js';
import { parsePingPongCommands, perlQuoted } from './runner/pingpong-commands.js';
import { IMAP_PROTOCOL } from './runner/imap-commands.js';
import { PingPongServer, type PingPongProtocol } from './runner/pingpong-server.js';
import { POP3_PROTOCOL, SMTP_PROTOCOL } from './runner/pop3-smtp-commands.js';
import { TestFile } from './runner/test-file.js';
import { TftpServer } from './runner/tftp-server.js';
import { perlDollars, stripLines } from './runner/strip.js';
import dgram from 'node:dgram';
import { MqttServer } from './runner/mqtt-server.js';
import { gopherTarget } from './runner/gopher-server.js';
import { TelnetNegotiator } from './runner/dict-telnet.js';

const FAKE = fileURLToPath(new URL('./fake-client.js', import.meta.url));
const CLIENT = `${process.execPath} ${FAKE}`;

/** A test file from its sections' inner XML. */
function testCase(parts: { reply?: string; client: string; verify?: string; server?: string }): string {
  return `<testcase>\n<reply>\n${parts.reply ?? ''}</reply>\n<client>\n<server>\n${parts.server ?? 'http'}\n</server>\n${parts.client}</client>\n` +
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

test('runner: a server whose protocol the client does not list is a skip, as runtests says "curl lacks X support"', { timeout: 60_000 }, async () => {
  const s = await runCases({
    25: testCase({ server: 'pop3', client: '<command>\n--exit 0\n</command>\n' }),
    26: testCase({ server: 'ftp-ipv6', client: '<command>\n--exit 0\n</command>\n' }),
  });
  assertVerdict(s, 25, 'SKIP', 'fakecurl lacks pop3 support');
  // the fake client lists ftp: its IPv6 server runs (or the machine has no ::1)
  assert.notEqual(result(s, 26).reason, 'fakecurl lacks ftp support');
});

test('runner helpers: first errorcode line, warnings unwrapped', () => {
  const tf = (lines: string[]): TestFile => new TestFile(['<testcase>\n', '<verify>\n', ...lines, '</verify>\n', '</testcase>\n']);
  assert.deepEqual(expectedExitCodes(tf([])), [0]);
  assert.deepEqual(expectedExitCodes(tf(['<errorcode>\n', '28,6\n', '</errorcode>\n'])), [28, 6]);
  assert.deepEqual(expectedExitCodes(tf(['<errorcode>\n', '7\n', '8\n', '</errorcode>\n'])), [7]);
  assert.equal(unwrapWarnings('Warning: one \nWarning: two\n'), 'one two');
  assert.equal(unwrapWarnings('plain\n'), 'plain');
});

/** ftpserver.pl's welcome, as a test file writes it. */
const FTP_WELCOME = String.raw`220-        _   _ ____  _
220-    ___| | | |  _ \| |
220-   / __| | | | |_) | |
220-  | (__| |_| |  _ {| |___
220    \___|\___/|_| \_\_____|
`;

/** An FTP case run by the scripted client: `script` lines become commands. */
function ftpCase(parts: { reply?: string; script: string; verify: string }): string {
  return testCase({
    server: 'ftp',
    ...(parts.reply !== undefined ? { reply: parts.reply } : {}),
    client: `<command>\n--ftp %FTPPORT '${parts.script}'\n</command>\n`,
    verify: '<stripfile>\ns/\\(\\|\\|\\|\\d+\\|\\)/(|||PORT|)/\ns/\\(127,0,0,1,\\d+,\\d+\\)/(127,0,0,1,P,P)/\n</stripfile>\n' + parts.verify,
  });
}

test('ftp emulation: servercmd keywords and perl-quoted replies', () => {
  const t = new TestFile(['<testcase>\n', '<reply>\n', '<servercmd>\n',
    'REPLY PASS 230 logged\\x00 in\\r\\n230 more\n', 'REPLYLF SYST 215 LF\n', 'REPLY "RETR 5" 550 full text\n',
    'COUNT USER 2\n', 'SLOWDOWNDATA\n', 'NODATACONN425\n', 'CAPA A "B C" D\n', 'AUTH PLAIN LOGIN\n', 'STOR 552 disk full\n',
    '</servercmd>\n', '</reply>\n', '</testcase>\n']);
  const c = parsePingPongCommands(t);
  assert.equal(c.commandReply.get('PASS'), '230 logged\x00 in\r\n230 more\r\n');
  assert.equal(c.commandReply.get('SYST'), '215 LF\n');
  assert.equal(c.fullTextReply.get('RETR 5'), '550 full text');
  assert.equal(c.customCount.get('USER'), 2);
  assert.equal(c.dataDelayMs, 5);
  assert.equal(c.ctrlDelayMs, 0);
  assert.ok(c.noDataConn && c.noDataConn425);
  assert.deepEqual(c.capabilities, ['A', 'B C', 'D']);
  assert.deepEqual(c.authMechs, ['PLAIN', 'LOGIN']);
  assert.equal(c.storeResp, '552 disk full');
  assert.equal(perlQuoted('a\\tb\\x41\\x{42}\\101\\\\'), 'a\tbAB' + 'A\\');
});

test('ftp emulation: one client at a time, the next one waits for its welcome', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-ftpq-'));
  const server = new PingPongServer({
    protocol: FTP_PROTOCOL, host: '127.0.0.1', logFile: path.join(dir, 'server.input'), logDir: dir, testNumber: 1, test: () => undefined,
  });
  const clients: net.Socket[] = [];
  try {
    const port = await server.listen('127.0.0.1');
    const connect = (): { sock: net.Socket; got: () => string } => {
      let text = '';
      const sock = net.connect({ host: '127.0.0.1', port });
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => {
        text += d;
      });
      clients.push(sock);
      return { sock, got: () => text };
    };
    const waitFor = async (cond: () => boolean, what: string): Promise<void> => {
      for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cond(), what);
    };
    const first = connect();
    await waitFor(() => first.got().includes('220 '), 'first welcome');
    const second = connect();
    first.sock.write('NOOP\r\n');
    await waitFor(() => first.got().includes('200 Yes'), 'first NOOP reply');
    // the second has connected meanwhile, and heard nothing
    assert.equal(second.got(), '');
    first.sock.end();
    await waitFor(() => second.got().includes('220 '), 'second welcome after the first left');
  } finally {
    for (const c of clients) c.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runner: FTP cases against the ftpserver.pl emulation', { timeout: 120_000 }, async () => {
  const login = 'USER a\\nPASS b\\nPWD\\nEPSV\\nTYPE I\\n';
  const loginReplies = `${FTP_WELCOME}331 We are happy you popped in!\n230 Welcome you silly person\n257 "/" is current directory\n` +
    '229 Entering Passive Mode (|||PORT|)\n200 I modify TYPE as you wanted\n';
  const loginProtocol = 'USER a\nPASS b\nPWD\nEPSV\nTYPE I\n';
  const s = await runCases({
    // a download: the size and the data from <data>, the 150 reply naming both
    31: ftpCase({
      reply: '<data nocheck="yes">\nfile content\n</data>\n',
      script: `${login}SIZE 31\\nRETR 31\\nQUIT`,
      verify: `<stdout crlf="yes">\n${loginReplies}213 13\n150 Binary data connection for 31 () (13 bytes).\n226 File transfer complete\n` +
        '221 bye bye baby\n</stdout>\n<file name="%LOGDIR/data">\nfile content\n</file>\n' +
        `<protocol crlf="yes">\n${loginProtocol}SIZE 31\nRETR 31\nQUIT\n</protocol>\n`,
    }),
    // a part number after the test number, <size>, another test's number (no such file: the data
    // connection stays for the next transfer), MDTM -1
    32: ftpCase({
      reply: '<data nocheck="yes">\none\n</data>\n<data2>\ntwo two\n</data2>\n<size>\n-1\n</size>\n<mdtm>\n-1\n</mdtm>\n',
      script: `${login}SIZE 32\\nMDTM 32\\nRETR 99\\nRETR 320002\\nQUIT`,
      verify: `<stdout crlf="yes">\n${loginReplies}550 32: No such file or directory.\n550 32: no such file.\n` +
        '550 99: No such file or directory.\n150 Binary data connection for 32 (2) (8 bytes).\n226 File transfer complete\n' +
        '221 bye bye baby\n</stdout>\n<file name="%LOGDIR/data">\ntwo two\n</file>\n',
    }),
    // REPLY with COUNT, then the built-in reply; LIST over PASV with CRLF line ends; an unknown command
    33: ftpCase({
      reply: '<data nocheck="yes">\nline one\nline two\n</data>\n<servercmd>\nREPLY USER 530 not yet\nCOUNT USER 1\n</servercmd>\n',
      script: 'USER a\\nUSER a\\nPASV\\nLIST\\nXYZ\\nQUIT',
      verify: `<stdout crlf="yes">\n${FTP_WELCOME}530 not yet\n331 We are happy you popped in!\n227 Entering Passive Mode (127,0,0,1,P,P)\n` +
        '150 here comes a directory\n226 ASCII transfer complete\n500 XYZ is not dealt with!\n221 bye bye baby\n</stdout>\n' +
        '<file name="%LOGDIR/data" crlf="yes">\nline one\nline two\n</file>\n',
    }),
    // an upload lands in log/upload.N, which <upload> verifies ...
    34: ftpCase({
      script: `${login}STOR 34 <<uploaded\\nQUIT`,
      verify: `<stdout crlf="yes">\n${loginReplies}125 Gimme gimme gimme!\n226 File transfer complete\n221 bye bye baby\n</stdout>\n` +
        '<upload nonewline="yes">\nuploaded\n</upload>\n',
    }),
    // ... and a different upload fails the case
    35: ftpCase({
      script: `${login}STOR 35 <<uploaded wrong\\nQUIT`,
      verify: '<upload nonewline="yes">\nuploaded\n</upload>\n',
    }),
    // a command the client did not send fails the protocol check
    36: ftpCase({
      script: 'USER a\\nQUIT',
      verify: '<protocol crlf="yes">\nUSER a\nPASS b\nQUIT\n</protocol>\n',
    }),
    // NODATACONN425: the passive port refuses, the transfer says 150 and 425
    37: ftpCase({
      reply: '<data nocheck="yes">\nx\n</data>\n<servercmd>\nNODATACONN425\n</servercmd>\n',
      script: 'EPSV\\nRETR 37\\nQUIT',
      verify: `<stdout crlf="yes">\n${FTP_WELCOME}229 Entering Passive Mode (|||PORT|)\n150 Opening data connection\n` +
        "425 Can't open data connection\n221 bye bye baby\n</stdout>\n",
    }),
  });
  for (const n of [31, 32, 33, 34, 37]) assertVerdict(s, n, 'PASS');
  assertVerdict(s, 35, 'FAIL', 'upload');
  assertVerdict(s, 36, 'FAIL', 'protocol');
});

/**
 * Talks to a mail server emulation over loopback: waits for `until` after the
 * welcome and after each line sent, and returns everything the server said.
 */
async function converse(
  protocol: PingPongProtocol, servercmd: string, data: string, steps: [send: string, until: RegExp][],
): Promise<{ said: string; log: string; upload: string | undefined }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-mail-'));
  const lines = ['<testcase>\n', '<reply>\n', '<servercmd>\n', ...servercmd.split(/(?<=\n)/), '</servercmd>\n',
    '<data crlf="yes">\n', ...data.split(/(?<=\n)/), '</data>\n', '</reply>\n', '</testcase>\n'];
  const t = new TestFile(lines);
  const server = new PingPongServer({
    protocol, host: '127.0.0.1', logFile: path.join(dir, 'server.input'), logDir: dir, testNumber: 7, test: () => t,
  });
  const sock = new net.Socket();
  try {
    const port = await server.listen('127.0.0.1');
    let said = '';
    let seen = 0;
    const waitFor = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        const m = re.exec(said.slice(seen));
        if (m) {
          seen += m.index + m[0].length;
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.fail(`no ${re} in ${JSON.stringify(said)}`);
    };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      said += d;
    });
    await new Promise<void>((r) => sock.connect({ host: '127.0.0.1', port }, r));
    await waitFor(/ready to serve.*\r\n|220 .*\r\n/);
    for (const [send, until] of steps) {
      sock.write(send);
      await waitFor(until);
    }
    let upload: string | undefined;
    try {
      upload = readFileSync(path.join(dir, 'upload.7'), 'latin1');
    } catch {
      upload = undefined;
    }
    return { said, log: readFileSync(path.join(dir, 'server.input'), 'latin1'), upload };
  } finally {
    sock.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('imap emulation: CAPABILITY, SELECT, FETCH with the literal size, APPEND, REPLY', async () => {
  const r = await converse(IMAP_PROTOCOL, 'CAPA SASL-IR\nAUTH PLAIN\nREPLY AUTHENTICATE + go on\n', 'Subject: hi\n\nbody\n', [
    ['A001 CAPABILITY\r\n', /A001 OK.*\r\n/],
    ['A002 AUTHENTICATE PLAIN\r\n', /\+ go on\r\n/],
    ['A003 SELECT 7\r\n', /A003 OK.*\r\n/],
    ['A004 FETCH 1 BODY[]\r\n', /A004 OK.*\r\n/],
    ['A005 APPEND 7 (\\Seen) {5}\r\n', /\+ Ready for literal data\r\n/],
    ['hello\r\n', /A005 OK.*\r\n/],
    ['A006 LOGOUT\r\n', /A006 OK.*\r\n/],
  ]);
  assert.ok(r.said.includes('* CAPABILITY IMAP4 SASL-IR AUTH=PLAIN pingpong test server\r\nA001 OK CAPABILITY completed\r\n'), r.said);
  assert.ok(r.said.includes('A003 OK [READ-WRITE] SELECT completed\r\n'), r.said);
  assert.ok(r.said.includes('* 1 FETCH (BODY[] {21}\r\nSubject: hi\r\n\r\nbody\r\n)\r\nA004 OK FETCH completed\r\n'), r.said);
  assert.ok(r.said.endsWith('* BYE curl IMAP server signing off\r\nA006 OK LOGOUT completed\r\n'), r.said);
  assert.equal(r.upload, 'hello');
  // the literal is the upload, not part of the protocol log
  assert.equal(r.log, 'A001 CAPABILITY\r\nA002 AUTHENTICATE PLAIN\r\nA003 SELECT 7\r\nA004 FETCH 1 BODY[]\r\n' +
    'A005 APPEND 7 (\\Seen) {5}\r\nA006 LOGOUT\r\n');
});

test('pop3 emulation: RETR between +OK and the dot, CAPA only when enabled', async () => {
  const r = await converse(POP3_PROTOCOL, '', 'line\n', [
    ['CAPA\r\n', /-ERR.*\r\n/],
    ['USER u\r\n', /\+OK\r\n/],
    ['RETR 7\r\n', /\r\n\.\r\n/],
    ['QUIT\r\n', /signing off\r\n/],
  ]);
  assert.ok(r.said.includes('-ERR Unrecognized command\r\n+OK\r\n+OK Mail transfer starts\r\nline\r\n.\r\n+OK curl POP3 server signing off\r\n'), r.said);
});

test('smtp emulation: EHLO with the test number, DATA up to CRLF.CRLF into the upload', async () => {
  const r = await converse(SMTP_PROTOCOL, 'CAPA "SIZE 100"\n', '', [
    ['EHLO 7\r\n', /250 SIZE 100\r\n/],
    ['MAIL FROM:<a@example.com> SIZE=500\r\n', /552.*\r\n/],
    ['MAIL FROM:<a@example.com>\r\n', /250 Sender OK\r\n/],
    ['RCPT TO:<b@example.com>\r\n', /250 Recipient OK\r\n/],
    ['RCPT TO:nobody\r\n', /501 Invalid address\r\n/],
    ['DATA\r\n', /354 .*\r\n/],
    ['Subject: x\r\n\r\nbody\r\n.\r\n', /250 OK, data received!\r\n/],
    ['QUIT\r\n', /221 curl ESMTP server signing off\r\n/],
  ]);
  assert.ok(r.said.includes('250-ESMTP pingpong test server Hello 7\r\n250 SIZE 100\r\n552 Message size too large\r\n'), r.said);
  assert.equal(r.upload, 'Subject: x\r\n\r\nbody\r\n.\r\n');
  assert.ok(!r.log.includes('Subject'), r.log);
});

test('strip patterns: perl\'s $ also matches before the line\'s newline', () => {
  assert.deepEqual(stripLines(['timeout = 6\n', 'x\n'], ['^timeout = [5-6]$']), ['x\n']);
  assert.equal(perlDollars('a\\$[$]$'), 'a\\$[$](?=\\n?$)');
});

test('tftp emulation: the request logged, netascii blocks, Access violation for a file without a test number', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-tftp-'));
  const body = 'x'.repeat(600) + '\n';
  const t = new TestFile(['<testcase>\n', '<reply>\n', '<data>\n', body, '</data>\n', '</reply>\n', '</testcase>\n']);
  const server = new TftpServer({ logFile: path.join(dir, 'server.input'), logDir: dir, testNumber: 9, test: () => t });
  const client = dgram.createSocket('udp4');
  try {
    const port = await server.listen('127.0.0.1');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const inbox: { msg: Buffer; port: number }[] = [];
    client.on('message', (msg, rinfo) => inbox.push({ msg, port: rinfo.port }));
    const next = async (): Promise<{ msg: Buffer; port: number }> => {
      for (let i = 0; i < 500 && !inbox.length; i++) await new Promise((r) => setTimeout(r, 10));
      const m = inbox.shift();
      assert.ok(m, 'no packet from the server');
      return m;
    };
    const rrq = (name: string, mode: string): Buffer =>
      Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${name}\x00${mode}\x00blksize\x00512\x00`, 'latin1')]);
    client.send(rrq('/9', 'netascii'), port, '127.0.0.1');
    let got = Buffer.alloc(0);
    for (let block = 1; block < 10; block++) {
      const { msg, port: from } = await next();
      // DATA from a port of the transfer's own
      assert.notEqual(from, port);
      assert.equal(msg.readUInt16BE(0), 3);
      assert.equal(msg.readUInt16BE(2), block);
      got = Buffer.concat([got, msg.subarray(4)]);
      client.send(Buffer.from([0, 4, 0, block]), from, '127.0.0.1');
      if (msg.length - 4 < 512) break;
    }
    assert.equal(got.toString('latin1'), 'x'.repeat(600) + '\r\n');
    client.send(rrq('nothing', 'octet'), port, '127.0.0.1');
    const err = (await next()).msg;
    assert.equal(err.readUInt16BE(0), 5);
    assert.equal(err.readUInt16BE(2), 2);
    assert.equal(err.subarray(4).toString('latin1'), 'Access violation\0');
    assert.equal(readFileSync(path.join(dir, 'server.input'), 'latin1'),
      'opcode = 1\nmode = netascii\nblksize = 512\nfilename = /9\nopcode = 1\nmode = octet\nblksize = 512\nfilename = nothing\n');
  } finally {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mqtt emulation: CONNECT, SUBSCRIBE and what the server sends, logged in hex', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'curl-suite-mqtt-'));
  const t = new TestFile(['<testcase>\n', '<reply>\n', '<data>\n', 'hi\n', '</data>\n', '<servercmd>\n', 'error-CONNACK 0\n',
    '</servercmd>\n', '</reply>\n', '</testcase>\n']);
  const server = new MqttServer({ logFile: path.join(dir, 'server.input'), test: () => t });
  const sock = new net.Socket();
  try {
    const port = await server.listen('127.0.0.1');
    const got: Buffer[] = [];
    // after its DISCONNECT the server reads on (mqttd does): the client is the one to leave
    sock.on('data', (d: Buffer) => {
      got.push(d);
      if (Buffer.concat(got).toString('hex').endsWith('e000')) sock.end();
    });
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    await new Promise<void>((r) => sock.connect({ host: '127.0.0.1', port }, r));
    // CONNECT: "MQTT" level 4, flags 2, keepalive 60, client id "c"
    sock.write(Buffer.from('100d00044d5154540402003c000163', 'hex'));
    // SUBSCRIBE packet id 1, topic "t", QoS 0
    sock.write(Buffer.from('82060001000174' + '00', 'hex'));
    await closed;
    assert.equal(Buffer.concat(got).toString('hex'), '20020000' + '9003000100' + '30060001746869' + '0a' + 'e000');
    assert.equal(readFileSync(path.join(dir, 'server.input'), 'latin1'),
      'client CONNECT d 00044d5154540402003c000163\nserver CONNACK 2 20020000\nclient SUBSCRIBE 6 000100017400\n' +
      'server SUBACK 3 9003000100\nserver PUBLISH 6 300600017468690a\nserver DISCONNECT 0 e000\n');
  } finally {
    sock.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gopher and telnet emulation: the selector names the test, negotiation is taken out of the data', () => {
  assert.deepEqual(gopherTarget('/1/selector/SELECTOR/1201'), { test: 1201, part: 0 });
  assert.deepEqual(gopherTarget('/x/12010002'), { test: 1201, part: 2 });
  assert.equal(gopherTarget('no slash 5'), undefined);
  const out: number[] = [];
  new TelnetNegotiator().feed(Buffer.from([255, 251, 31, 104, 255, 253, 39, 105]), out);
  assert.equal(Buffer.from(out).toString('latin1'), 'hi');
});

test('runner: every <file> of <client> is written, also two of the same name (test 329)', { timeout: 60_000 }, async () => {
  const s = await runCases({
    19: testCase({
      client: '<file name="%LOGDIR/one">\nfirst\n</file>\n<file name="%LOGDIR/two">\nsecond\n</file>\n<command>\n--exit 0\n</command>\n',
      verify: '<file name="%LOGDIR/two">\nsecond\n</file>\n',
    }),
  });
  assertVerdict(s, 19, 'PASS');
});
