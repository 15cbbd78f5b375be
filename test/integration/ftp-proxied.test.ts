// FTP through proxies that tunnel (libcurl's SECONDARYSOCKET filters): with
// HTTPPROXYTUNNEL the data connection opens a CONNECT of its own to the
// URL's host at the data port; through SOCKS4/5 it makes its own SOCKS
// handshake. The proxies map every name to 127.0.0.1, so the test server's
// data port is reached only through them; the proxies' logs show each leg.
// A forwarding HTTP proxy gets a GET of the ftp:// URL, as libcurl sends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { startSocksServer } from '../helpers/socks-server.js';

const PROXY_TYPE_SOCKS4 = 4;
const PROXY_TYPE_SOCKS5_HOSTNAME = 7;

test('HTTPPROXYTUNNEL: the control and the data connection each CONNECT to the URL host; a listing and a download', async () => {
  const srv = await startFtpServer({ files: { '/d/f.txt': 'tunneled file\n' } });
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    const headers: string[] = [];
    let r = await fetchUrl(`ftp://ftp.invalid:${srv.port}/d/f.txt`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.HEADERFUNCTION, (l: Buffer) => (headers.push(l.toString('latin1')), l.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'tunneled file\n');
    const targets = proxy.requests.map((q) => `${q.method} ${q.target}`);
    assert.equal(targets.length, 2);
    assert.equal(targets[0], `CONNECT ftp.invalid:${srv.port}`);
    assert.match(targets[1]!, /^CONNECT ftp\.invalid:\d+$/);
    assert.notEqual(targets[1], targets[0]);
    // both tunnels' responses reach the header callback, as in libcurl (curl case 714's output)
    assert.equal(headers.filter((h) => h.startsWith('HTTP/1.1 200')).length, 2);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
    // the control connection is kept: the next transfer's data connection tunnels again
    r = await fetchUrl(`ftp://ftp.invalid:${srv.port}/d/`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    });
    assert.equal(r.code, CURLE.OK);
    assert.match(r.body, /f\.txt/);
    assert.equal(proxy.requests.length, 4);
    r.easy.cleanup();
  } finally {
    await proxy.close();
    await srv.close();
  }
});

test('a refused data CONNECT fails the transfer with the proxy\'s code', async () => {
  const srv = await startFtpServer({ files: { '/f': 'x' } });
  let n = 0;
  const proxy = await startProxyServer(() => (n++ === 0 ? { tunnel: true } : { data: 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n' }));
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    });
    assert.equal(r.code, CURLE.COULDNT_CONNECT);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 403);
    assert.ok(!srv.commands.includes('RETR f'));
    r.easy.cleanup();
  } finally {
    await proxy.close();
    await srv.close();
  }
});

test('SOCKS5 (hostname) and SOCKS4: the data connection makes its own handshake to the data port', async () => {
  const srv = await startFtpServer({ files: { '/f.bin': 'socks data' } });
  const socks = await startSocksServer();
  try {
    for (const [type, host] of [[PROXY_TYPE_SOCKS5_HOSTNAME, 'ftp.invalid'], [PROXY_TYPE_SOCKS4, '127.0.0.1']] as const) {
      socks.requests.length = 0;
      const r = await fetchUrl(`ftp://${host}:${srv.port}/f.bin`, (e) => {
        e.setopt(CURLOPT.PROXY, `127.0.0.1:${socks.port}`);
        e.setopt(CURLOPT.PROXYTYPE, type);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'socks data');
      assert.equal(socks.requests.length, 2);
      assert.deepEqual(socks.requests.map((q) => q.host), [host, host]);
      assert.equal(socks.requests[0]!.port, srv.port);
      assert.notEqual(socks.requests[1]!.port, srv.port);
      r.easy.cleanup();
    }
  } finally {
    await socks.close();
    await srv.close();
  }
});

test('through a forwarding HTTP proxy: a GET of the ftp:// URL with its port in Host, -u in the URL; getinfo says HTTP', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\nProxy-Connection: Keep-Alive\r\n\r\nabc' }));
  try {
    const e = new Easy();
    for (const path of ['/one', '/two']) {
      e.setopt(CURLOPT.URL, `ftp://ftp.invalid${path}`);
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.USERPWD, 'mich al:pass');
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      assert.equal(await e.perform(), CURLE.OK);
      // libcurl switches such a transfer to its HTTP handler
      assert.equal(e.getinfo(CURLINFO.SCHEME), 'HTTP');
      assert.equal(e.getinfo(CURLINFO.PROTOCOL), 1);
    }
    const heads = proxy.requests.map((q) => q.head.split('\r\n').slice(0, 3));
    assert.deepEqual(heads[0], ['GET ftp://mich%20al:pass@ftp.invalid/one HTTP/1.1', 'Host: ftp.invalid:21', 'Authorization: Basic bWljaCBhbDpwYXNz']);
    // "Proxy-Connection: Keep-Alive" kept the HTTP/1.0 proxy's connection: the next request on it says HTTP/1.0
    assert.equal(proxy.connections, 1);
    assert.equal(heads[1]![0], 'GET ftp://mich%20al:pass@ftp.invalid/two HTTP/1.0');
    e.cleanup();
  } finally {
    await proxy.close();
  }
});
