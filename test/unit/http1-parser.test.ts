// Table-driven tests of the HTTP/1 response parser. Every case is fed
// (a) whole, (b) byte by byte and (c) — when the message does not end at
// eof — followed by trailing garbage, and must give the same event sequence.
//
// The expectations marked "curl" were checked against /usr/bin/curl 7.88.1
// with a raw TCP server writing the exact bytes (curl's exit code = CURLcode);
// http1-vs-curl.test.ts re-runs a handful of them against curl automatically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from '../../src/http1/index.js';
import type { Framing, ParseEvent, ResponseParserOptions } from '../../src/http1/index.js';

interface Case {
  name: string;
  input: string; // latin1
  opts?: Partial<ResponseParserOptions>;
  eof?: boolean; // call eof() after feeding
  events: string[];
  keepAlive?: boolean;
  framing?: Framing;
  rawCheck?: boolean; // raw fields + data reproduce the input exactly (default: when it ends with 'end')
}

function show(ev: ParseEvent): string {
  switch (ev.type) {
    case 'status':
      return `status ${ev.version} ${ev.code} ${JSON.stringify(ev.reason)}`;
    case 'header':
      return `header ${ev.name}: ${ev.value}`;
    case 'trailer':
      return `trailer ${ev.name}: ${ev.value}`;
    case 'headers-end':
      return ev.interim ? 'headers-end interim' : 'headers-end';
    case 'data':
      return `data ${ev.data.toString('latin1')}`;
    case 'error':
      return `error ${ev.code} ${ev.message}`;
    default:
      return ev.type;
  }
}

interface Run {
  events: string[];
  raw: Buffer;
  parser: ResponseParser;
}

/** Feed the pieces, draining after each; consecutive 'data' events are merged. */
function run(pieces: Buffer[], c: Case): Run {
  const p = new ResponseParser({ method: 'GET', ...c.opts });
  const events: string[] = [];
  const raws: Buffer[] = [];
  let data: Buffer[] = [];
  let finished = false;
  const total = pieces.reduce((n, b) => n + b.length, 0);
  let budget = 4 * total + 100; // next() calls: bounded, a runaway loop fails the test
  const drain = (): void => {
    while (!finished) {
      assert.ok(budget-- > 0, 'too many next() calls');
      const ev = p.next();
      if (ev.type === 'need-data') return;
      if (ev.type === 'data') {
        data.push(ev.data);
        raws.push(ev.data);
        continue;
      }
      if (data.length) {
        events.push(`data ${Buffer.concat(data).toString('latin1')}`);
        data = [];
      }
      if ('raw' in ev) raws.push(ev.raw);
      events.push(show(ev));
      if (ev.type === 'end' || ev.type === 'error') finished = true;
    }
  };
  for (const b of pieces) {
    p.feed(b);
    drain();
  }
  if (c.eof) {
    p.eof();
    drain();
  }
  if (data.length) events.push(`data ${Buffer.concat(data).toString('latin1')}`);
  return { events, raw: Buffer.concat(raws), parser: p };
}

function bytes(s: string): Buffer[] {
  const b = Buffer.from(s, 'latin1');
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
  return out;
}

const OK = 'status 11 200 "OK"';
const CHUNKED_BODY = '5;a=b\r\nhello\r\nA \r\n0123456789\r\n0;x\r\nX-T: v\r\nX-U:w\r\n\r\n';

// Huge header set: same bytes as the curl check (curl said "307957 > 307200").
let many = 'HTTP/1.1 200 OK\r\n';
for (let i = 0; i < 400; i++) many += `X-H${i}: ${'b'.repeat(1000)}\r\n`;
many += 'Content-Length: 2\r\n\r\nhi';

const cases: Case[] = [
  {
    name: 'content-length',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    events: [OK, 'header Content-Length: 5', 'headers-end', 'data hello', 'end'],
    keepAlive: true,
    framing: { kind: 'length', length: 5 },
  },
  {
    name: 'content-length 0',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    events: [OK, 'header Content-Length: 0', 'headers-end', 'end'],
    keepAlive: true,
  },
  {
    name: 'chunked with extensions and trailers',
    input: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_BODY}`,
    events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello0123456789', 'trailer X-T: v', 'trailer X-U: w', 'end'],
    keepAlive: true,
    framing: { kind: 'chunked' },
    rawCheck: false,
  },
  {
    name: 'chunked, transferDecoding off: framing passed through, end still found',
    input: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_BODY}`,
    opts: { transferDecoding: false },
    events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', `data ${CHUNKED_BODY}`, 'end'],
    keepAlive: true,
  },
  {
    name: 'chunked, LF only and CRs before LF (curl)',
    input: 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\r\r\n0\n\n',
    events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'end'],
    keepAlive: true,
    rawCheck: false,
  },
  {
    name: 'chunked size with trailing space and upper-case hex (curl)',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\nA \r\n0123456789\r\n0000000000000000\r\n\r\n',
    events: [OK, 'header Transfer-Encoding: CHUNKED', 'headers-end', 'data 0123456789', 'end'],
    rawCheck: false,
  },
  {
    name: 'Transfer-Encoding chunked wins over Content-Length, no reuse',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    events: [OK, 'header Content-Length: 3', 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'end'],
    keepAlive: false,
    framing: { kind: 'chunked' },
    rawCheck: false,
  },
  {
    name: 'other transfer coding: read until close',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz',
    eof: true,
    events: [OK, 'header Transfer-Encoding: gzip', 'headers-end', 'data xyz', 'end'],
    keepAlive: false,
    framing: { kind: 'close' },
  },
  {
    name: 'close-delimited body',
    input: 'HTTP/1.1 200 OK\r\nX: y\r\n\r\nabc',
    eof: true,
    events: [OK, 'header X: y', 'headers-end', 'data abc', 'end'],
    keepAlive: false,
    framing: { kind: 'close', noEndIndicator: true },
  },
  {
    name: 'HTTP/1.0 without keep-alive: framed, but not reusable',
    input: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi',
    events: ['status 10 200 "OK"', 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
    keepAlive: false,
  },
  {
    name: 'HTTP/1.0 with Connection: keep-alive',
    input: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nhi',
    events: ['status 10 200 "OK"', 'header Connection: Keep-Alive', 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
    keepAlive: true,
  },
  {
    name: 'HTTP/1.1 with Connection: close',
    input: 'HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 2\r\n\r\nhi',
    events: [OK, 'header Connection: foo, close', 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
    keepAlive: false,
  },
  {
    name: '100 Continue then 200',
    input: 'HTTP/1.1 100 Continue\r\nX-I: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
    events: ['status 11 100 "Continue"', 'header X-I: 1', 'headers-end interim', OK, 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
    keepAlive: true,
  },
  {
    name: '204 ignores Content-Length (curl: excess, zero-length body)',
    input: 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n',
    events: ['status 11 204 "No Content"', 'header Content-Length: 5', 'headers-end', 'end'],
    keepAlive: true,
    framing: { kind: 'none' },
  },
  {
    name: '304 has no body',
    input: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n',
    events: ['status 11 304 "Not Modified"', 'header Content-Length: 5', 'headers-end', 'end'],
    keepAlive: true,
  },
  {
    name: 'HEAD response has no body',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n',
    opts: { method: 'HEAD' },
    events: [OK, 'header Content-Length: 5', 'headers-end', 'end'],
    keepAlive: true,
  },
  {
    name: 'HEAD without any length is still complete at the blank line',
    input: 'HTTP/1.1 200 OK\r\n\r\n',
    opts: { method: 'head' },
    events: [OK, 'headers-end', 'end'],
    keepAlive: true,
  },
  {
    name: '2xx to CONNECT: tunnel, no body',
    input: 'HTTP/1.1 200 Connection established\r\n\r\n',
    opts: { method: 'CONNECT' },
    events: ['status 11 200 "Connection established"', 'headers-end', 'end'],
    keepAlive: false,
  },
  {
    name: '101 ends the headers; what follows belongs to the new protocol',
    input: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    events: ['status 11 101 "Switching Protocols"', 'header Upgrade: websocket', 'headers-end', 'end'],
    keepAlive: false,
  },
  {
    name: 'obs-fold continuation lines join into one header',
    input: 'HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\t three \r\nContent-Length: 0\r\n\r\n',
    events: [OK, 'header X-A: one two three', 'header Content-Length: 0', 'headers-end', 'end'],
  },
  {
    name: 'fold right after the status line: leading blanks dropped (libcurl 8)',
    input: 'HTTP/1.1 200 OK\r\n X-B: b\r\nContent-Length: 0\r\n\r\n',
    events: [OK, 'header X-B: b', 'header Content-Length: 0', 'headers-end', 'end'],
  },
  {
    name: 'LF-only line endings (curl)',
    input: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nhi',
    events: [OK, 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
    keepAlive: true,
  },
  {
    name: 'missing reason phrase, extra spaces, no space after code (curl)',
    input: 'HTTP/1.1  404\r\nContent-Length: 0\r\n\r\n',
    events: ['status 11 404 ""', 'header Content-Length: 0', 'headers-end', 'end'],
  },
  {
    name: 'code 999 is accepted (curl)',
    input: 'HTTP/1.1 999Weird\r\nContent-Length: 0\r\n\r\n',
    events: ['status 11 999 "Weird"', 'header Content-Length: 0', 'headers-end', 'end'],
  },
  {
    name: 'empty header name and value, colon only',
    input: 'HTTP/1.1 200 OK\r\n: x\r\nY:\r\nContent-Length: 0\r\n\r\n',
    events: [OK, 'header : x', 'header Y: ', 'header Content-Length: 0', 'headers-end', 'end'],
  },
  {
    name: '"Content-Length :" is not Content-Length (curl reads until close)',
    input: 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nhi',
    eof: true,
    events: [OK, 'header Content-Length : 2', 'headers-end', 'data hi', 'end'],
    framing: { kind: 'close', noEndIndicator: true },
  },
  {
    name: 'same Content-Length twice is fine',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi',
    events: [OK, 'header Content-Length: 2', 'header Content-Length: 2', 'headers-end', 'data hi', 'end'],
  },
  {
    name: 'Content-Length list of equal values "2, 2" (RFC 9112 6.3)',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi',
    events: [OK, 'header Content-Length: 2, 2', 'headers-end', 'data hi', 'end'],
  },
  {
    name: 'overflowing Content-Length is ignored: read until close (curl)',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhi',
    eof: true,
    events: [OK, 'header Content-Length: 99999999999999999999999', 'headers-end', 'data hi', 'end'],
    framing: { kind: 'close' },
  },
  {
    name: 'ignoreContentLength reads until close',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nhi',
    opts: { ignoreContentLength: true },
    eof: true,
    events: [OK, 'header Content-Length: 1', 'headers-end', 'data hi', 'end'],
    keepAlive: false,
  },
  // --- errors in the head
  { name: 'conflicting Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhii', events: [OK, 'header Content-Length: 2', 'error 8 Conflicting Content-Length values'] },
  { name: 'conflicting Content-Length in one list', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nhii', events: [OK, 'error 8 Conflicting Content-Length values'] },
  { name: 'letters after the number (curl test 768: 8)', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nhi', events: [OK, 'error 8 Invalid Content-Length: value'] },
  { name: 'a sign before the number (8)', input: 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nhi', events: [OK, 'error 8 Invalid Content-Length: value'] },
  { name: 'negative Content-Length (curl: 8)', input: 'HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nhi', events: [OK, 'error 8 Invalid Content-Length: value'] },
  { name: 'garbage Content-Length (curl: 8)', input: 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhi', events: [OK, 'error 8 Invalid Content-Length: value'] },
  { name: 'empty Content-Length (curl: 8)', input: 'HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nhi', events: [OK, 'error 8 Invalid Content-Length: value'] },
  { name: 'header without colon (curl: 8)', input: 'HTTP/1.1 200 OK\r\nfoo bar\r\nContent-Length: 2\r\n\r\nhi', events: [OK, 'error 8 Header without colon'] },
  { name: 'NUL in a header (curl: 8)', input: 'HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\n\r\n', events: [OK, 'error 8 Nul byte in header'] },
  { name: 'NUL in the status line (curl: 8)', input: 'HTTP/1.1 200 O\u0000K\r\n\r\n', events: ['error 8 Nul byte in header'] },
  { name: 'too large header set (curl: 56, same count)', input: many, events: [] /* checked below */ },
  { name: 'HTTP/0.9 not allowed (curl: 1)', input: 'hello world', events: ['error 1 Received HTTP/0.9 when not allowed'] },
  { name: 'leading space before HTTP/ is HTTP/0.9 (curl: 1)', input: ' HTTP/1.1 200 OK\r\n\r\n', events: ['error 1 Received HTTP/0.9 when not allowed'] },
  { name: 'HTTPX is HTTP/0.9 (curl: 1)', input: 'HTTPX 200 OK\r\n\r\n', events: ['error 1 Received HTTP/0.9 when not allowed'] },
  { name: 'HTTP/2 on an HTTP/1 connection', input: 'HTTP/2 200\r\nContent-Length: 2\r\n\r\nhi', events: ['error 1 Unsupported HTTP version (2.0) in response'] },
  { name: 'HTTP/3 (curl: 1)', input: 'HTTP/3 200\r\n\r\n', events: ['error 1 Unsupported HTTP version (3.0) in response'] },
  { name: 'HTTP/1.2 (curl: 1)', input: 'HTTP/1.2 200 OK\r\n\r\n', events: ['error 1 Unsupported HTTP version (1.2) in response'] },
  { name: 'no status code (curl: 1)', input: 'HTTP/1.1\r\n\r\n', events: ['error 1 Unsupported HTTP version in response'] },
  { name: 'tab after version (curl: 1)', input: 'HTTP/1.1\t200\tOK\r\n\r\n', events: ['error 1 Unsupported HTTP version in response'] },
  { name: 'two-digit code (curl: 1)', input: 'HTTP/1.1 20 OK\r\n\r\n', events: ['error 1 Unsupported response code in HTTP response'] },
  { name: 'four-digit code (curl: 1)', input: 'HTTP/1.1 2000 OK\r\n\r\n', events: ['error 1 Unsupported response code in HTTP response'] },
  { name: 'code below 100 (curl: 1)', input: 'HTTP/1.1 099 X\r\n\r\n', events: ['error 1 Unsupported response code in HTTP response'] },
  // --- errors in a chunked body
  { name: 'bad chunk size (curl: 56)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'error 56 Illegal or missing hexadecimal sequence in chunked-encoding'] },
  { name: 'empty chunk size line (curl: 56)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nab', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'error 56 Illegal or missing hexadecimal sequence in chunked-encoding'] },
  { name: 'space before chunk size (curl: 56)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'error 56 Illegal or missing hexadecimal sequence in chunked-encoding'] },
  { name: 'absurdly long chunk size (curl: 56)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nab', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'error 56 Too long hexadecimal number in chunked-encoding'] },
  { name: 'chunk data not followed by CRLF (curl: 56)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'error 56 Malformed encoding found in chunked-encoding'] },
  { name: 'trailer without colon (curl: 43)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nbad trailer\r\n\r\n', events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'error 43 Failed reading the chunked-encoded stream'] },
  // --- eof()
  { name: 'eof before any byte (curl: 52)', input: '', eof: true, events: ['error 52 Empty reply from server'] },
  { name: 'eof inside the status line (curl: 52)', input: 'HTTP/1.1 20', eof: true, events: ['error 52 Empty reply from server'] },
  { name: 'eof after "HTT" (curl: 52)', input: 'HTT', eof: true, events: ['error 52 Empty reply from server'] },
  { name: 'eof after only a 100 response (curl: 52)', input: 'HTTP/1.1 100 Continue\r\n\r\n', eof: true, events: ['status 11 100 "Continue"', 'headers-end interim', 'error 52 Empty reply from server'] },
  { name: 'eof inside 100 headers (curl: 52)', input: 'HTTP/1.1 100 Continue\r\nX: 1\r\n', eof: true, events: ['status 11 100 "Continue"', 'header X: 1', 'error 52 Empty reply from server'] },
  {
    name: 'eof inside final headers, no length: headers end there (curl: 0)',
    input: 'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Le',
    eof: true,
    events: [OK, 'header X-A: 1', 'headers-end', 'end'],
    keepAlive: false,
    rawCheck: false,
  },
  {
    name: 'eof inside final headers after Content-Length (curl: 18)',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n',
    eof: true,
    events: [OK, 'header Content-Length: 3', 'headers-end', 'error 18 transfer closed with 3 bytes remaining to read'],
  },
  { name: 'eof before Content-Length bytes (curl: 18)', input: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', eof: true, events: [OK, 'header Content-Length: 10', 'headers-end', 'data abc', 'error 18 transfer closed with 7 bytes remaining to read'] },
  { name: 'eof inside a chunk (curl: 18)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', eof: true, events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data ab', 'error 18 transfer closed with outstanding read data remaining'] },
  { name: 'eof after the last chunk, before the blank line (curl: 18)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n', eof: true, events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'error 18 transfer closed with outstanding read data remaining'] },
  { name: 'eof inside trailers (curl: 18)', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: v\r\n', eof: true, events: [OK, 'header Transfer-Encoding: chunked', 'headers-end', 'data hello', 'trailer X-T: v', 'error 18 transfer closed with outstanding read data remaining'] },
  // --- HTTP/0.9
  {
    name: 'HTTP/0.9 allowed: everything is body until close',
    input: 'hello world\r\n',
    opts: { http09Allowed: true },
    eof: true,
    events: ['status 9 0 ""', 'headers-end', 'data hello world\r\n', 'end'],
    keepAlive: false,
    framing: { kind: 'close' },
  },
  {
    name: 'HTTP/0.9 allowed, reply starting "HT\\n"',
    input: 'HT\nrest',
    opts: { http09Allowed: true },
    eof: true,
    events: ['status 9 0 ""', 'headers-end', 'data HT\nrest', 'end'],
  },
];

// 17 + 10*1008 + 90*1009 + 205*1010 = 307957: line X-H304 crosses the limit,
// so X-H0..X-H303 were emitted before the error.
function expectedFor(c: Case): string[] {
  if (c.input === many) return [OK, ...Array.from({ length: 304 }, (_, i) => `header X-H${i}: ${'b'.repeat(1000)}`), 'error 56 Too large response headers: 307957 > 307200'];
  return c.events;
}

for (const c of cases) {
  test(`http1 parser: ${c.name}`, () => {
    const whole = Buffer.from(c.input, 'latin1');
    const want = expectedFor(c);
    const a = run(whole.length ? [whole] : [], c);
    assert.deepEqual(a.events, want, 'fed whole');
    const b = run(bytes(c.input), c);
    assert.deepEqual(b.events, want, 'fed byte by byte');
    if (c.keepAlive !== undefined) {
      assert.equal(a.parser.keepAlive, c.keepAlive, 'keepAlive (whole)');
      assert.equal(b.parser.keepAlive, c.keepAlive, 'keepAlive (bytes)');
    }
    if (c.framing) assert.deepEqual(a.parser.framing, c.framing);
    const ended = want[want.length - 1] === 'end';
    if (ended && c.rawCheck !== false) {
      // status/header/headers-end raw bytes plus body data are the input, exactly.
      assert.equal(a.raw.toString('latin1'), c.input, 'raw bytes (whole)');
      assert.equal(b.raw.toString('latin1'), c.input, 'raw bytes (bytes)');
    }
    if (ended) assert.equal(a.parser.takeLeftover().length, 0);
    if (!c.eof) {
      // Trailing garbage: same events; after 'end' it is left over and the
      // connection is not reusable.
      const garbage = 'GARBAGE\r\n';
      const g = run([Buffer.from(c.input + garbage, 'latin1')], c);
      assert.deepEqual(g.events, want, 'with trailing garbage');
      const gb = run(bytes(c.input + garbage), c);
      assert.deepEqual(gb.events, want, 'with trailing garbage, byte by byte');
      if (ended) {
        assert.equal(g.parser.keepAlive, false);
        assert.equal(g.parser.takeLeftover().toString('latin1'), garbage);
        assert.equal(gb.parser.takeLeftover().toString('latin1'), garbage);
        assert.equal(g.parser.next().type, 'end', 'end is sticky');
      }
    }
  });
}

test('http1 parser: a header line reaching 100 KiB is CURLE_TOO_LARGE; 1 byte less is fine (curl: 27 vs 0)', () => {
  const mk = (lineLen: number): string => `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(lineLen - 7)}\r\nContent-Length: 2\r\n\r\nhi`;
  const bad = run([Buffer.from(mk(102400), 'latin1')], { name: '', input: '', events: [] });
  assert.deepEqual(bad.events, [OK, 'error 100 Too large response header line (max is 102399 bytes)']);
  const good = run([Buffer.from(mk(102399), 'latin1')], { name: '', input: '', events: [] });
  assert.equal(good.events[good.events.length - 1], 'end');
});

test('http1 parser: maxHeaderBytes option and interim responses count toward it', () => {
  const input = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
  // 23 (100 line) + 2 + 17 + 19 + 2 = 63 bytes in all.
  const ok = run([Buffer.from(input)], { name: '', input: '', events: [], opts: { maxHeaderBytes: 63 } });
  assert.equal(ok.events.at(-1), 'end');
  const bad = run([Buffer.from(input)], { name: '', input: '', events: [], opts: { maxHeaderBytes: 62 } });
  assert.equal(bad.events.at(-1), 'error 56 Too large response headers: 63 > 62');
});

test('http1 parser: data events are zero-copy slices of the fed buffer', () => {
  const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
  const p = new ResponseParser({ method: 'GET' });
  p.feed(buf);
  let ev: ParseEvent;
  for (let i = 0; (ev = p.next()).type !== 'data'; i++) assert.ok(i < 10);
  assert.equal(ev.data.buffer, buf.buffer);
  assert.equal(ev.data.toString(), 'hello');
});

test('http1 parser: keepAlive turns false when the peer closes after the message', () => {
  const p = new ResponseParser({ method: 'GET' });
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const ev = p.next();
    seen.push(ev.type);
    if (ev.type === 'end') break;
  }
  assert.deepEqual(seen, ['status', 'header', 'headers-end', 'end']);
  assert.equal(p.keepAlive, true);
  assert.equal(p.statusCode, 200);
  assert.equal(p.httpVersion, 11);
  assert.equal(p.contentLength, 0);
  p.eof();
  assert.equal(p.keepAlive, false);
});

test('http1 parser: 101 leaves the upgraded bytes for takeLeftover()', () => {
  const p = new ResponseParser({ method: 'GET' });
  p.feed(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n\x81\x05hello', 'latin1'));
  for (let i = 0; i < 10 && p.next().type !== 'end'; i++);
  assert.equal(p.takeLeftover().toString('latin1'), '\x81\x05hello');
});

test('http1 parser: header raw keeps folded lines; reason keeps inner spaces', () => {
  const p = new ResponseParser({ method: 'GET' });
  p.feed(Buffer.from('HTTP/1.1 404 Not  Found \r\nX-A: one\r\n two\r\n\r\n'));
  const st = p.next();
  assert.ok(st.type === 'status');
  assert.equal(st.reason, 'Not  Found');
  const h = p.next();
  assert.ok(h.type === 'header');
  assert.equal(h.raw.toString(), 'X-A: one\r\n two\r\n');
});

test('http1 parser: byte-by-byte feeding of a 2 MB body stays linear', () => {
  // Not a timing assertion: counts next() calls (bounded) and checks bytes.
  const p = new ResponseParser({ method: 'GET' });
  const size = 2 * 1024 * 1024;
  p.feed(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`));
  const body = Buffer.alloc(size, 0x61);
  let got = 0;
  let calls = 0;
  for (let off = 0; off < size; off += 1) {
    p.feed(body.subarray(off, off + 1));
    for (;;) {
      calls++;
      const ev = p.next();
      if (ev.type === 'data') got += ev.data.length;
      if (ev.type === 'need-data' || ev.type === 'end') break;
      assert.notEqual(ev.type, 'error');
    }
  }
  assert.equal(got, size);
  assert.ok(calls < 3 * size + 10);
});

test('http1 parser: a 1 MB header line fed in tiny pieces is rejected without quadratic work', () => {
  const p = new ResponseParser({ method: 'GET' });
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\nX-Big: '));
  const piece = Buffer.alloc(16, 0x62);
  let last: ParseEvent = { type: 'need-data' };
  for (let i = 0; i < 65536 && last.type !== 'error'; i++) {
    p.feed(piece);
    do last = p.next();
    while (last.type === 'status');
  }
  assert.deepEqual(last, { type: 'error', code: 100, message: 'Too large response header line (max is 102399 bytes)' });
});

test('http1 parser: peekUnread() shows the bytes not parsed yet without taking them (in one or several fed Buffers)', () => {
  for (const reuseEvents of [false, true]) {
    const p = new ResponseParser({ method: 'GET', reuseEvents });
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'latin1'));
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ev = p.next();
      seen.push(show(ev));
      if (ev.type === 'headers-end') break;
    }
    assert.equal(seen.at(-1), 'headers-end');
    // one Buffer: the rest of it; then a second fed Buffer joins it
    assert.equal(p.peekUnread().toString('latin1'), '5\r\nhel');
    p.feed(Buffer.from('lo\r\n0\r\n\r\nXY', 'latin1'));
    assert.equal(p.peekUnread().toString('latin1'), '5\r\nhello\r\n0\r\n\r\nXY');
    // nothing was taken: the body decodes as if never looked at
    const rest: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ev = p.next();
      rest.push(show(ev));
      if (ev.type === 'end' || ev.type === 'error' || ev.type === 'need-data') break;
    }
    assert.deepEqual(rest, ['data hel', 'data lo', 'end']);
    // after the end: the bytes beyond the message
    assert.equal(p.peekUnread().toString('latin1'), 'XY');
    assert.equal(p.takeLeftover().toString('latin1'), 'XY');
    assert.equal(p.peekUnread().length, 0);
  }
});
