// The WebSocket frame decoder on its own (src/ws/frame-decoder.ts): frames made
// by the `ws` package's own Sender (what a real server sends), fed whole, one
// byte at a time, split at every byte boundary and in random chunks, must come
// out as the same payloads with curl_ws_meta() facts that add up; hostile frames
// must fail with libcurl's CURLE_RECV_ERROR as soon as the offending byte is
// in, and never leave the decoder waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wsFrame } from '../helpers/ws-codec.js';
import { WsFrameDecoder, type WsDecodedPiece } from '../../src/ws/frame-decoder.js';
import { CURLWS } from '../../src/ws/ws-flags.js';
import { CURLE } from '../../src/codes.js';
import { mulberry32 } from '../helpers/prng.js';

interface FrameSpec {
  opcode: number;
  fin: boolean;
  payload: Buffer;
  rsv1?: boolean;
  mask?: boolean;
}

/** A frame as a server sends it, made by ws's Sender. */
function frame(f: FrameSpec): Buffer {
  return wsFrame(f.payload, f);
}

function bytes(n: number, seed: number): Buffer {
  const r = mulberry32(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** A frame reassembled from its pieces. */
interface Got {
  flags: number;
  payload: Buffer;
  pieces: number;
}

/**
 * Feed `chunks` in order, pulling pieces after each, and check every piece's
 * meta against the ones before it. Bounded: every pull either consumes bytes or
 * ends a frame.
 */
function decodeAll(chunks: Buffer[], dec = new WsFrameDecoder(), max?: number): { frames: Got[]; error: string | null; pending: boolean } {
  const frames: Got[] = [];
  let cur: { seq: number; flags: number; parts: Buffer[]; next: number; pieces: number } | null = null;
  const totalBytes = chunks.reduce((a, c) => a + c.length, 0);
  let pulls = 0;
  for (const c of chunks) {
    dec.push(c);
    for (;;) {
      assert.ok(++pulls <= 2 * totalBytes + chunks.length + 2, 'the decoder makes progress');
      const p = dec.next(max);
      if (p.kind === 'error') return { frames, error: p.message, pending: false };
      if (p.kind === 'need-more') break;
      check(p);
    }
  }
  return { frames, error: null, pending: cur !== null || !dec.atFrameBoundary };

  function check(p: WsDecodedPiece): void {
    const m = p.meta;
    assert.equal(m.age, 0);
    assert.equal(m.len, p.data.length);
    if (cur === null || cur.seq !== p.seq) {
      assert.equal(cur, null, 'a new frame starts only after the last one ended');
      assert.equal(m.offset, 0, 'a frame starts at offset 0');
      cur = { seq: p.seq, flags: m.flags, parts: [], next: 0, pieces: 0 };
    }
    assert.equal(m.flags, cur.flags, 'every piece of a frame has its flags');
    assert.equal(m.offset, cur.next, 'pieces are contiguous');
    cur.parts.push(Buffer.from(p.data));
    cur.next += m.len;
    cur.pieces++;
    if (m.bytesleft === 0) {
      frames.push({ flags: cur.flags, payload: Buffer.concat(cur.parts), pieces: cur.pieces });
      cur = null;
    }
  }
}

// A server's conversation: every frame kind, all three length encodings,
// a fragmented message with control frames between its fragments.
const text = Buffer.from('hello, WebSocket');
const b200 = bytes(200, 1);
const b70k = bytes(70000, 2);
const f1 = Buffer.from('first;');
const f2 = Buffer.from('second;');
const f3 = Buffer.from('third');
const closePayload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
const small: Array<{ bytes: Buffer; flags: number; payload: Buffer }> = [
  { bytes: frame({ opcode: 1, fin: true, payload: text }), flags: CURLWS.TEXT, payload: text },
  { bytes: frame({ opcode: 2, fin: true, payload: b200 }), flags: CURLWS.BINARY, payload: b200 },
  { bytes: frame({ opcode: 1, fin: true, payload: Buffer.alloc(0) }), flags: CURLWS.TEXT, payload: Buffer.alloc(0) },
  { bytes: frame({ opcode: 1, fin: false, payload: f1 }), flags: CURLWS.TEXT | CURLWS.CONT, payload: f1 },
  { bytes: frame({ opcode: 9, fin: true, payload: Buffer.from('ping!') }), flags: CURLWS.PING, payload: Buffer.from('ping!') },
  { bytes: frame({ opcode: 0, fin: false, payload: f2 }), flags: CURLWS.TEXT | CURLWS.CONT, payload: f2 },
  { bytes: frame({ opcode: 10, fin: true, payload: Buffer.alloc(0) }), flags: CURLWS.PONG, payload: Buffer.alloc(0) },
  { bytes: frame({ opcode: 0, fin: true, payload: f3 }), flags: CURLWS.TEXT, payload: f3 },
  { bytes: frame({ opcode: 2, fin: false, payload: Buffer.from([1]) }), flags: CURLWS.BINARY | CURLWS.CONT, payload: Buffer.from([1]) },
  { bytes: frame({ opcode: 0, fin: true, payload: Buffer.from([2, 3]) }), flags: CURLWS.BINARY, payload: Buffer.from([2, 3]) },
  { bytes: frame({ opcode: 8, fin: true, payload: closePayload }), flags: CURLWS.CLOSE, payload: closePayload },
];
const smallStream = Buffer.concat(small.map((f) => f.bytes));

function assertFrames(got: Got[], want: Array<{ flags: number; payload: Buffer }>): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.equal(got[i]!.flags, want[i]!.flags, `frame ${i} flags`);
    assert.deepEqual(got[i]!.payload, want[i]!.payload, `frame ${i} payload`);
  }
}

test('frames fed whole come out one piece per frame, with libcurl 8 flags', () => {
  const r = decodeAll([smallStream]);
  assert.equal(r.error, null);
  assert.equal(r.pending, false);
  assertFrames(r.frames, small);
  for (const f of r.frames) assert.equal(f.pieces, 1);
});

test('frames split at every byte boundary decode the same', () => {
  for (let cut = 1; cut < smallStream.length; cut++) {
    const r = decodeAll([smallStream.subarray(0, cut), smallStream.subarray(cut)]);
    assert.equal(r.error, null, `cut at ${cut}`);
    assert.equal(r.pending, false);
    assertFrames(r.frames, small);
  }
  for (let a = 1; a < smallStream.length; a += 7) {
    for (let b = a + 1; b < smallStream.length; b += 5) {
      const r = decodeAll([smallStream.subarray(0, a), smallStream.subarray(a, b), smallStream.subarray(b)]);
      assertFrames(r.frames, small);
    }
  }
});

test('one byte at a time: data frames in pieces of one byte, control frames whole', () => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < smallStream.length; i++) chunks.push(smallStream.subarray(i, i + 1));
  const r = decodeAll(chunks);
  assert.equal(r.error, null);
  assertFrames(r.frames, small);
  for (let i = 0; i < small.length; i++) {
    const control = small[i]!.flags & (CURLWS.PING | CURLWS.PONG | CURLWS.CLOSE);
    assert.equal(r.frames[i]!.pieces, control ? 1 : Math.max(1, small[i]!.payload.length), `frame ${i}`);
  }
});

test('16-bit and 64-bit lengths, in random chunks', () => {
  const big = [
    { bytes: frame({ opcode: 2, fin: true, payload: b70k }), flags: CURLWS.BINARY, payload: b70k },
    { bytes: frame({ opcode: 1, fin: true, payload: Buffer.alloc(65535, 0x61) }), flags: CURLWS.TEXT, payload: Buffer.alloc(65535, 0x61) },
    { bytes: frame({ opcode: 1, fin: true, payload: Buffer.alloc(65536, 0x62) }), flags: CURLWS.TEXT, payload: Buffer.alloc(65536, 0x62) },
    { bytes: frame({ opcode: 2, fin: true, payload: Buffer.alloc(126, 1) }), flags: CURLWS.BINARY, payload: Buffer.alloc(126, 1) },
    ...small,
  ];
  const stream = Buffer.concat(big.map((f) => f.bytes));
  const rand = mulberry32(7);
  for (let round = 0; round < 20; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; ) {
      const n = 1 + Math.floor(rand() * (round % 2 ? 17 : 9000));
      chunks.push(stream.subarray(at, at + n));
      at += n;
    }
    const r = decodeAll(chunks);
    assert.equal(r.error, null);
    assertFrames(r.frames, big);
  }
  // the headers announce the exact lengths
  assert.equal(big[0]!.bytes[1], 127);
  assert.equal(big[1]!.bytes[1], 126);
  assert.equal(big[2]!.bytes[1], 127);
});

test('next(max) cuts a frame into pieces whose meta adds up', () => {
  const payload = Buffer.from('0123456789');
  const dec = new WsFrameDecoder();
  dec.push(frame({ opcode: 2, fin: true, payload }));
  const metas = [];
  for (;;) {
    const p = dec.next(3);
    assert.equal(p.kind, 'piece');
    if (p.kind !== 'piece') break;
    metas.push({ ...p.meta, data: p.data.toString() });
    if (p.meta.bytesleft === 0) break;
  }
  assert.deepEqual(metas, [
    { age: 0, flags: CURLWS.BINARY, offset: 0, bytesleft: 7, len: 3, data: '012' },
    { age: 0, flags: CURLWS.BINARY, offset: 3, bytesleft: 4, len: 3, data: '345' },
    { age: 0, flags: CURLWS.BINARY, offset: 6, bytesleft: 1, len: 3, data: '678' },
    { age: 0, flags: CURLWS.BINARY, offset: 9, bytesleft: 0, len: 1, data: '9' },
  ]);
  assert.equal(dec.next(3).kind, 'need-more');
  assert.ok(dec.atFrameBoundary);
});

test('next(0) tells about a waiting frame without taking its payload; an empty frame is consumed', () => {
  const dec = new WsFrameDecoder();
  const hdr = frame({ opcode: 1, fin: true, payload: Buffer.from('abcd') });
  dec.push(hdr.subarray(0, 2));
  // header in, no payload byte yet: nothing to tell (libcurl waits for data too)
  assert.equal(dec.next(0).kind, 'need-more');
  dec.push(hdr.subarray(2));
  const peek = dec.next(0);
  assert.equal(peek.kind, 'piece');
  if (peek.kind === 'piece') assert.deepEqual(peek.meta, { age: 0, flags: CURLWS.TEXT, offset: 0, bytesleft: 4, len: 0 });
  const all = dec.next();
  assert.equal(all.kind, 'piece');
  if (all.kind === 'piece') {
    assert.equal(all.data.toString(), 'abcd');
    assert.deepEqual(all.meta, { age: 0, flags: CURLWS.TEXT, offset: 0, bytesleft: 0, len: 4 });
  }
  dec.push(frame({ opcode: 2, fin: true, payload: Buffer.alloc(0) }));
  const empty = dec.next(0);
  assert.equal(empty.kind, 'piece');
  if (empty.kind === 'piece') assert.deepEqual(empty.meta, { age: 0, flags: CURLWS.BINARY, offset: 0, bytesleft: 0, len: 0 });
  assert.equal(dec.next(0).kind, 'need-more');
});

test('head() holds a control frame until its payload is whole', () => {
  const dec = new WsFrameDecoder();
  const ping = frame({ opcode: 9, fin: true, payload: Buffer.from('0123456789') });
  dec.push(ping.subarray(0, 7));
  assert.equal(dec.head().kind, 'need-more');
  dec.push(ping.subarray(7));
  const h = dec.head();
  assert.equal(h.kind, 'head');
  if (h.kind === 'head') {
    assert.equal(h.flags, CURLWS.PING);
    assert.equal(h.length, 10);
    assert.equal(h.control?.toString(), '0123456789');
  }
});

/** Feed one byte at a time; the byte count when the error came (or null), and the message. */
function failsAt(stream: Buffer, dec = new WsFrameDecoder()): { at: number; message: string; code: number } | null {
  for (let i = 0; i < stream.length; i++) {
    dec.push(stream.subarray(i, i + 1));
    for (let k = 0; k < 3; k++) {
      const p = dec.next();
      if (p.kind === 'error') return { at: i + 1, message: p.message, code: p.code };
      if (p.kind === 'need-more') break;
    }
  }
  return null;
}

test('hostile frames fail with CURLE_RECV_ERROR at the offending byte', () => {
  const cases: Array<{ name: string; stream: Buffer; at: number; message: RegExp; dec?: WsFrameDecoder }> = [
    { name: 'masked frame', stream: frame({ opcode: 1, fin: true, payload: Buffer.from('hi'), mask: true }), at: 2, message: /^\[WS\] masked input frame$/ },
    { name: 'RSV1', stream: frame({ opcode: 1, fin: true, payload: Buffer.from('hi'), rsv1: true }), at: 1, message: /^\[WS\] invalid reserved bits: c1$/ },
    { name: 'RSV3', stream: Buffer.from([0x92, 0x00]), at: 1, message: /^\[WS\] invalid reserved bits: 92$/ },
    { name: 'opcode 3', stream: Buffer.from([0x83, 0x00]), at: 1, message: /^\[WS\] invalid opcode: 83$/ },
    { name: 'opcode 0xb', stream: Buffer.from([0x8b, 0x00]), at: 1, message: /^\[WS\] invalid opcode: 8b$/ },
    { name: 'fragmented PING', stream: Buffer.from([0x09, 0x00]), at: 1, message: /^\[WS\] invalid fragmented PING frame$/ },
    { name: 'fragmented CLOSE', stream: Buffer.from([0x08, 0x00]), at: 1, message: /^\[WS\] invalid fragmented CLOSE frame$/ },
    { name: 'fragmented PONG', stream: Buffer.from([0x0a, 0x00]), at: 1, message: /^\[WS\] invalid fragmented PONG frame$/ },
    { name: 'CONT with no message', stream: Buffer.from([0x80, 0x00]), at: 1, message: /^\[WS\] no ongoing fragmented message to resume$/ },
    { name: 'CONT after a final frame', stream: Buffer.from([0x01, 0x00, 0x80, 0x00, 0x80, 0x00]), at: 5, message: /no ongoing fragmented message/ },
    { name: 'TEXT inside a fragmented message', stream: Buffer.from([0x01, 0x01, 0x61, 0x81, 0x00]), at: 4, message: /^\[WS\] fragmented message interrupted by new TEXT msg$/ },
    { name: 'BINARY inside a fragmented message', stream: Buffer.from([0x02, 0x00, 0x89, 0x00, 0x82, 0x00]), at: 5, message: /interrupted by new BINARY msg/ },
    { name: 'PING of 126 bytes', stream: frame({ opcode: 9, fin: true, payload: Buffer.alloc(126) }), at: 2, message: /^\[WS\] received PING frame is too big$/ },
    { name: 'CLOSE of 127-coded length', stream: Buffer.from([0x88, 0x7f, 0, 0, 0, 0, 0, 0, 0, 1, 0]), at: 2, message: /^\[WS\] received CLOSE frame is too big$/ },
    { name: 'PONG of 126 bytes', stream: Buffer.from([0x8a, 0x7e, 0, 0x7e]), at: 2, message: /received PONG frame is too big/ },
    { name: '64-bit length with the top bit', stream: Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0]), at: 3, message: /^\[WS\] frame length longer than 64 signed not supported$/ },
    { name: '64-bit length 2^53', stream: Buffer.from([0x82, 0x7f, 0, 0x20, 0, 0, 0, 0, 0, 0]), at: 10, message: /^\[WS\] frame length 9007199254740992 is larger than the 9007199254740991 bytes supported$/ },
    { name: 'over a chosen bound', stream: frame({ opcode: 2, fin: true, payload: Buffer.alloc(1001) }), at: 4, message: /^\[WS\] frame length 1001 is larger than the 1000 bytes supported$/, dec: new WsFrameDecoder({ maxPayload: 1000 }) },
  ];
  for (const c of cases) {
    const r = failsAt(c.stream, c.dec);
    assert.ok(r, `${c.name}: fails`);
    assert.equal(r.code, CURLE.RECV_ERROR, c.name);
    assert.match(r.message, c.message, c.name);
    assert.equal(r.at, c.at, `${c.name}: fails at byte ${c.at}`);
  }
  // the largest supported length itself is accepted (and waits for its payload)
  const dec = new WsFrameDecoder();
  dec.push(Buffer.from([0x82, 0x7f, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]));
  const p = dec.next();
  assert.equal(p.kind, 'piece');
  if (p.kind === 'piece') assert.equal(p.meta.bytesleft, Number.MAX_SAFE_INTEGER - 1);
  // a bound of exactly the length is fine
  assert.equal(failsAt(frame({ opcode: 2, fin: true, payload: Buffer.alloc(1000) }), new WsFrameDecoder({ maxPayload: 1000 })), null);
});

test('an error is sticky: later valid bytes do not resynchronise', () => {
  const dec = new WsFrameDecoder();
  dec.push(Buffer.from([0x83, 0x00]));
  const e = dec.next();
  assert.equal(e.kind, 'error');
  dec.push(frame({ opcode: 1, fin: true, payload: Buffer.from('ok') }));
  assert.deepEqual(dec.next(), e);
  assert.deepEqual(dec.head(), e);
  assert.equal(dec.buffered, 0);
});

test('random bytes: an error or a wait, never a throw or a loop', () => {
  const rand = mulberry32(99);
  let errors = 0;
  for (let round = 0; round < 2000; round++) {
    const n = 1 + Math.floor(rand() * 64);
    const junk = Buffer.alloc(n);
    for (let i = 0; i < n; i++) junk[i] = Math.floor(rand() * 256);
    const chunks: Buffer[] = [];
    for (let at = 0; at < n; ) {
      const k = 1 + Math.floor(rand() * 8);
      chunks.push(junk.subarray(at, at + k));
      at += k;
    }
    const r = decodeAll(chunks);
    if (r.error) errors++;
  }
  assert.ok(errors > 1000, 'most junk is rejected');
});

test('retain() copies lent bytes so a reused receive buffer does not change them', () => {
  const dec = new WsFrameDecoder();
  const lent = Buffer.from(frame({ opcode: 1, fin: true, payload: Buffer.from('keep me') }));
  dec.push(lent);
  const first = dec.next(2);
  assert.equal(first.kind === 'piece' && first.data.toString(), 'ke');
  dec.retain();
  lent.fill(0);
  const parts: string[] = [];
  for (;;) {
    const p = dec.next();
    if (p.kind !== 'piece') break;
    parts.push(p.data.toString());
  }
  assert.equal(parts.join(''), 'ep me');
});
