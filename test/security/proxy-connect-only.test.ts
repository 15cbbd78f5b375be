// Proxy and CONNECT_ONLY advisories from docs/security-checklist.md, over
// loopback: CVE-2023-38545 (a socks5h host name over 255 bytes fails, is never
// truncated and never reaches the proxy), CVE-2015-3153 (HEADEROPT separates
// the origin's headers from the proxy's), CVE-2020-8231 (a CONNECT_ONLY
// connection is never handed to another transfer, nor the other way round).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLINFO, CURLPX, CURLHEADER, CURLMSG } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startSocksServer } from '../helpers/socks-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { fetchUrl } from '../helpers/fetch.js';

test('CVE-2023-38545: socks5h with a 300-byte host name fails with LONG_HOSTNAME; nothing truncated reaches the proxy', async () => {
  const socks = await startSocksServer();
  const origin = await startRawServer(() => ok('must not be reached'));
  try {
    const host = `${'a'.repeat(60)}.`.repeat(5).slice(0, -1); // 304 bytes, every label legal
    assert.ok(host.length > 255);
    for (const proxy of [`socks5h://127.0.0.1:${socks.port}`]) {
      const r = await fetchUrl(`http://${host}:${origin.port}/`, (e) => e.setopt(CURLOPT.PROXY, proxy));
      assert.equal(r.code, CURLE.PROXY);
      assert.equal(r.easy.getinfo(CURLINFO.PROXY_ERROR), CURLPX.LONG_HOSTNAME);
      assert.equal(r.easy.errorBuffer, 'SOCKS5: the destination hostname is too long to be resolved remotely by the proxy.');
      r.easy.cleanup();
    }
    // the proxy never saw a CONNECT request (no truncated name, no 255-byte prefix)
    assert.equal(socks.requests.filter((q) => q.host !== undefined && q.host !== '').length, 0);
    assert.equal(origin.requests.length, 0);
    // a 255-byte name is still sent as it is
    const h255 = `${'b'.repeat(62)}.`.repeat(4) + 'ccc';
    assert.equal(h255.length, 255);
    const r = await fetchUrl(`http://${h255}:${origin.port}/`, (e) => e.setopt(CURLOPT.PROXY, `socks5h://127.0.0.1:${socks.port}`));
    r.easy.cleanup();
    assert.equal(socks.requests.at(-1)?.host, h255);
  } finally {
    await origin.close();
    await socks.close();
  }
});

test('CVE-2015-3153: with HEADEROPT separate (the default) HTTPHEADER stays out of CONNECT and PROXYHEADER out of the origin request', async () => {
  const origin = await startRawServer(() => ok('tunneled'));
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    for (const opt of [undefined, CURLHEADER.SEPARATE, CURLHEADER.UNIFIED]) {
      const r = await fetchUrl(`http://127.0.0.1:${origin.port}/t`, (e) => {
        e.setopt(CURLOPT.PROXY, `127.0.0.1:${proxy.port}`);
        e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
        e.setopt(CURLOPT.HTTPHEADER, ['X-Server-Secret: s']);
        e.setopt(CURLOPT.PROXYHEADER, ['X-Proxy-Secret: p']);
        if (opt !== undefined) e.setopt(CURLOPT.HEADEROPT, opt);
        e.setopt(CURLOPT.FRESH_CONNECT, 1);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'tunneled');
      r.easy.cleanup();
      const connect = proxy.requests.at(-1)!;
      const get = origin.requests.at(-1)!;
      assert.equal(connect.method, 'CONNECT');
      // UNIFIED (curl < 7.42.1's only behaviour) sends HTTPHEADER to the proxy too and ignores
      // PROXYHEADER (CURLOPT_HEADEROPT.md)
      assert.equal(connect.headers.get('x-proxy-secret'), opt === CURLHEADER.UNIFIED ? undefined : 'p', connect.head);
      assert.equal(connect.headers.get('x-server-secret'), opt === CURLHEADER.UNIFIED ? 's' : undefined);
      assert.equal(get.headers.get('x-server-secret'), 's');
      assert.equal(get.headers.get('x-proxy-secret'), undefined, 'PROXYHEADER never reaches the origin');
    }
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CVE-2020-8231: a CONNECT_ONLY transfer never takes a pooled connection and its connection never serves another transfer', async () => {
  const srv = await startRawServer(() => ok('pooled'));
  const m = new Multi();
  const handles: Easy[] = [];
  const run = async (e: Easy): Promise<number> => {
    m.addHandle(e);
    try {
      for (let i = 0; i < 400; i++) {
        m.perform();
        const msg = m.infoRead();
        if (msg && msg.msg === CURLMSG.DONE && msg.easy === e) return msg.result;
        await m.poll(100);
      }
      throw new Error('transfer did not end');
    } finally {
      m.removeHandle(e);
    }
  };
  const easy = (connectOnly: boolean): Easy => {
    const e = new Easy();
    handles.push(e);
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    if (connectOnly) e.setopt(CURLOPT.CONNECT_ONLY, 1);
    return e;
  };
  try {
    // A: a normal transfer leaves a connection in the multi's pool
    const a = easy(false);
    assert.equal(await run(a), CURLE.OK);
    const first = srv.requests.at(-1)!.connectionId;
    // B: CONNECT_ONLY must open its own connection, not take A's
    const b = easy(true);
    assert.equal(await run(b), CURLE.OK);
    assert.equal(b.getinfo(CURLINFO.NUM_CONNECTS), 1, 'CONNECT_ONLY reused a pooled connection');
    // C: a normal transfer reuses A's connection, never B's
    const c = easy(false);
    assert.equal(await run(c), CURLE.OK);
    assert.equal(c.getinfo(CURLINFO.NUM_CONNECTS), 0);
    assert.equal(srv.requests.at(-1)!.connectionId, first);
    // B's own connection still carries what B sends: a request on it is a new server connection's first
    const sent = b.send(Buffer.from('GET /b HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(sent.code, CURLE.OK);
    for (let i = 0; i < 200 && srv.requests.at(-1)!.target !== '/b'; i++) await new Promise((r) => setTimeout(r, 10));
    const viaB = srv.requests.at(-1)!;
    assert.equal(viaB.target, '/b');
    assert.notEqual(viaB.connectionId, first);
    assert.equal(srv.requests.filter((q) => q.connectionId === viaB.connectionId).length, 1, "B's connection carried another transfer's request");
  } finally {
    for (const e of handles) e.cleanup();
    m.cleanup();
    await srv.close();
  }
});
