// easy.header() / easy.nextheader() (curl_easy_header, curl_easy_nextheader)
// over a real socket: a redirect, an interim 1xx response, repeated and
// folded headers and chunked trailers, with libcurl's CURLHE codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLH, CURLHE, type CurlHeader } from '../../src/index.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';

let raw: RawServer;
const LIBCURL_MARK = 1 << 27;

before(async () => {
  raw = await startRawServer((req) => {
    if (req.target === '/start') {
      return { data: 'HTTP/1.1 302 Found\r\nLocation: /final\r\nX-Step: one\r\nContent-Length: 0\r\n\r\n' };
    }
    if (req.target === '/final') {
      return {
        data: 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nX-Step: two\r\nSet-Thing: a\r\nset-thing:   b  \r\nX-Folded: first\r\n  second\r\n' +
          'Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
          '5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n',
      };
    }
    return { data: 'HTTP/1.1 200 OK\r\nX-Other: yes\r\nContent-Length: 2\r\n\r\nok' };
  });
});
after(async () => {
  await raw.close();
});

const url = (p: string): string => `http://127.0.0.1:${raw.port}${p}`;

async function perform(e: Easy, path: string): Promise<void> {
  e.setopt(CURLOPT.URL, url(path));
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  assert.equal(await e.perform(), CURLE.OK);
}

test('before any transfer: NOHEADERS, and BAD_ARGUMENT for bad arguments', () => {
  const e = new Easy();
  try {
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, -1).code, CURLHE.NOHEADERS);
    assert.equal(e.header('X-Step', 0, 0, -1).code, CURLHE.BAD_ARGUMENT);
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, -2).code, CURLHE.BAD_ARGUMENT);
    assert.equal(e.header('X-Step', 0, 1 << 5, 0).code, CURLHE.BAD_ARGUMENT);
    assert.equal(e.nextheader(CURLH.HEADER, -1, null), null);
  } finally {
    e.cleanup();
  }
});

test('headers per request across a redirect; -1 is the last request', async () => {
  const e = new Easy();
  try {
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    await perform(e, '/start');
    const first = e.header('x-step', 0, CURLH.HEADER, 0);
    assert.equal(first.code, CURLHE.OK);
    assert.deepEqual({ ...first.header!, anchor: undefined },
      { name: 'X-Step', value: 'one', amount: 1, index: 0, origin: CURLH.HEADER | LIBCURL_MARK, anchor: undefined });
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, 1).header!.value, 'two');
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, -1).header!.value, 'two');
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, 2).code, CURLHE.NOREQUEST);
    assert.equal(e.header('Location', 0, CURLH.HEADER, -1).code, CURLHE.MISSING);
    assert.equal(e.header('Location', 0, CURLH.HEADER, 0).header!.value, '/final');
  } finally {
    e.cleanup();
  }
});

test('repeated, folded, 1xx and trailer headers; amount and index; BADINDEX', async () => {
  const e = new Easy();
  try {
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    await perform(e, '/final');
    const a = e.header('SET-THING', 0, CURLH.HEADER, -1).header!;
    const b = e.header('set-thing', 1, CURLH.HEADER, -1).header!;
    assert.deepEqual([a.name, a.value, a.amount, a.index], ['Set-Thing', 'a', 2, 0]);
    assert.deepEqual([b.name, b.value, b.amount, b.index], ['set-thing', 'b', 2, 1]);
    assert.equal(e.header('Set-Thing', 2, CURLH.HEADER, -1).code, CURLHE.BADINDEX);
    assert.equal(e.header('X-Folded', 0, CURLH.HEADER, -1).header!.value, 'first second');
    // 1xx headers have their own origin and belong to the request their final response answers
    assert.equal(e.header('Link', 0, CURLH.HEADER, -1).code, CURLHE.MISSING);
    const link = e.header('Link', 0, CURLH['1XX'], 0).header!;
    assert.equal(link.value, '</style.css>');
    assert.equal(link.origin, CURLH['1XX'] | LIBCURL_MARK);
    assert.equal(e.header('X-Sum', 0, CURLH.HEADER, -1).code, CURLHE.MISSING);
    assert.equal(e.header('X-Sum', 0, CURLH.TRAILER, -1).header!.value, '42');
    assert.equal(e.header('X-Sum', 0, CURLH.HEADER | CURLH.TRAILER, -1).header!.origin, CURLH.TRAILER | LIBCURL_MARK);
  } finally {
    e.cleanup();
  }
});

test('nextheader walks one origin/request scope in arrival order', async () => {
  const e = new Easy();
  try {
    await perform(e, '/final');
    const seen: string[] = [];
    let h: CurlHeader | null = null;
    for (let i = 0; i < 50 && (h = e.nextheader(CURLH.HEADER | CURLH['1XX'] | CURLH.TRAILER, -1, h)); i++) {
      seen.push(`${h.name}=${h.value} ${h.index}/${h.amount}`);
    }
    assert.deepEqual(seen, [
      'Link=</style.css> 0/1', 'X-Step=two 0/1', 'Set-Thing=a 0/2', 'set-thing=b 1/2', 'X-Folded=first second 0/1',
      'Transfer-Encoding=chunked 0/1', 'Trailer=X-Sum 0/1', 'X-Sum=42 0/1',
    ]);
    const only = e.nextheader(CURLH.TRAILER, -1, null)!;
    assert.equal(only.name, 'X-Sum');
    assert.equal(e.nextheader(CURLH.TRAILER, -1, only), null);
    assert.equal(e.nextheader(CURLH.HEADER, 3, null), null);
  } finally {
    e.cleanup();
  }
});

test('a new perform starts over; headers can be read from inside HEADERFUNCTION', async () => {
  const e = new Easy();
  try {
    await perform(e, '/final');
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, -1).code, CURLHE.OK);
    const during: string[] = [];
    e.setopt(CURLOPT.HEADERFUNCTION, (line: Buffer) => {
      if (line.toString().startsWith('X-Other')) during.push(e.header('x-other', 0, CURLH.HEADER, -1).header?.value ?? 'none');
      return line.length;
    });
    await perform(e, '/other');
    assert.deepEqual(during, ['yes']);
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, -1).code, CURLHE.MISSING);
    assert.equal(e.header('X-Step', 0, CURLH.HEADER, 1).code, CURLHE.NOREQUEST);
  } finally {
    e.cleanup();
  }
});
