// How strings become request bytes (issue 17, items 1 and 5), end to end over
// loopback: every option string is text and goes on the wire as its UTF-8
// bytes, never as each character's low byte, which turned U+010A / U+FF0A
// into LF and U+010D / U+FF0D into CR and let a host name, a header or an
// option forge request lines. International host names go as punycode, as
// libcurl with libidn2 sends them; names IDNA refuses are a bad URL. Bytes
// that reach the library as bytes (a Location header, a cookie file) go out
// as exactly those bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLAUTH, CURLPROXY, Mime, optionByName } from '../../src/index.js';
import { startRawServer, ok, withRawServer } from '../helpers/raw-http-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { startSocksServer } from '../helpers/socks-server.js';
import { fetchUrl } from '../helpers/fetch.js';

const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
/** The lines of a raw request head (a latin1 string), without the blank line. */
const headLines = (head: string): string[] => head.slice(0, head.indexOf('\r\n\r\n')).split('\r\n');

const withServer = withRawServer;

/** Text whose characters' low bytes are CR and LF: U+010D U+010A and U+FF0D U+FF0A. */
const FORGE = 'v\u010d\u010aX-Injected: 1\uff0d\uff0aX-Injected: 2';

test('option strings go out as UTF-8: no low byte of U+010A/U+010D/U+FF0A/U+FF0D becomes CR or LF', async () => {
  const cases: { name: string; setup: (e: Easy) => void; line: (head: string[]) => string | undefined; want: string }[] = [
    { name: 'HTTPHEADER', setup: (e) => e.setopt(CURLOPT.HTTPHEADER, [`X-Custom: ${FORGE}`]),
      line: (h) => h.find((l) => l.startsWith('X-Custom:')), want: `X-Custom: ${utf8(FORGE)}` },
    { name: 'USERAGENT', setup: (e) => e.setopt(CURLOPT.USERAGENT, FORGE),
      line: (h) => h.find((l) => l.startsWith('User-Agent:')), want: `User-Agent: ${utf8(FORGE)}` },
    { name: 'REFERER', setup: (e) => e.setopt(CURLOPT.REFERER, FORGE),
      line: (h) => h.find((l) => l.startsWith('Referer:')), want: `Referer: ${utf8(FORGE)}` },
    { name: 'COOKIE', setup: (e) => e.setopt(CURLOPT.COOKIE, `a=${FORGE}`),
      line: (h) => h.find((l) => l.startsWith('Cookie:')), want: `Cookie: a=${utf8(FORGE)}` },
    { name: 'RANGE', setup: (e) => e.setopt(CURLOPT.RANGE, `0-1${FORGE}`),
      line: (h) => h.find((l) => l.startsWith('Range:')), want: `Range: bytes=0-1${utf8(FORGE)}` },
    { name: 'XOAUTH2_BEARER', setup: (e) => { e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER); e.setopt(CURLOPT.XOAUTH2_BEARER, FORGE); },
      line: (h) => h.find((l) => l.startsWith('Authorization:')), want: `Authorization: Bearer ${utf8(FORGE)}` },
    { name: 'CUSTOMREQUEST', setup: (e) => e.setopt(CURLOPT.CUSTOMREQUEST, `GET${FORGE}`),
      line: (h) => h[0], want: `GET${utf8(FORGE)} /p HTTP/1.1` },
    { name: 'REQUEST_TARGET', setup: (e) => e.setopt(CURLOPT.REQUEST_TARGET, `/t${FORGE}`),
      line: (h) => h[0], want: `GET /t${utf8(FORGE)} HTTP/1.1` },
    { name: 'USERPWD (Basic)', setup: (e) => e.setopt(CURLOPT.USERPWD, `u:${FORGE}`),
      line: (h) => h.find((l) => l.startsWith('Authorization:')),
      want: `Authorization: Basic ${Buffer.from(`u:${FORGE}`, 'utf8').toString('base64')}` },
  ];
  await withServer(async (s) => {
    for (const c of cases) {
      const r = await fetchUrl(`http://127.0.0.1:${s.port}/p`, c.setup);
      try {
        assert.equal(r.code, CURLE.OK, c.name);
        const raw = s.requests.at(-1)!.raw.toString('latin1');
        const lines = headLines(raw);
        assert.equal(c.line(lines), c.want, c.name);
        assert.ok(!lines.some((l) => l.startsWith('X-Injected')), `${c.name}: no forged line`);
        // CR and LF only as the CRLF that ends each line
        assert.doesNotMatch(raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n/g, ''), /[\r\n\0]/, c.name);
      } finally {
        r.easy.cleanup();
      }
    }
  });
});

test('CR, LF or NUL the application writes into a header are refused, and nothing is sent', async () => {
  await withServer(async (s) => {
    for (const [opt, value, message] of [
      [CURLOPT.HTTPHEADER, ['X-A: a\r\nX-Injected: 1'], 'Header contains a line break'],
      [CURLOPT.HTTPHEADER, ['X-A: a\0b'], 'Header contains a NUL byte'],
      [CURLOPT.USERAGENT, 'ua\0', 'Header contains a NUL byte'],
      [CURLOPT.COOKIE, 'a=\0', 'Header contains a NUL byte'],
      [CURLOPT.CUSTOMREQUEST, 'GET\n', 'Header contains a line break'],
    ] as const) {
      const r = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => e.setopt(opt, value as never));
      try {
        assert.equal(r.code, CURLE.BAD_FUNCTION_ARGUMENT);
        assert.equal(r.easy.errorBuffer, message);
      } finally {
        r.easy.cleanup();
      }
    }
    assert.equal(s.requests.length, 0);
  });
});

test('international host names: punycode in Host (and to connect to), the effective URL as given', async () => {
  await withServer(async (s) => {
    const connectTo = (e: Easy): void => { e.setopt(CURLOPT.CONNECT_TO, [`::127.0.0.1:${s.port}`]); };
    for (const [host, ace] of [
      ['bücher.example', 'xn--bcher-kva.example'],
      ['BÜCHER.example', 'xn--bcher-kva.example'],
      // U+010A / U+010D are letters: their names are fine, and nothing of them is a CR or LF
      ['a\u010a.example', 'xn--a-8ha.example'],
      ['a\u010d.example', 'xn--a-dia.example'],
      // an ASCII name is used as given, as curl does (no IDNA check)
      ['xn--a.example', 'xn--a.example'],
    ] as const) {
      const url = `http://${host}:${s.port}/`;
      const r = await fetchUrl(url, connectTo);
      try {
        assert.equal(r.code, CURLE.OK, host);
        assert.equal(s.requests.at(-1)!.headers.get('host'), `${ace}:${s.port}`);
        assert.equal(r.easy.getinfo(CURLINFO.EFFECTIVE_URL), url);
      } finally {
        r.easy.cleanup();
      }
    }
    const before = s.requests.length;
    // names curl 7.88 (libidn2) refuses: a label that maps to "a-", a line separator, a disallowed symbol
    for (const host of ['a\uff0d.example', 'a\u2028.example', '\u2488.example', 'a\u0000b.example']) {
      const r = await fetchUrl(`http://${host}:${s.port}/`, connectTo);
      try {
        assert.equal(r.code, CURLE.URL_MALFORMAT, JSON.stringify(host));
      } finally {
        r.easy.cleanup();
      }
    }
    assert.equal(s.requests.length, before);
  });
});

test('through a proxy: the forwarded request and the CONNECT carry punycode and UTF-8, never a forged line', async () => {
  const origin = await startRawServer(() => ok('tunneled'));
  const proxy = await startProxyServer((req) => (req.method === 'CONNECT' ? { tunnel: true } : { data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }));
  try {
    const forwarded = await fetchUrl(`http://bücher.example:${origin.port}/ü?é`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.PROXYHEADER, [`X-P: ${FORGE}`]);
      e.setopt(CURLOPT.HEADEROPT, 0); // CURLHEADER_UNIFIED: the proxy gets HTTPHEADER too
      e.setopt(CURLOPT.HTTPHEADER, [`X-H: ${FORGE}`]);
      e.setopt(CURLOPT.USERAGENT, FORGE);
    });
    try {
      assert.equal(forwarded.code, CURLE.OK);
      const lines = headLines(proxy.requests.at(-1)!.head);
      // the absolute URL as curl 7.88 sends it to a proxy: punycode host, the path's UTF-8 as it is
      assert.equal(lines[0], `GET http://xn--bcher-kva.example:${origin.port}/${utf8('ü')}?${utf8('é')} HTTP/1.1`);
      assert.equal(lines[1], `Host: xn--bcher-kva.example:${origin.port}`);
      assert.ok(lines.includes(`X-H: ${utf8(FORGE)}`));
      assert.ok(!lines.some((l) => l.startsWith('X-Injected')));
    } finally {
      forwarded.easy.cleanup();
    }
    const tunneled = await fetchUrl(`http://bücher.example:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXYHEADER, [`X-P: ${FORGE}`]);
      e.setopt(CURLOPT.USERAGENT, FORGE);
    });
    try {
      assert.equal(tunneled.code, CURLE.OK);
      const connect = proxy.requests.at(-1)!;
      assert.equal(connect.method, 'CONNECT');
      assert.deepEqual(headLines(connect.head), [
        `CONNECT xn--bcher-kva.example:${origin.port} HTTP/1.1`, `Host: xn--bcher-kva.example:${origin.port}`,
        `User-Agent: ${utf8(FORGE)}`, 'Proxy-Connection: Keep-Alive', `X-P: ${utf8(FORGE)}`,
      ]);
      assert.equal(origin.requests.at(-1)!.headers.get('host'), `xn--bcher-kva.example:${origin.port}`);
    } finally {
      tunneled.easy.cleanup();
    }
    // a line break the application wrote into a proxy header: no CONNECT is sent
    const before = proxy.requests.length;
    const refused = await fetchUrl(`http://tunnel.example:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
      e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
      e.setopt(CURLOPT.PROXYHEADER, ['X-P: a\r\nX-Injected: 1']);
    });
    try {
      assert.equal(refused.code, CURLE.BAD_FUNCTION_ARGUMENT);
      assert.equal(proxy.requests.length, before);
    } finally {
      refused.easy.cleanup();
    }
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('request bodies from text are UTF-8 too: POSTFIELDS, a MIME part\'s name and data, trailers', async () => {
  await withServer(async (s) => {
    const post = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => e.setopt(CURLOPT.POSTFIELDS, 'é\u010a'));
    try {
      assert.equal(post.code, CURLE.OK);
      const req = s.requests.at(-1)!;
      assert.deepEqual([...req.body], [0xc3, 0xa9, 0xc4, 0x8a]);
      assert.equal(req.headers.get('content-length'), '4');
    } finally {
      post.easy.cleanup();
    }
    const mime = new Mime();
    const part = mime.addpart();
    part.name(`n${FORGE}`);
    part.data('d\u010a');
    const form = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => e.setopt(CURLOPT.MIMEPOST, mime));
    try {
      assert.equal(form.code, CURLE.OK);
      const body = s.requests.at(-1)!.body.toString('latin1');
      assert.match(body, new RegExp(`Content-Disposition: form-data; name="n${utf8(FORGE)}"\r\n\r\nd${utf8('\u010a')}\r\n`));
      assert.doesNotMatch(body, /^X-Injected/m);
    } finally {
      form.easy.cleanup();
    }
    const chunked = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => {
      let sent = false;
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.HTTPHEADER, ['Expect:']); // unknown size: chunked, with the trailers after the last chunk
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => (sent ? 0 : (sent = true, buf.write('x'))));
      e.setopt(CURLOPT.TRAILERFUNCTION, (list: string[]) => (list.push(`X-T: ${FORGE}`), 0));
    });
    try {
      assert.equal(chunked.code, CURLE.OK);
      const raw = s.requests.at(-1)!.raw.toString('latin1');
      assert.ok(raw.endsWith(`0\r\nX-T: ${utf8(FORGE)}\r\n\r\n`), JSON.stringify(raw));
    } finally {
      chunked.easy.cleanup();
    }
  });
});

test('a Location header\'s bytes are the next URL\'s bytes: not read as latin1 text and encoded again', async () => {
  const srv = await startRawServer((r) => (r.target === '/start'
    ? { data: Buffer.from('HTTP/1.1 302 Found\r\nLocation: /r\xc3\xbc/\xff?q\xc3\xbc\xff\r\nContent-Length: 0\r\n\r\n', 'latin1') }
    : ok('landed')));
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/start`, (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1));
    try {
      assert.equal(r.code, CURLE.OK);
      // what curl 7.88.1 requests for this Location
      assert.equal(srv.requests[1]!.target, '/r%c3%bc/%ff?q%c3%bc%ff');
    } finally {
      r.easy.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('a redirect to a host name IDNA refuses is CURLE_URL_MALFORMAT', async () => {
  const srv = await startRawServer(() => ({ data: `HTTP/1.1 302 Found\r\nLocation: http://a${utf8('\uff0d')}.example/\r\nContent-Length: 0\r\n\r\n` }));
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1));
    try {
      assert.equal(r.code, CURLE.URL_MALFORMAT);
      assert.equal(srv.requests.length, 1);
    } finally {
      r.easy.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('an option id that is neither a number nor a name is CURLE_UNKNOWN_OPTION, not a throw', () => {
  const e = new Easy();
  try {
    for (const id of [undefined, null, {}, [], Symbol('x'), () => 1, 10002n, true]) {
      assert.equal(e.setopt(id as never, 'x' as never), CURLE.UNKNOWN_OPTION, String(typeof id));
    }
    assert.equal(optionByName(undefined as never), undefined);
    assert.equal(e.setopt('CURLOPT_URL', 'http://127.0.0.1/'), CURLE.OK);
  } finally {
    e.cleanup();
  }
});

test('cookie files: a NUL cuts its line (and, as libcurl reads them, the next); 0xFF and other high bytes are sent as they are', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cookiebytes-'));
  const file = join(dir, 'cookies.txt');
  const line = (name: string, value: string): string => `127.0.0.1\tFALSE\t/\tFALSE\t0\t${name}\t${value}\n`;
  // the cookies /usr/bin/curl 7.88.1 sends for this file: ff, ok, last (nul is cut and swallows "after")
  writeFileSync(file, Buffer.from(line('ff', 'c\xffd') + line('nul', 'a\0b') + line('after', 'v') + line('ok', 'v') + line('last', 'v'), 'latin1'));
  await withServer(async (s) => {
    const r = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => e.setopt(CURLOPT.COOKIEFILE, file));
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(headLines(s.requests.at(-1)!.raw.toString('latin1')).find((l) => l.startsWith('Cookie:')), 'Cookie: last=v; ok=v; ff=c\xffd');
    } finally {
      r.easy.cleanup();
    }
    // a line that starts with NUL ends the file
    writeFileSync(file, Buffer.from(line('first', 'v') + '\0x\n' + line('never', 'v'), 'latin1'));
    const r2 = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => e.setopt(CURLOPT.COOKIEFILE, file));
    try {
      assert.equal(r2.code, CURLE.OK);
      assert.equal(s.requests.at(-1)!.headers.get('cookie'), 'first=v');
    } finally {
      r2.easy.cleanup();
    }
  });
});

test('COOKIELIST strings are C strings of UTF-8: a NUL ends them, U+010A is two bytes, not LF', async () => {
  await withServer(async (s) => {
    const r = await fetchUrl(`http://127.0.0.1:${s.port}/`, (e) => {
      e.setopt(CURLOPT.COOKIELIST, 'Set-Cookie: s=a\0b; domain=127.0.0.1');
      e.setopt(CURLOPT.COOKIELIST, `Set-Cookie: t=${FORGE}; domain=127.0.0.1`);
    });
    try {
      assert.equal(r.code, CURLE.OK);
      const cookie = headLines(s.requests.at(-1)!.raw.toString('latin1')).find((l) => l.startsWith('Cookie:'));
      assert.equal(cookie, `Cookie: t=${utf8(FORGE)}; s=a`);
    } finally {
      r.easy.cleanup();
    }
  });
});

test('SOCKS credentials are UTF-8 too: U+0100 was a NUL, which in SOCKS4a made the rest of the user id the host name', async () => {
  const origin = await startRawServer(() => ok('in'));
  const socks = await startSocksServer();
  try {
    const r = await fetchUrl(`http://bücher.example:${origin.port}/`, (e) => {
      e.setopt(CURLOPT.PROXY, `127.0.0.1:${socks.port}`);
      e.setopt(CURLOPT.PROXYTYPE, CURLPROXY.SOCKS4A);
      e.setopt(CURLOPT.PROXYUSERNAME, 'u\u0100evil.example');
    });
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(socks.requests[0]!.userId, `u${utf8('\u0100')}evil.example`);
      assert.equal(socks.requests[0]!.host, 'xn--bcher-kva.example');
    } finally {
      r.easy.cleanup();
    }
  } finally {
    await socks.close();
    await origin.close();
  }
});
