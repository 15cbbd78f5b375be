// SOCKS proxies end to end over loopback against a small SOCKS server: which
// side resolves the name (SOCKS4 and SOCKS5 locally, SOCKS4a and SOCKS5h at
// the proxy), username/password with SOCKS5, refusals as CURLE_PROXY with
// CURLINFO_PROXY_ERROR, a SOCKS pre-proxy in front of an HTTP proxy, and the
// CLI's --socks* flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CURLOPT, CURLE, CURLINFO, CURLPROXY, CURLPX } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startSocksServer } from '../helpers/socks-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { fetchUrl } from '../helpers/fetch.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function runCli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000, env: {} }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
}

const cases = [
  { name: 'socks4', type: CURLPROXY.SOCKS4, scheme: 'socks4', atyp: 1, host: '127.0.0.1' },
  { name: 'socks4a', type: CURLPROXY.SOCKS4A, scheme: 'socks4a', atyp: 3, host: 'localhost' },
  { name: 'socks5', type: CURLPROXY.SOCKS5, scheme: 'socks5', atyp: 1, host: '127.0.0.1', alt: { atyp: 4, host: '0:0:0:0:0:0:0:1' } },
  { name: 'socks5h', type: CURLPROXY.SOCKS5_HOSTNAME, scheme: 'socks5h', atyp: 3, host: 'localhost' },
] as const;

for (const c of cases) {
  test(`${c.name}: a host name is ${c.atyp === 3 ? 'sent to the proxy' : 'resolved locally'}; the scheme and PROXYTYPE agree`, async () => {
    const origin = await startRawServer(() => ok('via socks'));
    const socks = await startSocksServer();
    try {
      for (const byScheme of [true, false]) {
        const r = await fetchUrl(`http://localhost:${origin.port}/s`, (e) => {
          if (byScheme) e.setopt(CURLOPT.PROXY, `${c.scheme}://127.0.0.1:${socks.port}`);
          else {
            e.setopt(CURLOPT.PROXY, `127.0.0.1:${socks.port}`);
            e.setopt(CURLOPT.PROXYTYPE, c.type);
          }
        });
        assert.equal(r.code, CURLE.OK);
        assert.equal(r.body, 'via socks');
        assert.equal(r.easy.getinfo(CURLINFO.PRIMARY_PORT), socks.port);
      }
      assert.equal(socks.requests.length, 2);
      for (const q of socks.requests) {
        assert.equal(q.version, c.name.startsWith('socks4') ? 4 : 5);
        // localhost may resolve to ::1 first: SOCKS5 then sends that address
        const want = 'alt' in c && q.addressType === c.alt.atyp ? c.alt : c;
        assert.equal(q.addressType, want.atyp);
        assert.equal(q.host, want.host);
        assert.equal(q.port, origin.port);
      }
      // the origin sees an ordinary request
      assert.equal(origin.requests[0]!.target, '/s');
      assert.equal(origin.requests[0]!.headers.get('host'), `localhost:${origin.port}`);
    } finally {
      await socks.close();
      await origin.close();
    }
  });
}

test('socks5 username/password from the proxy URL and from PROXYUSERPWD; a wrong login is CURLE_PROXY / USER_REJECTED', async () => {
  const origin = await startRawServer(() => ok('in'));
  const socks = await startSocksServer({ login: { user: 'sock user', password: 'p@ss' } });
  try {
    let r = await fetchUrl(`http://127.0.0.1:${origin.port}/`, (e) => e.setopt(CURLOPT.PROXY, `socks5://sock%20user:p%40ss@127.0.0.1:${socks.port}`));
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(socks.requests[0]!.methods, [0, 2]);
    r = await fetchUrl(`http://127.0.0.1:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `socks5h://127.0.0.1:${socks.port}`);
      e.setopt(CURLOPT.PROXYUSERPWD, 'sock user:p@ss');
    });
    assert.equal(r.code, CURLE.OK);
    r = await fetchUrl(`http://127.0.0.1:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `socks5://127.0.0.1:${socks.port}`);
      e.setopt(CURLOPT.PROXYUSERPWD, 'sock user:wrong');
    });
    assert.equal(r.code, CURLE.PROXY);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_ERROR), CURLPX.USER_REJECTED);
    assert.equal(r.easy.errorBuffer, 'User was rejected by the SOCKS5 server (1 1).');
    // no credentials offered to a proxy that wants them
    r = await fetchUrl(`http://127.0.0.1:${origin.port}/`, (e) => e.setopt(CURLOPT.PROXY, `socks5://127.0.0.1:${socks.port}`));
    assert.equal(r.code, CURLE.PROXY);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_ERROR), CURLPX.NO_AUTH);
    assert.equal(r.easy.errorBuffer, 'No authentication method was acceptable.');
  } finally {
    await socks.close();
    await origin.close();
  }
});

test('refusals: SOCKS5 reply 5 is REPLY_CONNECTION_REFUSED, SOCKS4 91 is REQUEST_FAILED, both CURLE_PROXY', async () => {
  const s5 = await startSocksServer({ refuse: 5 });
  const s4 = await startSocksServer({ refuse: 91 });
  try {
    let r = await fetchUrl('http://127.0.0.1:9/', (e) => e.setopt(CURLOPT.PROXY, `socks5://127.0.0.1:${s5.port}`));
    assert.equal(r.code, CURLE.PROXY);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_ERROR), CURLPX.REPLY_CONNECTION_REFUSED);
    assert.equal(r.easy.errorBuffer, "Can't complete SOCKS5 connection to 127.0.0.1. (5)");
    r = await fetchUrl('http://127.0.0.1:9/', (e) => e.setopt(CURLOPT.PROXY, `socks4://127.0.0.1:${s4.port}`));
    assert.equal(r.code, CURLE.PROXY);
    assert.equal(r.easy.getinfo(CURLINFO.PROXY_ERROR), CURLPX.REQUEST_FAILED);
    assert.match(r.easy.errorBuffer, /^Can't complete SOCKS4 connection to 0\.0\.0\.0:0\. \(91\), request rejected or failed\.$/);
  } finally {
    await s5.close();
    await s4.close();
  }
});

test('a SOCKS pre-proxy in front of an HTTP proxy tunnel: SOCKS connects to the HTTP proxy, which CONNECTs to the origin', async () => {
  const origin = await startRawServer(() => ok('chained'));
  const http = await startProxyServer(() => ({ tunnel: true }));
  const socks = await startSocksServer();
  try {
    const r = await fetchUrl(`http://chain.example:${origin.port}/c`, (e) => {
      e.setopt(CURLOPT.PRE_PROXY, `socks5h://127.0.0.1:${socks.port}`);
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${http.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'chained');
    assert.equal(socks.requests[0]!.host, '127.0.0.1');
    assert.equal(socks.requests[0]!.port, http.port);
    assert.equal(http.requests[0]!.target, `chain.example:${origin.port}`);
  } finally {
    await socks.close();
    await http.close();
    await origin.close();
  }
});

test('CLI: --socks5-hostname, --socks4, -x with a socks scheme, a SOCKS proxy that is not there (exit 7)', async () => {
  const origin = await startRawServer(() => ok('cli'));
  const socks = await startSocksServer();
  try {
    let r = await runCli(['-s', '--socks5-hostname', `127.0.0.1:${socks.port}`, `http://localhost:${origin.port}/`]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'cli');
    assert.equal(socks.requests[0]!.host, 'localhost');
    r = await runCli(['-s', '--socks4', `127.0.0.1:${socks.port}`, `http://127.0.0.1:${origin.port}/`]);
    assert.equal(r.status, 0);
    assert.equal(socks.requests[1]!.version, 4);
    r = await runCli(['-s', '-x', `socks4a://127.0.0.1:${socks.port}`, `http://localhost:${origin.port}/`]);
    assert.equal(r.status, 0);
    assert.equal(socks.requests[2]!.addressType, 3);
    const closed = await startSocksServer();
    const port = closed.port;
    await closed.close();
    r = await runCli(['-sS', '--socks5', `127.0.0.1:${port}`, `http://127.0.0.1:${origin.port}/`]);
    assert.equal(r.status, 7);
    assert.match(r.stderr, new RegExp(`^tscurl: \\(7\\) Failed to connect to 127\\.0\\.0\\.1 port ${port} after \\d+ ms: Couldn't connect to server\\n$`));
  } finally {
    await socks.close();
    await origin.close();
  }
});
