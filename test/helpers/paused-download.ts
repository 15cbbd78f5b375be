// A download that the write callback pauses (CURL_WRITEFUNC_PAUSE) once after
// its first MiB, for the tests of the receive paths' flow control: while it is
// paused the server pushes until the transport's queue stops growing, and the
// test looks at the transport then; after easy.pause(CURLPAUSE_CONT) the
// transfer runs to its end. Every loop is bounded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CURLOPT, CURLE, CURLINFO, CURLPAUSE, CURL_WRITEFUNC_PAUSE, type Easy, type Multi } from '../../src/index.js';
import { lookupSocket } from '../../src/transport/socket-table.js';
import type { StreamTransport } from '../../src/transport/stream-transport.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface PausedDownload {
  /** body bytes delivered */
  received: number;
  /** their SHA-256, hex */
  sha256: string;
  /** running handles after the last perform() (0: done) */
  running: number;
  /** the DONE message's result */
  result: number | undefined;
}

/**
 * Run `e` (URL set, not added yet) on `multi`; `whilePaused` gets the
 * connection's transport and the bytes delivered so far once the paused
 * transfer's queue has stopped growing.
 */
export async function pausedDownload(multi: Multi, e: Easy, whilePaused: (tr: StreamTransport, received: number) => void): Promise<PausedDownload> {
  const hash = createHash('sha256');
  let received = 0;
  let paused = false;
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    // pause once after the first MiB: everything after must wait in the library
    if (!paused && received >= 1024 * 1024) {
      paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    hash.update(d);
    received += d.length;
    return d.length;
  });
  multi.addHandle(e);
  let running = 1;
  for (let i = 0; i < 10_000 && running && !paused; i++) {
    running = multi.perform().runningHandles;
    if (running && !paused) await multi.poll(100);
  }
  assert.ok(paused, 'the write callback paused the transfer');
  const tr = lookupSocket(e.getinfo(CURLINFO.ACTIVESOCKET) as number) as StreamTransport;
  // let the server push as much as it can; stop once the queue stays the same
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 200 && stable < 5; i++) {
    multi.perform();
    await tick(5);
    const now = tr.buffered;
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  whilePaused(tr, received);
  assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
  for (let i = 0; i < 100_000 && running; i++) {
    running = multi.perform().runningHandles;
    if (running) await multi.poll(100);
  }
  return { received, sha256: hash.digest('hex'), running, result: multi.infoRead()?.result };
}
