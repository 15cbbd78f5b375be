// Request head serialization and chunked upload encoding: exact bytes, a
// round trip through the response parser's chunked decoder, and the request
// head curl itself sends, captured by a raw loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { encodeChunk, lastChunk, serializeRequestHead, ResponseParser } from '../../src/http1/index.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

test('serializeRequestHead: exact bytes, order preserved, empty value as "Name:"', () => {
  const head = serializeRequestHead('GET', '/a?b=1', '1.1', [
    ['Host', 'example.com'],
    ['User-Agent', 'tscurl/0.1.0'],
    ['Accept', '*/*'],
    ['X-Empty', ''],
    ['x-lower', 'v  with  spaces'],
  ]);
  assert.equal(
    head.toString('latin1'),
    'GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: tscurl/0.1.0\r\nAccept: */*\r\nX-Empty:\r\nx-lower: v  with  spaces\r\n\r\n',
  );
  assert.equal(serializeRequestHead('OPTIONS', '*', '1.0', []).toString(), 'OPTIONS * HTTP/1.0\r\n\r\n');
  // latin1 values go out byte for byte.
  assert.deepEqual([...serializeRequestHead('GET', '/', '1.1', [['X', '\xe9']]).subarray(-6)], [0x20, 0xe9, 0x0d, 0x0a, 0x0d, 0x0a]);
});

test('serializeRequestHead: CR/LF injection is a TypeError', () => {
  assert.throws(() => serializeRequestHead('GET', '/', '1.1', [['X', 'a\r\nEvil: 1']]), TypeError);
  assert.throws(() => serializeRequestHead('GET', '/\r\n', '1.1', []), TypeError);
  assert.throws(() => serializeRequestHead('GET', '/', '1.1', [['X:Y', 'a']]), TypeError);
  assert.throws(() => serializeRequestHead('G T', '/', '1.1', []), TypeError);
});

test('encodeChunk / lastChunk: exact bytes, payload not copied', () => {
  const data = Buffer.from('0123456789abcdef0123456789');
  const parts = encodeChunk(data);
  assert.equal(Buffer.concat(parts).toString(), '1a\r\n0123456789abcdef0123456789\r\n');
  assert.equal(parts[1], data);
  assert.deepEqual(encodeChunk(Buffer.alloc(0)), []);
  assert.equal(lastChunk().toString(), '0\r\n\r\n');
  assert.equal(lastChunk([['X-Sum', 'abc'], ['Y', '']]).toString(), '0\r\nX-Sum: abc\r\nY: \r\n\r\n');
  assert.throws(() => lastChunk([['X', 'a\nb']]), TypeError);
});

test('chunked encoder output decodes back through the response parser', () => {
  const pieces = [Buffer.from('hello'), Buffer.alloc(300, 0x41), Buffer.from([0, 1, 2, 13, 10])];
  const body = Buffer.concat([...pieces.flatMap((p) => encodeChunk(p)), lastChunk([['X-T', 'v']])]);
  const p = new ResponseParser({ method: 'POST' });
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
  p.feed(body);
  const got: Buffer[] = [];
  const trailers: string[] = [];
  for (let i = 0; i < 50; i++) {
    const ev = p.next();
    if (ev.type === 'data') got.push(ev.data);
    if (ev.type === 'trailer') trailers.push(`${ev.name}=${ev.value}`);
    if (ev.type === 'end' || ev.type === 'error' || ev.type === 'need-data') {
      assert.equal(ev.type, 'end');
      break;
    }
  }
  assert.deepEqual(Buffer.concat(got), Buffer.concat(pieces));
  assert.deepEqual(trailers, ['X-T=v']);
});

const CURL = '/usr/bin/curl';

test('serializeRequestHead reproduces the request head curl sends', { skip: NO_CURL }, async () => {
  let captured = Buffer.alloc(0);
  const srv = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      captured = Buffer.concat([captured, d]);
      if (captured.includes('\r\n\r\n')) s.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const code = await new Promise<number | null>((resolve) => {
      const c = spawn(CURL, ['-s', '--max-time', '10', '-A', 'tscurl/test', '-H', 'X-Empty;', '-H', 'X-A: 1', `http://127.0.0.1:${port}/p?q`], { stdio: 'ignore' });
      c.on('close', resolve);
    });
    assert.equal(code, 0);
  } finally {
    srv.close();
  }
  const ours = serializeRequestHead('GET', '/p?q', '1.1', [
    ['Host', `127.0.0.1:${port}`],
    ['User-Agent', 'tscurl/test'],
    ['Accept', '*/*'],
    ['X-Empty', ''],
    ['X-A', '1'],
  ]);
  assert.equal(captured.toString('latin1'), ours.toString('latin1'));
});
