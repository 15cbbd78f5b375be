// The HTTP/2 frame reader and writer (src/h2/frames.ts): frames split across
// reads at every byte come out the same, a DATA payload in one read is a view
// of it (not a copy), a frame above the maximum size is FRAME_SIZE_ERROR
// before anything is allocated for it; the writer puts the frames of one turn
// into one send, passes large DATA payloads through as they are, and splits a
// header block into HEADERS + CONTINUATION with the priority on HEADERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, FRAME, FrameReader, FrameWriter, H2ERR, type FrameSink } from '../../src/h2/frames.js';
import { frame } from '../helpers/h2c-server.js';

interface Seen { type: number; flags: number; stream: number; payload: Buffer; view: boolean }


function collector(input: Buffer[]): { sink: FrameSink; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    sink: {
      frame(type, flags, stream, buf, start, end) {
        seen.push({ type, flags, stream, payload: Buffer.from(buf.subarray(start, end)), view: input.some((b) => b.buffer === buf.buffer) });
        return 0;
      },
    },
  };
}

const STREAM = Buffer.concat([
  frame(FRAME.SETTINGS, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100])),
  frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, Buffer.from([0x88])),
  frame(FRAME.DATA, 0, 1, Buffer.from('hello, world')),
  frame(0xfa, 0, 0, Buffer.from('unknown type')),
  frame(FRAME.DATA, FLAG.END_STREAM, 1, Buffer.alloc(0)),
  frame(FRAME.PING, 0, 0, Buffer.alloc(8, 7)),
]);

test('frames split at every byte position, and fed byte by byte, come out the same', () => {
  const whole = collector([STREAM]);
  assert.equal(new FrameReader().feed(STREAM, whole.sink), 0);
  assert.deepEqual(whole.seen.map((f) => [f.type, f.flags, f.stream, f.payload.toString('latin1')]), [
    [4, 0, 0, '\x00\x03\x00\x00\x00\x64'], [1, 4, 1, '\x88'], [0, 0, 1, 'hello, world'], [0xfa, 0, 0, 'unknown type'], [0, 1, 1, ''], [6, 0, 0, '\x07'.repeat(8)],
  ]);
  assert.ok(whole.seen.every((f) => f.view), 'frames of one read are views of it');
  const want = whole.seen.map((f) => [f.type, f.flags, f.stream, f.payload.toString('hex')]);
  for (let cut = 1; cut < STREAM.length; cut++) {
    const parts = [Buffer.from(STREAM.subarray(0, cut)), Buffer.from(STREAM.subarray(cut))];
    const c = collector(parts);
    const r = new FrameReader();
    for (const p of parts) assert.equal(r.feed(p, c.sink), 0);
    assert.deepEqual(c.seen.map((f) => [f.type, f.flags, f.stream, f.payload.toString('hex')]), want, `cut at ${cut}`);
    assert.ok(r.idle);
  }
  const bytes = [...STREAM].map((b) => Buffer.from([b]));
  const c = collector(bytes);
  const r = new FrameReader();
  for (const b of bytes) r.feed(b, c.sink);
  assert.deepEqual(c.seen.map((f) => [f.type, f.flags, f.stream, f.payload.toString('hex')]), want);
});

test('dataParts: an unpadded DATA frame split across reads comes out in pieces (views, END_STREAM on the last); other frames as before', () => {
  const body = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
  const input = Buffer.concat([
    frame(FRAME.DATA, 0, 1, body),
    frame(FRAME.DATA, FLAG.END_STREAM, 3, body),
    frame(FRAME.DATA, FLAG.PADDED | FLAG.END_STREAM, 5, Buffer.concat([Buffer.from([2]), body, Buffer.alloc(2)])),
    frame(FRAME.PING, 0, 0, Buffer.alloc(8, 7)),
  ]);
  // per stream: the DATA bytes, the flags of the pieces, whether any piece was assembled (not a view)
  const summary = (seen: Seen[]): string[] => [1, 3, 5, 0].map((id) => {
    const fs = seen.filter((f) => f.stream === id);
    return `${fs[0]!.type}:${Buffer.concat(fs.map((f) => f.payload)).toString('hex')}:${fs.slice(0, -1).every((f) => !(f.flags & FLAG.END_STREAM))}:${fs[fs.length - 1]!.flags}`;
  });
  const whole = collector([input]);
  assert.equal(new FrameReader(undefined, true).feed(input, whole.sink), 0);
  const want = summary(whole.seen);
  assert.equal(whole.seen.length, 4);
  for (let cut = 1; cut < input.length; cut++) {
    const parts = [Buffer.from(input.subarray(0, cut)), Buffer.from(input.subarray(cut))];
    const c = collector(parts);
    const r = new FrameReader(undefined, true);
    for (const p of parts) assert.equal(r.feed(p, c.sink), 0);
    assert.deepEqual(summary(c.seen), want, `cut at ${cut}`);
    // an unpadded DATA frame cut in its payload: two pieces, both views of the reads
    const unpadded = c.seen.filter((f) => f.stream === 1 || f.stream === 3);
    assert.ok(unpadded.every((f) => f.view), `cut at ${cut}: pieces are views`);
    assert.ok(r.idle);
  }
  const bytes = [...input].map((b) => Buffer.from([b]));
  const c = collector(bytes);
  const r = new FrameReader(undefined, true);
  for (const b of bytes) assert.equal(r.feed(b, c.sink), 0);
  assert.deepEqual(summary(c.seen), want);
  assert.equal(c.seen.filter((f) => f.stream === 1).length, body.length, 'byte by byte: a piece per byte');
});

test('a frame above the maximum frame size is FRAME_SIZE_ERROR, also when its header is split', () => {
  const big = frame(FRAME.DATA, 0, 1, Buffer.alloc(16385));
  assert.equal(new FrameReader().feed(big, collector([]).sink), H2ERR.FRAME_SIZE_ERROR);
  const r = new FrameReader();
  assert.equal(r.feed(big.subarray(0, 4), collector([]).sink), 0);
  assert.equal(r.feed(big.subarray(4, 20), collector([]).sink), H2ERR.FRAME_SIZE_ERROR);
  // 16384 is the limit itself
  assert.equal(new FrameReader().feed(frame(FRAME.DATA, 0, 1, Buffer.alloc(16384)), collector([]).sink), 0);
});

test('the sink\'s error code stops the reader', () => {
  let n = 0;
  const code = new FrameReader().feed(STREAM, { frame: () => (++n === 2 ? H2ERR.PROTOCOL_ERROR : 0) });
  assert.equal(code, H2ERR.PROTOCOL_ERROR);
  assert.equal(n, 2);
});

test('the writer sends the frames of one turn in one Buffer; a large DATA payload goes through uncopied', async () => {
  const out: Buffer[] = [];
  const w = new FrameWriter((b) => out.push(b));
  w.settingsAck();
  w.windowUpdate(0, 1000);
  w.rstStream(3, H2ERR.CANCEL);
  w.data(FLAG.END_STREAM, 5, Buffer.from('tiny'));
  assert.equal(out.length, 0, 'nothing before the end of the turn');
  await new Promise((r) => process.nextTick(r));
  assert.equal(out.length, 1);
  const c = collector(out);
  new FrameReader().feed(out[0]!, c.sink);
  assert.deepEqual(c.seen.map((f) => [f.type, f.flags, f.stream, f.payload.toString('hex')]),
    [[4, 1, 0, ''], [8, 0, 0, '000003e8'], [3, 0, 3, '00000008'], [0, 1, 5, Buffer.from('tiny').toString('hex')]]);
  out.length = 0;
  const payload = Buffer.alloc(8000, 'p');
  w.data(0, 7, payload);
  w.goaway(0, H2ERR.NO_ERROR);
  w.flush();
  assert.ok(out.length === 1 ? out[0]!.includes(payload) : out.includes(payload));
  const c2 = collector(out);
  const r = new FrameReader();
  for (const b of out) r.feed(b, c2.sink);
  assert.deepEqual(c2.seen.map((f) => [f.type, f.stream, f.payload.length]), [[0, 7, 8000], [7, 0, 8]]);
});

test('a header block beyond the frame size: HEADERS with the priority, then CONTINUATIONs, END_HEADERS on the last', () => {
  const out: Buffer[] = [];
  const w = new FrameWriter((b) => out.push(b));
  const block = Buffer.alloc(40000, 0x41);
  w.headerBlock(9, true, block, { weight: 200, parent: 3, exclusive: true }, 16384);
  w.flush();
  const c = collector(out);
  const r = new FrameReader();
  for (const b of out) r.feed(b, c.sink);
  assert.deepEqual(c.seen.map((f) => [f.type, f.flags, f.stream, f.payload.length]), [
    [FRAME.HEADERS, FLAG.END_STREAM | FLAG.PRIORITY, 9, 16384], [FRAME.CONTINUATION, 0, 9, 16384], [FRAME.CONTINUATION, FLAG.END_HEADERS, 9, 40000 - 16379 - 16384],
  ]);
  const p = c.seen[0]!.payload;
  assert.equal(p.readUInt32BE(0), 0x80000003);
  assert.equal(p[4], 199);
  assert.equal(Buffer.concat([p.subarray(5), c.seen[1]!.payload, c.seen[2]!.payload]).equals(block), true);
});
