// curly's plain path parses each handle's header text with the shapes of its
// previous responses (header-shapes.ts): after a block's names repeat, the
// block is made by a function compiled for those names. It must give what
// parseHeaders() gives for every text, in the same key order and with an
// ordinary prototype, whatever came before on the handle, and put nothing
// a server sends into the compiled code unquoted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeaders } from '../../src/compat/node-libcurl/headers.js';
import { HeaderShapes, parseHeadersShaped } from '../../src/compat/node-libcurl/header-shapes.js';

const nginx = (date: string): string =>
  `HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: ${date}\r\nContent-Type: text/plain\r\nContent-Length: 16\r\nConnection: keep-alive\r\n\r\n`;

/** Each text parsed as parseHeaders() does, checked three times in a row (the third runs the compiled shape). */
function assertSame(shapes: HeaderShapes, text: string): void {
  for (let i = 0; i < 3; i++) {
    const want = parseHeaders(text);
    const got = parseHeadersShaped(text, shapes);
    assert.deepStrictEqual(got, want, JSON.stringify(text));
    assert.deepEqual(got.map((o) => Object.keys(o)), want.map((o) => Object.keys(o)), `key order of ${JSON.stringify(text)}`);
    for (const o of got) assert.equal(Object.getPrototypeOf(o), Object.prototype);
  }
}

test('shaped header parsing gives what parseHeaders gives, shape after shape', () => {
  const shapes = new HeaderShapes();
  const texts = [
    nginx('Sun, 06 Dec 2026 07:40:00 GMT'),
    nginx('Sun, 06 Dec 2026 07:40:01 GMT'),
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: 1\r\nA: 2\r\nSet-Cookie: x=1\r\nset-cookie: y=2\r\n\r\n',
    'HTTP/1.1 200 OK\nB:  x \nNoColon\nC:\n\n', // LF only, a blank kept, a line without colon, an empty value
    'HTTP/1.1 200 OK\r\nB: y\r\n', // no blank line at the end
    'HTTP/1.1 200 OK\r\nA: 1\r\nA: 2\r\n\r\n', // a repeated name: the last value, at the first one's place
    'HTTP/1.1 200 OK\r\nresult: 5\r\nX: 1\r\n\r\n', // a header named result overwrites the status
    'HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\nHTTP/1.1 200 OK\r\nServer: s\r\n\r\n',
    'HTTP/1.1 200 OK\r\nServer: s\r\n\r\n', // one block fewer than before
    nginx('Sun, 06 Dec 2026 07:40:02 GMT'),
  ];
  assertSame(shapes, texts[0]!);
  assert.notEqual(shapes.blocks[0]!.factory, null, 'the third parse of the same names runs a compiled shape');
  for (const t of texts) assertSame(shapes, t);
  // the same texts interleaved: each block's shape changes every time
  for (let round = 0; round < 2; round++) for (const t of texts) assert.deepStrictEqual(parseHeadersShaped(t, shapes), parseHeaders(t));
});

test('names are data, never code: quotes, backslashes, line separators, __proto__', () => {
  const shapes = new HeaderShapes();
  const hostile = [
    'HTTP/1.1 200 OK\r\n"};globalThis.pwned=1;({": x\r\nX: 1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nA"\\\u2028\u2029`${x}: v\r\n\r\n',
    'HTTP/1.1 200 OK\r\n__proto__: {"polluted":1}\r\nconstructor: c\r\n\r\n',
    'HTTP/1.1 200 OK\r\n": 1\r\n\\: 2\r\n\r\n',
  ];
  for (const t of hostile) assertSame(shapes, t);
  assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});

test('a handle whose names change every response never compiles a shape for them', () => {
  const shapes = new HeaderShapes();
  for (let i = 0; i < 50; i++) {
    const text = `HTTP/1.1 200 OK\r\nX-Random-${i}: v\r\n\r\n`;
    assert.deepStrictEqual(parseHeadersShaped(text, shapes), parseHeaders(text));
    assert.equal(shapes.blocks[0]!.factory, null);
  }
});
