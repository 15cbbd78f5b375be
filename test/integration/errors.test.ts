// Bad input and failures end in libcurl's CURLcode, with libcurl's messages,
// over real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO, openSocketCount } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { fetchUrl, type Fetched } from '../helpers/fetch.js';
import { refusedPort } from '../helpers/ports.js';

async function run(url: string, setup?: (e: Easy) => void): Promise<Fetched> {
  const r = await fetchUrl(url, setup);
  r.easy.cleanup();
  return r;
}

test('malformed URL -> CURLE_URL_MALFORMAT', async () => {
  for (const url of ['http://', 'http://exa mple.com/', 'http://[::1/', 'http://host:99999/', '']) {
    const { code } = await run(url);
    assert.equal(code, CURLE.URL_MALFORMAT, url);
  }
});

test('a host name longer than 65535 bytes -> CURLE_URL_MALFORMAT before any lookup', async () => {
  const dns = await startDnsServer({});
  try {
    const long = await run(`http://${'a'.repeat(65536)}/399`, (e) => e.setopt(CURLOPT.DNS_SERVERS, dns.address));
    assert.equal(long.code, CURLE.URL_MALFORMAT);
    assert.equal(long.easy.errorBuffer, 'Too long host name (maximum is 65535)');
    assert.equal(dns.queries.length, 0, 'no lookup was made');
    // one byte less is a name like any other: it goes to the resolver, which fails it
    const max = await run(`http://${'a'.repeat(65535)}/399`, (e) => e.setopt(CURLOPT.DNS_SERVERS, dns.address));
    assert.equal(max.code, CURLE.COULDNT_RESOLVE_HOST);
  } finally {
    await dns.close();
  }
});

test('unknown scheme -> CURLE_UNSUPPORTED_PROTOCOL', async () => {
  const { code, easy } = await run('foo://127.0.0.1/');
  assert.equal(code, CURLE.UNSUPPORTED_PROTOCOL);
  assert.match(easy.errorBuffer, /foo/);
});

test('connection refused -> CURLE_COULDNT_CONNECT', async () => {
  const port = await refusedPort();
  const { code, easy } = await run(`http://127.0.0.1:${port}/`);
  assert.equal(code, CURLE.COULDNT_CONNECT);
  assert.match(easy.errorBuffer, new RegExp(`Failed to connect to 127.0.0.1 port ${port} after \\d+ ms`));
  assert.equal(openSocketCount(), 0);
});

test('unresolvable host -> CURLE_COULDNT_RESOLVE_HOST (through a local DNS server)', async () => {
  const dns = await startDnsServer({});
  try {
    const { code, easy } = await run('http://nonexistent.test/', (e) => e.setopt(CURLOPT.DNS_SERVERS, dns.address));
    assert.equal(code, CURLE.COULDNT_RESOLVE_HOST);
    assert.equal(easy.errorBuffer, 'Could not resolve host: nonexistent.test');
    assert.ok(dns.queries.length > 0, 'the local DNS server was asked');
  } finally {
    await dns.close();
  }
});

test('a name resolved through DNS connects to what DNS said', async () => {
  const dns = await startDnsServer({ 'app.test': { a: ['127.0.0.1'] } });
  const srv = await startRawServer(() => ok('via dns'));
  try {
    const { code, body, easy } = await run(`http://app.test:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.DNS_SERVERS, dns.address);
      e.setopt(CURLOPT.IPRESOLVE, 1);
    });
    assert.equal(code, CURLE.OK);
    assert.equal(body, 'via dns');
    assert.equal(easy.getinfo(CURLINFO.PRIMARY_IP), '127.0.0.1');
    assert.ok(easy.getinfo(CURLINFO.NAMELOOKUP_TIME_T) >= 0);
  } finally {
    await srv.close();
    await dns.close();
  }
});

test('TIMEOUT_MS on a server that never answers -> CURLE_OPERATION_TIMEDOUT', async () => {
  const srv = await startRawServer(() => ({ hang: true }));
  try {
    const { code, easy } = await run(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 200));
    assert.equal(code, CURLE.OPERATION_TIMEDOUT);
    assert.match(easy.errorBuffer, /^Operation timed out after \d+ milliseconds with 0 bytes received$/);
  } finally {
    await srv.close();
  }
});

test('TIMEOUT_MS while the body trickles -> CURLE_OPERATION_TIMEDOUT with the count', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc' }));
  try {
    const { code, easy } = await run(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 200));
    assert.equal(code, CURLE.OPERATION_TIMEDOUT);
    assert.match(easy.errorBuffer, /with 3 out of 100 bytes received$/);
  } finally {
    await srv.close();
  }
});

test('garbage replies: status lines as libcurl (UNSUPPORTED_PROTOCOL), broken headers -> CURLE_WEIRD_SERVER_REPLY', async () => {
  // libcurl (7.88 and the current test suite, e.g. tests 1174, 1430, 1431, 398, 262) answers
  // CURLE_UNSUPPORTED_PROTOCOL for a reply that is no HTTP/1.x status line, and
  // CURLE_WEIRD_SERVER_REPLY for a status line followed by headers it cannot parse
  const cases: [string, number, RegExp][] = [
    ['SPDY/9 what is this\r\n\r\n', CURLE.UNSUPPORTED_PROTOCOL, /Received HTTP\/0\.9 when not allowed/],
    ['HTTP/1.1 2x0 OK\r\n\r\n', CURLE.UNSUPPORTED_PROTOCOL, /Unsupported response code/],
    ['HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n', CURLE.WEIRD_SERVER_REPLY, /Header without colon/],
    ['HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n', CURLE.WEIRD_SERVER_REPLY, /Nul byte in header/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n', CURLE.WEIRD_SERVER_REPLY, /Invalid Content-Length/],
  ];
  for (const [reply, expected, message] of cases) {
    const srv = await startRawServer(() => ({ data: reply, close: true }));
    try {
      const { code, easy } = await run(`http://127.0.0.1:${srv.port}/`);
      assert.equal(code, expected, reply);
      assert.match(easy.errorBuffer, message);
    } finally {
      await srv.close();
    }
  }
});

test('huge response headers -> an error, not unbounded memory', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\n' + 'X-Big: '.concat('a'.repeat(1000), '\r\n').repeat(400) + '\r\n', close: true }));
  try {
    const { code } = await run(`http://127.0.0.1:${srv.port}/`);
    assert.equal(code, CURLE.RECV_ERROR);
  } finally {
    await srv.close();
  }
});

test('server closing mid-body -> CURLE_PARTIAL_FILE, the bytes that came are delivered', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd', close: true }));
  try {
    const { code, body, easy } = await run(`http://127.0.0.1:${srv.port}/`);
    assert.equal(code, CURLE.PARTIAL_FILE);
    assert.equal(body, 'abcd');
    assert.match(easy.errorBuffer, /transfer closed with 6 bytes remaining to read/);
  } finally {
    await srv.close();
  }
});

test('server closing mid-chunked-body -> CURLE_PARTIAL_FILE', async () => {
  const srv = await startRawServer(() => ({
    data: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nwo', close: true,
  }));
  try {
    const { code, body } = await run(`http://127.0.0.1:${srv.port}/`);
    assert.equal(code, CURLE.PARTIAL_FILE);
    assert.equal(body, 'hellowo');
  } finally {
    await srv.close();
  }
});

test('empty reply -> CURLE_GOT_NOTHING', async () => {
  const srv = await startRawServer(() => ({ close: true }));
  try {
    const { code } = await run(`http://127.0.0.1:${srv.port}/`);
    assert.equal(code, CURLE.GOT_NOTHING);
  } finally {
    await srv.close();
  }
});

test('a write callback returning a short count -> CURLE_WRITE_ERROR', async () => {
  const srv = await startRawServer(() => ok('0123456789'));
  try {
    const { code } = await run(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.WRITEFUNCTION, () => 1));
    assert.equal(code, CURLE.WRITE_ERROR);
  } finally {
    await srv.close();
  }
});

test('setopt: unknown id, wrong type, not implemented', () => {
  const e = new Easy();
  assert.equal(e.setopt(999999 as never, 1 as never), CURLE.UNKNOWN_OPTION);
  assert.equal(e.setopt(CURLOPT.URL, 42 as never), CURLE.BAD_FUNCTION_ARGUMENT);
  assert.equal(e.setopt(CURLOPT.TIMEOUT_MS, 'soon' as never), CURLE.BAD_FUNCTION_ARGUMENT);
  assert.equal(e.setopt(CURLOPT.TIMEOUT_MS, -1), CURLE.BAD_FUNCTION_ARGUMENT);
  assert.equal(e.setopt(CURLOPT.WRITEFUNCTION, 'nope' as never), CURLE.BAD_FUNCTION_ARGUMENT);
  assert.equal(e.setopt(CURLOPT.SOCKS5_GSSAPI_NEC, 1), CURLE.NOT_BUILT_IN);
  assert.equal(e.setopt('URL', 'http://127.0.0.1/'), CURLE.OK);
  assert.equal(e.setopt('CURLOPT_TIMEOUT_MS', 5), CURLE.OK);
  assert.equal(e.setopt('NO_SUCH_OPTION', 5), CURLE.UNKNOWN_OPTION);
});
