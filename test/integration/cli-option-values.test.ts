// Option values as curl 7.88.1 takes them, each command line run by tscurl
// and /usr/bin/curl. Numbers: seconds through strtod() (exponents, hex,
// a leading '+' or blank; not a trailing blank), counts through strtol()
// within a long, --max-redirs down to -1,
// --parallel-max clamped, sizes in base 10 with their warnings. Protocol
// names: "--proto =unknown" allows nothing, --proto-default refuses a scheme
// libcurl lacks while parsing (exit 1); a proxy the URL parser refuses.
import { test, before, after } from 'node:test';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { assertSameAsCurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');
let server: RawServer;
let url = '';

before(async () => {
  server = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot found' }));
  url = `http://127.0.0.1:${server.port}/`;
});

after(async () => {
  await server.close();
});

const CASES: string[][] = [
  ['-m', '1e3'], ['-m', '+5'], ['-m', '5 '], ['-m', '0x10'], ['-m', 'inf'], ['-m', '9223372036854775807'],
  ['--connect-timeout', ' 2.5'], ['--expect100-timeout', '-1'],
  ['--retry-max-time', '99999999999999999999'], ['--retry', '+2'], ['--retry', '2 '],
  ['--max-redirs', '-1'], ['--max-redirs', '-2'], ['--happy-eyeballs-timeout-ms', '5'], ['--happy-eyeballs-timeout-ms', '-1'], ['-y', '+5'], ['--keepalive-time', '5 '],
  ['--parallel-max', '+5'], ['--parallel-max', '-1'],
  ['--max-filesize', '010'], ['--max-filesize', '8'], ['--max-filesize', '0x10'], ['--max-filesize', ' -1'],
  ['--max-filesize', '9223372036854775807'], ['--limit-rate', '1kb'], ['--limit-rate', '8589934592G'],
];

test('numeric option values: accepted and refused as curl 7.88 does, with the same words', { skip: NO_CURL }, async () => {
  for (const args of CASES) await assertSameAsCurl(['-sS', '-o', '/dev/null', ...args, url]);
  // the warnings -s mutes
  await assertSameAsCurl(['--no-progress-meter', '-o', '/dev/null', '--max-filesize', '1q', url]);
  await assertSameAsCurl(['--no-progress-meter', '-o', '/dev/null', '--limit-rate', '-5', url]);
});

test('protocol names, proxy syntax and an empty -o name: refused as curl 7.88 refuses them', { skip: NO_CURL }, async () => {
  const bare = url.replace('http://', '');
  for (const args of [
    ['--proto', '=nope', url], ['--proto', '=nope,http', url], ['--proto', '-nope', url],
    ['--proto-default', 'nope', bare], ['--proto-default', 'HTTP', bare], ['--proto-default', '', bare],
    ['-x', 'http://[bad', url], ['-x', 'http://a b', url],
  ]) {
    await assertSameAsCurl(['-sS', '-o', '/dev/null', ...args]);
  }
  await assertSameAsCurl(['--no-progress-meter', '-o', '/dev/null', '--proto', '=nope', url]);
  // an empty output name: a warning and "badly used"
  await assertSameAsCurl(['--no-progress-meter', '-o', '', url]);
  await assertSameAsCurl(['-sS', '-o', '', url]);
});
