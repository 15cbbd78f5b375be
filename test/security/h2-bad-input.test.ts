// Hostile HTTP/2 servers (issue 13, "Bad input"): a raw socket server that
// writes exact frames after the client's preface. A malformed frame, an
// oversized header block, HEADERS on a stream never opened, an endless
// CONTINUATION sequence, a SETTINGS flood and a window update overflow (of
// the connection's window or a stream's) each end the transfer (or its
// connection) with CURLE_HTTP2 or CURLE_HTTP2_STREAM; HEADERS on a stream
// whose response already ended leaves that complete transfer standing; a
// transfer on another connection in the same multi completes untouched;
// nothing hangs; what the hostile server sends is bounded by the codec's limits,
// not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLMSG } from '../../src/index.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { frame } from '../helpers/h2c-server.js';
import { literal, startRawH2, STATUS_200, type RawH2Scenario } from '../helpers/raw-h2-server.js';

const TYPE = { DATA: 0, HEADERS: 1, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

type Scenario = RawH2Scenario;

/** Run the hostile transfer and a good one on another connection in one multi; both results. */
async function runPair(badPort: number, goodUrl: string): Promise<{ bad: number; good: number; goodBody: string }> {
  const multi = new Multi();
  const bad = new Easy();
  const good = new Easy();
  const body: Buffer[] = [];
  const results = new Map<Easy, number>();
  try {
    for (const [e, url] of [[bad, `http://127.0.0.1:${badPort}/`], [good, goodUrl]] as const) {
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.HTTP_VERSION, 5);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (e === good && body.push(Buffer.from(d)), d.length));
      multi.addHandle(e);
    }
    while (results.size < 2) {
      multi.perform();
      for (let m = multi.infoRead(); m; m = multi.infoRead()) if (m.msg === CURLMSG.DONE) results.set(m.easy, m.result);
      if (results.size < 2) await multi.poll(1000);
    }
    return { bad: results.get(bad)!, good: results.get(good)!, goodBody: Buffer.concat(body).toString() };
  } finally {
    multi.removeHandle(bad);
    multi.removeHandle(good);
    multi.cleanup();
    bad.cleanup();
    good.cleanup();
  }
}

const H2_ERRORS = [CURLE.HTTP2, CURLE.HTTP2_STREAM];

const SCENARIOS: [string, Scenario, number[]][] = [
  ['a malformed frame (DATA on stream 0) mid-response', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    s.write(frame(TYPE.DATA, 0, id, Buffer.from('part')));
    s.write(frame(TYPE.DATA, 0, 0, Buffer.from('bad')));
  }, H2_ERRORS],
  ['a SETTINGS frame whose length is not a multiple of 6', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    s.write(frame(TYPE.SETTINGS, 0, 0, Buffer.alloc(7)));
  }, H2_ERRORS],
  ['an oversized header block (400 KB over CONTINUATION frames)', (s, id) => {
    const block = Buffer.concat([STATUS_200, ...Array.from({ length: 20 }, (_, i) => literal(`x-big-${i}`, 'v'.repeat(20_000)))]);
    const parts: Buffer[] = [];
    for (let off = 0; off < block.length; off += 16_000) parts.push(block.subarray(off, off + 16_000));
    parts.forEach((p, i) => s.write(frame(i === 0 ? TYPE.HEADERS : TYPE.CONTINUATION, i === parts.length - 1 ? END_HEADERS | END_STREAM : 0, id, p)));
  }, H2_ERRORS],
  ['HEADERS on a stream that is not open (the client never opened it)', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    s.write(frame(TYPE.DATA, 0, id, Buffer.from('part')));
    s.write(frame(TYPE.HEADERS, END_HEADERS | END_STREAM, id + 2, STATUS_200)); // never opened: idle, a protocol error
  }, H2_ERRORS],
  ['HEADERS on a closed stream (its response ended, in the same packet)', (s, id) => {
    s.write(Buffer.concat([
      frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200),
      frame(TYPE.DATA, END_STREAM, id, Buffer.from('done')),
      frame(TYPE.HEADERS, END_HEADERS | END_STREAM, id, STATUS_200), // closed: a protocol error
    ]));
    // the transfer's response was complete before it: Node's nghttp2 ignores the frame (curl 7.88's nghttp2
    // 1.52 fails the connection instead, so its next transfer on it gets CURLE_HTTP2); nothing hangs either way
  }, [CURLE.OK]],
  ['a WINDOW_UPDATE that overflows a stream\'s window', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    const inc = Buffer.alloc(4);
    inc.writeUInt32BE(0x7fffffff);
    s.write(frame(TYPE.WINDOW_UPDATE, 0, id, inc));
  }, H2_ERRORS],
  ['an endless CONTINUATION sequence', (s, id) => {
    s.write(frame(TYPE.HEADERS, 0, id, STATUS_200));
    let n = 0;
    const more = (): void => {
      if (s.destroyed || n++ > 4000) return; // bounded: 4000 x 16 KB at most
      s.write(frame(TYPE.CONTINUATION, 0, id, literal('x-more', 'y'.repeat(16_000 - 20))), () => setImmediate(more));
    };
    more();
  }, H2_ERRORS],
  ['a SETTINGS flood', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    let n = 0;
    const more = (): void => {
      if (s.destroyed || n++ > 200) return;
      s.write(Buffer.concat(Array.from({ length: 1000 }, () => frame(TYPE.SETTINGS, 0, 0))), () => setImmediate(more));
    };
    more();
  }, H2_ERRORS],
  ['a WINDOW_UPDATE that overflows the connection window', (s, id) => {
    s.write(frame(TYPE.HEADERS, END_HEADERS, id, STATUS_200));
    const inc = Buffer.alloc(4);
    inc.writeUInt32BE(0x7fffffff);
    s.write(frame(TYPE.WINDOW_UPDATE, 0, 0, inc));
  }, H2_ERRORS],
];

for (const [name, scenario, codes] of SCENARIOS) {
  const outcome = codes.includes(CURLE.OK) ? 'the complete transfer stands' : 'the transfer fails with CURLE_HTTP2(_STREAM)';
  test(`${name}: ${outcome}; a transfer on another connection completes`, async () => {
    const bad = await startRawH2(scenario);
    const good = await startH2Server(answer('fine'));
    try {
      const r = await runPair(bad.port, good.url('/ok'));
      assert.ok(codes.includes(r.bad), `bad transfer ended with ${r.bad}`);
      assert.equal(r.good, CURLE.OK);
      assert.equal(r.goodBody, 'fine');
    } finally {
      await bad.close();
      await good.close();
    }
  });
}
