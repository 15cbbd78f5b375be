// HTTPS proxies: TLS to the proxy (PROXY_* TLS options), then forwarded
// requests or a CONNECT tunnel, then TLS again to an https:// origin (TLS
// inside TLS), each handshake verified with its own settings. The proxy is a
// TLS-speaking forward proxy the test starts on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO, CURL_IPRESOLVE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { testCerts } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

test('http:// through an HTTPS proxy: TLS to the proxy verified with PROXY_CAINFO, the request forwarded inside it', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startRawServer(() => ok('plain origin'));
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nforwarded' }), { tls: certs.server });
  try {
    let lines: string[] = [];
    const r = await fetchUrl(`http://o.example:${origin.port}/a`, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${proxy.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
      lines = verboseLines(e);
    });
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'forwarded');
    assert.equal(proxy.requests.length, 1);
    assert.equal(proxy.requests[0]!.target, `http://o.example:${origin.port}/a`);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_SSL_VERIFYRESULT), 0);
    // no TLS with the origin: no appconnect time
    assert.equal(r.easy.getinfo(CURLINFO.APPCONNECT_TIME_T), 0);
    // traced as curl 7.88 does: a "Proxy certificate:" block, no ALPN offered to the proxy
    assert.ok(lines.some((l) => /^SSL connection using TLS/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('Proxy certificate:'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('ALPN: offers')), lines.join('\n'));
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('https:// through an HTTPS proxy: TLS inside TLS, each end verified with its own CA option, one socket', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startTlsServer(certs.server);
  const proxy = await startProxyServer(() => ({ tunnel: true }), { tls: certs.server });
  try {
    const sockets = new Set<number>();
    const r = await fetchUrl(`https://localhost:${origin.port}/s`, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${proxy.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
      e.setopt(CURLOPT.CAINFO, certs.caFile);
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.XFERINFOFUNCTION, () => {
        const s = e.getinfo(CURLINFO.ACTIVESOCKET);
        if (s !== -1) sockets.add(s);
        return 0;
      });
    });
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'secure');
    assert.equal(proxy.requests[0]!.method, 'CONNECT');
    assert.equal(proxy.requests[0]!.target, `localhost:${origin.port}`);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_CONNECTCODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.SSL_VERIFYRESULT), 0);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_SSL_VERIFYRESULT), 0);
    assert.ok((r.easy.getinfo(CURLINFO.APPCONNECT_TIME_T) as number) > 0);
    assert.equal(sockets.size, 1, 'one curl_socket_t from connect to the end');
    // the origin's CA option is not the proxy's: without PROXY_CAINFO the proxy is not trusted
    const noProxyCa = await fetchUrl(`https://localhost:${origin.port}/s`, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${proxy.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.CAINFO, certs.caFile);
    });
    assert.equal(noProxyCa.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.notEqual(noProxyCa.easy.getinfo(CURLINFO.PROXY_SSL_VERIFYRESULT), 0);
    // and the proxy's CA option is not the origin's
    const noOriginCa = await fetchUrl(`https://localhost:${origin.port}/s`, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${proxy.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
    });
    assert.equal(noOriginCa.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.equal(noOriginCa.easy.getinfo(CURLINFO.PROXY_SSL_VERIFYRESULT), 0);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('an HTTPS proxy with a bad certificate: 60 (wrong name, untrusted), PROXY_SSL_VERIFYPEER/HOST 0 go on; PROXY_PINNEDPUBLICKEY mismatch is 90', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startRawServer(() => ok('x'));
  const wrong = await startProxyServer(() => ({ tunnel: true }), { tls: certs.wrongName });
  const self = await startProxyServer(() => ({ tunnel: true }), { tls: certs.selfSigned });
  try {
    const url = `http://o.example:${origin.port}/`;
    let r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${wrong.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
    });
    assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
    assert.match(r.easy.errorBuffer, /certificate/i);
    assert.equal(wrong.requests.length, 0, 'no CONNECT over an unverified proxy session');
    r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${self.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
    });
    assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
    r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${self.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXY_SSL_VERIFYPEER, 0);
      e.setopt(CURLOPT.PROXY_SSL_VERIFYHOST, 0);
    });
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'x');
    r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${wrong.port}`);
      e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4); // the servers listen on 127.0.0.1 only; ::1 may be another test's
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXY_SSL_VERIFYPEER, 0);
      e.setopt(CURLOPT.PROXY_SSL_VERIFYHOST, 0);
      e.setopt(CURLOPT.PROXY_PINNEDPUBLICKEY, 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    });
    assert.equal(r.code, CURLE.SSL_PINNEDPUBKEYNOTMATCH);
  } finally {
    await wrong.close();
    await self.close();
    await origin.close();
  }
});

test('tscurl -x https://... with --proxy-cacert and --proxy-insecure, exit 60 without them', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startTlsServer(certs.server, { body: 'via https proxy' });
  const proxy = await startProxyServer(() => ({ tunnel: true }), { tls: certs.server });
  try {
    const url = `https://localhost:${origin.port}/`;
    const good = await tscurl(['-sS', '-4', '-x', `https://localhost:${proxy.port}`, '--proxy-cacert', certs.caFile, '--cacert', certs.caFile, url]);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, 'via https proxy');
    const insecure = await tscurl(['-sS', '-4', '-x', `https://localhost:${proxy.port}`, '--proxy-insecure', '--cacert', certs.caFile, url]);
    assert.equal(insecure.code, 0, insecure.stderr);
    const bad = await tscurl(['-sS', '-4', '-x', `https://localhost:${proxy.port}`, '--cacert', certs.caFile, url]);
    assert.equal(bad.code, 60);
    assert.match(bad.stderr, /^tscurl: \(60\) /m);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CVE-2021-22890: an HTTPS proxy\'s TLS session is never resumed with an origin at the same host and port', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  // one TLS server that answers a forwarded request as a proxy and a direct one as an origin
  const both = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }), { tls: certs.server });
  const e = new Easy();
  try {
    const lines = verboseLines(e);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.IPRESOLVE, CURL_IPRESOLVE.V4);
    e.setopt(CURLOPT.FORBID_REUSE, 1);
    const resumed = async (setup: () => void): Promise<boolean> => {
      lines.length = 0;
      setup();
      assert.equal(await e.perform(), CURLE.OK, e.errorBuffer ?? '');
      return lines.includes('SSL re-using session ID');
    };
    // the same CA file for both ends: the TLS settings are the same, only the role differs
    e.setopt(CURLOPT.PROXY_CAINFO, certs.caFile);
    e.setopt(CURLOPT.CAINFO, certs.caFile);
    const viaProxy = (): void => {
      e.setopt(CURLOPT.PROXY, `https://localhost:${both.port}`);
      e.setopt(CURLOPT.URL, 'http://o.example/a');
    };
    const direct = (): void => {
      e.setopt(CURLOPT.PROXY, '');
      e.setopt(CURLOPT.URL, `https://localhost:${both.port}/b`);
    };
    assert.equal(await resumed(viaProxy), false);
    assert.equal(await resumed(viaProxy), true, 'the proxy\'s own session is resumed with the proxy');
    assert.equal(await resumed(direct), false, 'not with the origin at the same host and port');
    assert.equal(await resumed(direct), true, 'the origin\'s own session is');
  } finally {
    e.cleanup();
    await both.close();
  }
});
