// The receive queue on its own (src/transport/recv-queue.ts): reads of every
// size, from one byte to a full READ_SIZE, land in slabs of three sizes or in
// Buffers of their own; what take() hands out, concatenated, must be exactly
// what was read, in order, with the length accounted, the socket told to stop
// past HIGH_WATER and to resume below it. Reads are simulated the way Node
// makes them: bytes written into the queue's read buffer, then the callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ReceiveQueue, READ_SIZE, HIGH_WATER } from '../../src/transport/recv-queue.js';

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function simulatedRead(rq: ReceiveQueue, data: Buffer): boolean {
  data.copy(rq.onread.buffer);
  return rq.onread.callback(data.length);
}

test('reads from 1 byte to READ_SIZE come out of take() whole and in order', () => {
  const rand = rng(12345);
  const rq = new ReceiveQueue();
  let resumes = 0;
  let data = 0;
  const inHash = createHash('sha256');
  const outHash = createHash('sha256');
  let inBytes = 0;
  let outBytes = 0;
  let stops = 0;
  let reading = true; // as Node: no read while the socket is stopped
  rq.owner = { queueData: () => void data++, queueResume: () => { resumes++; reading = true; } };
  const sizes = [1, 100, 4096, 4097, 65535, 65536, 65537, 300 * 1024, 262144, READ_SIZE - 1, READ_SIZE];
  for (let i = 0; i < 400; i++) {
    if (!reading) {
      // the socket waits for the consumer
      const b = rq.take();
      assert.ok(b !== null, 'a stopped socket has bytes queued');
      outHash.update(b);
      outBytes += b.length;
      continue;
    }
    const n = i < sizes.length ? sizes[i]! : 1 + Math.floor(rand() * READ_SIZE);
    const chunk = Buffer.alloc(n);
    for (let k = 0; k < n; k += 997) chunk[k] = (i + k) & 0xff;
    chunk[n - 1] = i & 0xff;
    inHash.update(chunk);
    inBytes += n;
    const more = simulatedRead(rq, chunk);
    assert.equal(rq.length, inBytes - outBytes);
    if (!more) {
      stops++;
      reading = false;
      assert.ok(rq.length > HIGH_WATER, 'stops only past the mark');
    } else assert.ok(rq.length <= HIGH_WATER);
    // take some, or everything, at random: the consumer keeps up or lags
    const budget = rand() < 0.5 ? Infinity : rand() * READ_SIZE;
    let taken = 0;
    while (taken < budget) {
      const b = rq.take();
      if (b === null) break;
      assert.ok(b.length > 0 && b.length <= READ_SIZE);
      outHash.update(b);
      outBytes += b.length;
      taken += b.length;
    }
    assert.equal(rq.length, inBytes - outBytes);
  }
  for (let b = rq.take(); b !== null; b = rq.take()) {
    outHash.update(b);
    outBytes += b.length;
  }
  assert.equal(outBytes, inBytes);
  assert.equal(outHash.digest('hex'), inHash.digest('hex'));
  assert.ok(stops > 0, 'the lagging consumer made the socket stop');
  assert.equal(resumes, stops, 'every stop was followed by a resume once drained');
  assert.ok(data > 0);
});

test('a consumer that takes everything after each read never stops the socket, even with full reads', () => {
  const rq = new ReceiveQueue();
  let resumes = 0;
  rq.owner = { queueData: () => {}, queueResume: () => void resumes++ };
  const full = Buffer.alloc(READ_SIZE, 7);
  for (let i = 0; i < 20; i++) {
    assert.equal(simulatedRead(rq, full), true);
    let n = 0;
    for (let b = rq.take(); b !== null; b = rq.take()) n += b.length;
    assert.equal(n, READ_SIZE);
  }
  assert.equal(resumes, 0);
});

test('segments are views of the bytes read, never of bytes beyond them', () => {
  const rq = new ReceiveQueue();
  rq.owner = { queueData: () => {}, queueResume: () => {} };
  // a 300 KiB read, then a 5-byte one appended to its open slab
  const a = Buffer.alloc(300 * 1024, 0x61);
  const b = Buffer.from('bbbbb');
  simulatedRead(rq, a);
  simulatedRead(rq, b);
  const out: Buffer[] = [];
  for (let s = rq.take(); s !== null; s = rq.take()) out.push(Buffer.from(s));
  assert.deepEqual(Buffer.concat(out), Buffer.concat([a, b]));
  assert.ok(out.every((s) => s.length <= 256 * 1024), 'no slab larger than the read needs');
});
