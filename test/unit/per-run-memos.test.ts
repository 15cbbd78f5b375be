// The memos that spare serial transfers repeated work must give what the
// work gave: the URL parser's last authority (src/url/url-parser.ts) and the
// environment held for the tool's run (src/util/env-cache.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CurlUrl, CURLU, CURLUE, CURLUPART } from '../../src/url/index.js';
import { envVar, holdEnv, refreshEnv } from '../../src/util/env-cache.js';

function parts(url: string, flags = 0): Record<string, string | number | undefined> {
  const u = new CurlUrl();
  const rc = u.set(CURLUPART.URL, url, flags);
  if (rc !== CURLUE.OK) return { rc };
  const get = (p: number): string | undefined => u.get(p).value;
  return {
    rc, user: get(CURLUPART.USER), password: get(CURLUPART.PASSWORD), options: get(CURLUPART.OPTIONS),
    host: get(CURLUPART.HOST), port: get(CURLUPART.PORT), zoneid: get(CURLUPART.ZONEID), url: get(CURLUPART.URL),
  };
}

test('the same authority after another URL parses as it does alone', () => {
  const cases: [string, number][] = [
    // ";options" are options for IMAP, part of the user name for HTTP
    ['imap://u;auth=x:pw@host:143/', 0], ['http://u;auth=x:pw@host:143/', 0], ['imap://u;auth=x:pw@host:143/', 0],
    // a user where the flags forbid one, then allowed again
    ['http://u@h/', CURLU.DISALLOW_USER], ['http://u@h/', 0], ['http://u@h/', CURLU.DISALLOW_USER],
    // with and without a scheme (a bare "h:" port is refused without one)
    ['h:/x', CURLU.GUESS_SCHEME], ['http://h:/x', 0], ['h:/x', CURLU.GUESS_SCHEME],
    // IPv6 with a zone, a numeric IPv4 form, a bad port, a %-encoded name
    ['http://[fe80::1%25eth0]:8080/', 0], ['http://0x7f.1:80/a', 0], ['http://h:99999/', 0], ['http://h%41st/', 0],
    ['http://[fe80::1%25eth0]:8080/b', 0], ['http://0x7f.1:80/b', 0], ['http://h:99999/b', 0],
  ];
  const alone = cases.map(([url, flags]) => {
    // a parse of something else first, so no case rides on the one before it
    new CurlUrl().set(CURLUPART.URL, 'ftp://other.example/', 0);
    return parts(url, flags);
  });
  const inRow = cases.map(([url, flags]) => parts(url, flags));
  assert.deepEqual(inRow, alone);
  assert.equal(alone[0]!.options, 'auth=x');
  assert.equal(alone[1]!.user, 'u;auth=x');
  assert.equal(alone[3]!.rc, CURLUE.USER_NOT_ALLOWED);
  assert.equal(alone[4]!.user, 'u');
});

test('holdEnv: one read per variable while held, a fresh read after the release', () => {
  const name = 'TSCURL_MEMO_TEST_VAR';
  process.env[name] = 'one';
  refreshEnv();
  assert.equal(envVar(name), 'one');
  const release = holdEnv();
  try {
    process.env[name] = 'two';
    assert.equal(envVar(name), 'two', 'the hold starts with a fresh read');
    process.env[name] = 'three';
    refreshEnv(); // a library call while held
    assert.equal(envVar(name), 'two');
  } finally {
    release();
  }
  assert.equal(envVar(name), 'three');
  process.env[name] = 'four';
  refreshEnv();
  assert.equal(envVar(name), 'four', 'without a hold each library call reads again');
  release(); // a second release changes nothing
  delete process.env[name];
});
