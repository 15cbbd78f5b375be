import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryState } from '../../src/request/retry-policy.js';
import { wrapMessage } from '../../src/cli/messages.js';
import { contentDispositionFilename } from '../../src/cli/output-file.js';
import { dumpBlock, traceIds, traceTimestamp } from '../../src/cli/trace-format.js';
import { retryAfterSeconds } from '../../src/proto/retry-after.js';

const cfg = { retries: 4, delayMs: 0, maxTimeMs: 0, allErrors: false, connRefused: false, failOnError: false };
const http = (code: number, responseCode: number, retryAfter = 0) => ({ code, scheme: 'HTTP', responseCode, retryAfter, connRefused: false });

test('retry backoff: 1 s doubling without --retry-delay, fixed with it, Retry-After wins', () => {
  const r = new RetryState(cfg, 0);
  const sleeps = [0, 1, 2, 3].map(() => r.decide(http(0, 503), 0)).map((d) => (d.retry ? d.sleepMs : -1));
  assert.deepEqual(sleeps, [1000, 2000, 4000, 8000]);
  assert.equal(r.decide(http(0, 503), 0).retry, false); // none left
  assert.equal(r.count, 4);
  const fixed = new RetryState({ ...cfg, delayMs: 3000 }, 0);
  assert.deepEqual([fixed.decide(http(0, 500), 0), fixed.decide(http(0, 500), 0)].map((d) => d.retry && d.sleepMs), [3000, 3000]);
  const ra = new RetryState(cfg, 0).decide(http(0, 429, 7), 0);
  assert.ok(ra.retry);
  assert.equal(ra.sleepMs, 7000);
  assert.equal(ra.warning, 'Problem : HTTP error. Will retry in 7 seconds. 4 retries left.\n');
});

test('which results are transient', () => {
  const d = (r: ReturnType<typeof http>, c = cfg) => new RetryState(c, 0).decide(r, 0).retry;
  for (const code of [408, 429, 500, 502, 503, 504, 522, 524]) assert.equal(d(http(0, code)), true, String(code));
  for (const code of [200, 404, 501]) assert.equal(d(http(0, code)), false, String(code));
  assert.equal(d(http(22, 503)), false); // 22 only counts with -f
  assert.equal(d(http(22, 503), { ...cfg, failOnError: true }), true);
  assert.equal(d(http(28, 0)), true);
  assert.equal(d(http(6, 0)), true);
  assert.equal(d({ ...http(7, 0), connRefused: true }), false);
  assert.equal(d({ ...http(7, 0), connRefused: true }, { ...cfg, connRefused: true }), true);
  assert.equal(d(http(52, 0)), false);
  assert.equal(d(http(52, 0), { ...cfg, allErrors: true }), true);
  assert.equal(d(http(0, 200), { ...cfg, allErrors: true }), false);
  // --retry-max-time: no retry once the time is up
  assert.equal(new RetryState({ ...cfg, maxTimeMs: 1000 }, 0).decide(http(0, 503), 1000).retry, false);
});

test('warnings wrap at 79 columns after a space, each line prefixed', () => {
  assert.equal(wrapMessage('Warning: ', 'short\n'), 'Warning: short\n');
  const long = 'word '.repeat(20) + 'end\n';
  const out = wrapMessage('Warning: ', long);
  for (const line of out.split('\n').filter(Boolean)) assert.ok(line.length <= 79 && line.startsWith('Warning: '));
  assert.equal(out.replace(/\nWarning: /g, '').replace(/^Warning: /, ''), long);
});

test('Content-Disposition file names as curl parses them', () => {
  const f = (v: string) => contentDispositionFilename(`Content-Disposition: ${v}\r\n`);
  assert.equal(f('attachment; filename="a b.txt"'), 'a b.txt');
  assert.equal(f("attachment; filename='q.txt'"), 'q.txt');
  assert.equal(f('attachment; filename=plain.txt; size=3'), 'plain.txt');
  assert.equal(f('attachment; filename="../../etc/passwd"'), 'passwd');
  assert.equal(f('attachment; filename="C:\\\\dir\\\\win.txt"'), 'win.txt');
  assert.equal(f('attachment; filename="dir/"'), undefined);
  assert.equal(f('attachment'), undefined);
  assert.equal(f('inline; name=x; filename=last'), 'last');
  assert.equal(contentDispositionFilename('X-Other: filename=a\r\n'), undefined);
});

test('dump rows: 16 hex bytes, 64 ascii chars, CRLF ends an ascii row', () => {
  assert.equal(dumpBlock('', '<= Recv data', Buffer.from('ab\r\ncd'), 'ascii'), '<= Recv data, 6 bytes (0x6)\n0000: ab\n0004: cd\n');
  assert.equal(dumpBlock('T ', '=> Send data', Buffer.from([0x41, 0, 0xff]), 'bin'),
    'T => Send data, 3 bytes (0x3)\n0000: 41 00 ff ' + '   '.repeat(13) + 'A..\n');
  assert.equal(dumpBlock('', 'x', Buffer.alloc(0), 'bin'), 'x, 0 bytes (0x0)\n');
  assert.equal(traceIds(3, 1), '[3-1] ');
  assert.equal(traceIds(3, -1), '[3-x] ');
  assert.match(traceTimestamp(Date.UTC(2024, 0, 1) * 1000 + 123456), /^\d\d:\d\d:\d\d\.123456 $/);
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(retryAfterSeconds(' 120'), 120);
  assert.equal(retryAfterSeconds('0'), 0);
  assert.equal(retryAfterSeconds('Wed, 21 Oct 2015 07:28:00 GMT'), 0); // the past is now
  const soon = new Date(Date.now() + 3600_000).toUTCString();
  assert.ok(Math.abs(retryAfterSeconds(soon) - 3600) <= 2);
  assert.equal(retryAfterSeconds('garbage'), 0);
});
