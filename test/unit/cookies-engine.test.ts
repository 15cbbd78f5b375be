// The sans-I/O cookie store (libcurl's cookie.c) by tables: Set-Cookie
// parsing, domain and path matching, the Cookie header order, expiry with a
// fixed clock, the secure rules and name prefixes, the public-suffix check,
// limits, and Netscape lines in and out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, COOKIE_LIMITS } from '../../src/cookies/cookie-jar.js';
import { cookieTailmatch, pathMatch, sanitizeCookiePath } from '../../src/cookies/cookie.js';
import { isCookieDomainAcceptable } from '../../src/cookies/psl.js';

const NOW = 2000000000;
/** 400 days on, to the nearest minute: the latest expiry a server may set (RFC 6265bis, curl 8) */
const CAPPED = Math.floor((NOW + 400 * 86400 + 30) / 60) * 60;

function jar(): CookieJar {
  const j = new CookieJar();
  j.now = () => NOW;
  return j;
}
/** Feed Set-Cookie values as a server response for host/path would. */
function fromServer(j: CookieJar, host: string, path: string, lines: string[], secure = false): void {
  for (const line of lines) j.add({ httpheader: true, line, domain: host, path, secure });
}
const header = (j: CookieJar, host: string, path: string, secure = false): string =>
  j.getList(host, path, secure).map((c) => `${c.name}=${c.value}`).join('; ');

test('Set-Cookie attributes: name/value trimming, path, domain, expiry, flags', () => {
  const j = jar();
  const one = (line: string) => j.add({ httpheader: true, line, domain: 'www.example.com', path: '/a/b/c?q=/x/', secure: true });
  assert.deepEqual(
    (({ name, value, domain, path, tailmatch, expires, secure, httponly }) => ({ name, value, domain, path, tailmatch, expires, secure, httponly }))(
      one('  n  =  some value  ; Path=/a; Domain=.Example.com; Max-Age=60; Secure; HttpOnly; SameSite=None')!),
    { name: 'n', value: 'some value', domain: 'Example.com', path: '/a', tailmatch: true, expires: NOW + 60, secure: true, httponly: true });
  assert.equal(one('d=1')!.path, '/a/b', 'default path: up to the last slash (not kept), query not included');
  assert.equal(one('q=1; path="/a/"')!.path, '/a', 'the path is kept sanitised');
  assert.equal(one('d2=1')!.domain, 'www.example.com');
  assert.equal(one('d2=1')!.tailmatch, false, 'no Domain: host-only');
  assert.equal(one('e=; path=/')!.value, '');
  assert.equal(one('x=1; secure=')!.secure, true, '"secure=" counts as secure');
  assert.equal(one('x=1; secure=yes')!.secure, false, '"secure=yes" is an unknown attribute');
  assert.equal(one('noequals'), null);
  assert.equal(one('=value'), null);
  assert.equal(one('ctl=a\x01b'), null, 'control bytes');
  assert.equal(one('tab=a\tb'), null, 'a TAB in a value');
  assert.equal(one('far=1; domain=other.com'), null, 'a domain the host is not in');
  assert.equal(one('sib=1; domain=ww.example.com'), null, 'a tail match must be on a dot');
  assert.equal(one('ok=1; domain=www.example.com')!.tailmatch, true);
});

test('Max-Age and Expires: precedence, deletion, bad values', () => {
  const j = jar();
  const exp = (line: string) => j.add({ httpheader: true, line, domain: 'h.test', path: '/', secure: false })!.expires;
  assert.equal(exp('a=1'), 0, 'session cookie');
  assert.equal(exp('a=1; max-age=10'), NOW + 10);
  assert.equal(exp('a=1; max-age="10"'), NOW + 10, 'a leading quote is skipped');
  assert.equal(exp('a=1; max-age=0'), 1, 'expire now');
  assert.equal(exp('a=1; max-age=-5'), 1);
  assert.equal(exp('a=1; max-age=abc'), 1);
  assert.equal(exp('a=1; max-age=99999999999999999999999'), CAPPED);
  assert.equal(exp(`a=1; max-age=${400 * 86400}`), NOW + 400 * 86400, 'exactly 400 days is not capped');
  assert.equal(exp(`a=1; max-age=${400 * 86400 + 1}`), CAPPED);
  assert.equal(exp('a=1; max-age=10; expires=Sun, 06 Nov 2044 08:49:37 GMT'), NOW + 10, 'Max-Age first wins');
  assert.equal(exp('a=1; expires=Sun, 06 Nov 2044 08:49:37 GMT; max-age=10'), NOW + 10, 'Max-Age after Expires wins too');
  assert.equal(exp('a=1; expires=Wed, 01 Jun 2033 08:49:37 GMT'), Date.UTC(2033, 5, 1, 8, 49, 37) / 1000);
  assert.equal(exp('a=1; expires=Sun, 06 Nov 2044 08:49:37 GMT'), CAPPED, 'more than 400 days away');
  assert.equal(exp(`a=1; expires=Wed, 01 Jun 2033 08:49:37 ${'.'.repeat(52)}GMT`), 0, 'an 80-byte Expires is not read');
  assert.equal(exp('a=1; expires=nonsense'), 0, 'an unreadable date makes a session cookie');
  assert.equal(exp('a=1; expires=Thu, 01 Jan 1970 00:00:00 GMT'), 1);
});

test('replace keeps the creation time; expired cookies are evicted; a deletion removes', () => {
  const j = jar();
  fromServer(j, 'h.test', '/', ['a=1', 'b=1', 'c=1']);
  fromServer(j, 'h.test', '/', ['a=2']);
  assert.equal(header(j, 'h.test', '/'), 'c=1; b=1; a=2', 'newest first on ties; a kept its place');
  fromServer(j, 'h.test', '/', ['b=x; max-age=0']);
  assert.equal(header(j, 'h.test', '/'), 'c=1; a=2');
  fromServer(j, 'h.test', '/', ['c=1; max-age=5']);
  j.now = () => NOW + 5;
  assert.equal(header(j, 'h.test', '/'), 'c=1; a=2', 'expiring this very second still counts');
  j.now = () => NOW + 6;
  assert.equal(header(j, 'h.test', '/'), 'a=2');
  assert.equal(j.size, 1);
  fromServer(j, 'h.test', '/', ['A=upper']);
  assert.equal(j.size, 2, 'names are case-sensitive: "A" does not replace "a"');
});

test('domain and path matching', () => {
  assert.equal(cookieTailmatch('example.com', 'www.example.com'), true);
  assert.equal(cookieTailmatch('example.com', 'EXAMPLE.com'), true);
  assert.equal(cookieTailmatch('example.com', 'badexample.com'), false);
  assert.equal(cookieTailmatch('www.example.com', 'example.com'), false);
  const paths: [string, string, boolean][] = [
    ['/', '/anything', true], ['/a', '/a', true], ['/a', '/a/', true], ['/a', '/a/b', true], ['/a', '/ab', false],
    ['/a/b', '/a', false], ['/A', '/a', false], ['/a', '/a?x=/y', true], ['/a', 'noslash', false],
  ];
  for (const [cp, uri, want] of paths) assert.equal(pathMatch(cp, uri), want, `${cp} vs ${uri}`);
  assert.equal(sanitizeCookiePath('"/x/"'), '/x');
  assert.equal(sanitizeCookiePath('nope'), '/');
  const j = jar();
  fromServer(j, 'www.example.com', '/', ['host=1', 'dom=1; domain=example.com', 'p=1; path=/p']);
  assert.equal(header(j, 'www.example.com', '/p/q'), 'p=1; host=1; dom=1', 'longer path, then longer domain');
  assert.equal(header(j, 'sub.www.example.com', '/'), 'dom=1', 'host-only cookies do not go to subdomains');
  assert.equal(header(j, 'example.com', '/'), 'dom=1');
  assert.equal(header(j, 'a.example.com', '/p'), 'dom=1');
  assert.equal(header(j, 'evil.com', '/'), '');
});

test('Cookie header order: longer path, then longer domain, then longer name, then newer', () => {
  const j = jar();
  fromServer(j, 'a.example.com', '/x/y/', ['short=1; path=/', 'longname=1; path=/', 'n=1; path=/', 'deep=1; path=/x/y', 'dom=1; domain=example.com; path=/']);
  assert.equal(header(j, 'a.example.com', '/x/y/z'), 'deep=1; longname=1; short=1; n=1; dom=1');
});

test('secure cookies: set and sent only in a secure context; file cookies may be secure', () => {
  const j = jar();
  fromServer(j, 'h.test', '/', ['s=1; secure']);
  assert.equal(j.size, 0, 'plain http may not set a secure cookie');
  fromServer(j, 'h.test', '/', ['s=1; secure'], true);
  assert.equal(header(j, 'h.test', '/', false), '');
  assert.equal(header(j, 'h.test', '/', true), 's=1');
  fromServer(j, 'h.test', '/', ['s=plain'], false);
  assert.equal(header(j, 'h.test', '/', true), 's=1', 'a non-secure cookie may not overlay a secure one');
  fromServer(j, 'h.test', '/', ['s=plain; path=/other'], false);
  assert.equal(j.size, 1, 'not under the same first path segment either');
  const f = jar();
  f.loadText('h.test\tFALSE\t/\tTRUE\t0\tfs\t1\n');
  assert.equal(header(f, 'h.test', '/', true), 'fs=1');
});

test('__Secure- and __Host- prefixes', () => {
  const j = jar();
  const ok = (line: string): boolean => j.add({ httpheader: true, line, domain: 'h.test', path: '/p/', secure: true }) !== null;
  assert.equal(ok('__Secure-a=1; secure'), true);
  assert.equal(ok('__Secure-a=1'), false);
  assert.equal(ok('__secure-a=1'), false, 'prefixes are matched without case');
  assert.equal(ok('__Host-a=1; secure; path=/'), true);
  assert.equal(ok('__Host-b=1; secure'), false, 'default path /p/ is not /');
  assert.equal(ok('__Host-c=1; path=/'), false, 'not secure');
  assert.equal(ok('__Host-d=1; secure; path=/; domain=h.test'), false, 'a Domain attribute');
  const f = jar();
  f.loadText('h.test\tFALSE\t/\tFALSE\t0\t__Secure-x\t1\nh.test\tFALSE\t/\tTRUE\t0\t__Host-y\t1\n');
  assert.deepEqual(f.list(), ['h.test\tFALSE\t/\tTRUE\t0\t__Host-y\t1']);
});

test('public suffixes: no cookies for com, co.uk or github.io', () => {
  const table: [string, string, boolean][] = [
    ['www.example.com', 'example.com', true], ['www.example.com', 'com', false], ['a.b.co.uk', 'b.co.uk', true],
    ['a.b.co.uk', 'co.uk', false], ['me.github.io', 'github.io', false], ['x.me.github.io', 'me.github.io', true],
    ['localhost', 'localhost', true], ['a.localhost', 'localhost', false], ['127.0.0.1', '0.0.1', false],
    ['com', 'com', true],
    // fully qualified names keep their dot: "me." is the suffix of "firsthost.me."
    ['firsthost.me.', 'me.', false], ['firsthost.me.', '.me.', false], ['firsthost.me.', 'firsthost.me.', true],
    ['a.b.co.uk.', 'co.uk.', false], ['a.b.co.uk.', 'b.co.uk.', true],
  ];
  for (const [host, dom, want] of table) assert.equal(isCookieDomainAcceptable(host, dom), want, `${host} <- ${dom}`);
  const j = jar();
  fromServer(j, 'www.example.co.uk', '/', ['psl=1; domain=co.uk', 'fine=1; domain=example.co.uk']);
  assert.deepEqual(j.getList('x.example.co.uk', '/', false).map((c) => c.name), ['fine']);
});

test('limits: oversized names and values, long lines, 150 cookies per request', () => {
  const j = jar();
  const add = (line: string) => j.add({ httpheader: true, line, domain: 'h.test', path: '/', secure: false });
  assert.equal(add('n=' + 'v'.repeat(4095)), null);
  assert.notEqual(add('n=' + 'v'.repeat(4094)), null);
  assert.equal(add('x'.repeat(4095) + '=1'), null);
  assert.equal(add('x'.repeat(2048) + '=' + 'v'.repeat(2049)), null, 'name and value together');
  assert.equal(add('a=1; path=/' + 'p'.repeat(COOKIE_LIMITS.MAX_COOKIE_LINE)), null);
  const k = jar();
  for (let i = 0; i < 200; i++) fromServer(k, 'h.test', '/', [`c${i}=1`]);
  assert.equal(k.getList('h.test', '/', false).length, COOKIE_LIMITS.MAX_COOKIE_SEND_AMOUNT);
});

test('Netscape lines in; jar text out, newest first, with curl\'s header', () => {
  const j = jar();
  j.loadText([
    '# Netscape HTTP Cookie File',
    '.example.com\tTRUE\t/\tFALSE\t0\tdom\tv1',
    '#HttpOnly_www.example.com\tFALSE\t/p\tFALSE\t2100000000\tho\tv2',
    'www.example.com\tFALSE\tFALSE\t0\tnopath\tv3', // the path field may be missing
    'www.example.com\tFALSE\t/\tFALSE\t0\tblank', // no value
    'www.example.com\tFALSE\t/\tFALSE\tnotanumber\tbad\tx',
    'too\tfew',
    'Set-Cookie: hdr=1; domain=example.com',
    'www.example.com\tFALSE\t/\tFALSE\t1\tgone\tx', // expired long ago
    'last\tFALSE\t/\tFALSE\t0\tnonl\tx', // no newline at the end
  ].join('\n'));
  assert.equal(j.netscapeFile(), '# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n' +
    '# This file was generated by libcurl! Edit at your own risk.\n\n' +
    'last\tFALSE\t/\tFALSE\t0\tnonl\tx\n' +
    '.example.com\tTRUE\t/\tFALSE\t0\thdr\t1\n' +
    'www.example.com\tFALSE\t/\tFALSE\t0\tblank\t\n' +
    'www.example.com\tFALSE\t/\tFALSE\t0\tnopath\tv3\n' +
    '#HttpOnly_www.example.com\tFALSE\t/p\tFALSE\t2100000000\tho\tv2\n' +
    '.example.com\tTRUE\t/\tFALSE\t0\tdom\tv1\n');
  // a Set-Cookie line from a file has no default path: it sorts last and matches every path
  assert.equal(header(j, 'www.example.com', '/p'), 'ho=v2; nopath=v3; blank=; dom=v1; hdr=1');
});

test('a new session drops session cookies read from files, not persistent ones', () => {
  const j = jar();
  j.newsession = true;
  j.loadText('h.test\tFALSE\t/\tFALSE\t0\tsess\t1\nh.test\tFALSE\t/\tFALSE\t2100000000\tkeep\t1\n');
  assert.deepEqual(j.getList('h.test', '/', false).map((c) => c.name), ['keep']);
  fromServer(j, 'h.test', '/', ['live=1']);
  assert.equal(j.size, 2, 'server cookies are not affected');
  j.clearSession();
  assert.deepEqual(j.getList('h.test', '/', false).map((c) => c.name), ['keep']);
  j.clearAll();
  assert.equal(j.size, 0);
});

test('a cookie read from a file does not replace the same live cookie', () => {
  const j = jar();
  fromServer(j, 'h.test', '/', ['a=live; path=/']);
  j.loadText('h.test\tFALSE\t/\tFALSE\t0\ta\tfile\n');
  assert.equal(header(j, 'h.test', '/'), 'a=live');
});
