// HTTP/2 end to end (issue 13, items 1 and 3): ALPN h2 over TLS as libcurl's
// default for https (2TLS), HTTP/1.1 when asked for, prior knowledge over
// cleartext; GET and POST against a node:http2 server and nginx's http_v2;
// CURLINFO_HTTP_VERSION, the request header set HTTP/2 gets (pseudo-headers,
// Host as :authority, connection-specific headers dropped) and curl 7.88's
// verbose lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLINFO_TYPE } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { testCerts } from '../helpers/certs.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { startNginx } from '../helpers/nginx.js';
import { requirePrograms } from '../helpers/requires.js';

const NO_OPENSSL = requirePrograms(['openssl', 'openssl']);
const NO_NGINX = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);

/** VERBOSE on: the informational lines and the outgoing head. */
function traced(e: Easy): { info: string[]; out: string[]; inHeads: string[] } {
  const r = { info: [] as string[], out: [] as string[], inHeads: [] as string[] };
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
    if (type === CURLINFO_TYPE.TEXT) r.info.push(data.toString('latin1').trimEnd());
    if (type === CURLINFO_TYPE.HEADER_OUT) r.out.push(data.toString('latin1'));
    if (type === CURLINFO_TYPE.HEADER_IN) r.inHeads.push(data.toString('latin1'));
    return 0;
  });
  return r;
}

test('https:// speaks HTTP/2 by default when the server agrees (2TLS), with curl 7.88\'s verbose lines', { skip: NO_OPENSSL }, async () => {
  const srv = await startH2Server(answer('hello h2\n', { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] }), { tls: true });
  try {
    let t: ReturnType<typeof traced> | null = null;
    const headers: string[] = [];
    const r = await fetchUrl(srv.url('/x?q=1'), (e) => {
      e.setopt(CURLOPT.CAINFO, testCerts().caFile);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
      t = traced(e);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'hello h2\n');
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_VERSION), 3); // CURL_HTTP_VERSION_2_0
    assert.equal(headers[0], 'HTTP/2 200 \r\n');
    assert.ok(headers.includes('set-cookie: a=1\r\n') && headers.includes('set-cookie: b=2\r\n'));
    assert.equal(headers.at(-1), '\r\n');
    const info = t!.info;
    assert.ok(info.includes('ALPN: offers h2,http/1.1'), info.join('\n'));
    assert.ok(info.includes('ALPN: server accepted h2'));
    assert.ok(info.includes('using HTTP/2'));
    assert.ok(info.includes('h2h3 [:method: GET]'));
    assert.ok(info.includes('h2h3 [:path: /x?q=1]'));
    assert.ok(info.includes('h2h3 [:scheme: https]'));
    assert.ok(info.includes(`h2h3 [:authority: localhost:${srv.port}]`));
    assert.ok(info.some((l) => /^Using Stream ID: 1 \(easy handle 0x[0-9a-f]+\)$/.test(l)));
    assert.match(t!.out[0]!, /^GET \/x\?q=1 HTTP\/2\r\nHost: localhost:\d+\r\naccept: \*\/\*\r\n\r\n$/);
    assert.equal(srv.requests[0]!.headers[':method'], 'GET');
    assert.equal(srv.requests[0]!.headers[':authority'], `localhost:${srv.port}`);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('HTTP_VERSION 1.1 offers only http/1.1 by ALPN; SSL_ENABLE_ALPN 0 offers nothing: HTTP/1.1 either way', { skip: NO_OPENSSL }, async () => {
  const srv = await startH2Server(answer('h2'), { tls: true, allowHTTP1: true });
  srv.server.on('request', (req: { httpVersion: string }, res: { end(s: string): void }) => { if (req.httpVersion !== '2.0') res.end('h1'); });
  try {
    for (const setup of [(e: Easy) => e.setopt(CURLOPT.HTTP_VERSION, 2), (e: Easy) => e.setopt(CURLOPT.SSL_ENABLE_ALPN, 0)]) {
      const r = await fetchUrl(srv.url('/'), (e) => { e.setopt(CURLOPT.CAINFO, testCerts().caFile); setup(e); });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'h1');
      assert.equal(r.easy.getinfo(CURLINFO.HTTP_VERSION), 2);
      r.easy.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('prior knowledge over cleartext: a POST with a body; forbidden headers dropped, Host becomes :authority, TE only as trailers', async () => {
  const srv = await startH2Server(answer((_h, seen) => `got ${seen.body.toString()}`));
  try {
    let t: ReturnType<typeof traced> | null = null;
    const r = await fetchUrl(srv.url('/p'), (e) => {
      e.setopt(CURLOPT.HTTP_VERSION, 5);
      e.setopt(CURLOPT.POSTFIELDS, 'a=b&c');
      e.setopt(CURLOPT.HTTPHEADER, ['Host: example.test', 'Connection: keep-alive', 'Keep-Alive: 5', 'Upgrade: x',
        'Transfer-Encoding: gzip', 'Proxy-Connection: x', 'TE: trailers, deflate', 'X-Custom: Yes']);
      t = traced(e);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'got a=b&c');
    assert.equal(r.easy.getinfo(CURLINFO.HTTP_VERSION), 3);
    const seen = srv.requests[0]!;
    assert.deepEqual(seen.raw.map(([k]) => k), [':method', ':path', ':scheme', ':authority', 'accept', 'te', 'x-custom', 'content-length', 'content-type']);
    assert.equal(seen.headers[':authority'], 'example.test');
    assert.equal(seen.headers['te'], 'trailers');
    assert.equal(seen.headers['x-custom'], 'Yes');
    assert.ok(!t!.info.includes('using HTTP/2'), 'no ALPN: no "using HTTP/2"');
    assert.match(t!.out[0]!, /^POST \/p HTTP\/2\r\nHost: example.test\r\n/);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('an upload of unknown size goes without chunked framing over HTTP/2 (END_STREAM ends it)', async () => {
  const srv = await startH2Server(answer((h, seen) => `${h['transfer-encoding'] ?? 'none'} ${seen.body.length}`));
  try {
    const data = Buffer.alloc(300_000, 'x');
    let off = 0;
    const r = await fetchUrl(srv.url('/up'), (e) => {
      e.setopt(CURLOPT.HTTP_VERSION, 5);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        const n = data.copy(buf, 0, off, Math.min(data.length, off + buf.length));
        off += n;
        return n;
      });
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'none 300000');
    assert.equal(srv.requests[0]!.headers[':method'], 'PUT');
    assert.equal(srv.requests[0]!.headers['expect'], undefined);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('nginx over TLS (ALPN h2) and cleartext (prior knowledge): GET, HEAD, a 404', { skip: NO_NGINX }, async () => {
  const certs = testCerts();
  const ng = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key }, http2: true });
  try {
    writeFileSync(join(ng.root, 'f.txt'), '0123456789abcdef');
    for (const [url, v] of [[ng.tlsUrl('/f.txt'), 0], [ng.url('/f.txt'), 5]] as const) {
      const r = await fetchUrl(url, (e) => { e.setopt(CURLOPT.CAINFO, certs.caFile); if (v) e.setopt(CURLOPT.HTTP_VERSION, v); });
      assert.equal(r.code, CURLE.OK, url);
      assert.equal(r.body, '0123456789abcdef');
      assert.equal(r.easy.getinfo(CURLINFO.HTTP_VERSION), 3);
      r.easy.cleanup();
      const h = await fetchUrl(url, (e) => { e.setopt(CURLOPT.CAINFO, certs.caFile); e.setopt(CURLOPT.NOBODY, 1); if (v) e.setopt(CURLOPT.HTTP_VERSION, v); });
      assert.equal(h.code, CURLE.OK);
      assert.equal(h.body, '');
      assert.equal(h.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), 16);
      h.easy.cleanup();
      const n = await fetchUrl(url.replace('f.txt', 'nope'), (e) => { e.setopt(CURLOPT.CAINFO, certs.caFile); e.setopt(CURLOPT.FAILONERROR, 1); if (v) e.setopt(CURLOPT.HTTP_VERSION, v); });
      assert.equal(n.code, CURLE.HTTP_RETURNED_ERROR);
      n.easy.cleanup();
    }
  } finally {
    await ng.stop();
  }
});
