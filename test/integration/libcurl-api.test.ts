// The libcurl functions and names a ported program calls (issue 12, items 1
// and 4): curl_version/curl_version_info, curl_easy_escape/unescape,
// curl_getdate, CURLOPT_CURLU, PROGRESSFUNCTION/PROGRESSDATA, getinfo's
// answers (also for unknown ids and the deprecated double-valued ones), and
// CURLOPT_HTTP_VERSION refusing what is not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLSSocket } from 'node:tls';
import {
  Easy, CurlUrl, CURLUPART, CURLOPT, CURLINFO, CURLE, CURL_HTTP_VERSION, CURL_VERSION, CURLVERSION, CURLPIPE,
  CURLSSLBACKEND, CURL_PROGRESSFUNC_CONTINUE, Multi, CURLMOPT, CURLM, version, versionInfo, escape, unescape, getdate,
  optionByName, optionById, VERSION,
} from '../../src/index.js';
import { versionText } from '../../src/cli/version.js';
import { supportedSchemes } from '../../src/proto/registry.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { testCerts } from '../helpers/certs.js';
import { fetchUrl } from '../helpers/fetch.js';

test('versionInfo(): curl_version_info fields; --version lists exactly its protocols and features', () => {
  const vi = versionInfo(CURLVERSION.NOW);
  assert.equal(vi.age, CURLVERSION.NOW);
  assert.equal(vi.version, VERSION);
  const [maj, min, pat] = VERSION.split('.').map(Number) as [number, number, number];
  assert.equal(vi.versionNum, (maj << 16) | (min << 8) | pat);
  assert.match(vi.host, /-/);
  assert.deepEqual([...vi.protocols], supportedSchemes());
  assert.equal(vi.sslVersion, `OpenSSL/${process.versions.openssl}`);
  assert.equal(vi.libzVersion, process.versions.zlib);
  // the bitmask and the names say the same
  assert.ok(vi.features & CURL_VERSION.SSL && vi.featureNames.includes('SSL'));
  assert.ok(vi.features & CURL_VERSION.UNIX_SOCKETS && vi.featureNames.includes('UnixSockets'));
  // not built: never claimed
  assert.ok(vi.features & CURL_VERSION.HTTP2 && vi.featureNames.includes('HTTP2'));
  for (const [name, bit] of [['HTTP3', CURL_VERSION.HTTP3], ['Kerberos', CURL_VERSION.KERBEROS5],
    ['SPNEGO', CURL_VERSION.SPNEGO], ['GSS-API', CURL_VERSION.GSSAPI], ['TLS-SRP', CURL_VERSION.TLSAUTH_SRP]] as const) {
    assert.ok(!(vi.features & bit), name);
    assert.ok(!vi.featureNames.includes(name), name);
  }
  assert.equal(vi.nghttp2Version, process.versions.nghttp2);
  assert.equal(vi.brotliVersion, process.versions.brotli);
  assert.match(version(), new RegExp(`^libtscurl/${VERSION.replace(/\./g, '\\.')} `));
  const lines = versionText().split('\n');
  assert.equal(lines[0], `tscurl ${VERSION} (${vi.host}) ${version()}`);
  // libcurl's protocols, and the tool's own ipfs and ipns (curl 8.4: rewritten to an HTTP gateway)
  assert.equal(lines[2], `Protocols: ${[...vi.protocols, 'ipfs', 'ipns'].sort().join(' ')}`);
  assert.equal(lines[3], `Features: ${vi.featureNames.join(' ')}`);
});

test('CURLOPT_HTTP_VERSION: HTTP/3 answers CURLE_UNSUPPORTED_PROTOCOL while not built, HTTP/2 is taken; a refused value leaves the old one', async () => {
  const srv = await startRawServer((req) => ok(req.head.split('\r\n')[0]!));
  const e = new Easy();
  try {
    for (const v of [CURL_HTTP_VERSION['2_0'], CURL_HTTP_VERSION['2TLS'], CURL_HTTP_VERSION['2_PRIOR_KNOWLEDGE']]) assert.equal(e.setopt(CURLOPT.HTTP_VERSION, v), CURLE.OK);
    for (const v of [CURL_HTTP_VERSION['3'], CURL_HTTP_VERSION['3ONLY'], 6, 99]) {
      assert.equal(e.setopt(CURLOPT.HTTP_VERSION, v), CURLE.UNSUPPORTED_PROTOCOL, `version ${v}`);
    }
    assert.equal(e.setopt(CURLOPT.HTTP_VERSION, -1), CURLE.BAD_FUNCTION_ARGUMENT);
    for (const v of [CURL_HTTP_VERSION.NONE, CURL_HTTP_VERSION['1_1']]) assert.equal(e.setopt(CURLOPT.HTTP_VERSION, v), CURLE.OK);
    assert.equal(e.setopt(CURLOPT.HTTP_VERSION, CURL_HTTP_VERSION['1_0']), CURLE.OK);
    assert.equal(e.setopt(CURLOPT.HTTP_VERSION, CURL_HTTP_VERSION['3']), CURLE.UNSUPPORTED_PROTOCOL);
    const body: Buffer[] = [];
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/v`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(body).toString(), 'GET /v HTTP/1.0', 'the refused HTTP/3 did not replace 1.0');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('getinfo: an unknown id answers CURLE_UNKNOWN_OPTION, never throws; every CURLINFO id has an answer', async () => {
  const srv = await startRawServer(() => ok('hello world'));
  try {
    const e = new Easy();
    assert.equal(e.getinfo(0x123456), CURLE.UNKNOWN_OPTION);
    assert.equal(e.getinfo(-1), CURLE.UNKNOWN_OPTION);
    assert.equal(e.getinfo('RESPONSE_CODE' as unknown as number), CURLE.UNKNOWN_OPTION);
    // PRIVATE is the handle's own setting, before any transfer too
    const mine = { tag: 'mine' };
    e.setopt(CURLOPT.PRIVATE, mine);
    assert.equal(e.getinfo(CURLINFO.PRIVATE), mine);
    for (const id of Object.values(CURLINFO)) assert.notEqual(e.getinfo(id), undefined, `id ${id} before a transfer`);
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await e.perform(), CURLE.OK);
    for (const id of Object.values(CURLINFO)) assert.notEqual(e.getinfo(id), undefined, `id ${id} after a transfer`);
    // the deprecated doubles agree with their _T forms
    assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD), 11);
    assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD), e.getinfo(CURLINFO.SIZE_DOWNLOAD_T));
    assert.equal(e.getinfo(CURLINFO.SIZE_UPLOAD), 0);
    assert.equal(e.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD), 11);
    assert.equal(e.getinfo(CURLINFO.CONTENT_LENGTH_UPLOAD), -1);
    assert.equal(e.getinfo(CURLINFO.SPEED_DOWNLOAD), e.getinfo(CURLINFO.SPEED_DOWNLOAD_T));
    assert.equal(typeof e.getinfo(CURLINFO.SPEED_UPLOAD), 'number');
    // LASTSOCKET: the connection's socket while it lives, as ACTIVESOCKET
    assert.equal(e.getinfo(CURLINFO.LASTSOCKET), e.getinfo(CURLINFO.ACTIVESOCKET));
    assert.ok(e.getinfo(CURLINFO.LASTSOCKET) >= 0);
    // what libcurl without FTP/RTSP answers
    assert.equal(e.getinfo(CURLINFO.FTP_ENTRY_PATH), null);
    assert.equal(e.getinfo(CURLINFO.RTSP_SESSION_ID), null);
    assert.equal(e.getinfo(CURLINFO.RTSP_CSEQ_RECV), 0);
    // the built-in CA locations
    assert.equal(e.getinfo(CURLINFO.CAINFO), versionInfo().cainfo);
    assert.equal(e.getinfo(CURLINFO.CAPATH), null);
    const engines = e.getinfo(CURLINFO.SSL_ENGINES);
    assert.ok(Array.isArray(engines) && engines.every((n) => typeof n === 'string'));
    // no TLS on this connection
    assert.deepEqual(e.getinfo(CURLINFO.TLS_SSL_PTR), { backend: CURLSSLBACKEND.OPENSSL, internals: null });
    e.cleanup();
    assert.equal(e.getinfo(CURLINFO.LASTSOCKET), -1, 'gone with the connection');
  } finally {
    await srv.close();
  }
});

test('CURLINFO_TLS_SSL_PTR: the OpenSSL session of an HTTPS connection, as a TLSSocket', async () => {
  const c = testCerts();
  const srv = await startTlsServer(c.server);
  try {
    const r = await fetchUrl(`https://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.CAINFO, c.caFile));
    assert.equal(r.code, CURLE.OK);
    const info = r.easy.getinfo(CURLINFO.TLS_SSL_PTR);
    assert.equal(info.backend, CURLSSLBACKEND.OPENSSL);
    assert.ok(info.internals instanceof TLSSocket);
    assert.ok(info.internals.getProtocol());
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('escape/unescape: curl_easy_escape byte by byte, %XX decoded to bytes, C lengths and NULL answers', () => {
  const e = new Easy();
  assert.equal(e.escape('data to convert'), 'data%20to%20convert');
  assert.equal(e.escape('a-b.c_d~e/f?g=h&i'), 'a-b.c_d~e%2Ff%3Fg%3Dh%26i');
  assert.equal(escape('é€'), '%C3%A9%E2%82%AC', 'UTF-8 bytes');
  assert.equal(escape(Buffer.from([0, 0xff, 0x41])), '', 'length 0 stops at the NUL (strlen)');
  assert.equal(escape(Buffer.from([0, 0xff, 0x41]), 3), '%00%FFA');
  assert.equal(escape('abcdef', 3), 'abc');
  assert.equal(escape('abc', -1), null);
  assert.equal(escape('x'.repeat(8000001)), null, 'past CURL_MAX_INPUT_LENGTH');
  assert.deepEqual(e.unescape('%63%75%72%6c'), Buffer.from('curl'));
  assert.deepEqual(unescape('%63%75%72%6C', 12), Buffer.from('curl'));
  assert.deepEqual(unescape('a%00b%ffc', 9), Buffer.from([0x61, 0, 0x62, 0xff, 0x63]), 'outlength keeps %00');
  assert.deepEqual(unescape('100%+%4'), Buffer.from('100%+%4'), 'a % without two hex digits stays');
  assert.deepEqual(unescape('a+b'), Buffer.from('a+b'), 'no form decoding');
  assert.equal(unescape('x', -5), null);
  assert.deepEqual(unescape(escape(Buffer.from([1, 2, 250]), 3)!), Buffer.from([1, 2, 250]));
  e.cleanup();
});

test('getdate: curl_getdate on the documented formats', () => {
  const sunday = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT
  for (const s of ['Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994',
    '06 Nov 1994 08:49:37 GMT', '1994 Nov 6 08:49:37', 'GMT 08:49:37 06-Nov-94 Sunday']) {
    assert.equal(getdate(s), sunday, s);
  }
  assert.equal(getdate('Sun, 06 Nov 1994 08:49:37 CET'), sunday - 3600);
  assert.equal(getdate('Sun, 12 Sep 2004 15:05:58 -0700'), 1095026758);
  assert.equal(getdate('20040912 15:05:58 -0700'), 1095026758);
  assert.equal(getdate('1994 Nov 6'), 784080000);
  assert.equal(getdate('not a date'), -1);
});

test('CURLOPT_CURLU: a CurlUrl handle as the URL, read at each transfer start, over CURLOPT_URL', async () => {
  const srv = await startRawServer((req) => ok(req.target));
  const e = new Easy();
  try {
    const u = new CurlUrl();
    u.set(CURLUPART.URL, `http://127.0.0.1:${srv.port}/first?x=1`);
    assert.equal(e.setopt(CURLOPT.CURLU, 'http://example/' as never), CURLE.BAD_FUNCTION_ARGUMENT);
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/ignored`);
    assert.equal(e.setopt(CURLOPT.CURLU, u), CURLE.OK);
    const got: string[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (got.push(d.toString()), d.length));
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(got.join(''), '/first?x=1');
    assert.equal(e.getinfo(CURLINFO.EFFECTIVE_URL), `http://127.0.0.1:${srv.port}/first?x=1`);
    // the application changes the handle between transfers: the next one uses it
    u.set(CURLUPART.PATH, '/second');
    got.length = 0;
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(got.join(''), '/second?x=1');
    assert.equal(u.get(CURLUPART.PATH).value, '/second', 'libcurl treats the handle as read-only');
    // back to CURLOPT_URL
    e.setopt(CURLOPT.CURLU, null);
    got.length = 0;
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(got.join(''), '/ignored');
    // an empty handle is no URL
    e.setopt(CURLOPT.CURLU, new CurlUrl());
    assert.equal(await e.perform(), CURLE.URL_MALFORMAT);
    assert.equal(e.errorBuffer, 'No URL set');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('PROGRESSFUNCTION/PROGRESSDATA: the deprecated callback is called, can abort, and XFERINFOFUNCTION wins', async () => {
  const srv = await startRawServer(() => ok('x'.repeat(5000)));
  try {
    assert.equal(CURLOPT.PROGRESSDATA, CURLOPT.XFERINFODATA);
    assert.equal(optionByName('PROGRESSDATA')?.id, CURLOPT.XFERINFODATA);
    assert.equal(optionByName('CURLOPT_FILE')?.id, CURLOPT.WRITEDATA);
    assert.equal(optionById(CURLOPT.XFERINFODATA)?.name, 'XFERINFODATA');
    assert.equal(optionById(CURLOPT.PROGRESSFUNCTION)?.name, 'PROGRESSFUNCTION');
    const calls: number[][] = [];
    const clientp = { who: 'me' };
    let seen: unknown = null;
    const a = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.PROGRESSDATA, clientp);
      e.setopt(CURLOPT.PROGRESSFUNCTION, (p: unknown, dt: number, dn: number, ut: number, un: number) => {
        seen = p;
        calls.push([dt, dn, ut, un]);
        return CURL_PROGRESSFUNC_CONTINUE;
      });
    });
    assert.equal(a.code, CURLE.OK);
    assert.equal(seen, clientp);
    assert.deepEqual(calls.at(-1), [5000, 5000, 0, 0]);
    // non-zero aborts
    const b = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt('PROGRESSFUNCTION', () => 1);
    });
    assert.equal(b.code, CURLE.ABORTED_BY_CALLBACK);
    // both set: XFERINFOFUNCTION is the one called
    let old = 0;
    let xfer = 0;
    const c = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.PROGRESSFUNCTION, () => (old++, 0));
      e.setopt(CURLOPT.XFERINFOFUNCTION, () => (xfer++, 0));
    });
    assert.equal(c.code, CURLE.OK);
    assert.equal(old, 0);
    assert.ok(xfer > 0);
    for (const r of [a, b, c]) r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CURLPIPE_*: the multi takes every CURLMOPT_PIPELINING value', () => {
  assert.deepEqual(CURLPIPE, { NOTHING: 0, HTTP1: 1, MULTIPLEX: 2 });
  const m = new Multi();
  for (const v of Object.values(CURLPIPE)) assert.equal(m.setopt(CURLMOPT.PIPELINING, v), CURLM.OK);
  m.cleanup();
});
