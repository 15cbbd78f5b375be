// Share handles (curl_share_*): cookies, DNS cache and connections shared by
// easy handles, with libcurl's rules for changing a share that is in use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Share, CURLSHOPT, CURL_LOCK_DATA, CURLSHE, CURLOPT, CURLE, CURLINFO, openSocketCount } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { fetchUrl } from '../helpers/fetch.js';

test('CURL_LOCK_DATA_CONNECT: separate easy handles reuse one connection', async () => {
  const srv = await startRawServer(() => ok('c'));
  try {
    const share = new Share();
    assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.CONNECT), CURLSHE.OK);
    const a = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.SHARE, share));
    const b = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.SHARE, share));
    assert.equal(a.code, CURLE.OK);
    assert.equal(b.code, CURLE.OK);
    assert.equal(srv.connections, 1);
    assert.equal(b.easy.getinfo(CURLINFO.NUM_CONNECTS), 0);
    // without the share, a new handle opens its own connection
    const c = await fetchUrl(`http://127.0.0.1:${srv.port}/`);
    assert.equal(srv.connections, 2);
    assert.equal(share.cleanup(), CURLSHE.IN_USE, 'handles still use it');
    for (const x of [a, b, c]) x.easy.cleanup();
    assert.equal(share.cleanup(), CURLSHE.OK);
    assert.equal(openSocketCount(), 0, 'share cleanup closed the pooled connection');
  } finally {
    await srv.close();
  }
});

test('CURL_LOCK_DATA_COOKIE: a cookie received by one handle is sent by another', async () => {
  const srv = await startRawServer((r) =>
    r.target === '/set' ? ok('set', 'Set-Cookie: shared=yes; Path=/\r\n') : ok(r.headers.get('cookie') ?? '-'));
  try {
    const share = new Share();
    share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.COOKIE);
    const a = await fetchUrl(`http://127.0.0.1:${srv.port}/set`, (e) => {
      e.setopt(CURLOPT.SHARE, share);
      e.setopt(CURLOPT.COOKIEFILE, '');
    });
    const b = await fetchUrl(`http://127.0.0.1:${srv.port}/get`, (e) => {
      e.setopt(CURLOPT.SHARE, share);
      e.setopt(CURLOPT.COOKIEFILE, '');
    });
    assert.equal(a.code, CURLE.OK);
    assert.equal(b.body, 'shared=yes');
    const unshared = await fetchUrl(`http://127.0.0.1:${srv.port}/get`, (e) => e.setopt(CURLOPT.COOKIEFILE, ''));
    assert.equal(unshared.body, '-');
    for (const x of [a, b, unshared]) x.easy.cleanup();
    assert.equal(share.cleanup(), CURLSHE.OK);
  } finally {
    await srv.close();
  }
});

test('CURL_LOCK_DATA_DNS: the second handle resolves from the shared cache', async () => {
  const dns = await startDnsServer({ 'shared.test': { a: ['127.0.0.1'] } });
  const srv = await startRawServer(() => ok('d'));
  try {
    const share = new Share();
    share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.DNS);
    const setup = (e: Easy): void => {
      e.setopt(CURLOPT.SHARE, share);
      e.setopt(CURLOPT.DNS_SERVERS, dns.address);
      e.setopt(CURLOPT.IPRESOLVE, 1);
    };
    const a = await fetchUrl(`http://shared.test:${srv.port}/`, setup);
    const asked = dns.queries.length;
    const b = await fetchUrl(`http://shared.test:${srv.port}/`, setup);
    assert.equal(a.code, CURLE.OK);
    assert.equal(b.code, CURLE.OK);
    assert.ok(asked > 0);
    assert.equal(dns.queries.length, asked, 'no new query: the answer came from the shared cache');
    a.easy.cleanup();
    b.easy.cleanup();
    share.cleanup();
  } finally {
    await srv.close();
    await dns.close();
  }
});

test('share options: in-use, unknown and unsupported kinds', () => {
  const share = new Share();
  assert.equal(share.setopt(CURLSHOPT.SHARE, 99), CURLSHE.BAD_OPTION);
  assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.HSTS), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.UNSHARE, CURL_LOCK_DATA.HSTS), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.SSL_SESSION), CURLSHE.OK);
  assert.equal(share.setopt(42, 1), CURLSHE.BAD_OPTION);
  const e = new Easy();
  try {
    assert.equal(e.setopt(CURLOPT.SHARE, {} as never), CURLE.BAD_FUNCTION_ARGUMENT);
    assert.equal(e.setopt(CURLOPT.SHARE, share), CURLE.OK);
    assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.DNS), CURLSHE.IN_USE);
    e.reset(); // reset detaches the share
    assert.equal(share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.DNS), CURLSHE.OK);
  } finally {
    e.cleanup();
  }
  assert.equal(share.cleanup(), CURLSHE.OK);
  assert.equal(share.cleanup(), CURLSHE.INVALID);
});
