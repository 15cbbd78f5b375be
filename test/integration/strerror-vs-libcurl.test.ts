// Every strerror text against the libcurl Debian's curl package installs
// (7.88.1, the version the CLI follows): python3's ctypes calls
// curl_easy_strerror / curl_multi_strerror / curl_share_strerror in
// libcurl.so.4 for every code, and tscurl's texts must be the same. The one
// code 7.88 does not know (CURLE_TOO_LARGE, 100, from 8.6) keeps its own text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { easyStrerror, multiStrerror, shareStrerror, CURLE } from '../../src/codes.js';
import { requireProgram } from '../helpers/requires.js';

const NO_PYTHON = requireProgram('python3', 'python3');

const PROBE = `
import ctypes
l = ctypes.CDLL('libcurl.so.4')
for f in (l.curl_easy_strerror, l.curl_multi_strerror, l.curl_share_strerror): f.restype = ctypes.c_char_p
for i in range(0, 101): print('E', i, l.curl_easy_strerror(i).decode(), sep='\\t')
for i in range(-1, 13): print('M', i, l.curl_multi_strerror(i).decode(), sep='\\t')
for i in range(0, 7): print('S', i, l.curl_share_strerror(i).decode(), sep='\\t')
`;

test('curl_easy/multi/share_strerror texts are libcurl 7.88.1\'s, code by code', { skip: NO_PYTHON }, () => {
  const out = execFileSync('python3', ['-c', PROBE], { encoding: 'utf8' });
  const rows = out.trim().split('\n').map((l) => l.split('\t'));
  assert.ok(rows.length > 100, 'libcurl answered for every code');
  const differ: string[] = [];
  for (const [kind, n, text] of rows) {
    const code = Number(n);
    if (kind === 'E' && code === CURLE.TOO_LARGE) continue;
    const ours = kind === 'E' ? easyStrerror(code) : kind === 'M' ? multiStrerror(code) : shareStrerror(code);
    if (ours !== text) differ.push(`${kind} ${code}: libcurl ${JSON.stringify(text)}, tscurl ${JSON.stringify(ours)}`);
  }
  assert.deepEqual(differ, []);
  assert.equal(easyStrerror(CURLE.TOO_LARGE), 'A value or data field grew larger than allowed');
});
