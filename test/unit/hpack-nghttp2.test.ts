// HPACK against nghttp2 (node:http2's HTTP/2 library), on a loopback h2c
// connection with prior knowledge: a raw socket speaks HTTP/2 frames, its
// request header blocks come from our HpackEncoder (nghttp2 must decode
// them to exactly the fields we sent, and would answer a bad block with a
// COMPRESSION_ERROR GOAWAY), and nghttp2's response header blocks go through
// our HpackDecoder. Both sides change their table sizes mid-connection
// through SETTINGS, so the size updates are exercised against a real peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { connect, type Socket, type AddressInfo } from 'node:net';
import { HpackDecoder, HpackEncoder } from '../../src/h2/hpack.js';
import { frame } from '../helpers/h2c-server.js';
import { mulberry32 } from '../helpers/prng.js';

type Fields = [string, string][];
interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, GOAWAY = 7, CONTINUATION = 9;
const END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4;
const HEADER_TABLE_SIZE = 0x1;

/** Frames off a socket, in order; next() waits for one (the socket's end or error rejects). */
function frameReader(sock: Socket): () => Promise<Frame> {
  let buf = Buffer.alloc(0);
  const ready: Frame[] = [];
  let waiting: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const fail = (e: Error): void => {
    failure ??= e;
    waiting?.reject(failure);
    waiting = null;
  };
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
      const len = buf.readUIntBE(0, 3);
      ready.push({ type: buf[3]!, flags: buf[4]!, stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) });
      buf = buf.subarray(9 + len);
    }
    if (waiting !== null && ready.length > 0) {
      const w = waiting;
      waiting = null;
      w.resolve(ready.shift()!);
    }
  });
  sock.on('end', () => fail(new Error('server closed the connection')));
  sock.on('error', fail);
  return () => {
    if (ready.length > 0) return Promise.resolve(ready.shift()!);
    if (failure !== null) return Promise.reject(failure);
    return new Promise((resolve, reject) => (waiting = { resolve, reject }));
  };
}

function settingsFrame(params: [number, number][]): Buffer {
  const p = Buffer.alloc(6 * params.length);
  params.forEach(([id, value], i) => {
    p.writeUInt16BE(id, 6 * i);
    p.writeUInt32BE(value, 6 * i + 2);
  });
  return frame(SETTINGS, 0, 0, p);
}

function settingValue(f: Frame, id: number): number | undefined {
  for (let i = 0; i + 6 <= f.payload.length; i += 6) if (f.payload.readUInt16BE(i) === id) return f.payload.readUInt32BE(i + 2);
  return undefined;
}

/** Printable, no spaces at the ends (nghttp2 refuses those as RFC 9113 says). */
function token(rnd: () => number, max: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!#$%&*+/:;=?@[]^`{|}()<>,"\' ';
  const len = 1 + Math.floor(rnd() * max);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s.trim() || 'x';
}

test('nghttp2 decodes our header blocks and we decode its blocks, with table size changes both ways', async () => {
  const rnd = mulberry32(7540);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const N = 120;
  const values = Array.from({ length: 12 }, () => token(rnd, 30));
  const extraNames = ['x-a', 'x-b', 'x-trace', 'cookie', 'authorization', 'cache-control', 'accept-language', 'if-none-match', 'x-long'];
  const requests: Fields[] = [];
  const responses: Record<string, string | string[]>[] = [];
  for (let i = 0; i < N; i++) {
    const fields: Fields = [[':method', 'GET'], [':scheme', 'http'], [':authority', 'localhost'], [':path', `/r/${i}?q=${token(rnd, 10).replace(/[^A-Za-z0-9]/g, '')}`],
      ['user-agent', 'tscurl/8 (hpack test)'], ['accept', '*/*']];
    const extra = Math.floor(rnd() * 6);
    for (let k = 0; k < extra; k++) fields.push([pick(extraNames), rnd() < 0.7 ? pick(values) : token(rnd, i % 10 === 0 ? 600 : 40)]);
    requests.push(fields);
    const res: Record<string, string | string[]> = { 'content-type': pick(['text/plain', 'application/json', 'text/html; charset=utf-8']), 'x-n': String(i) };
    for (let k = Math.floor(rnd() * 5); k > 0; k--) res[`x-r${k}`] = rnd() < 0.6 ? pick(values) : token(rnd, 60);
    if (rnd() < 0.3) res['set-cookie'] = [`a=${token(rnd, 8)}`, `b=${pick(values)}`];
    responses.push(res);
  }

  const received: Fields[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer({ settings: { headerTableSize: 4096 } });
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    const pairs: Fields = [];
    for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
    received.push(pairs);
    const i = Number(String(headers[':path']).split('/')[2]!.split('?')[0]);
    // the server's own table shrinks and grows again (our encoder must signal it); each takes effect at our ACK
    if (i === 40) stream.session?.settings({ headerTableSize: 200 });
    if (i === 80) stream.session?.settings({ headerTableSize: 0 });
    if (i === 90) stream.session?.settings({ headerTableSize: 4096 });
    stream.respond({ ':status': 200, ...responses[i]! }, { endStream: true });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect((server.address() as AddressInfo).port, '127.0.0.1');
  try {
    const next = frameReader(sock);
    const enc = new HpackEncoder();
    const dec = new HpackDecoder();
    let announced = 4096;
    sock.write(Buffer.concat([PREFACE, settingsFrame([])]));

    /** Frames until the response HEADERS of `stream` (whole block), answering SETTINGS on the way. */
    const response = async (stream: number): Promise<Buffer> => {
      for (;;) {
        const f = await next();
        if (f.type === SETTINGS && (f.flags & ACK) === 0) {
          const size = settingValue(f, HEADER_TABLE_SIZE);
          if (size !== undefined) enc.setPeerMaxTableSize(size);
          sock.write(frame(SETTINGS, ACK, 0));
        } else if (f.type === SETTINGS) {
          // our announced size applies from the peer's ACK
          dec.setMaxTableSize(announced);
        } else if (f.type === GOAWAY) {
          assert.fail(`GOAWAY, error code ${f.payload.readUInt32BE(4)}: ${f.payload.subarray(8).toString('latin1')}`);
        } else if (f.type === RST_STREAM) {
          assert.fail(`RST_STREAM ${f.stream}, error code ${f.payload.readUInt32BE(0)}: ${JSON.stringify(requests[(f.stream - 1) / 2])}`);
        } else if (f.type === HEADERS) {
          assert.equal(f.stream, stream);
          const parts = [f.payload];
          let last = f;
          while ((last.flags & END_HEADERS) === 0) {
            last = await next();
            assert.equal(last.type, CONTINUATION);
            parts.push(last.payload);
          }
          return Buffer.concat(parts);
        } else {
          assert.ok(f.type !== DATA, 'no bodies here');
        }
      }
    };

    for (let i = 0; i < N; i++) {
      // our decoder's table shrinks and grows too: nghttp2's encoder must signal it
      if (i === 30 || i === 60 || i === 100) {
        announced = i === 30 ? 100 : i === 60 ? 0 : 4096;
        sock.write(settingsFrame([[HEADER_TABLE_SIZE, announced]]));
        if (announced > dec.tableMaxSize) dec.setMaxTableSize(announced);
      }
      const stream = 2 * i + 1;
      const never = i % 7 === 3 ? new Set(['x-a', 'cache-control']) : i % 11 === 5 ? true : undefined;
      sock.write(frame(HEADERS, END_HEADERS | END_STREAM, stream, enc.encode(requests[i]!, never)));
      const fields = dec.decode(await response(stream));
      assert.notEqual(fields, 'too-large');
      const expected: Fields = [[':status', '200']];
      for (const [k, v] of Object.entries(responses[i]!)) for (const one of [v].flat()) expected.push([k, one]);
      assert.deepEqual((fields as Fields).filter(([k]) => k !== 'date'), expected, `response ${i}`);
      assert.deepEqual(received[i], requests[i], `request ${i} as nghttp2 decoded it`);
    }
    assert.equal(dec.tableMaxSize, 4096);
    assert.ok(dec.tableEntries().length > 0, 'nghttp2 indexed fields in our table');
  } finally {
    sock.destroy();
    for (const s of sessions) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
