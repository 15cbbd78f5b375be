// curl 7.88's command-line number rules on C's strtol()/strtod(): what the
// pure parsers take and refuse (test/integration/cli-numbers.test.ts runs
// the same values through tscurl and /usr/bin/curl side by side).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cStrtol, cStrtod, str2num, str2unum, str2udouble, secondsToMs, SECONDS_MAX } from '../../src/cli/tool-numbers.js';

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
  return 'ok';
};

test('cStrtol: blanks and a sign before the digits, the end where digits stop, ERANGE past a long', () => {
  assert.deepEqual(cStrtol(' \t+42x'), { value: 42n, end: 5, erange: false });
  assert.deepEqual(cStrtol('-7'), { value: -7n, end: 2, erange: false });
  assert.deepEqual(cStrtol('x1'), { value: 0n, end: 0, erange: false });
  assert.deepEqual(cStrtol('+'), { value: 0n, end: 0, erange: false });
  assert.equal(cStrtol('9223372036854775807').erange, false);
  assert.equal(cStrtol('9223372036854775808').erange, true);
  assert.equal(cStrtol('-9223372036854775808').erange, false);
});

test('cStrtod: decimal, exponent, hex float, inf and nan; ERANGE on overflow and underflow', () => {
  assert.equal(cStrtod('1e3').value, 1000);
  assert.equal(cStrtod('  .5').value, 0.5);
  assert.equal(cStrtod('0x10').value, 16);
  assert.equal(cStrtod('0x1.8p1').value, 3);
  assert.deepEqual(cStrtod('0x'), { value: 0, end: 1, erange: false });
  assert.deepEqual(cStrtod('1e'), { value: 1, end: 1, erange: false });
  assert.equal(cStrtod('-INFINITY').value, -Infinity);
  assert.ok(Number.isNaN(cStrtod('nan(123)').value));
  assert.equal(cStrtod('nan(123)').end, 8);
  assert.equal(cStrtod('1e400').erange, true);
  assert.equal(cStrtod('1e-400').erange, true);
  assert.equal(cStrtod('0e-400').erange, false);
  assert.equal(cStrtod('x').end, 0);
});

test('str2num/str2unum: the whole string, and the reasons curl gives', () => {
  assert.equal(str2num('--x', ' +5'), 5);
  assert.equal(reason(() => str2num('--x', '5 ')), 'option --x: expected a proper numerical parameter');
  assert.equal(reason(() => str2num('--x', '')), 'option --x: expected a proper numerical parameter');
  assert.equal(reason(() => str2num('--x', '99999999999999999999junk')), 'option --x: too large number');
  assert.equal(reason(() => str2unum('--x', '-1')), 'option --x: expected a positive numerical parameter');
});

test('str2udouble and seconds: exponents and hex are seconds, inf too large, NaN no timeout', () => {
  assert.equal(secondsToMs('-m', '1e3'), 1_000_000);
  assert.equal(secondsToMs('-m', '0x10'), 16_000);
  assert.equal(secondsToMs('-m', '0.0015'), 1); // (long)(1.5) truncates
  assert.equal(secondsToMs('-m', 'nan'), 0);
  assert.equal(reason(() => secondsToMs('-m', 'inf')), 'option -m: too large number');
  assert.equal(reason(() => secondsToMs('-m', '1e300')), 'option -m: too large number');
  assert.equal(reason(() => secondsToMs('-m', '-1')), 'option -m: expected a positive numerical parameter');
  assert.equal(reason(() => str2udouble('-m', String(SECONDS_MAX * 2), SECONDS_MAX)), 'option -m: too large number');
});
