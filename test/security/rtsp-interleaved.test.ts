// CVE-2018-1000122 (RTSP RTP over-read): libcurl copied an interleaved RTP
// packet using a length that ran past the bytes it had. The C bug cannot
// happen here; its input can: '$' packets whose length runs past what
// arrived, the same packets split at every byte, a packet right behind a
// response head, one of the largest length (65535), and packets whose
// payload looks like an RTSP response. INTERLEAVEFUNCTION must get exactly
// the packets, each whole and once, nothing past them; the write callback
// only the response bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, Easy } from '../../src/index.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { RTSPREQ, rtspd, ok, rtp } from '../helpers/rtsp-server.js';
import { RtspResponseReader, type RtspEvent } from '../../src/proto/rtsp-response.js';

/** One byte per write, each handed to the kernel before the next. */
async function byteByByte(c: ScriptConn, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length && !c.closed; i++) {
    await new Promise<void>((resolve) => c.socket.write(bytes.subarray(i, i + 1), () => resolve()));
  }
}

/** A handle that records interleaved packets and body bytes apart. */
function recorder(url: string): { e: Easy; packets: Buffer[]; body: Buffer[] } {
  const e = new Easy();
  const packets: Buffer[] = [];
  const body: Buffer[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.INTERLEAVEFUNCTION, (d: Buffer) => (packets.push(Buffer.from(d)), d.length));
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  return { e, packets, body };
}

const FRAMES = [rtp(0, 'a'.repeat(300)), rtp(1, ''), rtp(2, 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n'), rtp(0, 'tail')];
const BIG = rtp(3, 'z'.repeat(65535));

test('RTSP RECEIVE: packets split at every byte, one of 65535 bytes, one that looks like a response: each delivered whole, once', async () => {
  const srv = await startScriptServer(async (c) => {
    await byteByByte(c, Buffer.concat(FRAMES));
    c.write(BIG);
    // a packet claiming 1000 bytes of which 10 arrive: never delivered
    c.end(Buffer.concat([Buffer.from([0x24, 0, 0x03, 0xe8]), Buffer.alloc(10, 7)]));
  });
  try {
    const r = recorder(`rtsp://127.0.0.1:${srv.port}/`);
    r.e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.RECEIVE);
    assert.equal(await r.e.perform(), CURLE.OK, r.e.errorBuffer);
    assert.deepEqual(r.packets, [...FRAMES, BIG]);
    assert.equal(r.body.length, 0);
    r.e.cleanup();
    await srv.allClosed();
  } finally {
    await srv.close();
  }
});

test('RTSP: a packet right behind a response head (with and without a body) goes to INTERLEAVEFUNCTION, not into the body', async () => {
  const srv = await startScriptServer(rtspd((req, _c, n) => {
    // the first answer has a body and a packet behind it, the second none and a packet right after the head
    if (n === 0) return Buffer.concat([Buffer.from(ok(req, '', 'body')), FRAMES[0]!]);
    if (n === 1) return Buffer.concat([Buffer.from(ok(req)), FRAMES[2]!, BIG]);
    if (n === 2) return ok(req, '', 'last');
    return null;
  }));
  try {
    const r = recorder(`rtsp://127.0.0.1:${srv.port}/`);
    r.e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.DESCRIBE);
    for (let i = 0; i < 3; i++) assert.equal(await r.e.perform(), CURLE.OK, r.e.errorBuffer);
    assert.equal(Buffer.concat(r.body).toString(), 'bodylast');
    assert.deepEqual(r.packets, [FRAMES[0], FRAMES[2], BIG]);
    r.e.cleanup();
    await srv.allClosed();
  } finally {
    await srv.close();
  }
});

test('RTSP: a packet whose length runs past what arrived fails the request (a timeout, or an error at the close) and delivers nothing of it', async () => {
  const srv = await startScriptServer(rtspd(() => Buffer.concat([Buffer.from([0x24, 0, 0xff, 0xff]), Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n')])));
  const cut = await startScriptServer(async (c) => {
    if (await c.waitForText('\r\n\r\n')) c.end(Buffer.concat([Buffer.from([0x24, 0, 0xff, 0xff]), Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n')]));
  });
  try {
    // the "response" is inside the packet's claimed length: the client waits for the real one (bounded by the timeout)
    const r = recorder(`rtsp://127.0.0.1:${srv.port}/`);
    r.e.setopt(CURLOPT.TIMEOUT_MS, 500);
    assert.equal(await r.e.perform(), CURLE.OPERATION_TIMEDOUT);
    assert.deepEqual(r.packets, []);
    assert.equal(r.body.length, 0);
    r.e.cleanup();
    const c = recorder(`rtsp://127.0.0.1:${cut.port}/`);
    const code = await c.e.perform();
    assert.notEqual(code, CURLE.OK, 'a response that never came is not a success');
    assert.deepEqual(c.packets, []);
    assert.equal(c.body.length, 0);
    c.e.cleanup();
    await srv.allClosed();
    await cut.allClosed();
  } finally {
    await srv.close();
    await cut.close();
  }
});

test('RTSP reader: a response with packets around it, cut at every byte, gives the same events', () => {
  const stream = Buffer.concat([FRAMES[0]!, Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 4\r\n\r\nbody'), FRAMES[1]!]);
  const events = (pieces: Buffer[]): string[] => {
    const rd = new RtspResponseReader();
    const out: string[] = [];
    let ended = false;
    for (const p of pieces) {
      rd.feed(p);
      // bounded: every event consumes bytes, and 'need'/'end' stop
      for (let i = 0; i < 100 && !ended; i++) {
        const ev: RtspEvent = rd.next();
        if (ev.kind === 'need') break;
        if (ev.kind === 'end') {
          out.push('end');
          ended = true;
          break;
        }
        out.push(ev.kind === 'rtp' ? `rtp:${ev.packet.toString('hex')}` : ev.kind === 'body' ? `body:${ev.data.toString()}` : ev.kind);
        if (ev.kind === 'error') return out;
      }
    }
    // what came after the response waits for the next request
    const rest = ended ? rd.takeLeftover() : Buffer.alloc(0);
    if (rest.length) out.push(`leftover:${rest.toString('hex')}`);
    return out;
  };
  const whole = events([stream]);
  assert.deepEqual(whole, [`rtp:${FRAMES[0]!.toString('hex')}`, 'status', 'header', 'header', 'headers-end', 'body:body', 'end', `leftover:${FRAMES[1]!.toString('hex')}`]);
  for (let at = 1; at < stream.length; at++) {
    const got = events([stream.subarray(0, at), stream.subarray(at)]);
    // bodies may come in two pieces; joined they are the same
    const join = (list: string[]): string[] => list.join('\n').replace(/body:(.*)\nbody:/g, 'body:$1').split('\n');
    assert.deepEqual(join(got), whole, `cut at ${at}`);
  }
});
