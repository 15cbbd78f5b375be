// The HTTP/2 session's flow control and stream states (src/h2/session.ts)
// against a scripted peer on an in-memory transport: our receive windows open
// again (WINDOW_UPDATE) only for bytes the transfer took, so a paused stream's
// window closes and DATA beyond it is a stream error; uploads go out only as
// the server's windows allow, a SETTINGS_INITIAL_WINDOW_SIZE change adjusts
// open streams' windows; window overflows, SETTINGS and PING answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE } from '../../src/codes.js';
import { FLAG, FRAME, FrameReader, H2ERR } from '../../src/h2/frames.js';
import { H2Session, type H2Stream, type H2Transport } from '../../src/h2/session.js';
import { STREAM_WINDOW } from '../../src/h2/settings.js';
import type { RecvResult } from '../../src/transport/stream-transport.js';
import { frame } from '../helpers/h2c-server.js';

interface Frame { type: number; flags: number; stream: number; payload: Buffer }

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const setting = (id: number, v: number): Buffer => Buffer.concat([Buffer.from([0, id]), u32(v)]);

/** An in-memory transport: the peer's bytes queued for recv(), ours parsed into frames (after the preface). */
class Peer implements H2Transport {
  readonly #in: Buffer[] = [];
  readonly frames: Frame[] = [];
  readonly #reader = new FrameReader(1 << 24);
  #preface = 24;
  closed = false;
  eof = false;
  readonly volatileRecv = false;
  pending = false;

  recv(): RecvResult {
    const d = this.#in.shift();
    return d === undefined ? { kind: 'again' } : { kind: 'data', data: d };
  }

  send(data: Buffer | string): { ok: true } {
    let b = Buffer.from(data as Buffer);
    const skip = Math.min(this.#preface, b.length);
    this.#preface -= skip;
    b = b.subarray(skip);
    this.#reader.feed(b, { frame: (type, flags, stream, buf, s, e) => (this.frames.push({ type, flags, stream, payload: Buffer.from(buf.subarray(s, e)) }), 0) });
    return { ok: true };
  }

  setUpperPending(p: boolean): void {
    this.pending = p;
  }

  write(...frames: Buffer[]): void {
    this.#in.push(Buffer.concat(frames));
  }

  take(type: number): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const GET: [string, string][] = [[':method', 'GET'], [':path', '/'], [':scheme', 'http'], [':authority', 'x']];
const PRIO = { weight: 16, parent: 0, exclusive: false };
const STATUS_200 = Buffer.from([0x88]);

async function started(settings: Buffer = Buffer.alloc(0)): Promise<{ peer: Peer; s: H2Session }> {
  const peer = new Peer();
  const s = new H2Session(peer, { enablePush: false });
  peer.write(frame(FRAME.SETTINGS, 0, 0, settings));
  s.pump();
  await turn();
  return { peer, s };
}

/** Take everything the stream has now; the body bytes. */
function drain(st: H2Stream): { body: number; last: RecvResult['kind'] } {
  let body = 0;
  for (let i = 0; i < 10_000; i++) {
    const r = st.recv();
    if (r.kind === 'data' && !r.data.toString('latin1').startsWith('HTTP/2')) body += r.data.length;
    if (r.kind !== 'data') return { body, last: r.kind };
  }
  throw new Error('unbounded');
}

test('our SETTINGS and the 32 MiB connection window go out with the preface; the server\'s SETTINGS and PING are answered', async () => {
  const { peer, s } = await started();
  const [ours] = peer.take(FRAME.SETTINGS);
  assert.deepEqual([...ours!.payload], [0, 3, 0, 0, 0, 100, 0, 4, 0, 0x40, 0, 0, 0, 2, 0, 0, 0, 0, 0, 6, 0, 4, 0xb0, 0]);
  assert.equal(peer.take(FRAME.WINDOW_UPDATE)[0]!.payload.readUInt32BE(0), 32 * 1024 * 1024 - 65535);
  peer.write(frame(FRAME.PING, 0, 0, Buffer.from('12345678')));
  s.pump();
  await turn();
  assert.equal(peer.take(FRAME.SETTINGS).filter((f) => f.flags & FLAG.ACK).length, 1);
  assert.deepEqual(peer.take(FRAME.PING).map((f) => [f.flags, f.payload.toString()]), [[FLAG.ACK, '12345678']]);
});

test('receive flow control: WINDOW_UPDATE only for what the transfer took; a paused stream\'s window closes, DATA beyond it resets the stream', async () => {
  const { peer, s } = await started();
  const a = s.open(GET, true, PRIO, {}) as H2Stream;
  const b = s.open(GET, true, PRIO, {}) as H2Stream;
  await turn();
  const chunk = Buffer.alloc(16384, 'd');
  // three quarters of the stream window on each stream, neither taken yet
  const perWindow = STREAM_WINDOW / 16384;
  const n = (perWindow * 3) / 4;
  const data = (id: number, k: number): Buffer[] => Array.from({ length: k }, () => frame(FRAME.DATA, 0, id, chunk));
  peer.write(frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, STATUS_200), frame(FRAME.HEADERS, FLAG.END_HEADERS, 3, STATUS_200), ...data(1, n), ...data(3, n));
  s.pump();
  await turn();
  assert.equal(peer.take(FRAME.WINDOW_UPDATE).length, 1, 'no WINDOW_UPDATE before the transfers took anything');
  // a takes its bytes: its stream window opens again, b's does not
  assert.equal(drain(a).body, n * 16384);
  await turn();
  const updates = peer.take(FRAME.WINDOW_UPDATE).slice(1);
  // (once half the window or more was taken, for all of it, as nghttp2; the frames of one read reach the transfer as one piece)
  assert.deepEqual(updates.map((f) => [f.stream, f.payload.readUInt32BE(0)]), [[1, n * 16384]]);
  // b (paused: not taken) gets one frame more than its window has room for
  b.setPaused(true);
  peer.write(...data(3, perWindow - n + 1));
  s.pump();
  await turn();
  assert.deepEqual(peer.take(FRAME.RST_STREAM).map((f) => [f.stream, f.payload.readUInt32BE(0)]), [[3, H2ERR.FLOW_CONTROL_ERROR]]);
  b.setPaused(false);
  const r = drain(b);
  assert.equal(r.body, perWindow * 16384, 'what came within the window is still delivered');
  assert.equal(r.last, 'error');
  const e = b.recv();
  assert.ok(e.kind === 'error' && e.code === CURLE.HTTP2_STREAM && e.message === 'HTTP/2 stream 3 was not closed cleanly: FLOW_CONTROL_ERROR (err 3)');
  assert.equal(s.failure, null, 'the connection goes on');
});

test('quiet() with nothing for the transfer takes the stream\'s readability back, as recv()\'s \'again\' does', async () => {
  const { peer, s } = await started();
  const a = s.open(GET, true, PRIO, {}) as H2Stream;
  await turn();
  peer.write(frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, STATUS_200), frame(FRAME.DATA, 0, 1, Buffer.from('abc')));
  s.pump();
  assert.equal(peer.pending, true);
  // the head and the piece taken, not the 'again' after them (a step that stopped at its read limit)
  assert.equal(a.recv().kind, 'data');
  assert.equal(a.recv().kind, 'data');
  assert.equal(peer.pending, true);
  assert.equal(a.quiet(), true);
  assert.equal(peer.pending, false, 'still readable: the built-in driver would run perform() again and again for nothing');
});

test('send flow control: an upload goes out as the server\'s windows allow; SETTINGS_INITIAL_WINDOW_SIZE changes open streams\' windows', async () => {
  const { peer, s } = await started(setting(4, 100));
  const st = s.open([[':method', 'POST'], ...GET.slice(1)], false, PRIO, {}) as H2Stream;
  st.send(Buffer.alloc(2000, 'u'));
  await turn();
  const sent = (): number => peer.take(FRAME.DATA).reduce((n, f) => n + f.payload.length, 0);
  assert.equal(sent(), 100);
  assert.equal(st.writeBlocked, true);
  // the window shrinks below what was sent: negative, nothing more goes
  peer.write(frame(FRAME.SETTINGS, 0, 0, setting(4, 50)));
  s.pump();
  peer.write(frame(FRAME.WINDOW_UPDATE, 0, 1, u32(30)));
  s.pump();
  await turn();
  assert.equal(sent(), 100, 'window -50 + 30: still closed');
  peer.write(frame(FRAME.SETTINGS, 0, 0, setting(4, 1000)));
  s.pump();
  await turn();
  assert.equal(sent(), 100 + 930, 'the new initial size applies to the open stream: -20 + 950 = 930 more');
  peer.write(frame(FRAME.WINDOW_UPDATE, 0, 1, u32(5000)));
  s.pump();
  await turn();
  assert.equal(sent(), 2000);
  st.endRequest();
  await turn();
  const last = peer.take(FRAME.DATA).at(-1)!;
  assert.equal(last.flags & FLAG.END_STREAM, FLAG.END_STREAM);
});

test('the connection\'s send window holds back every stream until WINDOW_UPDATE on stream 0', async () => {
  const { peer, s } = await started(setting(4, 1 << 20));
  const st = s.open([[':method', 'POST'], ...GET.slice(1)], false, PRIO, {}) as H2Stream;
  st.send(Buffer.alloc(100_000, 'u'));
  await turn();
  const sent = (): number => peer.take(FRAME.DATA).reduce((n, f) => n + f.payload.length, 0);
  assert.equal(sent(), 65535);
  assert.ok(peer.take(FRAME.DATA).every((f) => f.payload.length <= 16384), 'no frame above the peer\'s max frame size');
  peer.write(frame(FRAME.WINDOW_UPDATE, 0, 0, u32(100_000)));
  s.pump();
  await turn();
  assert.equal(sent(), 100_000);
  assert.equal(st.writeBlocked, false);
});

test('window overflow: a stream\'s is a stream error, the connection\'s a connection error (GOAWAY FLOW_CONTROL_ERROR)', async () => {
  const { peer, s } = await started();
  const a = s.open(GET, true, PRIO, {}) as H2Stream;
  const b = s.open(GET, true, PRIO, {}) as H2Stream;
  peer.write(frame(FRAME.WINDOW_UPDATE, 0, 1, u32(0x7fffffff)));
  s.pump();
  await turn();
  assert.deepEqual(peer.take(FRAME.RST_STREAM).map((f) => [f.stream, f.payload.readUInt32BE(0)]), [[1, H2ERR.FLOW_CONTROL_ERROR]]);
  assert.equal(a.finished, true);
  assert.equal(s.failure, null);
  peer.write(frame(FRAME.WINDOW_UPDATE, 0, 0, u32(0x7fffffff)));
  s.pump();
  await turn();
  assert.deepEqual(peer.take(FRAME.GOAWAY).map((f) => f.payload.readUInt32BE(4)), [H2ERR.FLOW_CONTROL_ERROR]);
  assert.equal((s.failure as { code: number } | null)?.code, CURLE.HTTP2);
  assert.equal(s.usable, false);
  const r = b.recv();
  assert.ok(r.kind === 'error' && r.code === CURLE.HTTP2_STREAM);
});

test('GOAWAY: streams above its last stream id go again elsewhere (retry), the ones below finish', async () => {
  const { peer, s } = await started();
  const a = s.open(GET, true, PRIO, {}) as H2Stream;
  const b = s.open(GET, true, PRIO, {}) as H2Stream;
  peer.write(frame(FRAME.GOAWAY, 0, 0, Buffer.concat([u32(1), u32(0)])), frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, STATUS_200));
  s.pump();
  assert.equal(s.usable, false);
  const rb = b.recv();
  assert.ok(rb.kind === 'error' && rb.retry === true);
  assert.equal(drain(a).last, 'eof');
});

test('h2c: the upgraded request is stream 1, half-closed (local); the next stream is 3', async () => {
  const peer = new Peer();
  const s = new H2Session(peer, { enablePush: false, upgraded: true });
  const one = s.upgradeStream({}, false);
  assert.equal(one.id, 1);
  assert.equal(one.requestEnded, true);
  peer.write(frame(FRAME.SETTINGS, 0, 0), frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, STATUS_200), frame(FRAME.DATA, FLAG.END_STREAM, 1, Buffer.from('ok')));
  assert.equal(drain(one).body, 2);
  assert.equal(s.nextStreamId, 3);
  const next = s.open(GET, true, PRIO, {}) as H2Stream;
  assert.equal(next.id, 3);
});
