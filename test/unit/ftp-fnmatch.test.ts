// libcurl's wildcard matcher (Curl_fnmatch) and its LIST line parsers, on
// their own: the cases of curl's unit test 1307 that define its corners
// (two stars at most, sets with "]" first, classes, ranges within a class,
// negation, escapes, a broken set) and the two listing formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curlFnmatch } from '../../src/proto/ftp/fnmatch.js';
import { parseDosLine, parseUnixLine, unixPermission, CURLFILETYPE } from '../../src/proto/ftp/ftp-listparse.js';

const M = 0;
const N = 1;

test('fnmatch: stars, question marks, sets, classes, escapes', () => {
  const cases: [string, string, number][] = [
    ['*', '', M], ['*', '.hidden', M], ['a*', 'a', M], ['*.txt', 'x.txt', M], ['*.txt', 'x.txtx', N],
    ['?', '', N], ['??', 'ab', M], ['*?', '', N], ['*?*', 'a', M],
    // a third star never takes part
    ['*a*b', 'xaxb', M], ['*a*b*c', 'xaybzc', N],
    ['[a-z]', 'q', M], ['[a-z]', 'Q', N], ['[0-9a-f]', 'c', M], ['[a-Z]', '-', M], ['[a-Z]', 'b', N],
    ['[!a]', 'a', N], ['[^a]', 'b', M], ['[!!]', '!', N],
    ['[]]', ']', M], ['[][-!^]', '^', M], ['[][-!^]', '-', M], ['[][-!^]', 'a', N],
    ['[[:digit:]]', '7', M], ['[[:digit:]]', 'x', N], ['[[:upper:]]', 'T', M], ['[[:lower:]]', 'T', N],
    ['[[:alnum:]]', '_', N], ['[[:xdigit:]]', 'F', M], ['[[:space:]]', '\t', M], ['[[:blank:]]', '\n', N],
    ['[[:print:]]', ' ', M], ['[[:graph:]]', ' ', N], ['[[:alpha:]]', '1', N], ['[[:nope:]]', 'n', N],
    ['\\*', '*', M], ['\\*', 'a', N], ['[\\]]', ']', M],
    // an unterminated set is a syntax error: no match
    ['[abc', 'a', N], ['[', '[', N],
  ];
  for (const [p, s, want] of cases) assert.equal(curlFnmatch(p, s), want, `${p} ~ ${JSON.stringify(s)}`);
});

test('LIST lines: Unix with permissions, links and times; DOS with <DIR> and sizes; malformed ones', () => {
  const f = parseUnixLine('-rw-r--r--   1 user  group   1234 Jan 16  2010 name with  spaces')!;
  assert.equal(f.filename, 'name with  spaces');
  assert.equal(f.filetype, CURLFILETYPE.FILE);
  assert.equal(f.size, 1234);
  assert.equal(f.perm, 0o644);
  assert.equal(f.strings.time, 'Jan 16  2010');
  const l = parseUnixLine('lrwxrwxrwx 1 u g 4 Jan 16 18:46 a -> b -> c')!;
  assert.equal(l.filename, 'a');
  assert.equal(l.strings.target, 'b -> c');
  assert.equal(unixPermission('rwsrwsrwt'), 0o7777);
  assert.equal(unixPermission('rwSrwSrwT'), 0o7666);
  assert.equal(unixPermission('rwxrwxrwq'), null);
  for (const bad of ['', 'x', '-rw-r--r--', '-rw-r--r-- 1 u g 12 Jan 16', '-rw-r--r-- 1 u g 12 Jan 16 18:46 ', '-rw-r--r-- a u g 1 Jan 1 1 n', 'lrwxrwxrwx 1 u g 4 Jan 16 18:46 nolink']) {
    assert.equal(parseUnixLine(bad), null, JSON.stringify(bad));
  }
  const d = parseDosLine('01-29-97  11:32PM       <DIR>          my dir')!;
  assert.equal(d.filetype, CURLFILETYPE.DIRECTORY);
  assert.equal(d.filename, 'my dir');
  assert.equal(d.strings.time, '01-29-97  11:32PM');
  assert.equal(parseDosLine('01-29-97  11:32PM   77 f')!.size, 77);
  for (const bad of ['01-29-97', '01-29-9x  11:32PM 1 f', '01-29-97  11:32XM 1 f', '01-29-97  11:32PM 1', '01-29-97  11:32PM 1e3 f']) {
    assert.equal(parseDosLine(bad), null, JSON.stringify(bad));
  }
});
