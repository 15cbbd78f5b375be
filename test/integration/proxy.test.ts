// HTTP proxies end to end over loopback: forwarded requests byte for byte
// next to /usr/bin/curl (7.88.1), proxy authentication (Basic, Digest, 407
// negotiation), CONNECT tunnels to HTTP and HTTPS origins (also with a 407
// first, on the same connection or a new one), refusals, credentials kept
// apart (Proxy-Authorization never reaches the origin, Authorization never
// goes into a CONNECT), NOPROXY, and http_proxy read by the library itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Easy, Multi, CURLOPT, CURLE, CURLINFO, CURLAUTH, CURLH, CURLPROXY } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startProxyServer, proxyAuthRequired, type ProxyRequest } from '../helpers/proxy-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { testCerts } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { requireProgram } from '../helpers/requires.js';

const CURL = '/usr/bin/curl';
const NO_CURL = requireProgram('curl', 'curl');
const NO_OPENSSL = requireProgram('openssl', 'openssl');
const UA = 'proxy-test/1.0';

/** Run curl asynchronously: the test servers live in this process's event loop. */
function curl(args: string[]): Promise<void> {
  return new Promise((resolve) => execFile(CURL, ['-s', '-o', '/dev/null', '-A', UA, ...args], { timeout: 10_000, env: {} }, () => resolve()));
}

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');

test('forwarded GET: absolute URL, Proxy-Connection, Proxy-Authorization before Authorization, the same bytes as curl', { skip: NO_CURL }, async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }));
  try {
    const url = 'http://u:p@origin.example:8080/a/b?q=1#frag';
    const args = ['-x', `127.0.0.1:${proxy.port}`, '-U', 'pu:pp', '-H', 'X-Server: s', '--proxy-header', 'X-Proxy: p', '-e', 'ref'];
    await curl([...args, url]);
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.PROXYUSERPWD, 'pu:pp');
      e.setopt(CURLOPT.HTTPHEADER, ['X-Server: s']);
      e.setopt(CURLOPT.PROXYHEADER, ['X-Proxy: p']);
      e.setopt(CURLOPT.REFERER, 'ref');
      e.setopt(CURLOPT.USERAGENT, UA);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'ok');
    assert.equal(proxy.requests.length, 2);
    assert.equal(proxy.requests[1]!.head, proxy.requests[0]!.head);
    assert.equal(proxy.requests[1]!.head,
      'GET http://origin.example:8080/a/b?q=1 HTTP/1.1\r\nHost: origin.example:8080\r\n' +
      `Proxy-Authorization: Basic ${b64('pu:pp')}\r\nAuthorization: Basic ${b64('u:p')}\r\n` +
      `User-Agent: ${UA}\r\nAccept: */*\r\nReferer: ref\r\nProxy-Connection: Keep-Alive\r\nX-Server: s\r\nX-Proxy: p\r\n\r\n`);
    assert.equal(r.easy.getinfo(CURLINFO.USED_PROXY), 1);
  } finally {
    await proxy.close();
  }
});

test('proxy URL forms: credentials in the proxy URL (URL-decoded), default port 1080 from PROXYPORT, scheme-less host', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  try {
    let r = await fetchUrl('http://o.example/', (e) => e.setopt(CURLOPT.PROXY, `http://us%40er:pa%3Ass@127.0.0.1:${proxy.port}`));
    assert.equal(r.code, CURLE.OK);
    assert.equal(proxy.requests[0]!.headers.get('proxy-authorization'), `Basic ${b64('us@er:pa:ss')}`);
    r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, '127.0.0.1');
      e.setopt(CURLOPT.PROXYPORT, proxy.port);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(proxy.requests[1]!.target, 'http://o.example/');
    // nothing listens on 127.0.0.1:1080 here, and the message names the proxy
    r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, '127.0.0.1');
      e.setopt(CURLOPT.CONNECTTIMEOUT_MS, 3000);
    });
    if (r.code === CURLE.COULDNT_CONNECT) assert.match(r.easy.errorBuffer, /^Failed to connect to 127\.0\.0\.1 port 1080 after \d+ ms/);
    const dns = await startDnsServer({});
    r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, 'no-such-proxy.invalid');
      e.setopt(CURLOPT.DNS_SERVERS, dns.address);
    });
    await dns.close();
    assert.equal(r.code, CURLE.COULDNT_RESOLVE_PROXY);
    assert.equal(r.easy.errorBuffer, 'Could not resolve proxy: no-such-proxy.invalid');
    r = await fetchUrl('http://o.example/', (e) => e.setopt(CURLOPT.PROXY, 'ftp://127.0.0.1:1'));
    assert.equal(r.code, CURLE.COULDNT_CONNECT);
    // an HTTPS proxy is built in: nothing listens there
    r = await fetchUrl('http://o.example/', (e) => e.setopt(CURLOPT.PROXY, 'https://127.0.0.1:1'));
    assert.equal(r.code, CURLE.COULDNT_CONNECT);
  } finally {
    await proxy.close();
  }
});

/** Digest check on the proxy side. */
function digestValid(auth: string, method: string, password: string): { ok: boolean; uri: string } {
  const p = new Map<string, string>();
  for (const m of auth.replace(/^Digest /, '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) p.set(m[1]!, m[2] ?? m[3] ?? '');
  const H = (s: string): string => createHash('md5').update(s).digest('hex');
  const ha1 = H(`${p.get('username')}:${p.get('realm')}:${password}`);
  const ha2 = H(`${method}:${p.get('uri')}`);
  const expect = p.has('qop') ? H(`${ha1}:${p.get('nonce')}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`) : H(`${ha1}:${p.get('nonce')}:${ha2}`);
  return { ok: expect === p.get('response'), uri: p.get('uri') ?? '' };
}

test('forwarded request: 407 then Digest (PROXYAUTH), the retry answers the proxy\'s nonce', async () => {
  const proxy = await startProxyServer((r) => {
    const a = r.headers.get('proxy-authorization');
    if (a?.startsWith('Digest ') && digestValid(a, r.method, 'secret').ok) return { data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes' };
    return proxyAuthRequired('Digest realm="px", nonce="n0nce", qop="auth"');
  });
  try {
    const r = await fetchUrl('http://o.example/doc?x=1', (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.PROXYUSERNAME, 'alice');
      e.setopt(CURLOPT.PROXYPASSWORD, 'secret');
      e.setopt(CURLOPT.PROXYAUTH, CURLAUTH.DIGEST);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'yes');
    assert.equal(proxy.requests.length, 2);
    assert.equal(proxy.requests[0]!.headers.get('proxy-authorization'), undefined);
    assert.equal(digestValid(proxy.requests[1]!.headers.get('proxy-authorization')!, 'GET', 'secret').uri, '/doc?x=1');
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.PROXYAUTH_AVAIL), CURLAUTH.DIGEST);
    assert.equal(r.easy.getinfo(CURLINFO.PROXYAUTH_USED), CURLAUTH.DIGEST);
  } finally {
    await proxy.close();
  }
});

test('forwarded request: a 407 to wrong Basic credentials is the result, FAILONERROR makes it error 22', async () => {
  const proxy = await startProxyServer(() => proxyAuthRequired('Basic realm="px"'));
  try {
    let r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.PROXYUSERPWD, 'a:b');
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 407);
    assert.equal(proxy.requests.length, 1);
    r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.FAILONERROR, 1);
    });
    assert.equal(r.code, CURLE.HTTP_RETURNED_ERROR);
  } finally {
    await proxy.close();
  }
});

test('forwarded requests to different origins share one proxy connection', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx' }));
  try {
    const { Easy } = await import('../../src/index.js');
    const e = new Easy();
    try {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      for (const host of ['a.example', 'b.example']) {
        e.setopt(CURLOPT.URL, `http://${host}/`);
        assert.equal(await e.perform(), CURLE.OK);
      }
      assert.deepEqual(proxy.requests.map((r) => r.target), ['http://a.example/', 'http://b.example/']);
      assert.equal(proxy.connections, 1);
    } finally {
      e.cleanup();
    }
  } finally {
    await proxy.close();
  }
});

test('CONNECT tunnel to an HTTP origin: curl\'s CONNECT bytes, Authorization only inside the tunnel, the CONNECT response to the header callback', { skip: NO_CURL }, async () => {
  const origin = await startRawServer(() => ok('tunneled'));
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    const url = `http://u:p@tunnel.example:${origin.port}/t`;
    await curl(['-p', '-x', `127.0.0.1:${proxy.port}`, '-U', 'pu:pp', '--proxy-header', 'X-P: 1', url]);
    const headers: string[] = [];
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXYUSERPWD, 'pu:pp');
      e.setopt(CURLOPT.PROXYHEADER, ['X-P: 1']);
      e.setopt(CURLOPT.USERAGENT, UA);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'tunneled');
    assert.equal(proxy.requests.length, 2);
    assert.equal(proxy.requests[1]!.head, proxy.requests[0]!.head);
    assert.equal(proxy.requests[1]!.head, `CONNECT tunnel.example:${origin.port} HTTP/1.1\r\nHost: tunnel.example:${origin.port}\r\n` +
      `Proxy-Authorization: Basic ${b64('pu:pp')}\r\nUser-Agent: ${UA}\r\nProxy-Connection: Keep-Alive\r\nX-P: 1\r\n\r\n`);
    assert.equal(origin.requests[1]!.head, origin.requests[0]!.head);
    assert.equal(origin.requests[1]!.head, `GET /t HTTP/1.1\r\nHost: tunnel.example:${origin.port}\r\n` +
      `Authorization: Basic ${b64('u:p')}\r\nUser-Agent: ${UA}\r\nAccept: */*\r\n\r\n`);
    assert.deepEqual(headers.slice(0, 2), ['HTTP/1.1 200 Connection established\r\n', '\r\n']);
    assert.equal(headers[2], 'HTTP/1.1 200 OK\r\n');
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CONNECT response headers: SUPPRESS_CONNECT_HEADERS keeps them from the callback; the header API has them as CURLH_CONNECT', async () => {
  const origin = await startRawServer(() => ok('x'));
  const proxy = await startProxyServer(() => ({ tunnel: true, statusLine: 'HTTP/1.1 200 Fine', extraHeaders: 'Via: test-proxy\r\n' }));
  try {
    const run = async (suppress: number) => {
      const headers: string[] = [];
      const r = await fetchUrl(`http://t.example:${origin.port}/`, (e) => {
        e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
        e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
        e.setopt(CURLOPT.SUPPRESS_CONNECT_HEADERS, suppress);
        e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
      });
      assert.equal(r.code, CURLE.OK);
      return { headers, easy: r.easy };
    };
    const a = await run(0);
    assert.deepEqual(a.headers.slice(0, 3), ['HTTP/1.1 200 Fine\r\n', 'Via: test-proxy\r\n', '\r\n']);
    assert.equal(a.easy.header('Via', 0, CURLH.CONNECT, -1).header?.value, 'test-proxy');
    const b = await run(1);
    assert.equal(b.headers[0], 'HTTP/1.1 200 OK\r\n');
    assert.equal(b.easy.header('Via', 0, CURLH.CONNECT, -1).header, undefined);
    assert.equal(b.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('https:// through an HTTP proxy always tunnels; TLS over the tunnel verifies the origin with the test CA', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startTlsServer(certs.server);
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    const sockets = new Set<number>();
    const r = await fetchUrl(`https://localhost:${origin.port}/s`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.CAINFO, certs.caFile);
      e.setopt(CURLOPT.XFERINFOFUNCTION, () => {
        const s = e.getinfo(CURLINFO.ACTIVESOCKET);
        if (s !== -1) sockets.add(s);
        return 0;
      });
      e.setopt(CURLOPT.NOPROGRESS, 0);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'secure');
    assert.equal(proxy.requests[0]!.method, 'CONNECT');
    assert.equal(proxy.requests[0]!.target, `localhost:${origin.port}`);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
    assert.ok(sockets.size <= 1, 'one curl_socket_t from connect to the end');
    // the proxy is no TLS server for the origin's name: verification still applies to the origin
    const bad = await fetchUrl(`https://localhost:${origin.port}/s`, (e) => e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`));
    assert.equal(bad.code, CURLE.PEER_FAILED_VERIFICATION);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

for (const close of [false, true]) {
  test(`CONNECT: 407 then Basic with PROXYAUTH ANY, ${close ? 'on a new connection (the proxy closed)' : 'on the same connection'}`, async () => {
    const origin = await startRawServer(() => ok('in'));
    const proxy = await startProxyServer((r: ProxyRequest) =>
      r.headers.get('proxy-authorization') === `Basic ${b64('pu:pp')}` ? { tunnel: true } : proxyAuthRequired('Basic realm="p"', { close }));
    try {
      const r = await fetchUrl(`http://o.example:${origin.port}/`, (e) => {
        e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
        e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
        e.setopt(CURLOPT.PROXYUSERPWD, 'pu:pp');
        e.setopt(CURLOPT.PROXYAUTH, CURLAUTH.ANY);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'in');
      assert.equal(proxy.requests.length, 2);
      assert.equal(proxy.requests[0]!.headers.get('proxy-authorization'), undefined);
      assert.equal(proxy.connections, close ? 2 : 1);
      assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
      assert.equal(origin.requests[0]!.headers.get('proxy-authorization'), undefined);
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
}

test('CONNECT: Digest with the proxy, uri is host:port', async () => {
  const origin = await startRawServer(() => ok('d'));
  const proxy = await startProxyServer((r) => {
    const a = r.headers.get('proxy-authorization');
    return a && digestValid(a, 'CONNECT', 'pw').ok ? { tunnel: true } : proxyAuthRequired('Digest realm="r", nonce="abc"');
  });
  try {
    const r = await fetchUrl(`http://d.example:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXYUSERPWD, 'me:pw');
      e.setopt(CURLOPT.PROXYAUTH, CURLAUTH.DIGEST);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(digestValid(proxy.requests[1]!.headers.get('proxy-authorization')!, 'CONNECT', 'pw').uri, `d.example:${origin.port}`);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CONNECT refused: CURLE_COULDNT_CONNECT "CONNECT tunnel failed, response 403", HTTP_CONNECTCODE 403', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope' }));
  try {
    const headers: string[] = [];
    const r = await fetchUrl('http://o.example/', (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
    });
    assert.equal(r.code, CURLE.COULDNT_CONNECT);
    assert.equal(r.easy.errorBuffer, 'CONNECT tunnel failed, response 403');
    assert.equal(r.body, '');
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 403);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 0);
    assert.deepEqual(headers, ['HTTP/1.1 403 Forbidden\r\n', 'Content-Length: 4\r\n', '\r\n']);
  } finally {
    await proxy.close();
  }
});

test('NOPROXY: listed hosts, domain suffixes, CIDR and "*" go direct; others through the proxy', async () => {
  const origin = await startRawServer(() => ok('direct'));
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied' }));
  try {
    const via = async (url: string, noproxy: string) =>
      (await fetchUrl(url, (e) => {
        e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
        e.setopt(CURLOPT.NOPROXY, noproxy);
      })).body;
    assert.equal(await via(`http://127.0.0.1:${origin.port}/`, '127.0.0.0/8'), 'direct');
    assert.equal(await via(`http://127.0.0.1:${origin.port}/`, 'example.com, 127.0.0.1'), 'direct');
    assert.equal(await via(`http://127.0.0.1:${origin.port}/`, '*'), 'direct');
    assert.equal(await via(`http://localhost:${origin.port}/`, 'host'), 'proxied');
    assert.equal(await via(`http://localhost:${origin.port}/`, 'example.com,.localhost'), 'direct');
    assert.equal(await via(`http://nonexample.com:${origin.port}/`, 'example.com'), 'proxied');
    assert.equal(await via(`http://127.0.0.1:${origin.port}/`, '10.0.0.0/8'), 'proxied');
    assert.equal(await via(`http://127.0.0.1:${origin.port}/`, ''), 'proxied');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('the library reads http_proxy (lowercase only), all_proxy and no_proxy when PROXY is unset; PROXY "" disables them', async () => {
  const origin = await startRawServer(() => ok('direct'));
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied' }));
  const saved = { ...process.env };
  try {
    for (const k of ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']) delete process.env[k];
    const url = `http://127.0.0.1:${origin.port}/`;
    process.env['HTTP_PROXY'] = `127.0.0.1:${proxy.port}`;
    assert.equal((await fetchUrl(url)).body, 'direct', 'HTTP_PROXY is not read');
    process.env['http_proxy'] = `http://127.0.0.1:${proxy.port}`;
    assert.equal((await fetchUrl(url)).body, 'proxied');
    assert.equal((await fetchUrl(url, (e) => e.setopt(CURLOPT.PROXY, ''))).body, 'direct');
    process.env['no_proxy'] = '127.0.0.1';
    assert.equal((await fetchUrl(url)).body, 'direct');
    assert.equal((await fetchUrl(url, (e) => e.setopt(CURLOPT.NOPROXY, ''))).body, 'proxied');
    delete process.env['no_proxy'];
    delete process.env['http_proxy'];
    process.env['ALL_PROXY'] = `127.0.0.1:${proxy.port}`;
    assert.equal((await fetchUrl(url)).body, 'proxied');
  } finally {
    for (const k of ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await proxy.close();
    await origin.close();
  }
});

test('PROXYTYPE HTTP_1_0: the CONNECT says HTTP/1.0', async () => {
  const origin = await startRawServer(() => ok('v'));
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    const r = await fetchUrl(`http://o.example:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.PROXYTYPE, CURLPROXY.HTTP_1_0);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    });
    assert.equal(r.code, CURLE.OK);
    assert.match(proxy.requests[0]!.head, /^CONNECT o\.example:\d+ HTTP\/1\.0\r\n/);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('one Multi: a proxy variable set between two perform() calls applies to the next transfer', async () => {
  const origin = await startRawServer(() => ok('direct'));
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied' }));
  const saved = process.env['http_proxy'];
  const multi = new Multi();
  try {
    delete process.env['http_proxy'];
    const run = async (): Promise<string> => {
      const e = new Easy();
      let body = '';
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${origin.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString('latin1')), d.length));
      multi.addHandle(e);
      for (let i = 0; i < 1000; i++) {
        multi.perform();
        const m = multi.infoRead();
        if (m) {
          assert.equal(m.result, CURLE.OK);
          multi.removeHandle(e);
          e.cleanup();
          return body;
        }
        await multi.poll(100);
      }
      throw new Error('transfer did not finish');
    };
    assert.equal(await run(), 'direct');
    process.env['http_proxy'] = `http://127.0.0.1:${proxy.port}`;
    assert.equal(await run(), 'proxied');
    delete process.env['http_proxy'];
    assert.equal(await run(), 'direct');
  } finally {
    if (saved === undefined) delete process.env['http_proxy'];
    else process.env['http_proxy'] = saved;
    multi.cleanup();
    await proxy.close();
    await origin.close();
  }
});
