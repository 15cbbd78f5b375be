// A transfer whose HTTP/2 step stops at its read limit just as it takes the
// last piece that came must not leave its socket marked readable: the
// built-in driver then ran perform() round after round (answered from the
// microtask queue, 63 in a row per event-loop turn) with nothing to do until
// the server sent more, a busy wait. A download hit it whenever the client fell
// behind nginx by a multiple of the read limit. Driven end to end: a raw
// HTTP/2 server over loopback, the Multi's own perform()/poll() loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Easy, Multi, CURLOPT } from '../../src/index.js';
import { CURL_HTTP_VERSION } from '../../src/constants.js';
import { frame } from '../helpers/h2c-server.js';
import { startRawH2, STATUS_200 } from '../helpers/raw-h2-server.js';

const DATA = 0;
const HEADERS = 1;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
/** a frame type nobody defines: ignored by the client, it keeps the DATA frames around it from joining in one piece */
const UNKNOWN = 0xfa;
/** HTTP's reads per step (src/proto/http.ts MAX_READS_PER_STEP): as many pieces as one step takes */
const PIECES = 16;
const PIECE = 100;

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('HTTP/2: a step that ends on its read limit with the last piece taken leaves no busy wait for the next bytes', async () => {
  let sock: Socket | null = null;
  let id = 0;
  const srv = await startRawH2((s, stream) => {
    sock = s;
    id = stream;
    s.write(frame(HEADERS, END_HEADERS, stream, STATUS_200));
  });
  const m = new Multi();
  const e = new Easy();
  try {
    let got = 0;
    let headDone = false;
    e.setopt(CURLOPT.URL, srv.url);
    e.setopt(CURLOPT.HTTP_VERSION, CURL_HTTP_VERSION['2_PRIOR_KNOWLEDGE']);
    e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => {
      if (d.toString('latin1') === '\r\n') headDone = true;
      return d.length;
    });
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      got += d.length;
      return d.length;
    });
    assert.equal(m.addHandle(e), 0);
    let phase: 'head' | 'pieces' | 'waiting' | 'end' = 'head';
    let waitingRounds = 0;
    let done = false;
    let ended: Promise<void> | null = null;
    for (let i = 0; i < 100_000 && !done; i++) {
      m.perform();
      const msg = m.infoRead();
      if (msg) {
        assert.equal(msg.result, 0);
        done = true;
        break;
      }
      if (phase === 'head' && headDone) {
        // the head was taken: the pieces come in one write (one read), exactly one step's worth
        phase = 'pieces';
        const parts: Buffer[] = [];
        for (let k = 0; k < PIECES; k++) parts.push(frame(DATA, 0, id, Buffer.alloc(PIECE, 'x')), frame(UNKNOWN, 0, id, Buffer.alloc(0)));
        sock!.write(Buffer.concat(parts));
      } else if (phase === 'pieces' && got === PIECES * PIECE) {
        // everything taken: the server says nothing for a while (event-loop turns, not time)
        phase = 'waiting';
        ended = turns(20).then(() => {
          phase = 'end';
          sock!.write(frame(DATA, END_STREAM, id, Buffer.from('end')));
        });
      } else if (phase === 'waiting') waitingRounds++;
      await m.poll(1000);
    }
    await ended;
    assert.ok(done, 'the transfer ended');
    assert.equal(got, PIECES * PIECE + 3);
    // poll() waits for the socket: a round or two, not dozens per turn
    assert.ok(waitingRounds <= 3, `${waitingRounds} perform() rounds while the server said nothing`);
  } finally {
    m.removeHandle(e);
    e.cleanup();
    m.cleanup();
    await srv.close();
  }
});
