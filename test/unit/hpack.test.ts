// HPACK (RFC 7541, src/h2/): the Huffman code against Appendix B's
// structure, every example of Appendix C (bytes where the spec's encoder
// choices are ours, and the decoder's table after each block), seeded random
// round trips with table size changes, every decoding error, the
// 'too-large' answer keeping the table in step, and the encoder's policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackEncoder, HpackError } from '../../src/h2/hpack.js';
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../../src/h2/hpack-huffman.js';
import { STATIC_TABLE } from '../../src/h2/hpack-table.js';
import { mulberry32 } from '../helpers/prng.js';

type Fields = [string, string][];
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function huffman(s: string): Buffer {
  const out = Buffer.alloc(huffmanEncodedLength(s));
  assert.equal(huffmanEncode(s, out, 0), out.length);
  return out;
}

// ---- Huffman (Appendix B) ----

test('the Huffman table is Appendix B: canonical, complete, the RFC codes at its corners', () => {
  // a canonical code is fully given by its lengths: rebuild it and compare
  const order = [...Array(257).keys()].sort((a, b) => HUFFMAN_LENGTHS[a]! - HUFFMAN_LENGTHS[b]! || a - b);
  let code = 0;
  let len = HUFFMAN_LENGTHS[order[0]!]!;
  let kraft = 0;
  for (const sym of order) {
    code <<= HUFFMAN_LENGTHS[sym]! - len;
    len = HUFFMAN_LENGTHS[sym]!;
    assert.equal(HUFFMAN_CODES[sym], code, `symbol ${sym}`);
    code++;
    kraft += 2 ** -len;
  }
  assert.equal(kraft, 1, 'a complete prefix code');
  // a few rows of Appendix B as printed
  const rows: [number, number, number][] = [
    [0, 0x1ff8, 13], [32, 0x14, 6], [48, 0x0, 5], [97, 0x3, 5], [116, 0x9, 5], [127, 0xffffffc, 28],
    [128, 0xfffe6, 20], [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
  ];
  for (const [sym, c, l] of rows) assert.deepEqual([HUFFMAN_CODES[sym], HUFFMAN_LENGTHS[sym]], [c, l], `symbol ${sym}`);
  // Appendix C.4.1's string
  assert.equal(huffman('www.example.com').toString('hex'), 'f1e3c2e5f23a6ba0ab90f4ff');
});

test('Huffman round-trips every octet value, alone, all together and in random strings', () => {
  const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  for (let b = 0; b < 256; b++) {
    const s = String.fromCharCode(b);
    const enc = huffman(s);
    assert.equal(enc.length, Math.ceil(HUFFMAN_LENGTHS[b]! / 8));
    assert.equal(huffmanDecode(enc, 0, enc.length), s, `octet ${b}`);
  }
  for (const s of [all, [...all].reverse().join(''), '']) {
    const enc = huffman(s);
    assert.equal(huffmanDecode(enc, 0, enc.length), s);
    // decoding a window of a larger buffer
    const framed = Buffer.concat([Buffer.from([1, 2, 3]), enc, Buffer.from([4])]);
    assert.equal(huffmanDecode(framed, 3, 3 + enc.length), s);
  }
  const rnd = mulberry32(7541);
  for (let i = 0; i < 300; i++) {
    const len = Math.floor(rnd() * 80);
    const s = String.fromCharCode(...Array.from({ length: len }, () => Math.floor(rnd() * 256)));
    const enc = huffman(s);
    assert.equal(huffmanDecode(enc, 0, enc.length), s);
  }
});

test('Huffman decoding rejects EOS, padding over 7 bits and padding that is not all ones', () => {
  const bad = (bytes: number[], why: RegExp): void => {
    assert.throws(() => huffmanDecode(Buffer.from(bytes), 0, bytes.length), (e: unknown) => e instanceof HpackError && why.test(e.message));
  };
  // EOS (30 ones) and 2 bits of padding
  bad([0xff, 0xff, 0xff, 0xff], /EOS/);
  // 'a' (00011), then EOS in the middle of a string
  bad([0x1f, 0xff, 0xff, 0xff, 0xf0], /EOS/);
  // 'a' then 11 ones: padding longer than 7 bits
  bad([0x1f, 0xff], /padding/);
  // a whole octet of ones after nothing
  bad([0xff], /padding/);
  // '0' (00000) then 000: padding not ones
  bad([0x00], /padding/);
  // 'a' then 110: not ones
  bad([0x1e], /padding/);
  // 'a' then 7 ones is fine
  assert.equal(huffmanDecode(Buffer.from([0x1f]), 0, 1), 'a');
});

// ---- Appendix C ----

/** Decodes blocks in order, checking each block's fields and the table after it. */
function decodeSequence(dec: HpackDecoder, steps: { block: Buffer; fields: Fields; table: Fields; size: number }[]): void {
  for (const [i, s] of steps.entries()) {
    assert.deepEqual(dec.decode(s.block), s.fields, `block ${i + 1}`);
    assert.deepEqual(dec.tableEntries(), s.table, `table after block ${i + 1}`);
    assert.equal(dec.tableSize, s.size, `table size after block ${i + 1}`);
  }
}

test('Appendix C.2: the four field representations', () => {
  let dec = new HpackDecoder();
  decodeSequence(dec, [{
    block: hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'),
    fields: [['custom-key', 'custom-header']], table: [['custom-key', 'custom-header']], size: 55,
  }]);
  dec = new HpackDecoder();
  decodeSequence(dec, [{ block: hex('040c 2f73 616d 706c 652f 7061 7468'), fields: [[':path', '/sample/path']], table: [], size: 0 }]);
  decodeSequence(dec, [{ block: hex('1008 7061 7373 776f 7264 0673 6563 7265 74'), fields: [['password', 'secret']], table: [], size: 0 }]);
  decodeSequence(dec, [{ block: hex('82'), fields: [[':method', 'GET']], table: [], size: 0 }]);
  assert.equal(new HpackEncoder().encode([[':method', 'GET']]).toString('hex'), '82');
});

const C3_FIELDS: Fields[] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const C3_TABLES: [Fields, number][] = [
  [[[':authority', 'www.example.com']], 57],
  [[['cache-control', 'no-cache'], [':authority', 'www.example.com']], 110],
  [[['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']], 164],
];

test('Appendix C.3 (requests, no Huffman): decoded with the table after each', () => {
  const blocks = [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ];
  decodeSequence(new HpackDecoder(), blocks.map((b, i) => ({ block: hex(b), fields: C3_FIELDS[i]!, table: C3_TABLES[i]![0], size: C3_TABLES[i]![1] })));
});

test('Appendix C.4 (requests, Huffman): our encoder writes the RFC bytes, the decoder reads them', () => {
  const blocks = [
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ];
  const enc = new HpackEncoder();
  for (const [i, b] of blocks.entries()) {
    assert.equal(enc.encode(C3_FIELDS[i]!).toString('hex'), b.replace(/ /g, ''), `request ${i + 1}`);
    assert.deepEqual(enc.tableEntries(), C3_TABLES[i]![0]);
  }
  decodeSequence(new HpackDecoder(), blocks.map((b, i) => ({ block: hex(b), fields: C3_FIELDS[i]!, table: C3_TABLES[i]![0], size: C3_TABLES[i]![1] })));
});

const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const LOC = 'https://www.example.com';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const C5_FIELDS: Fields[] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', DATE1], ['location', LOC]],
  [[':status', '307'], ['cache-control', 'private'], ['date', DATE1], ['location', LOC]],
  [[':status', '200'], ['cache-control', 'private'], ['date', DATE2], ['location', LOC], ['content-encoding', 'gzip'], ['set-cookie', COOKIE]],
];
const C5_TABLES: [Fields, number][] = [
  [[['location', LOC], ['date', DATE1], ['cache-control', 'private'], [':status', '302']], 222],
  [[[':status', '307'], ['location', LOC], ['date', DATE1], ['cache-control', 'private']], 222],
  [[['set-cookie', COOKIE], ['content-encoding', 'gzip'], ['date', DATE2]], 215],
];
/** Appendix C.5/C.6 run with a 256-octet table: in HTTP/2 the peer signals it first (size update to 256). */
const TO_256 = hex('3fe101');

test('Appendix C.5 and C.6 (responses, 256-octet table, evictions): decoded with the table after each', () => {
  const c5 = [
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
  ];
  const c6 = [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ];
  for (const blocks of [c5, c6]) {
    const dec = new HpackDecoder();
    decodeSequence(dec, blocks.map((b, i) => ({
      block: i === 0 ? Buffer.concat([TO_256, hex(b)]) : hex(b), fields: C5_FIELDS[i]!, table: C5_TABLES[i]![0], size: C5_TABLES[i]![1],
    })));
    assert.equal(dec.tableMaxSize, 256);
  }
  // C.6.2's block is ours too (":status 307" by its static name, then three dynamic indexes)
  const enc = new HpackEncoder({ maxTableSize: 256 });
  const first = enc.encode(C5_FIELDS[0]!);
  assert.deepEqual(first.subarray(0, 3), TO_256, 'a 256-octet encoder says so first');
  // our policy keeps `location` and `set-cookie` out of the table: the rest matches the RFC's choices
  const dec = new HpackDecoder();
  assert.deepEqual(dec.decode(first), C5_FIELDS[0]);
  assert.deepEqual(dec.tableEntries(), [['date', DATE1], ['cache-control', 'private'], [':status', '302']]);
  for (const f of C5_FIELDS.slice(1)) assert.deepEqual(dec.decode(enc.encode(f)), f);
  assert.deepEqual(dec.tableEntries(), enc.tableEntries());
});

// ---- round trips ----

const NAMES = [
  ...new Set(STATIC_TABLE.map(([n]) => n)), 'x-custom', 'x-trace-id', 'cookie', 'authorization', 'x-a', 'x-long-header-name-for-tests',
];

function randomString(rnd: () => number, max: number, alphabet?: string): string {
  const len = Math.floor(rnd() * (max + 1));
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet ? alphabet[Math.floor(rnd() * alphabet.length)] : String.fromCharCode(Math.floor(rnd() * 256));
  return s;
}

test('random field lists round-trip through encoder and decoder, tables in step, sizes changing', () => {
  const rnd = mulberry32(20261206);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const values: string[] = ['', 'GET', '/', 'gzip, deflate', '200'];
  for (let i = 0; i < 30; i++) values.push(randomString(rnd, i < 20 ? 20 : 300, i < 10 ? 'abcdefghij0123456789/-.' : undefined));
  for (let run = 0; run < 20; run++) {
    const cap = pick([4096, 4096, 256, 100, 0, 65536]);
    const enc = new HpackEncoder({ maxTableSize: cap });
    const dec = new HpackDecoder({ maxTableSize: cap });
    for (let block = 0; block < 40; block++) {
      if (rnd() < 0.1) {
        // our decoder announces a new size; in HTTP/2 the encoder side learns it from SETTINGS
        const size = pick([0, 50, 256, 1000, 4096, 10000]);
        dec.setMaxTableSize(size);
        enc.setPeerMaxTableSize(size);
        if (rnd() < 0.3) {
          // and a second change before the next block: the smallest and the final size are both signaled
          const again = pick([0, 64, 4096]);
          dec.setMaxTableSize(again);
          enc.setPeerMaxTableSize(again);
        }
      }
      const fields: Fields = [];
      const n = Math.floor(rnd() * 12);
      for (let i = 0; i < n; i++) fields.push([pick(NAMES), rnd() < 0.7 ? pick(values) : randomString(rnd, 40)]);
      const r = rnd();
      const never = r < 0.1 ? true : r < 0.2 ? new Set([pick(NAMES)]) : undefined;
      const out = dec.decode(enc.encode(fields, never));
      assert.deepEqual(out, fields, `run ${run} block ${block}`);
      assert.deepEqual(dec.tableEntries(), enc.tableEntries(), `run ${run} block ${block}: tables`);
      assert.ok(dec.tableSize <= dec.tableMaxSize);
    }
  }
});

test('large values (beyond the buffers the codec keeps) round-trip, and the next blocks still work', () => {
  const enc = new HpackEncoder({ maxTableSize: 1 << 20 });
  const dec = new HpackDecoder({ maxTableSize: 1 << 20 });
  enc.setPeerMaxTableSize(1 << 20);
  const big: Fields = [['x-big', 'abcdefgh'.repeat(20_000)], ['x-bin', String.fromCharCode(...Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff))]];
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(dec.decode(enc.encode(big)), big);
    assert.deepEqual(dec.decode(enc.encode([['x-small', `${i}`]])), [['x-small', `${i}`]]);
  }
  assert.deepEqual(dec.tableEntries(), enc.tableEntries());
});

// ---- decoding errors ----

function rejects(block: Buffer | string, why: RegExp, dec = new HpackDecoder()): void {
  const b = typeof block === 'string' ? hex(block) : block;
  assert.throws(() => dec.decode(b), (e: unknown) => e instanceof HpackError && why.test(e.message), b.toString('hex'));
}

test('the decoder rejects every malformed block', () => {
  // integers: more than 5 continuation octets, and values past 2^31
  rejects('ff 80 80 80 80 80 00', /integer overflow/);
  rejects('ff ff ff ff ff 0f', /integer overflow/);
  rejects('7f ff ff ff ff 0f', /integer overflow/); // a literal's name index
  rejects('ff', /ends inside an integer/);
  rejects('ff 80', /ends inside an integer/);
  // indexes: 0, and beyond the static table with an empty dynamic one, in each representation
  rejects('80', /index 0/);
  rejects('be', /beyond the tables/);
  rejects('7e 01 61', /beyond the tables/); // incremental indexing, name index 62
  rejects('0f 2f 01 61', /beyond the tables/); // without indexing, name index 62
  rejects('1f 2f 01 61', /beyond the tables/); // never indexed
  const one = new HpackDecoder();
  assert.deepEqual(one.decode(hex('400161 0162')), [['a', 'b']]);
  assert.deepEqual(one.decode(hex('be')), [['a', 'b']]);
  rejects('bf', /beyond the tables/, one);
  // strings: past the end of the block (name and value), or missing
  rejects('40 0a 616263', /runs past the end/);
  rejects('40 01 61 05 6263', /runs past the end/);
  rejects('40 ff 81 80 80 80 04', /runs past the end/); // a 1 GiB length is refused before any allocation
  rejects('40', /ends before a string literal/);
  rejects('40 01 61', /ends before a string literal/);
  rejects('04', /ends before a string literal/);
  // size updates: above the announced maximum, after a field, or missing when required
  rejects('3f e2 1f', /above the announced 4096/);
  assert.doesNotThrow(() => new HpackDecoder().decode(hex('3f e1 1f 20 3f e1 1f 82')), 'to 4096, two updates then a field');
  rejects('82 20', /after a header field/);
  rejects('40 0161 0162 3f e1 01', /after a header field/);
  const lowered = new HpackDecoder();
  lowered.setMaxTableSize(100);
  rejects('82', /required dynamic table size update/, lowered);
  rejects('', /required dynamic table size update/, lowered);
  rejects('3f 46', /above the announced 100/, lowered); // 101
  assert.deepEqual(lowered.decode(hex('3f 45 82')), [[':method', 'GET']]);
  assert.equal(lowered.tableMaxSize, 100);
  const small = new HpackDecoder({ maxTableSize: 0 });
  rejects('82', /required dynamic table size update/, small);
  assert.deepEqual(small.decode(hex('20 82')), [[':method', 'GET']]);
  // Huffman: padding not ones (name), EOS (value), over 7 bits of padding
  rejects('40 81 00 01 61', /bad padding/);
  rejects('40 01 61 84 ffffffff', /EOS/);
  rejects('04 82 1fff', /bad padding/);
});

test('a failed block throws HpackError, never another error, for random bytes', () => {
  const rnd = mulberry32(1234);
  for (let i = 0; i < 2000; i++) {
    const dec = new HpackDecoder({ maxHeaderListSize: 4096 });
    const block = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
    try {
      dec.decode(block);
    } catch (e) {
      assert.ok(e instanceof HpackError, `${block.toString('hex')}: ${String(e)}`);
    }
  }
});

// ---- header list size ----

test("'too-large' still decodes the whole block: the table stays in step for the next one", () => {
  const enc = new HpackEncoder();
  const dec = new HpackDecoder({ maxHeaderListSize: 100 });
  // exactly 100: 32 + 8 + 20 + 32 + 1 + 7
  const fit: Fields = [['x-custom', 'v'.repeat(20)], ['a', 'b'.repeat(7)]];
  assert.deepEqual(dec.decode(enc.encode(fit)), fit);
  // over: the first field alone exceeds, the later ones go into the table all the same
  const big: Fields = [['x-big', 'z'.repeat(80)], ['x-one', '1'], ['x-two', '2']];
  assert.equal(dec.decode(enc.encode(big)), 'too-large');
  assert.deepEqual(dec.tableEntries(), enc.tableEntries());
  assert.equal(dec.tableEntries().length, 5);
  // the next block refers to those entries by index
  const next: Fields = [['x-one', '1'], ['x-two', '2']];
  const block = enc.encode(next);
  assert.equal(block.length, 2, 'two indexed fields');
  assert.deepEqual(dec.decode(block), next);
});

// ---- encoder policy ----

test('a repeated request encodes in a few octets plus its path', () => {
  const enc = new HpackEncoder();
  const dec = new HpackDecoder();
  const req = (i: number): Fields => [
    [':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com:8443'], [':path', `/x?${i}`],
    ['user-agent', 'tscurl/8.0.0'], ['accept', '*/*'],
  ];
  const first = enc.encode(req(1));
  assert.deepEqual(dec.decode(first), req(1));
  for (let i = 2; i < 50; i++) {
    const block = enc.encode(req(i));
    const path = `/x?${i}`;
    // 5 indexed octets, then 04 <len> <path, Huffman when shorter>
    assert.equal(block.length, 5 + 2 + Math.min(path.length, huffmanEncodedLength(path)), `request ${i}: ${block.toString('hex')}`);
    assert.equal(block[0], 0x82);
    assert.equal(block[1], 0x87);
    assert.deepEqual(dec.decode(block), req(i));
  }
  // :path never enters the table
  assert.ok(!enc.tableEntries().some(([n]) => n === ':path'));
  assert.equal(enc.tableEntries().length, 3);
});

test('sensitive fields are literals never indexed; other values that rarely repeat stay out of the table', () => {
  const enc = new HpackEncoder();
  const dec = new HpackDecoder();
  const round = (fields: Fields, never?: boolean | ReadonlySet<string>): Buffer => {
    const b = enc.encode(fields, never);
    assert.deepEqual(dec.decode(b), fields);
    assert.deepEqual(dec.tableEntries(), enc.tableEntries());
    return b;
  };
  // authorization (static 23): 0001 1111 then 8
  let b = round([['authorization', 'Basic dXNlcjpwYXNz']]);
  assert.deepEqual([...b.subarray(0, 2)], [0x1f, 0x08]);
  b = round([['proxy-authorization', 'Basic dXNlcjpwYXNz']]);
  assert.equal(b[0]! & 0xf0, 0x10);
  // a short cookie is never indexed, a long one goes into the table
  b = round([['cookie', 'sid=abc']]);
  assert.equal(b[0]! & 0xf0, 0x10);
  assert.equal(enc.tableEntries().length, 0);
  round([['cookie', 'session=0123456789abcdef0123']]);
  assert.deepEqual(enc.tableEntries(), [['cookie', 'session=0123456789abcdef0123']]);
  // `true`: every field, even one the static table has whole
  b = round([[':method', 'GET'], ['x-custom', 'v']], true);
  assert.equal(b[0], 0x12); // never indexed, static name 2
  assert.equal(enc.tableEntries().length, 1);
  // a Set: those names only
  b = round([['x-secret', 'hunter2'], ['x-open', 'ok']], new Set(['x-secret']));
  assert.equal(b[0], 0x10);
  assert.deepEqual(enc.tableEntries()[0], ['x-open', 'ok']);
  // not indexed (0000): content-length, location, set-cookie, etag
  for (const name of ['content-length', 'location', 'set-cookie', 'etag', ':path']) {
    const before = enc.tableEntries().length;
    b = round([[name, 'some value 123']]);
    assert.equal(b[0]! & 0xf0, 0x00, name);
    assert.equal(enc.tableEntries().length, before, name);
  }
  // but a whole match in the static table is an index
  assert.equal(round([[':path', '/']]).toString('hex'), '84');
  // an entry over 3/4 of the table is not indexed (it would empty the table)
  const before = enc.tableEntries().length;
  b = round([['x-huge', 'h'.repeat(3100)]]);
  assert.equal(b[0], 0x00);
  assert.equal(enc.tableEntries().length, before);
});

test('table size changes: a lower peer size is signaled once, the smallest and the final one', () => {
  const enc = new HpackEncoder();
  const dec = new HpackDecoder();
  const f: Fields = [['x-a', '1']];
  dec.decode(enc.encode(f));
  enc.setPeerMaxTableSize(8192); // above our own cap: nothing changes
  assert.equal(enc.encode(f).toString('hex'), 'be');
  dec.setMaxTableSize(0);
  enc.setPeerMaxTableSize(0);
  dec.setMaxTableSize(4096);
  enc.setPeerMaxTableSize(4096);
  const b = enc.encode(f);
  // 20 (to 0), 3f e1 1f (to 4096), then the field again as a literal with indexing
  assert.equal(b.subarray(0, 4).toString('hex'), '203fe11f');
  assert.deepEqual(dec.decode(b), f);
  assert.deepEqual(dec.tableEntries(), [['x-a', '1']]);
  // the next block has no update
  assert.equal(enc.encode(f).toString('hex'), 'be');
  // an encoder capped below the peer's 4096 says so in its first block
  assert.equal(new HpackEncoder({ maxTableSize: 1000 }).encode([]).toString('hex'), '3fc907');
});
