// CurlUrl behaviour beyond parsing one URL: relative resolution (redirects),
// setting and getting single parts with flags, dup, limits, strerror.
// "7.88" in a comment means the expectation was checked against libcurl
// 7.88.1's curl_url_* through ctypes; "curl -L" means against the curl tool
// following a Location header from a loopback listener.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CurlUrl, curlUrl, CURLU, CURLUE, CURLUPART, urlStrerror } from '../../src/url/index.js';

function resolve(base: string, rel: string, flags = 0): { code: number; url?: string } {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, base, 0), CURLUE.OK, base);
  const code = u.set(CURLUPART.URL, rel, flags);
  return { code, url: u.get(CURLUPART.URL).value };
}

test('RFC 3986 section 5.4 reference resolution examples', () => {
  const base = 'http://a/b/c/d;p?q';
  // 5.4.1 normal and 5.4.2 abnormal examples. All match 7.88 except "#s"
  // and "" (7.88 cut the path: fixed in curl 8, RFC result used here).
  const cases: [string, string][] = [
    ['g', 'http://a/b/c/g'], ['./g', 'http://a/b/c/g'], ['g/', 'http://a/b/c/g/'], ['/g', 'http://a/g'],
    ['//g', 'http://g/'], ['?y', 'http://a/b/c/d;p?y'], ['g?y', 'http://a/b/c/g?y'], ['#s', 'http://a/b/c/d;p?q#s'],
    ['g#s', 'http://a/b/c/g#s'], ['g?y#s', 'http://a/b/c/g?y#s'], [';x', 'http://a/b/c/;x'], ['g;x', 'http://a/b/c/g;x'],
    ['g;x?y#s', 'http://a/b/c/g;x?y#s'], ['', 'http://a/b/c/d;p?q'], ['.', 'http://a/b/c/'], ['./', 'http://a/b/c/'],
    ['..', 'http://a/b/'], ['../', 'http://a/b/'], ['../g', 'http://a/b/g'], ['../..', 'http://a/'], ['../../', 'http://a/'],
    ['../../g', 'http://a/g'], ['../../../g', 'http://a/g'], ['../../../../g', 'http://a/g'], ['/./g', 'http://a/g'],
    ['/../g', 'http://a/g'], ['g.', 'http://a/b/c/g.'], ['.g', 'http://a/b/c/.g'], ['g..', 'http://a/b/c/g..'],
    ['..g', 'http://a/b/c/..g'], ['./../g', 'http://a/b/g'], ['./g/.', 'http://a/b/c/g/'], ['g/./h', 'http://a/b/c/g/h'],
    ['g/../h', 'http://a/b/c/h'], ['g;x=1/./y', 'http://a/b/c/g;x=1/y'], ['g;x=1/../y', 'http://a/b/c/y'],
    ['g?y/./x', 'http://a/b/c/g?y/./x'], ['g?y/../x', 'http://a/b/c/g?y/../x'], ['g#s/./x', 'http://a/b/c/g#s/./x'],
    ['g#s/../x', 'http://a/b/c/g#s/../x'],
  ];
  for (const [rel, want] of cases) assert.deepEqual(resolve(base, rel), { code: CURLUE.OK, url: want }, rel);
  // curl only parses hierarchical "scheme://" URLs: "g:h" and "http:g" are
  // refused and the handle keeps its URL (7.88 refused them too, code 5/28).
  for (const rel of ['g:h', 'http:g']) assert.deepEqual(resolve(base, rel), { code: CURLUE.BAD_SCHEME, url: base }, rel);
});

test('redirect-style relative URLs', () => {
  const cases: [string, string, string][] = [
    ['http://h/a/b?q#f', '?z', 'http://h/a/b?z'],
    ['http://h/a/b?q#f', '#z', 'http://h/a/b?q#z'],
    ['http://h/a/b#f', '?z', 'http://h/a/b?z'],
    ['http://h/a/b#f', 'x', 'http://h/a/x'], // 7.88
    ['http://h/a/b', 'x y', 'http://h/a/x%20y'], // 7.88, curl -L
    ['http://h/a/b', 'x y?c d', 'http://h/a/x%20y?c+d'], // 7.88
    ['http://h/a/b', '/x y', 'http://h/x%20y'], // 7.88
    ['http://h/a/b', '//o/p q', 'http://o/p%20q'], // 7.88
    ['http://h/a/b', '//o', 'http://o/'], // 7.88
    ['http://h/a/b', 'https://o/x', 'https://o/x'], // 7.88
    ['http://h/a/b', '\u00e9', 'http://h/a/%c3%a9'], // 7.88, curl -L
    ['http://u:p@h:8/a/b', '../c', 'http://u:p@h:8/c'], // 7.88
    ['https://h/a', '//h2:99/x?y', 'https://h2:99/x?y'], // 7.88
    ['http://[::1]:8/a/b', 'c', 'http://[::1]:8/a/c'], // 7.88
    ['file:///a/b/c', '../d', 'file:///a/d'], // 7.88
    ['file:///a/b/c', '/x', 'file:///x'], // 7.88
    ['http://h/a?', 'b', 'http://h/b'], // 7.88
    ['http://h/a/b', '..//x', 'http://h//x'], // 7.88
  ];
  for (const [base, rel, want] of cases) assert.deepEqual(resolve(base, rel), { code: CURLUE.OK, url: want }, `${base} + ${rel}`);
  // A control byte in the reference fails and leaves the old URL.
  assert.deepEqual(resolve('http://h/a/b', 'x\ty'), { code: CURLUE.MALFORMED_INPUT, url: 'http://h/a/b' });
  // PATH_AS_IS does not stop the resolved reference from being cleaned.
  assert.deepEqual(resolve('http://h/a/b', '../c', CURLU.PATH_AS_IS), { code: CURLUE.OK, url: 'http://h/c' });
});

test('a relative URL needs a complete URL in the handle', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, '/x', 0), CURLUE.BAD_SCHEME);
  assert.equal(u.set(CURLUPART.URL, '', 0), CURLUE.MALFORMED_INPUT);
  assert.equal(u.set(CURLUPART.URL, 'http://h/p', 0), CURLUE.OK);
  assert.equal(u.set(CURLUPART.URL, '', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/p');
});

test('redirect Location with spaces is encoded like curl -L does', () => {
  // The flags the transfer engine uses when following a Location header.
  const flags = CURLU.URLENCODE | CURLU.ALLOW_SPACE;
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'http://127.0.0.1:8080/redir', 0), CURLUE.OK);
  assert.equal(u.set(CURLUPART.URL, '/a b?c d', flags), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://127.0.0.1:8080/a%20b?c+d'); // curl -L url_effective
  assert.equal(u.set(CURLUPART.URL, 'http://127.0.0.1:8080/p q?r s', flags), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://127.0.0.1:8080/p%20q?r+s'); // curl -L
  // Without ALLOW_SPACE an absolute URL with a space is malformed.
  assert.equal(u.set(CURLUPART.URL, 'http://h/a b', 0), CURLUE.MALFORMED_INPUT);
});

test('setting single parts', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'http://h/', 0), CURLUE.OK);
  // 7.88: percent triplets are lowercased, URLENCODE uses lowercase hex.
  assert.equal(u.set(CURLUPART.PATH, '/A%2Fb%C3', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.PATH).value, '/A%2fb%c3');
  assert.equal(u.set(CURLUPART.PATH, 'a b/c', CURLU.URLENCODE), CURLUE.OK); // leading slash added, '/' kept
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/a%20b/c');
  assert.equal(u.set(CURLUPART.PATH, 'x/../y', 0), CURLUE.OK); // no dot removal on set(PATH)
  assert.equal(u.get(CURLUPART.PATH).value, '/x/../y');
  assert.equal(u.set(CURLUPART.USER, 'a:b@c', CURLU.URLENCODE), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://a%3ab%40c@h/x/../y');
  assert.equal(u.set(CURLUPART.USER, null), CURLUE.OK);
  assert.equal(u.set(CURLUPART.PASSWORD, 'pw'), CURLUE.OK); // password alone: blank user
  assert.equal(u.get(CURLUPART.URL).value, 'http://:pw@h/x/../y');
  assert.equal(u.set(CURLUPART.PASSWORD, null), CURLUE.OK);
  assert.equal(u.get(CURLUPART.USER).code, CURLUE.NO_USER);

  // Query: plus for space, APPENDQUERY keeps the first '=' and adds '&'.
  assert.equal(u.set(CURLUPART.PATH, null), CURLUE.OK);
  assert.equal(u.set(CURLUPART.QUERY, 'a=1'), CURLUE.OK);
  assert.equal(u.set(CURLUPART.QUERY, 'b c=d e', CURLU.URLENCODE | CURLU.APPENDQUERY), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/?a=1&b+c=d+e'); // 7.88
  assert.equal(u.set(CURLUPART.QUERY, 'x&'), CURLUE.OK);
  assert.equal(u.set(CURLUPART.QUERY, 'y', CURLU.APPENDQUERY), CURLUE.OK);
  assert.equal(u.get(CURLUPART.QUERY).value, 'x&y'); // 7.88
  assert.equal(u.set(CURLUPART.QUERY, 'Al2cO3tDkcDZ3EWE5Lh+LX8TPHs,', CURLU.URLENCODE), CURLUE.OK);
  assert.equal(u.get(CURLUPART.QUERY).value, 'Al2cO3tDkcDZ3EWE5Lh%2bLX8TPHs%2c');
  assert.equal(u.set(CURLUPART.QUERY, ''), CURLUE.OK); // blank query: hidden unless GET_EMPTY
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/');
  assert.equal(u.get(CURLUPART.URL, CURLU.GET_EMPTY).value, 'http://h/?');
  assert.deepEqual(u.get(CURLUPART.QUERY), { code: CURLUE.NO_QUERY });
  assert.deepEqual(u.get(CURLUPART.QUERY, CURLU.GET_EMPTY), { code: CURLUE.OK, value: '' });
  assert.equal(u.set(CURLUPART.QUERY, null), CURLUE.OK);
  assert.equal(u.set(CURLUPART.FRAGMENT, ''), CURLUE.OK); // a set blank fragment shows (7.88)
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/#');
});

test('scheme and port setters', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'http://h/', 0), CURLUE.OK);
  assert.equal(u.set(CURLUPART.SCHEME, 'foo'), CURLUE.UNSUPPORTED_SCHEME); // 7.88
  assert.equal(u.set(CURLUPART.SCHEME, 'foo', CURLU.NON_SUPPORT_SCHEME), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'foo://h/');
  assert.deepEqual(u.get(CURLUPART.PORT, CURLU.DEFAULT_PORT), { code: CURLUE.NO_PORT }); // 7.88
  // curl 8 validates the scheme's characters and length (7.88 took "1x", "a_b" and "" -> 5).
  assert.equal(u.set(CURLUPART.SCHEME, '1x', CURLU.NON_SUPPORT_SCHEME), CURLUE.BAD_SCHEME);
  assert.equal(u.set(CURLUPART.SCHEME, 'a_b', CURLU.NON_SUPPORT_SCHEME), CURLUE.BAD_SCHEME);
  assert.equal(u.set(CURLUPART.SCHEME, 'x'.repeat(41), CURLU.NON_SUPPORT_SCHEME), CURLUE.BAD_SCHEME);
  assert.equal(u.set(CURLUPART.SCHEME, ''), CURLUE.BAD_SCHEME);
  assert.equal(u.set(CURLUPART.SCHEME, 'HTTPS'), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'HTTPS://h/'); // 7.88 stores it as given

  for (const bad of ['65536', '-1', '1a', ' 8', '', '0x10', '99999999999']) {
    assert.equal(u.set(CURLUPART.PORT, bad), CURLUE.BAD_PORT_NUMBER, bad);
  }
  assert.equal(u.set(CURLUPART.PORT, '00443'), CURLUE.OK); // stored as a number (7.88 kept "00443")
  assert.deepEqual(u.get(CURLUPART.PORT), { code: CURLUE.OK, value: '443' });
  assert.equal(u.get(CURLUPART.URL).value, 'HTTPS://h:443/');
  assert.equal(u.get(CURLUPART.URL, CURLU.NO_DEFAULT_PORT).value, 'HTTPS://h/');
  assert.deepEqual(u.get(CURLUPART.PORT, CURLU.NO_DEFAULT_PORT), { code: CURLUE.NO_PORT });
  assert.equal(u.set(CURLUPART.PORT, '0'), CURLUE.OK); // curl 8 allows 0 (7.88 did not)
  assert.equal(u.set(CURLUPART.PORT, '65535'), CURLUE.OK);
  assert.equal(u.set(CURLUPART.PORT, null), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL, CURLU.DEFAULT_PORT).value, 'HTTPS://h:443/');
});

test('host setter checks the name, normalises IPv6 and takes zone ids', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'http://h/', 0), CURLUE.OK);
  assert.equal(u.set(CURLUPART.HOST, 'a b'), CURLUE.BAD_HOSTNAME);
  assert.equal(u.set(CURLUPART.HOST, 'a b', CURLU.URLENCODE), CURLUE.BAD_HOSTNAME); // 7.88
  assert.equal(u.set(CURLUPART.HOST, ''), CURLUE.BAD_HOSTNAME);
  assert.equal(u.set(CURLUPART.HOST, 'a%00b'), CURLUE.BAD_HOSTNAME); // curl 8 decodes to check (7.88 took it)
  assert.equal(u.set(CURLUPART.HOST, '[::g]'), CURLUE.BAD_HOSTNAME);
  assert.equal(u.get(CURLUPART.HOST).value, 'h'); // failed sets change nothing
  assert.equal(u.set(CURLUPART.HOST, '0x7f.1'), CURLUE.OK); // 7.88: no IPv4 normalising on set(HOST)
  assert.equal(u.get(CURLUPART.URL).value, 'http://0x7f.1/');
  assert.equal(u.set(CURLUPART.HOST, 'a%41b'), CURLUE.OK); // stored as given, '%' escaped on output (7.88)
  assert.equal(u.get(CURLUPART.URL).value, 'http://a%2541b/');
  assert.equal(u.set(CURLUPART.HOST, '[0:0::1]'), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://[::1]/'); // 7.88
  assert.equal(u.set(CURLUPART.HOST, '[::1%25eth0]'), CURLUE.OK);
  assert.deepEqual(u.get(CURLUPART.HOST), { code: CURLUE.OK, value: '[::1]' }); // 7.88
  assert.deepEqual(u.get(CURLUPART.ZONEID), { code: CURLUE.OK, value: 'eth0' });
  assert.equal(u.get(CURLUPART.URL).value, 'http://[::1%25eth0]/');
  assert.equal(u.set(CURLUPART.HOST, 'example.org'), CURLUE.OK); // a new host drops the zone id
  assert.deepEqual(u.get(CURLUPART.ZONEID), { code: CURLUE.NO_ZONEID });
  assert.equal(u.set(CURLUPART.HOST, '', CURLU.NO_AUTHORITY), CURLUE.OK);
});

test('IPv6 literals: normalised only when shorter, zone id forms', () => {
  const cases: [string, number, string?, string?][] = [
    // 7.88, all of them
    ['http://[0:0::1]/', CURLUE.OK, 'http://[::1]/'],
    ['http://[::A]/', CURLUE.OK, 'http://[::A]/'],
    ['http://[ABCD:0:0::1]/', CURLUE.OK, 'http://[abcd::1]/'],
    ['http://[1:0:0:2:0:0:0:3]/', CURLUE.OK, 'http://[1:0:0:2::3]/'],
    ['http://[::0:0:1.2.3.4]/', CURLUE.OK, 'http://[::1.2.3.4]/'],
    ['http://[::ffff:1.2.3.4]/', CURLUE.OK, 'http://[::ffff:1.2.3.4]/'],
    ['http://[::102:304]/', CURLUE.OK, 'http://[::102:304]/'],
    ['http://[::]/', CURLUE.OK, 'http://[::]/'],
    ['http://[::1%25]/', CURLUE.OK, 'http://[::1%2525]/', '25'],
    ['http://[::1%2]/', CURLUE.OK, 'http://[::1%252]/', '2'],
    ['http://[fe80::1%eth0]:81/', CURLUE.OK, 'http://[fe80::1%25eth0]:81/', 'eth0'],
    ['http://[::1%25abcdefghijklmnop]/', CURLUE.BAD_IPV6],
    ['http://[::ffff:1.2.3.04]/', CURLUE.BAD_IPV6],
    ['http://[::1.2.3.4:1]/', CURLUE.BAD_IPV6],
    ['http://[1:]/', CURLUE.BAD_IPV6],
    ['http://[:1]/', CURLUE.BAD_IPV6],
  ];
  for (const [input, code, url, zone] of cases) {
    const u = new CurlUrl();
    assert.equal(u.set(CURLUPART.URL, input, 0), code, input);
    if (url !== undefined) assert.equal(u.get(CURLUPART.URL).value, url, input);
    if (zone !== undefined) assert.equal(u.get(CURLUPART.ZONEID).value, zone, input);
  }
});

test('get flags: URLDECODE, URLENCODE, PUNYCODE, DEFAULT_SCHEME, NO_GUESS_SCHEME', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'http://h/p%41?a+b%20c%41#f%zz', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.QUERY, CURLU.URLDECODE).value, 'a b cA'); // 7.88: plus too
  assert.equal(u.get(CURLUPART.PATH, CURLU.URLDECODE).value, '/pA');
  assert.equal(u.get(CURLUPART.FRAGMENT, CURLU.URLDECODE).value, 'f%zz'); // broken escapes stay
  assert.equal(u.get(CURLUPART.SCHEME, CURLU.URLDECODE).value, 'http');
  assert.equal(u.set(CURLUPART.URL, 'http://h/%00', 0), CURLUE.OK);
  assert.deepEqual(u.get(CURLUPART.PATH, CURLU.URLDECODE), { code: CURLUE.URLDECODE }); // 7.88

  assert.equal(u.set(CURLUPART.URL, 'http://h/\u00e9', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.URL).value, 'http://h/\u00e9'); // stored raw (7.88, curl url_effective)
  assert.equal(u.get(CURLUPART.PATH, CURLU.URLENCODE).value, '/%c3%a9'); // what goes on the wire

  assert.equal(u.set(CURLUPART.URL, 'http://r\u00e4ksm\u00f6rg\u00e5s.se/', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.HOST).value, 'r\u00e4ksm\u00f6rg\u00e5s.se');
  assert.equal(u.get(CURLUPART.HOST, CURLU.PUNYCODE).value, 'xn--rksmrgs-5wao1o.se'); // 7.88 (libidn2)
  assert.equal(u.get(CURLUPART.URL, CURLU.PUNYCODE).value, 'http://xn--rksmrgs-5wao1o.se/');
  assert.equal(u.get(CURLUPART.URL, CURLU.URLENCODE).value, 'http://r%C3%A4ksm%C3%B6rg%C3%A5s.se/');
  assert.equal(u.set(CURLUPART.URL, 'http://xn--rksmrgs-5wao1o.se/', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.HOST, CURLU.PUNY2IDN).value, 'r\u00e4ksm\u00f6rg\u00e5s.se');

  const g = new CurlUrl();
  assert.equal(g.set(CURLUPART.URL, 'ftp.example.com/x', CURLU.GUESS_SCHEME), CURLUE.OK);
  assert.equal(g.get(CURLUPART.URL).value, 'ftp://ftp.example.com/x');
  assert.deepEqual(g.get(CURLUPART.SCHEME, CURLU.NO_GUESS_SCHEME), { code: CURLUE.NO_SCHEME });
  assert.equal(g.get(CURLUPART.URL, CURLU.NO_GUESS_SCHEME).value, 'ftp.example.com/x');
  assert.equal(g.set(CURLUPART.SCHEME, 'ftp'), CURLUE.OK); // set explicitly: no longer a guess
  assert.equal(g.get(CURLUPART.SCHEME, CURLU.NO_GUESS_SCHEME).value, 'ftp');

  const d = new CurlUrl();
  assert.equal(d.set(CURLUPART.HOST, 'h'), CURLUE.OK);
  assert.deepEqual(d.get(CURLUPART.URL), { code: CURLUE.NO_SCHEME }); // 7.88
  assert.equal(d.get(CURLUPART.URL, CURLU.DEFAULT_SCHEME).value, 'https://h/'); // 7.88
});

test('login options only for schemes that take them', () => {
  const u = new CurlUrl();
  assert.equal(u.set(CURLUPART.URL, 'imap://u:p;auth=x@h/INBOX', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.OPTIONS).value, 'auth=x');
  assert.equal(u.set(CURLUPART.URL, 'http://u:p;o@h/', 0), CURLUE.OK);
  assert.equal(u.get(CURLUPART.PASSWORD).value, 'p;o');
  assert.equal(u.set(CURLUPART.OPTIONS, 'zz'), CURLUE.OK); // settable, but http URLs do not show it (7.88)
  assert.equal(u.get(CURLUPART.URL).value, 'http://u:p;o@h/');
  assert.equal(u.get(CURLUPART.OPTIONS).value, 'zz');
  assert.equal(u.set(CURLUPART.URL, 'http://u:p@h/', CURLU.DISALLOW_USER), CURLUE.USER_NOT_ALLOWED);
});

test('dup makes an independent copy; clearing URL empties the handle', () => {
  const a = curlUrl();
  assert.equal(a.set(CURLUPART.URL, 'https://h:8443/p?q#f', 0), CURLUE.OK);
  const b = a.dup();
  assert.equal(b.set(CURLUPART.PATH, '/other'), CURLUE.OK);
  assert.equal(a.get(CURLUPART.URL).value, 'https://h:8443/p?q#f');
  assert.equal(b.get(CURLUPART.URL).value, 'https://h:8443/other?q#f');
  assert.equal(a.set(CURLUPART.URL, null), CURLUE.OK);
  assert.deepEqual(a.get(CURLUPART.URL), { code: CURLUE.NO_HOST });
  assert.deepEqual(a.get(CURLUPART.PATH), { code: CURLUE.OK, value: '/' });
});

test('unknown parts, size limit, wrong types', () => {
  const u = new CurlUrl();
  assert.equal(u.set(42, 'x'), CURLUE.UNKNOWN_PART);
  assert.equal(u.set(42, null), CURLUE.UNKNOWN_PART);
  assert.deepEqual(u.get(42), { code: CURLUE.UNKNOWN_PART });
  // curl_url_set.md: inputs must be shorter than 8 million bytes.
  const long = 'http://h/' + 'a'.repeat(8000000);
  assert.equal(u.set(CURLUPART.URL, long, 0), CURLUE.MALFORMED_INPUT);
  assert.equal(u.set(CURLUPART.PATH, 'a'.repeat(8000001)), CURLUE.MALFORMED_INPUT);
  assert.equal(u.set(CURLUPART.URL, 'http://h/' + 'a'.repeat(100000), 0), CURLUE.OK);
  assert.throws(() => u.set(CURLUPART.URL, 5 as unknown as string), TypeError);
});

test('CURLUcode numbers and strerror texts match libcurl', () => {
  assert.equal(CURLUE.OK, 0);
  assert.equal(CURLUE.BAD_PORT_NUMBER, 4);
  assert.equal(CURLUE.NO_ZONEID, 18);
  assert.equal(CURLUE.BAD_USER, 29);
  assert.equal(CURLUE.TOO_LARGE, 31);
  assert.equal(Object.keys(CURLUE).length, 32);
  assert.deepEqual(Object.values(CURLUE), [...Array(32).keys()]);
  assert.equal(CURLU.NO_GUESS_SCHEME, 32768);
  assert.equal(CURLUPART.ZONEID, 10);
  // Texts as printed by libcurl 7.88.1's curl_url_strerror for 0..30.
  assert.equal(urlStrerror(CURLUE.OK), 'No error');
  assert.equal(urlStrerror(CURLUE.BAD_PORT_NUMBER), 'Port number was not a decimal number between 0 and 65535');
  assert.equal(urlStrerror(CURLUE.BAD_SLASHES), 'Unsupported number of slashes following scheme');
  assert.equal(urlStrerror(CURLUE.USER_NOT_ALLOWED), 'Credentials was passed in the URL when prohibited');
  assert.equal(urlStrerror(CURLUE.LACKS_IDN), 'libcurl lacks IDN support');
  assert.equal(urlStrerror(CURLUE.TOO_LARGE), 'A value or data field is larger than allowed');
  assert.equal(urlStrerror(99), 'CURLUcode unknown');
});
