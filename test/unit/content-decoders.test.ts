// The content decoders fed whole, byte by byte and in odd splits must give the
// same bytes; corrupt input must give libcurl's CURLcode and message, never
// an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { CURLE } from '../../src/codes.js';
import { decoderFor, crc32, allContentEncodings } from '../../src/cw/content-decoders.js';
import { syncZlibAvailable } from '../../src/cw/zlib-sync.js';
import {
  DecoderStack, ResponseDecoding, addContentCodings, addTransferCodings,
} from '../../src/cw/decode-stack.js';

interface Run {
  code: number;
  message?: string;
  out: Buffer;
}

/** Feed `input` split at `step` bytes through a decoder for `coding`. */
function run(coding: string, input: Buffer, step = input.length || 1): Run {
  const d = decoderFor(coding);
  const out: Buffer[] = [];
  try {
    for (let i = 0; i < input.length; i += step) {
      const r = d.write(input.subarray(i, i + step), (b) => {
        out.push(Buffer.from(b));
        return CURLE.OK;
      });
      if (r.code !== CURLE.OK) return { code: r.code, ...(r.message ? { message: r.message } : {}), out: Buffer.concat(out) };
    }
    return { code: CURLE.OK, out: Buffer.concat(out) };
  } finally {
    d.close();
  }
}

/** Every split gives the same result. */
function runAllSplits(coding: string, input: Buffer): Run {
  const whole = run(coding, input);
  for (const step of [1, 2, 3, 7, 100]) {
    const r = run(coding, input, step);
    assert.equal(r.code, whole.code, `${coding} step ${step}: code`);
    assert.equal(r.message, whole.message, `${coding} step ${step}: message`);
    if (whole.code === CURLE.OK) assert.deepEqual(r.out, whole.out, `${coding} step ${step}: output`);
  }
  return whole;
}

const text = Buffer.from('Hello, tscurl! '.repeat(3000) + 'end\n');
// incompressible too, so output spans many 16 KiB pieces
const noise = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24));

test('this Node lets node:zlib run synchronously and streaming (the internals zlib-sync.ts relies on)', () => {
  assert.equal(syncZlibAvailable(), true);
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('gzip, x-gzip, deflate (zlib and raw) and br decode to the original bytes in any split', () => {
  for (const body of [text, noise, Buffer.alloc(0)]) {
    assert.deepEqual(runAllSplits('gzip', zlib.gzipSync(body)).out, body);
    assert.deepEqual(runAllSplits('GZIP', zlib.gzipSync(body)).out, body);
    assert.deepEqual(runAllSplits('x-gzip', zlib.gzipSync(body)).out, body);
    assert.deepEqual(runAllSplits('deflate', zlib.deflateSync(body)).out, body);
    assert.deepEqual(runAllSplits('deflate', zlib.deflateRawSync(body)).out, body);
    assert.deepEqual(runAllSplits('br', zlib.brotliCompressSync(body)).out, body);
    assert.deepEqual(runAllSplits('identity', body).out, body);
    assert.deepEqual(runAllSplits('none', body).out, body);
  }
});

test('gzip accepts a zlib stream (zlib auto-detection, as libcurl inflates gzip)', () => {
  assert.deepEqual(runAllSplits('gzip', zlib.deflateSync(text)).out, text);
});

/** A gzip member with every optional header field (like curl test 224's huge comment and extra field). */
function gzipWithHeaderFields(body: Buffer): Buffer {
  const extra = Buffer.alloc(300, 0x41);
  const head = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]),
    Buffer.from([extra.length & 0xff, extra.length >> 8]), extra,
    Buffer.from('name.txt\0'), Buffer.from('C'.repeat(5000) + '\0'),
  ]);
  const hcrc = Buffer.alloc(2);
  hcrc.writeUInt16LE(crc32(head) & 0xffff);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(body), 0);
  trailer.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, hcrc, zlib.deflateRawSync(body), trailer]);
}

test('gzip header fields (FEXTRA, FNAME, FCOMMENT, FHCRC) are skipped and checked', () => {
  assert.deepEqual(runAllSplits('gzip', gzipWithHeaderFields(text)).out, text);
  const bad = gzipWithHeaderFields(text);
  const p = 10 + 2 + 300 + 9 + 5001; // the header CRC
  bad[p] ^= 0xff;
  const r = runAllSplits('gzip', bad);
  assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(r.message, 'Error while processing content unencoding: header crc mismatch');
});

test('corrupt input is CURLE_BAD_CONTENT_ENCODING with zlib\'s message', () => {
  const gz = zlib.gzipSync(text);
  const cases: [string, Buffer, string][] = [
    // curl test 221: the first three bytes removed (zlib then reads 00 00 as a zlib header of method 0)
    ['gzip', gz.subarray(3), 'Error while processing content unencoding: unknown compression method'],
    ['gzip', Buffer.from('garbage!'), 'Error while processing content unencoding: incorrect header check'],
    ['gzip', Buffer.concat([gz.subarray(0, 2), Buffer.from([7]), gz.subarray(3)]), 'Error while processing content unencoding: unknown compression method'],
    ['gzip', Buffer.concat([gz.subarray(0, 3), Buffer.from([0x80]), gz.subarray(4)]), 'Error while processing content unencoding: unknown header flags set'],
    ['gzip', (() => { const b = Buffer.from(gz); b[b.length - 8]! ^= 1; return b; })(), 'Error while processing content unencoding: incorrect data check'],
    ['gzip', (() => { const b = Buffer.from(gz); b[b.length - 1]! ^= 1; return b; })(), 'Error while processing content unencoding: incorrect length check'],
    // a failure before any output retries as raw deflate (libcurl), whose error is the one reported
    ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]), 'Error while processing content unencoding: invalid stored block lengths'],
    // zlib header, a stored block 'hello' (output started: no raw retry), then block type 3
    ['deflate', Buffer.from([0x78, 0x01, 0x00, 5, 0, 0xfa, 0xff, ...Buffer.from('hello'), 0x07]), 'Error while processing content unencoding: invalid block type'],
    ['br', Buffer.from('this is not brotli at all'), 'Unrecognized or bad HTTP Content or Transfer-Encoding'],
  ];
  for (const [coding, input, message] of cases) {
    const r = runAllSplits(coding, input);
    assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING, `${coding}: ${message}`);
    assert.equal(r.message, message);
  }
});

test('data after the end of the stream is CURLE_WRITE_ERROR; raw deflate tolerates 4 trailer bytes', () => {
  const gz = zlib.gzipSync(text);
  const two = runAllSplits('gzip', Buffer.concat([gz, gz]));
  assert.equal(two.code, CURLE.WRITE_ERROR);
  assert.equal(two.message, 'Multi-member gzip response not supported');
  assert.equal(runAllSplits('gzip', Buffer.concat([gz, Buffer.from([0])])).code, CURLE.WRITE_ERROR);
  assert.equal(runAllSplits('deflate', Buffer.concat([zlib.deflateSync(text), Buffer.from('x')])).code, CURLE.WRITE_ERROR);
  assert.equal(runAllSplits('br', Buffer.concat([zlib.brotliCompressSync(text), Buffer.from('x')])).code, CURLE.WRITE_ERROR);
  const raw = zlib.deflateRawSync(text);
  const four = runAllSplits('deflate', Buffer.concat([raw, Buffer.from('abcd')]));
  assert.equal(four.code, CURLE.OK);
  assert.deepEqual(four.out, text);
  assert.equal(runAllSplits('deflate', Buffer.concat([raw, Buffer.from('abcde')])).code, CURLE.WRITE_ERROR);
});

test('a truncated stream is not an error by itself (libcurl has no end-of-stream check)', () => {
  const gz = zlib.gzipSync(text);
  const r = runAllSplits('gzip', gz.subarray(0, gz.length - 20));
  assert.equal(r.code, CURLE.OK);
  assert.ok(text.subarray(0, r.out.length).equals(r.out));
});

test('an unknown coding fails on the first body byte, not before', () => {
  const d = decoderFor('compress');
  assert.equal(d.write(Buffer.alloc(0), () => CURLE.OK).code, CURLE.OK);
  const r = d.write(Buffer.from('x'), () => CURLE.OK);
  assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(r.message, 'Unrecognized content encoding type. libcurl understands deflate, gzip, br, zstd content encodings.');
  assert.equal(allContentEncodings(), 'deflate, gzip, br, zstd');
});

test('a downstream failure stops the decoder and is returned as is', () => {
  const d = decoderFor('gzip');
  let calls = 0;
  const r = d.write(zlib.gzipSync(noise), () => (++calls === 2 ? CURLE.WRITE_ERROR : CURLE.OK));
  assert.equal(r.code, CURLE.WRITE_ERROR);
  assert.equal(r.message, undefined);
  assert.equal(calls, 2);
  d.close();
});

test('stacked codings are undone last-listed first', () => {
  const body = Buffer.from('stacked!');
  const d = new ResponseDecoding();
  assert.equal(addContentCodings(d, 'gzip, br').code, CURLE.OK);
  const out: Buffer[] = [];
  const r = d.content.write(zlib.brotliCompressSync(zlib.gzipSync(body)), (b) => (out.push(Buffer.from(b)), CURLE.OK));
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(Buffer.concat(out), body);
  d.close();
  const s = new DecoderStack();
  assert.equal(s.write(body, () => CURLE.OK).code, CURLE.OK);
});

test('transfer codings: libcurl\'s acceptance rules and messages', () => {
  const req = { transferRequested: true, transferSkip: false };
  const unreq = { transferRequested: false, transferSkip: false };
  const msg = (v: string, p = req): string | undefined => addTransferCodings(new ResponseDecoding(), v, p).message;
  assert.equal(msg('gzip, chunked'), undefined);
  assert.equal(msg('chunked, gzip'), "Reject response due to 'chunk' not being the last Transfer-Encoding");
  assert.equal(msg('gzip,gzip,gzip,gzip,gzip,gzip'), 'Reject response exceeding limit of 5 transfer encodings');
  assert.equal(msg('identityx', unreq), 'Unsolicited Transfer-Encoding (identityx) found');
  assert.equal(msg('gzip, chunked', unreq), 'Unsolicited Transfer-Encoding (gzip) found');
  assert.equal(msg('chunked, gzip', unreq), 'A Transfer-Encoding (gzip) was listed after chunked');
  assert.equal(msg('identity, chunked', unreq), undefined);
  assert.equal(msg('gzip', { transferRequested: false, transferSkip: true }), undefined);
  // several header lines add up
  const d = new ResponseDecoding();
  for (let i = 0; i < 5; i++) assert.equal(addTransferCodings(d, 'gzip', req).code, CURLE.OK);
  assert.equal(addTransferCodings(d, 'gzip', req).code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(addContentCodings(new ResponseDecoding(), 'a,b,c,d,e,f').message, 'Reject response exceeding limit of 5 content encodings');
});
