// A seeded fuzz of request-side strings (issue 17): URLs (host, path,
// query), header values and option strings made of code points that used to
// turn into CR or LF (U+010A, U+010D, U+FF0A, U+FF0D), line separators,
// lone surrogates, NUL, CR, LF and random text. Each case builds a request;
// the head that would be sent must contain CR and LF only as the CRLF ending
// each line, no NUL, exactly the lines the options ask for, and each value
// as its UTF-8 bytes (computed here independently of the library). A request
// that is refused must have had a CR, LF or NUL written by the caller.
// Most cases build the head directly (the code the transfer runs in DO); a
// share of them go end to end over a loopback socket, checking the bytes the
// server received. Deterministic: fixed seeds, bounded case counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLAUTH } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { Transfer } from '../../src/multi/transfer.js';
import { parseUrlForTransfer } from '../../src/multi/url-adapter.js';
import { buildRequest } from '../../src/proto/http-request.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { mulberry32 } from '../helpers/prng.js';

const UNIT_CASES = 1800;
const WIRE_CASES = 200;

/** Code points chosen for what they used to do (low byte CR/LF), or may do (separators, surrogates, controls). */
const SPECIAL = ['\u010a', '\u010d', '\uff0a', '\uff0d', '\u2028', '\u2029', '\u0085', '\u00a0', '\u00ff', '\u0100',
  '\ufffd', '\ufeff', '\ud800', '\udbff', '\udc80', '\udcff', '\udfff', '\u{1f600}', '\u0000', '\r', '\n', '\t', ' ', ':', '%'];
const ASCII = 'abcxyzABCXYZ0189-._~!$&\'()*+,;=/?#@[]';

/** Most URLs get no control characters or spaces (those make the URL malformed: too few would be sent). */
const URL_SPECIAL = SPECIAL.filter((c) => !/[\0\r\n\t ]/.test(c));
/** For host names: nothing that moves the URL's parts around ('/', '?', '#', '@', ':', '[', '%'). */
const HOST_ASCII = 'abcxyzABCXYZ0189-._~';
const HOST_SPECIAL = URL_SPECIAL.filter((c) => c !== ':' && c !== '%');

function randomString(rnd: () => number, maxLen: number, ascii = ASCII, special = SPECIAL): string {
  let s = '';
  const n = Math.floor(rnd() * (maxLen + 1));
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.45) s += ascii[Math.floor(rnd() * ascii.length)];
    else if (r < 0.85) s += special[Math.floor(rnd() * special.length)];
    else {
      const c = String.fromCharCode(Math.floor(rnd() * 0x10000));
      s += ascii === HOST_ASCII && /[/?#@:[\]%]/.test(c) ? 'h' : c;
    }
  }
  return s;
}

/**
 * The bytes a text option stands for, written out here rather than taken
 * from the library: UTF-8; a lone U+DC80..U+DCFF is the byte 0x80..0xFF; any
 * other lone surrogate is U+FFFD. As a latin1 string (one char per byte).
 */
function oracleBytes(s: string): string {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
    } else if (cp >= 0xdc80 && cp <= 0xdcff) {
      out.push(cp - 0xdc00);
      continue;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Buffer.from(out).toString('latin1');
}

const hasLineBreakOrNul = (s: string): boolean => /[\r\n\0]/.test(s);
const isBlank = (s: string): boolean => !/[^ \t\n\v\f\r]/.test(s);

interface Case {
  host: string;
  /** path and query after the host */
  rest: string;
  method: string | null;
  target: string | null;
  ua: string | null;
  referer: string | null;
  cookie: string | null;
  range: string | null;
  bearer: string | null;
  headers: string[];
}

function makeCase(rnd: () => number): Case {
  const maybe = (p: number, len: number): string | null => (rnd() < p ? randomString(rnd, len) : null);
  const plainHost = rnd() < 0.5;
  const urlSpecial = rnd() < 0.85 ? URL_SPECIAL : SPECIAL;
  return {
    host: plainHost ? 'fuzz.example' : `${randomString(rnd, 6, HOST_ASCII, urlSpecial === SPECIAL ? SPECIAL : HOST_SPECIAL)}.example`,
    rest: `/${randomString(rnd, 8, ASCII, urlSpecial)}${rnd() < 0.5 ? `?${randomString(rnd, 8, ASCII, urlSpecial)}` : ''}`,
    method: rnd() < 0.2 ? `M${randomString(rnd, 6)}` : null,
    target: rnd() < 0.15 ? `/${randomString(rnd, 8)}` : null,
    ua: maybe(0.5, 10),
    referer: maybe(0.3, 10),
    cookie: maybe(0.3, 10),
    range: maybe(0.2, 6),
    bearer: maybe(0.2, 10),
    headers: Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => `X-F${i}: ${randomString(rnd, 10)}`),
  };
}

function setup(e: Easy, c: Case, url: string): void {
  e.setopt(CURLOPT.URL, url);
  if (c.method !== null) e.setopt(CURLOPT.CUSTOMREQUEST, c.method);
  if (c.target !== null) e.setopt(CURLOPT.REQUEST_TARGET, c.target);
  if (c.ua !== null) e.setopt(CURLOPT.USERAGENT, c.ua);
  if (c.referer !== null) e.setopt(CURLOPT.REFERER, c.referer);
  if (c.cookie !== null) e.setopt(CURLOPT.COOKIE, c.cookie);
  if (c.range !== null) e.setopt(CURLOPT.RANGE, c.range);
  if (c.bearer !== null) {
    e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER);
    e.setopt(CURLOPT.XOAUTH2_BEARER, c.bearer);
  }
  if (c.headers.length) e.setopt(CURLOPT.HTTPHEADER, c.headers);
}

/** The header lines (after Host) these options must produce, as bytes, in any order. */
function expectedLines(c: Case): string[] {
  const out: string[] = [];
  if (c.bearer !== null) out.push(`Authorization: Bearer ${oracleBytes(c.bearer)}`);
  if (c.range !== null) out.push(`Range: bytes=${oracleBytes(c.range)}`);
  if (c.ua) out.push(`User-Agent: ${oracleBytes(c.ua)}`);
  out.push('Accept: */*');
  if (c.referer) out.push(`Referer: ${oracleBytes(c.referer)}`);
  if (c.cookie !== null) out.push(`Cookie: ${oracleBytes(c.cookie)}`);
  for (const h of c.headers) if (!isBlank(h.slice(h.indexOf(':') + 1))) out.push(oracleBytes(h));
  return out;
}

/** Every string of the case that goes into the head. */
function headInputs(c: Case): string[] {
  return [c.method ?? '', c.target ?? '', c.ua ?? '', c.referer ?? '', c.cookie ?? '', c.range ?? '', c.bearer ?? '', ...c.headers];
}

/**
 * The checks on a head that was (or would be) sent. `port` is the URL's
 * port; `label` names the case in failures.
 */
function checkHead(head: string, c: Case, port: number, label: string): void {
  assert.ok(head.endsWith('\r\n\r\n'), label);
  const lines = head.slice(0, -4).split('\r\n');
  for (const l of lines) assert.doesNotMatch(l, /[\r\n\0]/, `${label}: CR, LF or NUL inside a line`);
  // the request line: the method and target the options and URL say, nothing more
  const method = c.method !== null ? oracleBytes(c.method) : 'GET';
  assert.ok(lines[0]!.startsWith(`${method} `) && lines[0]!.endsWith(' HTTP/1.1'), `${label}: request line ${JSON.stringify(lines[0])}`);
  const target = lines[0]!.slice(method.length + 1, -' HTTP/1.1'.length);
  if (c.target !== null) assert.equal(target, oracleBytes(c.target), label);
  // eslint-disable-next-line no-control-regex
  else assert.doesNotMatch(target, /[\x00-\x20\x7f#]/, `${label}: target ${JSON.stringify(target)}`);
  // Host: the URL's host in ASCII (punycode for an international name)
  const host = lines[1]!;
  assert.ok(host.startsWith('Host: ') && host.endsWith(`:${port}`), `${label}: ${JSON.stringify(host)}`);
  const name = host.slice(6, -`:${port}`.length);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(c.host)) assert.equal(name, c.host, label);
  else assert.match(name, /^[a-z0-9_.-]+$/, `${label}: host ${JSON.stringify(name)}`);
  assert.deepEqual(lines.slice(2).sort(), expectedLines(c).sort(), label);
}

test('fuzz: request heads built from hostile strings carry no CR, LF or NUL the caller did not write as such', (ctx) => {
  const rnd = mulberry32(0x17e1);
  const port = 8080;
  let sent = 0;
  let refusedHead = 0;
  let badUrl = 0;
  for (let i = 0; i < UNIT_CASES; i++) {
    const c = makeCase(rnd);
    const url = `http://${c.host}:${port}${c.rest}`;
    const label = `case ${i}: ${JSON.stringify(c)}`;
    const parsed = parseUrlForTransfer(url, 0, null);
    if (parsed.code !== CURLE.OK || !('url' in parsed)) {
      assert.equal(parsed.code, CURLE.URL_MALFORMAT, label);
      badUrl++;
      continue;
    }
    const e = new Easy();
    try {
      setup(e, c, url);
      const t = new Transfer(e, internalsOf(e)!.opts, { inCallback: (fn) => fn() });
      t.url = parsed.url;
      const built = buildRequest(t, { inCallback: (fn) => fn() });
      if (built.code !== CURLE.OK) {
        assert.equal(built.code, CURLE.BAD_FUNCTION_ARGUMENT, label);
        assert.ok(headInputs(c).some(hasLineBreakOrNul), `${label}: refused without a CR, LF or NUL written`);
        refusedHead++;
        continue;
      }
      checkHead(built.head.toString('latin1'), c, port, label);
      sent++;
    } finally {
      e.cleanup();
    }
  }
  ctx.diagnostic(`sent ${sent}, refused ${refusedHead}, bad URL ${badUrl}`);
  // the generator must exercise all three outcomes
  assert.ok(sent > UNIT_CASES / 4 && refusedHead > 50 && badUrl > 50, `sent ${sent}, refused ${refusedHead}, bad URL ${badUrl}`);
});

test('fuzz over a loopback socket: the bytes the server receives pass the same checks', async (ctx) => {
  const srv = await startRawServer(() => ok(''));
  const rnd = mulberry32(0x17e2);
  let sent = 0;
  try {
    for (let i = 0; i < WIRE_CASES; i++) {
      const c = makeCase(rnd);
      const url = `http://${c.host}:${srv.port}${c.rest}`;
      const label = `case ${i}: ${JSON.stringify(c)}`;
      const e = new Easy();
      try {
        setup(e, c, url);
        // every host name is this server
        e.setopt(CURLOPT.CONNECT_TO, [`::127.0.0.1:${srv.port}`]);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
        const before = srv.requests.length;
        const code = await e.perform();
        if (code === CURLE.OK) {
          assert.equal(srv.requests.length, before + 1, label);
          const raw = srv.requests.at(-1)!.raw.toString('latin1');
          checkHead(raw, c, srv.port, label);
          sent++;
        } else {
          assert.equal(srv.requests.length, before, `${label}: nothing may be sent when refused`);
          if (code === CURLE.BAD_FUNCTION_ARGUMENT) assert.ok(headInputs(c).some(hasLineBreakOrNul), label);
          else assert.equal(code, CURLE.URL_MALFORMAT, label);
        }
      } finally {
        e.cleanup();
      }
    }
    ctx.diagnostic(`sent ${sent} of ${WIRE_CASES}`);
    assert.ok(sent > WIRE_CASES / 4, `sent ${sent}`);
  } finally {
    await srv.close();
  }
});
