// curl's .netrc rules, table-driven: machine/default/login/password/macdef,
// quoted strings, comments, and the "specific login" lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetrc, netrcTokens } from '../../src/auth/netrc.js';

const CASES: [string, string, string, string | null, ReturnType<typeof parseNetrc>][] = [
  ['first entry of the host', 'machine a.com login u password p\nmachine b.com login v password q\n', 'b.com', null, { code: 0, login: 'v', password: 'q' }],
  ['host names compare case-insensitively', 'machine EXAMPLE.com login u password p\n', 'example.COM', null, { code: 0, login: 'u', password: 'p' }],
  ['entries may span lines', 'machine a.com\n  login u\n  password p\n', 'a.com', null, { code: 0, login: 'u', password: 'p' }],
  ['no match', 'machine a.com login u password p\n', 'b.com', null, { code: 1 }],
  ['default matches anything', 'machine a.com login u password p\ndefault login anonymous password me@x\n', 'z.org', null, { code: 0, login: 'anonymous', password: 'me@x' }],
  ['login without password: blank password', 'machine a.com login u\n', 'a.com', null, { code: 0, login: 'u', password: '' }],
  ['password without login', 'machine a.com password p\n', 'a.com', null, { code: 0, password: 'p' }],
  ['quoted strings with spaces and escapes', 'machine a.com login "us er" password "p\\"w\\\\d\\t"\n', 'a.com', null, { code: 0, login: 'us er', password: 'p"w\\d\t' }],
  ['comments', '# machine a.com login x password y\nmachine a.com login u # trailing\n password p\n', 'a.com', null, { code: 0, login: 'u', password: 'p' }],
  ['macdef bodies are skipped up to an empty line', 'macdef init\nmachine a.com login bad password bad\n\nmachine a.com login u password p\n', 'a.com', null, { code: 0, login: 'u', password: 'p' }],
  ['specific login picks that user', 'machine a.com login x password px\nmachine a.com login u password pu\n', 'a.com', 'u', { code: 0, login: 'u', password: 'pu' }],
  ['specific login uses a login-less entry', 'machine a.com password generic\nmachine a.com login u password pu\n', 'a.com', 'u', { code: 0, login: 'u', password: 'generic' }],
  ['specific login not present', 'machine a.com login x password px\n', 'a.com', 'u', { code: 1 }],
  ['CRLF lines', 'machine a.com\r\nlogin u\r\npassword p\r\n', 'a.com', null, { code: 0, login: 'u', password: 'p' }],
  // a line is a C string to curl: it ends at a NUL (its test 793)
  ['a NUL byte ends the line', 'machine a.com login u "password"\0 hello\n', 'a.com', null, { code: 0, login: 'u', password: '' }],
  ['a NUL byte ends the line, the next line still read', 'machine a.com login u password p\0q\nmachine b.com login v password w\n', 'b.com', null, { code: 0, login: 'v', password: 'w' }],
  ['unterminated quote is a syntax error', 'machine a.com login "u password p\n', 'a.com', null, { code: -1 }],
  // curl 7.88.1's (CVE-2024-11053) state machine, checked against /usr/bin/curl:
  ['several entries of a host: our login carries over "machine" (curl test 478)',
    '\nmachine github.com\npassword weird\npassword firstone\nlogin daniel\n\nmachine github.com\n\nmachine github.com\nlogin debbie\n\nmachine github.com\npassword weird\npassword "second\\r"\nlogin debbie\n',
    'github.com', 'debbie', { code: 0, login: 'debbie', password: 'second\r' }],
  ['our login without a password, then another entry with one', 'machine a.com login u\nmachine a.com password pw\n', 'a.com', 'u', { code: 0, login: 'u', password: 'pw' }],
  ['our login in the last entry, without a password', 'machine a.com password px login x\nmachine a.com login u\n', 'a.com', 'u', { code: 0, login: 'u', password: '' }],
  ['a password before our login counts', 'machine a.com password px login d password py\n', 'a.com', 'd', { code: 0, login: 'd', password: 'px' }],
  ['the first login and password of an entry', 'machine a.com login u password p1 password p2\n', 'a.com', null, { code: 0, login: 'u', password: 'p1' }],
  ['"default" drops the password read so far', 'machine a.com password px\ndefault login d password dp\n', 'a.com', null, { code: 0, login: 'd', password: '' }],
  ['login-less entries after "machine": a blank login', 'machine a.com login u\nmachine a.com password pw\n', 'a.com', null, { code: 0, password: 'pw' }],
  ['"default" alone is no match', 'default\n', 'a.com', null, { code: 1 }],
  ['keywords are case-insensitive', 'MACHINE a.com LOGIN u PASSWORD p\n', 'a.com', null, { code: 0, login: 'u', password: 'p' }],
];

for (const [name, text, host, login, expect] of CASES) {
  test(`netrc: ${name}`, () => {
    assert.deepEqual(parseNetrc(text, host, login), expect);
  });
}

test('netrc tokens', () => {
  assert.deepEqual(netrcTokens('  a "b c" d#e # f'), ['a', 'b c', 'd#e']);
  assert.equal(netrcTokens('"open'), null);
  assert.equal(netrcTokens('"bad escape\\'), null);
});
