// HTTP/2 stream priority (issue 13, item 2): CURLOPT_STREAM_WEIGHT and
// STREAM_DEPENDS / STREAM_DEPENDS_E go out as the priority of the stream's
// HEADERS frame (RFC 7540 5.3; node:http2's weight/parent/exclusive). A
// node:http2 server shows the weight it received (stream.state.weight) but
// not the dependency, so the test reads the HEADERS frames themselves on a
// TCP relay between tscurl and the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type * as http2 from 'node:http2';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { socketLoop } from '../helpers/socket-loop.js';
import { startH2Server } from '../helpers/h2-server.js';

interface SeenHeaders { stream: number; priority: { exclusive: boolean; parent: number; weight: number } | null }

/** A relay to `port` that records the client's HEADERS frames (after the 24-byte preface). */
async function headersRelay(port: number): Promise<{ port: number; seen: SeenHeaders[]; close(): Promise<void> }> {
  const seen: SeenHeaders[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let buf = Buffer.alloc(0);
    let preface = 24;
    client.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const skip = Math.min(preface, buf.length);
      preface -= skip;
      buf = buf.subarray(skip);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const type = buf[3]!;
        const flags = buf[4]!;
        const stream = buf.readUInt32BE(5) & 0x7fffffff;
        if (type === 1) {
          const o = 9 + (flags & 0x8 ? 1 : 0);
          const priority = flags & 0x20
            ? { exclusive: (buf[o]! & 0x80) !== 0, parent: buf.readUInt32BE(o) & 0x7fffffff, weight: buf[o + 4]! + 1 }
            : null;
          seen.push({ stream, priority });
        }
        buf = buf.subarray(9 + len);
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = (): void => { client.destroy(); upstream.destroy(); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

test('STREAM_WEIGHT and STREAM_DEPENDS(_E) are the priority of each stream\'s HEADERS frame', { timeout: 20000 }, async () => {
  const weights = new Map<string, number>();
  const open: http2.ServerHttp2Stream[] = [];
  let firstArrived: () => void = () => {};
  const first = new Promise<void>((r) => { firstArrived = r; });
  // every request waits until all three are open, so /b and /c depend on a live /a
  const srv = await startH2Server((stream, headers) => {
    weights.set(String(headers[':path']), stream.state.weight ?? -1);
    open.push(stream);
    stream.resume();
    if (headers[':path'] === '/a') firstArrived();
    if (open.length === 3) {
      for (const s of open) {
        if (s.destroyed || s.headersSent) continue;
        s.respond({ ':status': 200 });
        s.end('ok');
      }
    }
  });
  const relay = await headersRelay(srv.port);
  const results = new Map<Easy, number>();
  const loop = socketLoop((easy, result) => results.set(easy, result));
  const [a, b, c, d] = [new Easy(), new Easy(), new Easy(), new Easy()];
  try {
    const base = `http://127.0.0.1:${relay.port}`;
    for (const [e, p] of [[a, '/a'], [b, '/b'], [c, '/c'], [d, '/d']] as const) {
      e.setopt(CURLOPT.URL, base + p);
      e.setopt(CURLOPT.HTTP_VERSION, 5);
      e.setopt(CURLOPT.PIPEWAIT, 1);
      e.setopt(CURLOPT.WRITEFUNCTION, (x: Buffer) => x.length);
    }
    assert.equal(a.setopt(CURLOPT.STREAM_WEIGHT, 200), CURLE.OK);
    assert.equal(b.setopt(CURLOPT.STREAM_WEIGHT, 30), CURLE.OK);
    assert.equal(b.setopt(CURLOPT.STREAM_DEPENDS, a), CURLE.OK);
    // the last of the two wins: STREAM_DEPENDS_E sets the exclusive bit
    assert.equal(c.setopt(CURLOPT.STREAM_DEPENDS, b), CURLE.OK);
    assert.equal(c.setopt(CURLOPT.STREAM_DEPENDS_E, a), CURLE.OK);
    assert.equal(c.setopt(CURLOPT.STREAM_DEPENDS_E, 'not a handle' as never), CURLE.BAD_FUNCTION_ARGUMENT);
    assert.equal(c.setopt(CURLOPT.STREAM_WEIGHT, 257), CURLE.BAD_FUNCTION_ARGUMENT);
    loop.multi.addHandle(a);
    await first;
    loop.multi.addHandle(b);
    loop.multi.addHandle(c);
    await loop.doneAfter(3);
    for (const e of [a, b, c]) assert.equal(results.get(e), CURLE.OK);
    assert.equal(a.getinfo(CURLINFO.LOCAL_PORT), b.getinfo(CURLINFO.LOCAL_PORT), 'one connection');
    const byStream = new Map(relay.seen.map((h) => [h.stream, h.priority]));
    assert.deepEqual(byStream.get(1), { exclusive: false, parent: 0, weight: 200 });
    assert.deepEqual(byStream.get(3), { exclusive: false, parent: 1, weight: 30 });
    assert.deepEqual(byStream.get(5), { exclusive: true, parent: 1, weight: 16 });
    // what node:http2's server keeps of it: the weight
    assert.equal(weights.get('/a'), 200);
    assert.equal(weights.get('/b'), 30);
    assert.equal(weights.get('/c'), 16);
    // a dependency on a handle with no stream on the connection is no dependency (stream 0), as libcurl
    d.setopt(CURLOPT.STREAM_DEPENDS, new Easy());
    open.length = 2; // the next request is answered at once
    loop.multi.addHandle(d);
    await loop.doneAfter(4);
    assert.equal(results.get(d), CURLE.OK);
    // (nghttp2 leaves the default priority, weight 16 on stream 0, off the frame)
    const last = relay.seen.find((h) => h.stream === 7);
    assert.ok(last, 'stream 7 was sent');
    assert.equal(last.priority, null);
  } finally {
    for (const e of [a, b, c, d]) loop.multi.removeHandle(e);
    loop.close();
    for (const e of [a, b, c, d]) e.cleanup();
    await relay.close();
    await srv.close();
  }
});
