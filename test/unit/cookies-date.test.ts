// curl_getdate() table: the formats lib/parsedate.c documents, plus the
// failures it must report. Expected values are seconds since the epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curlGetdate } from '../../src/cookies/parse-date.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, sec = 0): number => Date.UTC(y, mo - 1, d, h, mi, sec) / 1000;
const T = utc(1994, 11, 6, 8, 49, 37); // Sun, 06 Nov 1994 08:49:37 GMT
const DAY0 = utc(1994, 11, 6);

const TABLE: [string, number][] = [
  ['Sun, 06 Nov 1994 08:49:37 GMT', T],
  ['Sunday, 06-Nov-94 08:49:37 GMT', T],
  ['Sun Nov  6 08:49:37 1994', T],
  ['06 Nov 1994 08:49:37 GMT', T],
  ['06-Nov-94 08:49:37 GMT', T],
  ['Nov  6 08:49:37 1994', T],
  ['06 Nov 1994 08:49:37', T],
  ['06-Nov-94 08:49:37', T],
  ['1994 Nov 6 08:49:37', T],
  ['GMT 08:49:37 06-Nov-94 Sunday', T],
  ['94 6 Nov 08:49:37', T],
  ['1994 Nov 6', DAY0],
  ['06-Nov-94', DAY0],
  ['Sun Nov 6 94', DAY0],
  ['1994.Nov.6', DAY0],
  ['Sun/Nov/6/94/GMT', DAY0],
  ['Sun, 06 Nov 1994 08:49:37 CET', T - 3600],
  ['06 Nov 1994 08:49:37 EST', T + 5 * 3600],
  ['Sun, 12 Sep 2004 15:05:58 -0700', utc(2004, 9, 12, 22, 5, 58)],
  ['Sat, 11 Sep 2004 21:32:11 +0200', utc(2004, 9, 11, 19, 32, 11)],
  ['20040912 15:05:58 -0700', utc(2004, 9, 12, 22, 5, 58)],
  ['20040911 +0200', utc(2004, 9, 10, 22)],
  ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
  ['Thu, 01 Jan 1970 00:00:01 GMT', 1],
  ['Wed, 31 Dec 1969 23:59:59 GMT', 0], // -1 is reserved for failure
  ['Wed, 31 Dec 1969 23:59:58 GMT', -2],
  ['Mon, 29 Feb 2044 12:00:00 Z', utc(2044, 2, 29, 12)],
  ['Sun, 06 Nov 1994 08:49:37 A', T + 3600], // military zones: curl adds the table's offset
  ['06 Nov 1994 8:9:7', DAY0 + 8 * 3600 + 9 * 60 + 7],
  // failures
  ['', -1],
  ['garbage', -1],
  ['Sun, 06 Nov 1994', DAY0], // no time of day means midnight
  ['06 Nov', -1], // no year
  ['Nov 1994', -1], // no day
  ['Sun, 32 Nov 1994 08:49:37 GMT', -1],
  ['Sun, 06 Nov 1994 25:49:37 GMT', -1],
  ['Sun, 06 Foo 1994 08:49:37 GMT', -1],
  ['Sun, 06 Nov 1994 08:49:37 XYZ', -1],
  ['Sunday, 06-Nov-94 08:49:37 GMTabcdefghijkl', -1],
];

test('curl_getdate reads the formats curl documents and rejects the rest', () => {
  for (const [input, want] of TABLE) assert.equal(curlGetdate(input), want, JSON.stringify(input));
});

test('at most six parts are read: what follows is ignored', () => {
  // Sun, 06, Nov, 1994, 08:49:37, GMT are six parts; the seventh is never looked at
  assert.equal(curlGetdate('Sun, 06 Nov 1994 08:49:37 GMT Whatever'), T);
});
