import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UrlGlob, isGlobError, formatGlobError, globOutputName } from '../../src/cli/glob.js';

function expand(url: string): string[] {
  const g = UrlGlob.parse(url);
  assert.ok(!isGlobError(g), `glob error for ${url}`);
  return [...g].map((i) => i.url);
}

test('ranges, sets, padding, steps; last glob varies fastest', () => {
  assert.deepEqual(expand('h://x/[1-3]'), ['h://x/1', 'h://x/2', 'h://x/3']);
  assert.deepEqual(expand('h://x/[a-c]{p,q}'), ['h://x/ap', 'h://x/aq', 'h://x/bp', 'h://x/bq', 'h://x/cp', 'h://x/cq']);
  assert.deepEqual(expand('h://x/[001-003]'), ['h://x/001', 'h://x/002', 'h://x/003']);
  assert.deepEqual(expand('h://x/[0-100:25]'), ['h://x/0', 'h://x/25', 'h://x/50', 'h://x/75', 'h://x/100']);
  assert.deepEqual(expand('h://x/[a-z:10]'), ['h://x/a', 'h://x/k', 'h://x/u']);
  assert.deepEqual(expand('h://x/{a,}'), ['h://x/a', 'h://x/']);
  const g = UrlGlob.parse('h://x/[1-100:10]/{a,b}/[001-100]') as UrlGlob;
  assert.equal(g.count, 10 * 2 * 100);
});

test('escapes, [] and IPv6 literals stay literal', () => {
  assert.deepEqual(expand('h://x/\\[1-2\\]\\{a\\}'), ['h://x/[1-2]{a}']);
  assert.deepEqual(expand('h://x/{a\\,b,c}'), ['h://x/a,b', 'h://x/c']);
  assert.deepEqual(expand('h://x/[]'), ['h://x/[]']);
  assert.deepEqual(expand('http://[::1]:8080/[1-2]'), ['http://[::1]:8080/1', 'http://[::1]:8080/2']);
  assert.deepEqual(UrlGlob.literal('h://x/[1-2]').count, 1);
});

test('#N output names', () => {
  const items = [...(UrlGlob.parse('h://x/{one,two}/[1-2]') as UrlGlob)];
  assert.deepEqual(items.map((i) => globOutputName('f_#1_#2_#3#.txt', i)), ['f_one_1_#3#.txt', 'f_one_2_#3#.txt', 'f_two_1_#3#.txt', 'f_two_2_#3#.txt']);
});

// Positions and carets verified against curl 7.88.1.
const errors: [string, string][] = [
  ['h://x/[1-5', 'bad range in URL position 10:\nh://x/[1-5\n         ^'],
  ['h://x/[5-1]', 'bad range in URL position 12:\nh://x/[5-1]\n           ^'],
  ['h://x/[1-5:0]', 'bad range in URL position 14:\nh://x/[1-5:0]\n             ^'],
  ['h://x/{a,{b}}', 'nested brace in URL position 10:\nh://x/{a,{b}}\n         ^'],
  ['h://x/a}b', 'unmatched close brace/bracket in URL position 8:\nh://x/a}b\n       ^'],
  ['h://x/a]b', 'unmatched close brace/bracket in URL position 8:\nh://x/a]b\n       ^'],
  ['h://x/{}', 'empty string within braces in URL position 8:\nh://x/{}\n       ^'],
  ['h://x/[a-b]x[1-2', 'bad range in URL position 16:\nh://x/[a-b]x[1-2\n               ^'],
  ['h://x/[1-2]{a', 'unmatched brace in URL position 12:\nh://x/[1-2]{a\n           ^'],
  ['h://x/[a-5]', 'bad range in URL position 12:\nh://x/[a-5]\n           ^'],
  ['h://x/[1-99999999999999999999]', 'bad range in URL position 10:\nh://x/[1-99999999999999999999]\n         ^'],
  ['h://x/[1a-5]', 'bad range in URL position 8:\nh://x/[1a-5]\n       ^'],
  ['h://x/[1-5x]', 'bad range in URL position 10:\nh://x/[1-5x]\n         ^'],
  ['h://x/[a-cd]', 'bad range in URL position 8:\nh://x/[a-cd]\n       ^'],
];

test('bad globs give curl\'s messages and positions', () => {
  for (const [url, want] of errors) {
    const g = UrlGlob.parse(url);
    assert.ok(isGlobError(g), url);
    assert.equal(formatGlobError(url, g), want, url);
  }
});
