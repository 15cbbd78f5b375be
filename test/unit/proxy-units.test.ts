// The sans-I/O proxy pieces byte by byte: NOPROXY matching (libcurl's
// Curl_check_noproxy cases), the SOCKS4/4a/5 handshake messages, and the
// CONNECT request head and response events, whole and split into single bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNoproxy } from '../../src/proxy/noproxy.js';
import { SocksHandshake } from '../../src/cf/socks.js';
import { connectRequest, ConnectResponse, type ConnectEvent } from '../../src/cf/h1-proxy.js';
import { CURLPROXY, CURLPX, CURLE } from '../../src/index.js';

test('NOPROXY matching as libcurl (unit1614 style)', () => {
  const cases: [string, string, boolean][] = [
    ['www.example.com', 'example.com', true],
    ['example.com', 'example.com', true],
    ['nonexample.com', 'example.com', false],
    ['example.com.org', 'example.com', false],
    ['www.example.com', '.example.com', true],
    ['example.com.', 'example.com', true],
    ['example.com', 'example.com.', true],
    ['EXAMPLE.com', 'example.COM', true],
    ['a.b', 'foo, bar ,a.b', true],
    ['anything', '*', true],
    ['anything', '*,x', false],
    ['192.168.1.1', '192.168.0.0/16', true],
    ['192.168.1.1', '192.168.1.1', true],
    ['192.168.1.1', '192.168.1.2', false],
    ['192.168.1.1', '192.168.1.0/33', false],
    ['10.1.2.3', '10.0.0.0/8,192.168.0.0/16', true],
    ['::1', '::1', true],
    ['[::1]', '::1', true],
    ['fe80::1', 'fe80::/10', true],
    ['2001:db8::1', 'fe80::/10', false],
    ['host', '', false],
    ['', 'host', false],
  ];
  for (const [host, list, want] of cases) assert.equal(checkNoproxy(host, list).match, want, `${host} in "${list}"`);
  assert.equal(checkNoproxy('c', 'a b c').spaceSeparated, true);
});

function run(h: SocksHandshake, replies: Buffer[]): { sent: Buffer[]; last: ReturnType<SocksHandshake['feed']> } {
  const sent: Buffer[] = [];
  let s = h.start();
  for (const r of [null, ...replies]) {
    if (r) s = h.feed(r);
    if (s.kind === 'send') sent.push(s.data);
  }
  return { sent, last: s };
}

test('SOCKS4 and 4a requests; the 8-byte reply, also byte by byte', () => {
  let h = new SocksHandshake({ type: CURLPROXY.SOCKS4, host: 'x', port: 0x1234, address: { address: '10.0.0.2', family: 4 }, user: 'me', password: null, socks5Auth: 1 });
  let r = run(h, [Buffer.from([0, 90, 0, 0, 0, 0, 0, 0, 0xaa])]);
  assert.deepEqual(r.sent, [Buffer.from([4, 1, 0x12, 0x34, 10, 0, 0, 2, 0x6d, 0x65, 0])]);
  assert.equal(r.last.kind, 'done');
  assert.deepEqual(r.last.kind === 'done' && r.last.leftover, Buffer.from([0xaa]));
  h = new SocksHandshake({ type: CURLPROXY.SOCKS4A, host: 'ab.c', port: 80, user: null, password: null, socks5Auth: 1 });
  const first = h.start();
  assert.deepEqual(first.kind === 'send' && first.data, Buffer.from([4, 1, 0, 80, 0, 0, 0, 1, 0, 0x61, 0x62, 0x2e, 0x63, 0]));
  let last: ReturnType<SocksHandshake['feed']> = { kind: 'need-data' };
  for (const b of [0, 92, 0, 0, 0, 0, 0, 0]) last = h.feed(Buffer.from([b]));
  assert.equal(last.kind, 'error');
  assert.equal(last.kind === 'error' && last.px, CURLPX.IDENTD);
  h = new SocksHandshake({ type: CURLPROXY.SOCKS4, host: 'v6only', port: 80, address: { address: '::1', family: 6 }, user: null, password: null, socks5Auth: 1 });
  const e = h.start();
  assert.equal(e.kind === 'error' && e.px, CURLPX.BAD_ADDRESS_TYPE);
});

test('SOCKS5: greeting, user/password, a remote-resolved CONNECT, a reply with a name address', () => {
  const h = new SocksHandshake({ type: CURLPROXY.SOCKS5_HOSTNAME, host: 'h.example', port: 443, user: 'u', password: 'pw', socks5Auth: 1 });
  const r = run(h, [Buffer.from([5, 2]), Buffer.from([1, 0]), Buffer.from([5, 0, 0, 3, 2, 0x61, 0x62, 1, 0xbb, 0x55])]);
  assert.deepEqual(r.sent, [
    Buffer.from([5, 2, 0, 2]),
    Buffer.from([1, 1, 0x75, 2, 0x70, 0x77]),
    Buffer.from([5, 1, 0, 3, 9, ...Buffer.from('h.example'), 1, 0xbb]),
  ]);
  assert.equal(r.last.kind, 'done');
  assert.deepEqual(r.last.kind === 'done' && r.last.leftover, Buffer.from([0x55]));
  const v6 = new SocksHandshake({ type: CURLPROXY.SOCKS5, host: 'n', port: 1, address: { address: '::1', family: 6 }, user: null, password: null, socks5Auth: 1 });
  const r6 = run(v6, [Buffer.from([5, 0])]);
  assert.deepEqual(r6.sent[0], Buffer.from([5, 1, 0]));
  assert.deepEqual(r6.sent[1], Buffer.from([5, 1, 0, 4, ...Array(15).fill(0), 1, 0, 1]));
  const bad = new SocksHandshake({ type: CURLPROXY.SOCKS5, host: '1.2.3.4', port: 1, user: null, password: null, socks5Auth: 1 });
  bad.start();
  const e = bad.feed(Buffer.from([4, 0]));
  assert.equal(e.kind === 'error' && e.px, CURLPX.BAD_VERSION);
  const long = new SocksHandshake({ type: CURLPROXY.SOCKS5_HOSTNAME, host: 'a'.repeat(256), port: 1, user: null, password: null, socks5Auth: 1 });
  const l = long.start();
  assert.equal(l.kind === 'error' && l.px, CURLPX.LONG_HOSTNAME);
});

/** connectRequest's bytes as text, for requests that may be sent */
function connectHead(i: Parameters<typeof connectRequest>[0]): string {
  const r = connectRequest(i);
  assert.ok('head' in r);
  return r.head.toString('latin1');
}

test('CONNECT request head: libcurl order; custom headers replace or remove built-in ones', () => {
  assert.equal(connectHead({ host: '::1', ipv6: true, port: 8443, http10: false, authLines: ['Proxy-Authorization: Basic eA=='], userAgent: 'ua', custom: [] }),
    'CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Authorization: Basic eA==\r\nUser-Agent: ua\r\nProxy-Connection: Keep-Alive\r\n\r\n');
  assert.equal(connectHead({ host: 'h', ipv6: false, port: 80, http10: true, authLines: [], userAgent: 'ua',
    custom: [{ name: 'User-Agent', line: 'User-Agent: mine' }, { name: 'Host', line: 'Host: other' }, { name: 'Proxy-Connection', line: null }] }),
  'CONNECT h:80 HTTP/1.0\r\nUser-Agent: mine\r\nHost: other\r\n\r\n');
});

function events(chunks: Buffer[], authProblem = false): ConnectEvent[] {
  const r = new ConnectResponse(() => authProblem);
  const out: ConnectEvent[] = [];
  for (const c of chunks) {
    r.feed(c);
    for (let i = 0; i < 100; i++) {
      const ev = r.next();
      if (ev.type === 'need-data') break;
      out.push(ev);
    }
  }
  return out;
}
const split = (s: string): Buffer[] => [...Buffer.from(s, 'latin1')].map((b) => Buffer.from([b]));

test('CONNECT response: 2xx ends at the blank line (CL/TE ignored, leftover kept); a 407 body is read and dropped', () => {
  for (const chunks of [[Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nTLS')], split('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n')]) {
    const ev = events(chunks);
    // what a header means comes after it (curl 7.88 traces the line first)
    assert.deepEqual(ev.map((e) => e.type), ['status', 'header', 'info', 'headers-end', 'complete']);
    const info = ev[2]!;
    assert.equal(info.type === 'info' && info.text, 'Ignoring Content-Length in CONNECT 200 response');
  }
  const done = events([Buffer.from('HTTP/1.1 200 OK\r\n\r\nTLS')]).at(-1)!;
  assert.equal(done.type === 'complete' && done.leftover.toString(), 'TLS');
  const e407 = events(split('HTTP/1.1 407 No\r\nProxy-Authenticate: Basic\r\nContent-Length: 3\r\n\r\nabc'));
  assert.deepEqual(e407.map((e) => e.type), ['status', 'header', 'header', 'headers-end', 'info', 'complete']);
  const c = e407.at(-1)!;
  assert.deepEqual(c.type === 'complete' && [c.code, c.close], [407, false]);
  const closing = events([Buffer.from('HTTP/1.1 403 No\r\nProxy-Connection: close\r\n\r\nwhatever')]).at(-1)!;
  assert.deepEqual(closing.type === 'complete' && [closing.code, closing.close], [403, true]);
  const chunked = events([Buffer.from('HTTP/1.1 407 No\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')]);
  assert.deepEqual(chunked.map((e) => (e.type === 'info' ? e.text : e.type)),
    ['status', 'header', 'CONNECT responded chunked', 'headers-end', 'Ignore chunked response-body', 'chunk reading DONE', 'complete']);
  // any other refusal, and a 407 after an authentication problem, ends at its head: the body is not read
  for (const [reply, problem] of [['HTTP/1.1 403 No\r\nContent-Length: 3\r\n\r\n', false], ['HTTP/1.1 407 No\r\nContent-Length: 3\r\n\r\n', true]] as const) {
    const ev = events([Buffer.from(reply)], problem);
    assert.deepEqual(ev.map((e) => e.type), ['status', 'header', 'headers-end', 'complete']);
    const end = ev.at(-1)!;
    assert.equal(end.type === 'complete' && end.close, true);
  }
  const broken = events([Buffer.from('HTTP/1.1 407 No\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]).at(-1)!;
  assert.equal(broken.type === 'error' && broken.code, CURLE.RECV_ERROR);
});

test('CONNECT response read as lines: any first line is the status line, a colon-less line is handed on, bounds as libcurl', () => {
  const html = events([Buffer.from('<html>\n<h1>400 Bad request</h1>\n\n')]);
  assert.deepEqual(html.map((e) => e.type), ['status', 'bad-header', 'headers-end', 'complete']);
  const done = html.at(-1)!;
  assert.deepEqual(done.type === 'complete' && [done.code, done.close], [0, true]);
  // 16 KiB for one line (DYN_PROXY_CONNECT_HEADERS), 300 KiB for the whole head
  const long = events([Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16384)}\r\n\r\n`)]).at(-1)!;
  assert.deepEqual(long.type === 'error' && [long.code, long.message], [56, 'CONNECT response too large']);
  const flood = new ConnectResponse();
  flood.feed(Buffer.from(`HTTP/1.1 200 OK\r\n${'X: 1\r\n'.repeat(60_000)}\r\n`));
  let last: ConnectEvent = { type: 'need-data' };
  for (let i = 0; i < 200_000 && last.type !== 'error' && last.type !== 'complete'; i++) last = flood.next();
  assert.deepEqual(last.type === 'error' && [last.code, last.message], [56, `Too large response headers: 307205 > ${300 * 1024}`]);
});
