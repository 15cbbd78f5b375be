// The HTTP/1 parser's in-place header path (reuseEvents: a complete header
// line read straight from the received Buffer, one reused event object, the
// raw line made only when read) must give exactly the events of the general
// path (a Buffer view and a pending record per line): same names, values,
// raw bytes, sizes, name ids, framing, errors — whether the response comes
// in one read, byte by byte or split anywhere, with folded headers, NUL
// bytes, lines at the length limits, mixed-case names and odd values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../helpers/prng.js';
import { ResponseParser } from '../../src/http1/index.js';
import type { ParseEvent, ResponseParserOptions } from '../../src/http1/index.js';
import { HDR, headerIdOf, headerIdOfBytes } from '../../src/http1/header-fields.js';

const NGINX =
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 01 Dec 2025 04:30:41 GMT\r\nContent-Type: application/octet-stream\r\n' +
  'Content-Length: 16\r\nLast-Modified: Mon, 01 Dec 2025 04:00:00 GMT\r\nConnection: keep-alive\r\nETag: "692d1a00-10"\r\n' +
  'Accept-Ranges: bytes\r\n\r\n0123456789abcdef';

const CORPUS = [
  NGINX,
  NGINX + NGINX.replace('200 OK', '404 Not Found'),
  'HTTP/1.1 200 OK\r\ncontent-length: 3\r\nCONNECTION: Close\r\nx-A: 1\r\n\r\nabc',
  'HTTP/1.1 200 OK\r\nX-Folded: one\r\n two\r\n\tthree\r\nContent-Length: 1\r\n\r\nz',
  'HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Blank:   \t \r\nX-Ws:  v  \t\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\nLF-Only: yes\nContent-Length: 2\n\nhi',
  'HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: x\r\n\r\nhi',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nTransfer-Encoding: identity\r\n\r\n3\r\nabc\r\n0\r\nX-T: v\r\n\r\n',
  'HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 1\r\n\r\n1',
  'HTTP/1.1 200 OK\r\n  Leading: blanks\r\nA:b:c\r\n:novalue\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 302 Found\r\nLocation: /next\r\nSet-Cookie: a=b; Path=/\r\nSet-Cookie: c=d\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX-Latin1: caf\xe9\r\nX\xc4: \xff\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX-CR: a\rb\r\r\nContent\rLength: 9\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n',
  'HELLO\r\n\r\nan HTTP/0.9 body',
  'HTTP/1.0 404  Not  Found \t\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 2000 OK\r\n\r\n',
  'HTTP/1.2 200 OK\r\n\r\n',
  'http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 O\0K\r\n\r\n',
  'HTTP/1.1 200 OK\r\nA: b\r\n\rX: y\r\n\r\nbody',
  'HTTP/1.1 204 No Content\r\n\nHTTP/1.1 200 OK\r\n\r\n',
  `HTTP/1.1 200 ${'r'.repeat(1100)}\r\nContent-Length: 0\r\n\r\n`,
  `HTTP/1.1 200 OK\r\nX-Huge: ${'h'.repeat(3000)}\r\nX-Edge: ${'e'.repeat(1014)}\r\nX-Edge2: ${'e'.repeat(1013)}\r\nContent-Length: 0\r\n\r\n`,
  `HTTP/1.1 200 OK\r\nX-Long: ${'v'.repeat(300)}\r\nContent-Type: ${'t'.repeat(70)}\r\nContent-Length: 0\r\n\r\n`,
];

function describe(ev: ParseEvent): string {
  switch (ev.type) {
    case 'status':
      assert.equal(ev.size, ev.raw.length, 'size is raw.length');
      return `S${ev.version}/${ev.code}/${ev.reason}/${ev.raw.toString('latin1')}`;
    case 'header':
      assert.equal(ev.size, ev.raw.length, 'size is raw.length');
      return `h${ev.name}:${ev.value}/${ev.raw.toString('latin1')}/${ev.id}`;
    case 'trailer':
      return `t${ev.name}:${ev.value}/${ev.raw.toString('latin1')}`;
    case 'headers-end':
      assert.equal(ev.size, ev.raw.length, 'size is raw.length');
      return `E${ev.interim}/${ev.raw.toString('latin1')}`;
    case 'error':
      return `X${ev.code}/${ev.message}`;
    default:
      return ev.type;
  }
}

/** Feed `input` cut at `cuts`, draining after each feed; events described as they come (reused objects change). */
function parse(input: Buffer, cuts: number[], opts: ResponseParserOptions, parser?: ResponseParser): string[] {
  const p = parser ?? new ResponseParser(opts);
  const out: string[] = [];
  let data: Buffer[] = [];
  let budget = 4 * input.length + 200;
  let finished = false;
  const drain = (): void => {
    while (!finished) {
      assert.ok(budget-- > 0, 'next() did not settle');
      const ev = p.next();
      if (ev.type === 'need-data') return;
      if (ev.type === 'data') {
        data.push(Buffer.from(ev.data));
        continue;
      }
      if (data.length) {
        out.push(`D${Buffer.concat(data).toString('latin1')}`);
        data = [];
      }
      out.push(describe(ev));
      if (ev.type === 'end' || ev.type === 'error') finished = true;
    }
  };
  let prev = 0;
  for (const cut of [...cuts, input.length]) {
    p.feed(input.subarray(prev, cut));
    prev = cut;
    drain();
  }
  if (!parser) p.eof(); // a parser to be reused stays open, as on a kept-alive connection
  drain();
  if (data.length) out.push(`D${Buffer.concat(data).toString('latin1')}`);
  out.push(`framing=${JSON.stringify(p.framing)} cl=${p.contentLength} te=${p.transferEncodings.join(',')} keepAlive=${p.keepAlive}`);
  return out;
}

/** Every way of reading `input` with and without in-place events gives the same events. */
function assertSame(input: Buffer, opts: Omit<ResponseParserOptions, 'reuseEvents'>, cuts: number[], ctx: string): string[] {
  const general = parse(input, [], { ...opts, reuseEvents: false });
  const bytes = Array.from({ length: input.length }, (_, i) => i);
  for (const [name, c] of [['whole', []], ['split', cuts], ['bytewise', bytes]] as const) {
    assert.deepEqual(parse(input, [...c], { ...opts, reuseEvents: true }, ), general, `${ctx}: in place, ${name}`);
    assert.deepEqual(parse(input, [...c], { ...opts, reuseEvents: false }), general, `${ctx}: general, ${name}`);
  }
  return general;
}

test('in-place headers: the corpus gives the general path events, whole, split and byte by byte', () => {
  const rnd = mulberry32(0x1a9ce);
  for (const [i, text] of CORPUS.entries()) {
    const input = Buffer.from(text, 'latin1');
    for (const opts of [{ method: 'GET' }, { method: 'HEAD' }, { method: 'GET', ignoreContentLength: true }, { method: 'GET', transferDecoding: false }]) {
      const cuts = Array.from({ length: 4 }, () => Math.floor(rnd() * (input.length + 1))).sort((a, b) => a - b);
      assertSame(input, opts, cuts, `corpus ${i} ${JSON.stringify(opts)}`);
    }
  }
});

test('in-place headers: one cut anywhere (a read ending right after a line, before a fold) changes nothing', () => {
  for (const i of [0, 3, 4, 11, 13, 14]) {
    const input = Buffer.from(CORPUS[i]!, 'latin1');
    const general = parse(input, [], { method: 'GET' });
    for (let at = 0; at <= input.length; at++) {
      assert.deepEqual(parse(input, [at], { method: 'GET', reuseEvents: true }), general, `corpus ${i} cut at ${at}`);
    }
  }
});

test('in-place headers: the nginx reply is read in place and classified', () => {
  const events = assertSame(Buffer.from(NGINX, 'latin1'), { method: 'GET' }, [40], 'nginx');
  assert.deepEqual(events.filter((e) => e.startsWith('h')).map((e) => Number(e.slice(e.lastIndexOf('/') + 1))), [
    HDR.SERVER, HDR.DATE, HDR.CONTENT_TYPE, HDR.CONTENT_LENGTH, HDR.LAST_MODIFIED, HDR.CONNECTION, HDR.ETAG, HDR.ACCEPT_RANGES,
  ]);
  // one parser per response, as in the exchange; the second one gets the values shared from the first
  const values: string[][] = [];
  for (let r = 0; r < 2; r++) {
    const p = new ResponseParser({ method: 'GET', reuseEvents: true });
    p.feed(Buffer.from(NGINX, 'latin1'));
    const seen: string[] = [];
    for (let ev = p.next(); ev.type !== 'end'; ev = p.next()) if (ev.type === 'header') seen.push(ev.name, ev.value);
    values.push(seen);
    assert.equal(p.keepAlive, true);
  }
  assert.deepEqual(values[1], values[0]);
});

test('in-place headers: limits and NUL fail as on the general path', () => {
  const head = 'HTTP/1.1 200 OK\r\nX-A: 0123456789\r\nX-B: abcdefghij\r\nContent-Length: 0\r\n\r\n';
  const input = Buffer.from(head, 'latin1');
  // every total limit and line limit around the sizes of these lines
  for (let max = 10; max <= input.length + 2; max++) {
    assertSame(input, { method: 'GET', maxHeaderBytes: max }, [20], `maxHeaderBytes ${max}`);
  }
  for (let max = 14; max <= 22; max++) assertSame(input, { method: 'GET', maxHeaderLineBytes: max }, [33], `maxHeaderLineBytes ${max}`);
  const nul = assertSame(Buffer.from('HTTP/1.1 200 OK\r\nX-A: a\0\r\nX-B: b\r\n\r\n', 'latin1'), { method: 'GET' }, [], 'nul');
  assert.match(nul.join('\n'), /X8\/Nul byte in header/);
});

test('in-place headers: mutated replies agree with the general path', () => {
  const rnd = mulberry32(0x1a9cf);
  const pick = (n: number): number => Math.floor(rnd() * n);
  const noise = [0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x00, 0x43, 0x63, 0x2d];
  for (let it = 0; it < 1500; it++) {
    const b = Buffer.from(CORPUS[pick(CORPUS.length)]!, 'latin1');
    const n = 1 + pick(4);
    let m = b;
    for (let k = 0; k < n; k++) {
      const at = pick(m.length + 1);
      if (rnd() < 0.5) m = Buffer.concat([m.subarray(0, at), Buffer.from([noise[pick(noise.length)]!]), m.subarray(at)]);
      else m = Buffer.concat([m.subarray(0, at), m.subarray(Math.min(m.length, at + 1 + pick(3)))]);
    }
    const opts = { method: ['GET', 'HEAD'][pick(2)]!, maxHeaderBytes: rnd() < 0.2 ? 20 + pick(200) : undefined, maxHeaderLineBytes: rnd() < 0.2 ? 5 + pick(60) : undefined };
    const cuts = Array.from({ length: pick(5) }, () => pick(m.length + 1)).sort((x, y) => x - y);
    assertSame(m, opts, cuts, `iteration ${it}: ${JSON.stringify(m.toString('latin1'))} ${JSON.stringify(opts)}`);
  }
});

test('header ids: bytes and strings classify alike, in any case, and nothing else matches', () => {
  const names = ['content-length', 'Transfer-Encoding', 'CONNECTION', 'content-type', 'Content-Encoding', 'content-range', 'Location',
    'retry-after', 'Set-Cookie', 'WWW-Authenticate', 'Proxy-Authenticate', 'Last-Modified', 'server', 'Date', 'ETag',
    'accept-ranges', 'Cache-Control', 'Expires', 'Vary', 'Keep-Alive'];
  const ids = names.map((n) => headerIdOf(n));
  assert.deepEqual(ids, Array.from({ length: names.length }, (_, i) => i + 1));
  for (const n of names) {
    const b = Buffer.from(`x${n}y`, 'latin1');
    assert.equal(headerIdOfBytes(b, 1, b.length - 1), headerIdOf(n), n);
  }
  // near misses: another byte where a letter or the dash is (the OR-0x20 trap: CR|0x20 is '-')
  for (const n of ['content\rlength', 'content_length', 'content-lengtH '.trim() + 'x', 'contentlength', 'Content-Lengt', 'c0nnection', 'Location\xc0', 'loca\xd4ion', 'dat\xc5']) {
    const b = Buffer.from(n, 'latin1');
    assert.equal(headerIdOfBytes(b, 0, b.length), headerIdOf(n), JSON.stringify(n));
    assert.equal(headerIdOf(n), HDR.OTHER, JSON.stringify(n));
  }
});

test('a recycled parser (reset() after a kept-alive response) reads the next response as a new one does', () => {
  let recycled = 0;
  const methods = ['GET', 'HEAD'];
  for (const [i, a] of CORPUS.entries()) {
    for (const [j, b] of CORPUS.entries()) {
      const method = methods[(i + j) % 2]!;
      const p = new ResponseParser({ method, reuseEvents: true, maxHeaderBytes: 4000 });
      parse(Buffer.from(a, 'latin1'), [7], { method }, p);
      if (!p.recyclable) continue;
      recycled++;
      // a small header limit: bytes counted for the first response must not count for the second
      const opts = { method: methods[(i + j + 1) % 2]!, reuseEvents: true, http09Allowed: j % 3 !== 0, reusedConnection: j % 4 === 0, maxHeaderBytes: 400 };
      p.forgetBuffers();
      p.reset(opts);
      const input = Buffer.from(b, 'latin1');
      assert.deepEqual(parse(input, [5, 40], opts, p), parse(input, [5, 40], { ...opts, reuseEvents: false }, new ResponseParser({ ...opts, reuseEvents: false })),
        `corpus ${i} then ${j}`);
    }
  }
  assert.ok(recycled > 100, `only ${recycled} recycled`);
});
