// A paused write callback stops content decoding (issue 17, item 2: the
// --compressed bomb). The decoders used to go on while the client was
// paused and the library held all they made: one network read of a few
// hundred KiB of gzip is hundreds of MiB decoded. Now each decoder keeps its
// undecoded input and goes on after easy.pause(CURLPAUSE_CONT).
//
// Over a loopback socket, for gzip, deflate, br, zstd, a stacked
// "br, gzip" and a gzip transfer coding: the write callback pauses every
// few calls and the test resumes it; the body must come out whole and in
// order, and what the library holds for the paused client (the transfer's
// held bytes) stays at one write's worth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { Easy, Multi, CURLOPT, CURLE, CURLPAUSE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { startRawServer, type Reply } from '../helpers/raw-http-server.js';

const MIB = 1024 * 1024;
const DECODED = 64 * MIB;
/** one write callback's worth (CURL_MAX_WRITE_SIZE), with room for a second held piece */
const HELD_LIMIT = 64 * 1024;

/** `mib` MiB of zeros as one zstd frame of RLE blocks (4 bytes each for 128 KiB). */
function zstdZeros(mib: number): Buffer {
  const blocks = mib * 8;
  const out = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic; no FCS, no checksum; window 128 KiB
  for (let i = 0; i < blocks; i++) {
    const header = (128 * 1024) << 3 | (1 << 1) | (i === blocks - 1 ? 1 : 0); // size, RLE, last
    out.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0]));
  }
  return Buffer.concat(out);
}

function chunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += 4096) {
    const c = body.subarray(i, i + 4096);
    parts.push(Buffer.from(c.length.toString(16) + '\r\n'), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

test('a paused client stops the decoders: bounded holding, the whole body in order after resume', async () => {
  const zeros = Buffer.alloc(DECODED);
  const fast = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } };
  const bodies: Record<string, { headers: string; body: Buffer }> = {
    gzip: { headers: 'Content-Encoding: gzip', body: zlib.gzipSync(zeros) },
    deflate: { headers: 'Content-Encoding: deflate', body: zlib.deflateSync(zeros) },
    br: { headers: 'Content-Encoding: br', body: zlib.brotliCompressSync(zeros, fast) },
    zstd: { headers: 'Content-Encoding: zstd', body: zstdZeros(DECODED / MIB) },
    stacked: { headers: 'Content-Encoding: br, gzip', body: zlib.gzipSync(zlib.brotliCompressSync(zeros, fast)) },
    te: { headers: 'Transfer-Encoding: gzip, chunked', body: chunked(zlib.gzipSync(zeros)) },
  };
  const srv = await startRawServer((req): Reply => {
    const b = bodies[req.target.slice(1)]!;
    const length = b.headers.startsWith('Transfer-Encoding') ? '' : `Content-Length: ${b.body.length}\r\n`;
    return { data: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${b.headers}\r\n${length}\r\n`), b.body]) };
  });
  const expected = createHash('sha256').update(zeros).digest('hex');
  const multi = new Multi();
  try {
    for (const name of Object.keys(bodies)) {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/${name}`);
        e.setopt(CURLOPT.ACCEPT_ENCODING, '');
        if (name === 'te') e.setopt(CURLOPT.TRANSFER_ENCODING, 1);
        const hash = createHash('sha256');
        let received = 0;
        let calls = 0;
        let pauses = 0;
        let paused = false;
        let maxHeld = 0;
        const held = (): number => internalsOf(e)?.transfer?.writers.heldBytes ?? 0;
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
          maxHeld = Math.max(maxHeld, held());
          // every 50th call pauses (the piece comes again after the resume)
          if (++calls % 50 === 0) {
            paused = true;
            pauses++;
            return CURL_WRITEFUNC_PAUSE;
          }
          hash.update(d);
          received += d.length;
          return d.length;
        });
        assert.equal(multi.addHandle(e), 0);
        let running = 1;
        let result: number | undefined;
        for (let i = 0; i < 1_000_000 && running; i++) {
          running = multi.perform().runningHandles;
          if (paused) {
            maxHeld = Math.max(maxHeld, held());
            paused = false;
            assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
          } else if (running) await multi.poll(100);
        }
        for (let m = multi.infoRead(); m; m = multi.infoRead()) result = m.result;
        multi.removeHandle(e);
        assert.equal(result, CURLE.OK, name);
        assert.equal(received, DECODED, name);
        assert.equal(hash.digest('hex'), expected, name);
        assert.ok(pauses > 50, `${name}: paused ${pauses} times`);
        assert.ok(maxHeld <= HELD_LIMIT, `${name}: held ${maxHeld} bytes for the paused client`);
      } finally {
        e.cleanup();
      }
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});
