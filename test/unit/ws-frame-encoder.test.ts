// The WebSocket frame encoder (src/ws/frame-encoder.ts): what it makes must be
// what a server (the `ws` package's Receiver in server mode, which rejects
// unmasked client frames) decodes back to the same messages; curl_ws_send()'s
// flag rules and their errors are libcurl's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WsFrameEncoder, firstByteFor } from '../../src/ws/frame-encoder.js';
import { CURLWS } from '../../src/ws/ws-flags.js';
import { CURLE } from '../../src/codes.js';
import { wsReceiver } from '../helpers/ws-codec.js';

type Event = { kind: 'message'; binary: boolean; data: Buffer } | { kind: 'ping' | 'pong'; data: Buffer } | { kind: 'close'; code: number; reason: string };

/** What a `ws` server makes of these bytes. */
async function serverDecode(bytes: Buffer[]): Promise<{ events: Event[]; error: Error | null }> {
  const r = wsReceiver(true);
  const events: Event[] = [];
  let error: Error | null = null;
  r.on('message', (data: Buffer, binary: boolean) => events.push({ kind: 'message', binary, data: Buffer.from(data) }));
  r.on('ping', (data: Buffer) => events.push({ kind: 'ping', data: Buffer.from(data) }));
  r.on('pong', (data: Buffer) => events.push({ kind: 'pong', data: Buffer.from(data) }));
  r.on('conclude', (code: number, reason: Buffer) => events.push({ kind: 'close', code, reason: reason.toString() }));
  r.on('error', (e: Error) => {
    error = e;
  });
  await new Promise<void>((resolve) => {
    for (const b of bytes) r.write(b);
    r.end(() => resolve());
    r.on('error', () => resolve());
  });
  return { events, error };
}

function whole(enc: WsFrameEncoder, flags: number, payload: Buffer): Buffer {
  const f = enc.frame(flags, payload);
  assert.ok(f.ok, 'frame made');
  return f.ok ? f.bytes : Buffer.alloc(0);
}

test('every payload size and frame type decodes in a ws server', async () => {
  const enc = new WsFrameEncoder();
  const sizes = [0, 1, 125, 126, 127, 65535, 65536, 70000];
  const frames: Buffer[] = [];
  const want: Event[] = [];
  for (const n of sizes) {
    const p = Buffer.alloc(n);
    for (let i = 0; i < n; i++) p[i] = (i * 31 + n) & 0xff;
    frames.push(whole(enc, CURLWS.BINARY, p));
    want.push({ kind: 'message', binary: true, data: p });
    const t = Buffer.alloc(n, 0x41 + (n % 26));
    frames.push(whole(enc, CURLWS.TEXT, t));
    want.push({ kind: 'message', binary: false, data: t });
  }
  frames.push(whole(enc, CURLWS.PING, Buffer.from('are you there')));
  want.push({ kind: 'ping', data: Buffer.from('are you there') });
  frames.push(whole(enc, CURLWS.PONG, Buffer.alloc(125, 0x70)));
  want.push({ kind: 'pong', data: Buffer.alloc(125, 0x70) });
  frames.push(whole(enc, CURLWS.CLOSE, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('done')])));
  want.push({ kind: 'close', code: 1000, reason: 'done' });
  const r = await serverDecode(frames);
  assert.equal(r.error, null);
  assert.deepEqual(r.events, want);
  // header sizes: 2 (+2 or +8 for the length) + 4 for the key
  assert.equal(frames[0]!.length, 6);
  assert.equal(frames[sizes.indexOf(126) * 2]!.length - 126, 8);
  assert.equal(frames[sizes.indexOf(65536) * 2]!.length - 65536, 14);
  assert.equal(frames[sizes.indexOf(65535) * 2]!.length - 65535, 8);
});

test('every frame is masked, each with its own key', () => {
  const enc = new WsFrameEncoder();
  const keys = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const f = whole(enc, CURLWS.BINARY, Buffer.alloc(4));
    assert.equal(f[1]! & 0x80, 0x80);
    keys.add(f.subarray(2, 6).toString('hex'));
    // payload of zeros: the masked bytes are the key itself
    assert.deepEqual(f.subarray(6), f.subarray(2, 6));
  }
  assert.ok(keys.size > 590, 'keys differ from frame to frame');
});

test('a fragmented message: TEXT|CONT, then CONT frames, the type bit on each; control frames between', async () => {
  const enc = new WsFrameEncoder();
  const frames = [
    whole(enc, CURLWS.TEXT | CURLWS.CONT, Buffer.from('one ')),
    whole(enc, CURLWS.PING, Buffer.from('x')),
    whole(enc, CURLWS.TEXT | CURLWS.CONT, Buffer.from('two ')),
    whole(enc, CURLWS.TEXT, Buffer.from('three')),
    whole(enc, CURLWS.BINARY, Buffer.from([1, 2])),
  ];
  assert.deepEqual(frames.map((f) => f[0]), [0x01, 0x89, 0x00, 0x80, 0x82]);
  const r = await serverDecode(frames);
  assert.equal(r.error, null);
  assert.deepEqual(r.events, [
    { kind: 'ping', data: Buffer.from('x') },
    { kind: 'message', binary: false, data: Buffer.from('one two three') },
    { kind: 'message', binary: true, data: Buffer.from([1, 2]) },
  ]);
  assert.equal(enc.inFragmentedMessage, false);
});

test('the compatibility forms: CONT alone and no flags inside a fragmented message', () => {
  assert.equal(firstByteFor(CURLWS.CONT, true), 0x00);
  assert.equal(firstByteFor(0, true), 0x80);
  assert.equal(firstByteFor(CURLWS.BINARY | CURLWS.CONT, true), 0x00);
  assert.equal(firstByteFor(CURLWS.BINARY | CURLWS.OFFSET, false), 0x82);
  const enc = new WsFrameEncoder();
  whole(enc, CURLWS.BINARY | CURLWS.CONT, Buffer.from('a'));
  whole(enc, CURLWS.CONT, Buffer.from('b'));
  assert.equal(enc.inFragmentedMessage, true);
  const last = whole(enc, 0, Buffer.from('c'));
  assert.equal(last[0], 0x80);
  assert.equal(enc.inFragmentedMessage, false);
});

test('flag and size errors are libcurl\'s', () => {
  const enc = new WsFrameEncoder();
  const cases: Array<[number, number, number, RegExp]> = [
    [0, 1, CURLE.BAD_FUNCTION_ARGUMENT, /^\[WS\] no flags given$/],
    [CURLWS.CONT, 1, CURLE.BAD_FUNCTION_ARGUMENT, /^\[WS\] No ongoing fragmented message to continue$/],
    [CURLWS.PING | CURLWS.CONT, 1, CURLE.BAD_FUNCTION_ARGUMENT, /^\[WS\] PING frame must not be fragmented$/],
    [CURLWS.CLOSE | CURLWS.CONT, 1, CURLE.BAD_FUNCTION_ARGUMENT, /CLOSE frame must not be fragmented/],
    [CURLWS.PONG | CURLWS.CONT, 1, CURLE.BAD_FUNCTION_ARGUMENT, /PONG frame must not be fragmented/],
    [CURLWS.TEXT | CURLWS.BINARY, 1, CURLE.BAD_FUNCTION_ARGUMENT, /^\[WS\] unknown flags: 3$/],
    [0x80, 1, CURLE.BAD_FUNCTION_ARGUMENT, /unknown flags: 80/],
    [CURLWS.PING, 126, CURLE.TOO_LARGE, /^\[WS\] given PING frame is too big$/],
    [CURLWS.CLOSE, 126, CURLE.TOO_LARGE, /given CLOSE frame is too big/],
    [CURLWS.PONG, 200, CURLE.TOO_LARGE, /given PONG frame is too big/],
    [CURLWS.TEXT, -1, CURLE.SEND_ERROR, /negative payload length -1/],
  ];
  for (const [flags, len, code, msg] of cases) {
    const h = enc.startFrame(flags, len);
    assert.equal(h.ok, false, `flags ${flags}`);
    if (!h.ok) {
      assert.equal(h.code, code, `flags ${flags}`);
      assert.match(h.message, msg);
    }
  }
  // nothing was started by the failures
  assert.equal(enc.frameRemaining, 0);
  assert.equal(enc.inFragmentedMessage, false);
});

test('a frame sent in parts (CURLWS_OFFSET): one header, payload masked across calls, no new frame before it ends', async () => {
  const enc = new WsFrameEncoder();
  const payload = Buffer.alloc(100000);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const h = enc.startFrame(CURLWS.BINARY | CURLWS.OFFSET, payload.length);
  assert.ok(h.ok);
  const out: Buffer[] = [h.ok ? h.header : Buffer.alloc(0)];
  let at = 0;
  const steps = [1, 2, 3, 5, 4096, 7, 65536];
  for (let i = 0; at < payload.length; i++) {
    const n = steps[i % steps.length]!;
    const m = enc.mask(payload.subarray(at, at + n));
    out.push(m);
    at += m.length;
    if (at < payload.length) {
      const early = enc.startFrame(CURLWS.TEXT, 1);
      assert.equal(early.ok, false);
      if (!early.ok) {
        assert.equal(early.code, CURLE.SEND_ERROR);
        assert.match(early.message, /^\[WS\] starting new frame with \d+ bytes from last one remaining to be sent$/);
      }
    }
  }
  assert.equal(enc.frameRemaining, 0);
  // more than the frame needs: nothing is taken
  assert.equal(enc.mask(Buffer.from('extra')).length, 0);
  const r = await serverDecode(out);
  assert.equal(r.error, null);
  assert.deepEqual(r.events, [{ kind: 'message', binary: true, data: payload }]);
});
