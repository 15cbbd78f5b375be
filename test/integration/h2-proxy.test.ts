// HTTP/2 with the origin through proxies (issue 13, item 1): an https:// URL
// through an HTTP proxy's CONNECT tunnel and through an HTTPS proxy (TLS to
// the proxy, then TLS to the origin inside the tunnel) negotiates h2 with the
// origin by ALPN and multiplexes -Z transfers on the one tunnel, as curl 7.88
// does; the proxy itself is spoken HTTP/1.1 to (curl 7.88 has no HTTP/2 to
// proxies). Checked side by side with /usr/bin/curl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { testCerts } from '../helpers/certs.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';

const NO_OPENSSL = requirePrograms(['openssl', 'openssl']);
const NO_CURL = requirePrograms(['curl', 'curl']);

for (const kind of ['http', 'https'] as const) {
  test(`https:// through an ${kind.toUpperCase()} proxy's tunnel: h2 by ALPN, -Z transfers multiplexed on one tunnel`, { skip: NO_OPENSSL }, async () => {
    const certs = testCerts();
    const origin = await startH2Server(answer((h) => `${h[':path']}\n`), { tls: true });
    const proxy = await startProxyServer(() => ({ tunnel: true }), kind === 'https' ? { tls: certs.server } : {});
    try {
      const urls = Array.from({ length: 5 }, (_, i) => origin.url(`/p${i}`));
      const args = ['-s', '-Z', '--cacert', certs.caFile, '-x', `${kind}://localhost:${proxy.port}`, '-4', '-w', '%{http_version}\n'];
      if (kind === 'https') args.push('--proxy-cacert', certs.caFile);
      const r = await tscurl([...args, ...urls]);
      assert.equal(r.code, 0, r.stderr);
      for (let i = 0; i < 5; i++) assert.ok(r.stdout.includes(`/p${i}\n`), r.stdout);
      assert.equal(r.stdout.split('\n').filter((l) => l === '2').length, 5, r.stdout);
      // one CONNECT, one TLS session with the origin: the five streams shared the tunnel
      assert.deepEqual(proxy.requests.map((q) => q.method), ['CONNECT']);
      assert.equal(origin.sessions, 1);
      if (!NO_CURL) {
        const b = await curl([...args, ...urls]);
        assert.equal(b.code, 0, b.stderr);
        assert.deepEqual(b.stdout.split('\n').sort(), r.stdout.split('\n').sort());
        assert.equal(origin.sessions, 2);
      }
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
}
