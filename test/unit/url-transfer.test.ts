// parseTransferUrl: the engine's view of CURLOPT_URL. Expected CURLcodes
// were checked against the curl 7.88.1 tool's exit codes and url_effective
// (curl -g -w '%{url_effective} %{exitcode}'); the last test re-checks a
// sample live against /usr/bin/curl and a loopback listener when present.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { parseTransferUrl, ucToCurlcode, CURLUE, CURLU, CURLUPART } from '../../src/url/index.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

test('error codes as the curl tool exits', () => {
  const cases: [string, number][] = [
    ['ht!tp://x', 3],
    ['foo://127.0.0.1:1/', 1],
    ['http://127.0.0.1:1:80/', 3],
    ['http://127.0.0.1:99999/', 3],
    ['http://[::1/', 3],
    ['http:///', 3],
    ['http://u@/', 3],
    ['file://example.com/x', 3],
    ['http://127.0.0.1:1/a b', 3],
    ['http://a b/', 3],
    ['//127.0.0.1:1/x', 3],
    ['http:////127.0.0.1:1/', 3],
    ['foo://127.0.0.1:1/', 1], // a scheme curl's URL API does not know
    ['http://h/\u0001', 3],
  ];
  for (const [url, code] of cases) assert.deepEqual(parseTransferUrl(url), { code }, url);
});

test('parsed transfer URLs', () => {
  const cases: [string, Partial<Record<string, unknown>>][] = [
    ['http://127.0.0.1:8080/a?', { href: 'http://127.0.0.1:8080/a', path: '/a?' }], // curl sends "GET /a?"
    ['http://127.0.0.1:8080/a/../b/./c?x#frag', { href: 'http://127.0.0.1:8080/b/c?x#frag', path: '/b/c?x', fragment: 'frag' }],
    ['127.0.0.1:8080/x', { scheme: 'http', href: 'http://127.0.0.1:8080/x', port: 8080 }],
    ['http://0x7f.1:8080/', { host: '127.0.0.1', href: 'http://127.0.0.1:8080/' }],
    ['http://127.0.0.1', { href: 'http://127.0.0.1/', path: '/', port: 80 }],
    ['HTTPS://Example.com/', { scheme: 'https', host: 'Example.com', port: 443, href: 'https://Example.com/' }],
    ['http://u%3a:p%40ss@127.0.0.1/%7e', { user: 'u:', password: 'p@ss', path: '/%7e', href: 'http://u%3a:p%40ss@127.0.0.1/%7e' }],
    ['http://127.0.0.1/\u00e9', { path: '/%c3%a9', href: 'http://127.0.0.1/\u00e9' }], // wire vs url_effective
    ['http:/127.0.0.1:8080/one', { href: 'http://127.0.0.1:8080/one' }],
    ['http://127.1/q?a+b#f', { host: '127.0.0.1', path: '/q?a+b', href: 'http://127.0.0.1/q?a+b#f' }],
    ['file:///etc/hostname', { scheme: 'file', host: '', port: 0, path: '/etc/hostname', href: 'file:///etc/hostname' }],
    ['file://localhost/etc/hostname', { href: 'file:///etc/hostname' }],
    ['http://[::1]:8080/', { host: '::1', ipv6: true, port: 8080, href: 'http://[::1]:8080/' }],
    ['http://[fe80::1%25eth0]/', { host: 'fe80::1', zoneid: 'eth0', ipv6: true }],
    ['http://h:/', { href: 'http://h/', port: 80 }],
    ['http://127.0.0.1/a/%2e%2e/b', { path: '/a/%2e%2e/b' }],
  ];
  for (const [input, want] of cases) {
    const r = parseTransferUrl(input);
    assert.equal(r.code, 0, input);
    assert.ok(r.url, input);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((r.url as unknown as Record<string, unknown>)[k], v, `${k} of ${input}`);
  }
});

test('options: default protocol, path as is, disallow user', () => {
  assert.equal(parseTransferUrl('example.com/x', { defaultProtocol: 'https' }).url?.href, 'https://example.com/x');
  assert.equal(parseTransferUrl('http://h/x', { defaultProtocol: 'https' }).url?.href, 'http://h/x');
  assert.equal(parseTransferUrl('ftp.h/x', { defaultProtocol: 'https' }).url?.scheme, 'https');
  assert.equal(parseTransferUrl('http://h/a/../b', { pathAsIs: true }).url?.path, '/a/../b');
  assert.equal(parseTransferUrl('http://h/a/../b').url?.path, '/b');
  assert.equal(parseTransferUrl('http://u:p@h/', { disallowUser: true }).code, 67); // CURLE_LOGIN_DENIED
  assert.equal(parseTransferUrl('http://u%00:p@h/').code, 3); // control byte in decoded user
});

test('the handle can follow a redirect', () => {
  const r = parseTransferUrl('http://127.0.0.1:8080/dir/page?x');
  assert.ok(r.url);
  assert.equal(r.url.handle.set(CURLUPART.URL, '../other b', CURLU.URLENCODE | CURLU.ALLOW_SPACE), CURLUE.OK);
  assert.equal(r.url.handle.get(CURLUPART.URL).value, 'http://127.0.0.1:8080/other%20b');
});

test('Curl_uc_to_curlcode mapping', () => {
  assert.equal(ucToCurlcode(CURLUE.OK), 0);
  assert.equal(ucToCurlcode(CURLUE.UNSUPPORTED_SCHEME), 1);
  assert.equal(ucToCurlcode(CURLUE.OUT_OF_MEMORY), 27);
  assert.equal(ucToCurlcode(CURLUE.USER_NOT_ALLOWED), 67);
  for (const uc of [CURLUE.MALFORMED_INPUT, CURLUE.BAD_PORT_NUMBER, CURLUE.BAD_HOSTNAME, CURLUE.NO_HOST]) assert.equal(ucToCurlcode(uc), 3);
});

/** Run real curl against a loopback listener; resolves with url_effective, exit code and the request line. */
function realCurl(url: string, port: number, seen: string[]): Promise<{ effective: string; exit: number; line: string | undefined }> {
  return new Promise((resolve) => {
    const before = seen.length;
    execFile('/usr/bin/curl', ['-gs', '--max-time', '5', '-o', '/dev/null', '-w', '%{url_effective} %{exitcode}', url.replace('PORT', String(port))],
      (_err, stdout) => {
        const i = stdout.lastIndexOf(' ');
        resolve({ effective: stdout.slice(0, i), exit: Number(stdout.slice(i + 1)), line: seen[before] });
      });
  });
}

test('sample agrees with /usr/bin/curl on a loopback listener', { skip: NO_CURL }, async () => {
  const seen: string[] = [];
  const server = net.createServer((c) => {
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      seen.push(buf.slice(0, buf.indexOf('\r\n')));
      c.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    for (const url of [
      'http://127.0.0.1:PORT/a/../b/./c?x#frag',
      'http://0x7f.1:PORT/',
      '127.0.0.1:PORT/x?',
      'http://127.1:PORT/%7e/\u00e9',
      'http://127.0.0.1:PORT:1/',
      'ht!tp://127.0.0.1:PORT/',
    ]) {
      const real = await realCurl(url, port, seen);
      const mine = parseTransferUrl(url.replace('PORT', String(port)));
      assert.equal(mine.code, real.exit, url);
      if (mine.url) {
        assert.equal(mine.url.href, real.effective, url);
        assert.equal(`GET ${mine.url.path} HTTP/1.1`, real.line, url);
      }
    }
  } finally {
    server.close();
  }
});
