// The pieces that turn strings into request bytes: text to UTF-8 byte
// strings and back (lossless for bytes that are not UTF-8), international
// host names to punycode, the head writer's last line of defence, and how a
// cookie file is cut into lines (libcurl's Curl_get_line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferToText, fromBytes, textToBuffer, toBytes } from '../../src/url/url-bytes.js';
import { hostToAce } from '../../src/url/idn.js';
import { headLinesProblem, serializeRequestHead } from '../../src/http1/request-writer.js';
import { lastChunk } from '../../src/http1/chunked-encoder.js';
import { curlGetLines } from '../../src/cookies/get-line.js';
import { mulberry32 } from '../helpers/prng.js';

test('toBytes: UTF-8, never a low byte; U+DC80..U+DCFF stand for the bytes 0x80..0xFF', () => {
  assert.equal(toBytes('plain'), 'plain');
  assert.equal(toBytes('\u010a\u010d\uff0a\uff0d'), '\xc4\x8a\xc4\x8d\xef\xbc\x8a\xef\xbc\x8d');
  assert.equal(toBytes('\u2028'), '\xe2\x80\xa8');
  assert.equal(toBytes('\u{1f600}'), '\xf0\x9f\x98\x80');
  // a byte that was not UTF-8, carried as a lone surrogate, comes back as that byte
  assert.equal(toBytes('a\udc80\udcffb'), 'a\x80\xffb');
  // other lone surrogates are U+FFFD, as Buffer.from makes them
  assert.equal(toBytes('\ud800x\udc00'), '\xef\xbf\xbdx\xef\xbf\xbd');
  // half of a pair is not an escape: U+10380 is F0 90 8E 80
  assert.equal(toBytes('\ud800\udf80'), '\xf0\x90\x8e\x80');
  assert.deepEqual([...textToBuffer('\udc80é')], [0x80, 0xc3, 0xa9]);
});

test('bufferToText / fromBytes: every byte sequence survives the trip through text', () => {
  assert.equal(bufferToText(Buffer.from('k\x80\xff?é', 'latin1')), 'k\udc80\udcff?\udce9');
  assert.equal(bufferToText(Buffer.from('é', 'utf8')), 'é');
  // overlong forms, surrogates in UTF-8 and truncated sequences are bytes, not characters
  assert.equal(bufferToText(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82])), '\udcc0\udcaf\udced\udca0\udc80\udce2\udc82');
  const rnd = mulberry32(17);
  for (let i = 0; i < 500; i++) {
    const b = Buffer.from(Array.from({ length: Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 256)));
    const text = bufferToText(b);
    assert.deepEqual(textToBuffer(text), b);
    assert.equal(toBytes(fromBytes(b.toString('latin1'))), b.toString('latin1'));
  }
});

test('hostToAce: ASCII as given, the rest as punycode, what libidn2 refuses refused', () => {
  for (const [host, ace] of [
    ['example.com', 'example.com'],
    ['Example.COM', 'Example.COM'],
    ['xn--a.example', 'xn--a.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['a\u010a.example', 'xn--a-8ha.example'],
    ['straße.example', 'xn--strae-oqa.example'],
    ['a\u00ad.example', 'a.example'],
    ['a\uff0e.example', 'a..example'],
    ['bücher.example.', 'xn--bcher-kva.example.'],
    ['a-ü.example', 'xn--a--yka.example'],
    ['a_.ü.example', 'a_.xn--tda.example'],
  ] as const) assert.equal(hostToAce(host), ace, host);
  for (const host of ['a\uff0d.example', '-ü.example', 'ü-.example', 'ab--ü.example', 'a-.ü.example', 'ab--c.ü.example', 'a\u2028.example', '\u2488.example', 'a\udcff.example', 'a\ufffd.example',
    'ü\uff0fx.example', `${'ü'.repeat(64)}.example`]) {
    assert.equal(hostToAce(host), null, JSON.stringify(host));
  }
});

test('the head writer refuses CR, LF, NUL and chars that are not bytes', () => {
  assert.equal(headLinesProblem(['GET / HTTP/1.1', 'X: \xc4\x8a']), null);
  assert.equal(headLinesProblem(['X: a\rb']), 'Header contains a line break');
  assert.equal(headLinesProblem(['X: a\0b']), 'Header contains a NUL byte');
  assert.equal(headLinesProblem(['X: \u010a']), 'Header is not a byte string');
  for (const bad of ['\u010a', '\uff0d', '\0', 'a\nb']) {
    assert.throws(() => serializeRequestHead('GET', '/', '1.1', [['X', bad]]), TypeError);
    assert.throws(() => serializeRequestHead('GET', `/${bad}`, '1.1', []), TypeError);
    assert.throws(() => serializeRequestHead(`G${bad}`, '/', '1.1', []), TypeError);
    assert.throws(() => lastChunk([['X', bad]]), TypeError);
  }
});

test('curlGetLines: libcurl\'s Curl_get_line over a 5000-byte buffer', () => {
  const L = 5000;
  assert.deepEqual(curlGetLines('a\nb\n', L), ['a', 'b']);
  assert.deepEqual(curlGetLines('a\nb', L), ['a', 'b']);
  assert.deepEqual(curlGetLines('', L), []);
  // a NUL cuts the line: it is dropped, and so is the next whole line
  assert.deepEqual(curlGetLines('a\nb\0c\nd\ne\n', L), ['a', 'e']);
  // a line that starts with NUL ends the file
  assert.deepEqual(curlGetLines('a\n\0b\nc\n', L), ['a']);
  // a NUL in a last line without a newline: what precedes it counts
  assert.deepEqual(curlGetLines('a\nb\0c', L), ['a', 'b']);
  // 4998 bytes and a newline fit the buffer; 4999 do not (checked against curl 7.88.1)
  assert.deepEqual(curlGetLines(`${'x'.repeat(4998)}\nz\n`, L).map((l) => l.length), [4998, 1]);
  assert.deepEqual(curlGetLines(`${'x'.repeat(4999)}\nz\n`, L), ['z']);
  assert.deepEqual(curlGetLines(`${'x'.repeat(12000)}\nz\n`, L), ['z']);
  // at the end of the file without a newline: 4998 bytes count, 4999 do not
  assert.deepEqual(curlGetLines(`a\n${'x'.repeat(4998)}`, L).map((l) => l.length), [1, 4998]);
  assert.deepEqual(curlGetLines(`a\n${'x'.repeat(4999)}`, L), ['a']);
});
