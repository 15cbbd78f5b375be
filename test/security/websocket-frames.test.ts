// WebSocket advisories from docs/security-checklist.md, over loopback against
// raw TCP servers that read and write frames byte by byte:
//  - CVE-2025-10148: every frame the client sends carries its own random
//    masking key (libcurl 8.11-8.15 reused one key for a whole connection);
//  - CVE-2025-5399: hostile frames (floods of empty frames, empty fragments,
//    a header split over many packets) never trap the client in a loop: the
//    transfer ends when the server's CLOSE arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { Easy, CURLOPT, CURLE, CURLWS } from '../../src/index.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A server that answers the upgrade, then hands the socket and what followed the request head to `after`. */
async function upgradeServer(after: (sock: Socket, rest: Buffer) => void): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<Socket>();
  const server: Server = createServer((sock) => {
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const key = /sec-websocket-key: *(\S+)/i.exec(buf.subarray(0, end).toString('latin1'))![1]!;
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      after(sock, buf.subarray(end + 4));
    };
    sock.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      server.close(() => r());
    }),
  };
}

/** Client frames in `bytes` (all masked, lengths < 126): their masking keys and unmasked payloads. */
function clientFrames(bytes: Buffer): Array<{ opcode: number; key: string; payload: string }> {
  const out: Array<{ opcode: number; key: string; payload: string }> = [];
  let at = 0;
  while (at + 6 <= bytes.length) {
    assert.ok(bytes[at + 1]! & 0x80, 'a client frame without a mask');
    const len = bytes[at + 1]! & 0x7f;
    assert.ok(len < 126);
    if (at + 6 + len > bytes.length) break;
    const key = bytes.subarray(at + 2, at + 6);
    const payload = Buffer.from(bytes.subarray(at + 6, at + 6 + len).map((b, i) => b ^ key[i % 4]!));
    out.push({ opcode: bytes[at]! & 0x0f, key: key.toString('hex'), payload: payload.toString('latin1') });
    at += 6 + len;
  }
  return out;
}

test('CVE-2025-10148: each frame sent has a fresh random masking key (wsSend, CURLWS_OFFSET pieces, the automatic PONG)', async () => {
  let received = Buffer.alloc(0);
  let server: Socket | null = null;
  const srv = await upgradeServer((sock, rest) => {
    server = sock;
    received = Buffer.from(rest);
    sock.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `ws://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.CONNECT_ONLY, 2);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    const N = 32;
    for (let i = 0; i < N; i++) assert.equal(e.wsSend('same payload', 0, CURLWS.TEXT).code, CURLE.OK);
    // a frame in two parts (CURLWS_OFFSET): one key for the whole frame
    assert.equal(e.wsSend('abc', 6, CURLWS.BINARY | CURLWS.OFFSET).code, CURLE.OK);
    assert.equal(e.wsSend('def', 0, CURLWS.BINARY | CURLWS.OFFSET).code, CURLE.OK);
    // a PING from the server: the automatic PONG is masked with a new key too
    server!.write(Buffer.from([0x89, 0x02, 0x68, 0x69]));
    const buf = Buffer.alloc(64);
    let frames = clientFrames(received);
    for (let i = 0; i < 500 && frames.length < N + 2; i++) {
      // wsRecv reads the PING and answers it; AGAIN then (the PING is not handed over)
      const r = e.wsRecv(buf);
      assert.ok(r.code === CURLE.AGAIN || r.code === CURLE.OK, String(r.code));
      await new Promise((r) => setTimeout(r, 10)); // let the bytes travel; the loop is bounded
      frames = clientFrames(received);
    }
    assert.equal(frames.length, N + 2);
    assert.deepEqual(frames.slice(0, N).map((f) => f.payload), Array(N).fill('same payload'));
    assert.equal(frames[N]!.payload, 'abcdef');
    assert.deepEqual({ opcode: frames[N + 1]!.opcode, payload: frames[N + 1]!.payload }, { opcode: 0xa, payload: 'hi' });
    const keys = frames.map((f) => f.key);
    // 34 random 32-bit keys: a repeat has a chance of about 1 in 7 million
    assert.equal(new Set(keys).size, keys.length, `masking keys repeat: ${keys.join(' ')}`);
    assert.ok(!keys.includes('00000000'));
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CVE-2025-5399: floods of empty frames and empty fragments, a header in single bytes: delivered, then the CLOSE and hang-up end the transfer', async () => {
  const empties = (n: number, b: number[]): Buffer => Buffer.concat(Array.from({ length: n }, () => Buffer.from(b)));
  const srv = await upgradeServer((sock) => {
    sock.write(empties(2000, [0x81, 0x00])); // empty text frames
    sock.write(empties(2000, [0x8a, 0x00])); // empty PONGs
    // a message of 2000 empty fragments and an empty final one
    sock.write(Buffer.concat([Buffer.from([0x02, 0x00]), empties(2000, [0x00, 0x00]), Buffer.from([0x80, 0x00])]));
    // a 64-bit length header of a 3-byte frame, one byte per write
    const split = Buffer.from([0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    for (let i = 0; i < split.length; i++) sock.write(split.subarray(i, i + 1));
    // the server's CLOSE (1000), then it hangs up
    sock.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
  });
  const e = new Easy();
  try {
    let calls = 0;
    const data: Buffer[] = [];
    e.setopt(CURLOPT.URL, `ws://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (calls++, data.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    // the payload bytes that arrived: 'abc' and the CLOSE's status code
    assert.equal(Buffer.concat(data).toString('latin1'), 'abc\x03\xe8');
    // empty frames reach the callback at most once each: no busy loop on them
    assert.ok(calls <= 6100, `${calls} write callbacks`);
  } finally {
    e.cleanup();
    await srv.close();
  }
});
