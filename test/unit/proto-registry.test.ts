// The protocol registry: a scheme is listed (--version, the URL check,
// CURLINFO_SCHEME/PROTOCOL) exactly when it has a handler; file: has one, with
// libcurl's FILE handler facts. And file:'s range arithmetic (Curl_range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handlerFor, supportedSchemes, SUPPORTED_SCHEMES } from '../../src/proto/registry.js';
import { PROTOPT } from '../../src/proto/handler.js';
import { FILE_HANDLER } from '../../src/proto/file.js';
import { fileRange } from '../../src/proto/file-range.js';
import { versionText, PROTOCOLS } from '../../src/cli/version.js';
import { parseUrlForTransfer } from '../../src/multi/url-adapter.js';
import { CURLE, CURLPROTO } from '../../src/index.js';

test('registry: the listed schemes are exactly those with a handler, file included', () => {
  const schemes = supportedSchemes();
  for (const s of ['file', 'http', 'https']) assert.ok(schemes.includes(s), s);
  assert.deepEqual(schemes, [...schemes].sort());
  assert.deepEqual([...SUPPORTED_SCHEMES].sort(), schemes);
  // every scheme curl knows: listed exactly when it has a handler
  const known = ['dict', 'file', 'ftp', 'ftps', 'gopher', 'gophers', 'http', 'https', 'imap', 'imaps', 'ldap', 'ldaps', 'mqtt',
    'pop3', 'pop3s', 'rtmp', 'rtsp', 'scp', 'sftp', 'smb', 'smbs', 'smtp', 'smtps', 'telnet', 'tftp', 'ws', 'wss'];
  for (const s of known) assert.equal(schemes.includes(s), handlerFor(s)?.scheme === s, s);
  assert.equal(handlerFor('nope'), undefined);
  assert.equal(handlerFor('FILE'), FILE_HANDLER);
  assert.deepEqual([...PROTOCOLS].sort(), schemes);
  // the tool adds ipfs and ipns, which it sends to an HTTP gateway itself (curl 8.4)
  assert.ok(versionText().includes(`\nProtocols: ${[...schemes, 'ipfs', 'ipns'].sort().join(' ')}\n`));
});

test('the FILE handler: no network, never reused, CURLPROTO_FILE, port 0', () => {
  assert.equal(FILE_HANDLER.protocol, CURLPROTO.FILE);
  assert.equal(FILE_HANDLER.defaultPort, 0);
  assert.equal(FILE_HANDLER.flags, PROTOPT.NONETWORK | PROTOPT.NOREUSE);
  assert.deepEqual(FILE_HANDLER.alpn, []);
});

test('the URL check: file: URLs pass without a host, a scheme with no handler is unsupported by name', () => {
  const ok = parseUrlForTransfer('file:///etc/hostname', 0, null);
  assert.equal(ok.code, 0);
  const port = parseUrlForTransfer('file:///etc/hostname', 8080, null);
  assert.equal(port.code === 0 && 'url' in port ? port.url.href : '', 'file:///etc/hostname'); // CURLOPT_PORT changes nothing
  assert.deepEqual(parseUrlForTransfer('rtmp://example.com/', 0, null), { code: CURLE.UNSUPPORTED_PROTOCOL, message: 'Protocol "rtmp" not supported or disabled in libcurl' });
  assert.equal(parseUrlForTransfer('file://example.com/x', 0, null).code, CURLE.URL_MALFORMAT);
});

test('fileRange: libcurl 7.88 setup_range + Curl_range', () => {
  const r = (resume: number, range: string | null): unknown => {
    const x = fileRange(resume, range);
    return x.code !== CURLE.OK ? x.code : x.range;
  };
  assert.equal(r(0, null), null);
  assert.deepEqual(r(0, '2-5'), { resumeFrom: 2, maxDownload: 4 });
  assert.deepEqual(r(0, '-4'), { resumeFrom: -4, maxDownload: 4 });
  assert.deepEqual(r(0, '20-'), { resumeFrom: 20, maxDownload: -1 });
  assert.deepEqual(r(0, '3'), { resumeFrom: 3, maxDownload: -1 });
  assert.deepEqual(r(0, ' 1 - 2'), { resumeFrom: 1, maxDownload: 2 });
  assert.deepEqual(r(0, '0-1,5-6'), { resumeFrom: 0, maxDownload: 2 });
  assert.deepEqual(r(0, 'abc'), { resumeFrom: 0, maxDownload: 1 });
  assert.deepEqual(r(0, '0x3-0x5'), { resumeFrom: 0, maxDownload: -1 }); // base 10: "0" then nothing
  assert.deepEqual(r(0, '-0'), { resumeFrom: -0, maxDownload: 0 });
  assert.equal(r(0, '5-2'), CURLE.RANGE_ERROR);
  assert.equal(r(0, '99999999999999999999-'), CURLE.RANGE_ERROR);
  assert.equal(r(0, '0-9223372036854775807'), CURLE.RANGE_ERROR);
  // RESUME_FROM wins and becomes "N-"; -1 becomes "-1-", the last byte
  assert.deepEqual(r(5, '1-2'), { resumeFrom: 5, maxDownload: -1 });
  assert.deepEqual(r(-1, null), { resumeFrom: -1, maxDownload: 1 });
});

test('the small protocols\' handlers: libcurl\'s schemes, ports, CURLPROTO bits and flags', () => {
  const want: Array<[string, number, number, number]> = [
    ['dict', 2628, CURLPROTO.DICT, 0], ['gopher', 70, CURLPROTO.GOPHER, 0], ['gophers', 70, CURLPROTO.GOPHERS, PROTOPT.SSL],
    ['telnet', 23, CURLPROTO.TELNET, 0], ['mqtt', 1883, CURLPROTO.MQTT, 0], ['rtsp', 554, CURLPROTO.RTSP, 0],
  ];
  for (const [scheme, port, bit, flags] of want) {
    const h = handlerFor(scheme)!;
    assert.equal(h.scheme, scheme);
    assert.equal(h.defaultPort, port, scheme);
    assert.equal(h.protocol, bit, scheme);
    assert.equal(h.flags, flags, scheme);
  }
});
