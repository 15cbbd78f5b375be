// HTTP/2 response bodies reach the application byte-exact now that the
// session keeps DATA payloads as views of the transport's reused receive
// memory and joins a read's consecutive DATA frames of one stream in place:
// bodies of several streams interleaved frame by frame, over TLS and
// cleartext, and a paused stream whose queued bytes must survive the
// connection's later reads (copied at the end of the turn that got them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Multi, Easy, CURLOPT, CURLMSG, CURLE, CURLPAUSE } from '../../src/index.js';
import { startH2Server } from '../helpers/h2-server.js';
import { testCerts } from '../helpers/certs.js';

/** `n` bytes that differ from any shift of themselves by a frame header's 9 bytes. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed + (i >> 8)) % 251;
  return b;
}

/** Send `body` in `piece`-byte writes, each after the event loop turned (streams interleave). */
function trickle(stream: import('node:http2').ServerHttp2Stream, body: Buffer, piece: number): void {
  let at = 0;
  const more = (): void => {
    if (stream.destroyed) return;
    if (at >= body.length) {
      stream.end();
      return;
    }
    const end = Math.min(body.length, at + piece);
    stream.write(body.subarray(at, end));
    at = end;
    setImmediate(more);
  };
  more();
}

/** Run the transfers on one Multi (perform/poll) until all are done; results in order. */
async function runAll(multi: Multi, easies: Easy[]): Promise<number[]> {
  const results = new Map<Easy, number>();
  for (const e of easies) multi.addHandle(e);
  for (let i = 0; i < 100_000 && results.size < easies.length; i++) {
    multi.perform();
    for (let m = multi.infoRead(); m; m = multi.infoRead()) if (m.msg === CURLMSG.DONE) results.set(m.easy as Easy, m.result);
    if (results.size < easies.length) await multi.poll(100);
  }
  for (const e of easies) multi.removeHandle(e);
  return easies.map((e) => results.get(e) ?? -1);
}

function easyFor(url: string, tls: boolean, sink: (d: Buffer) => number): Easy {
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.HTTP_VERSION, tls ? 4 : 5); // 2TLS, or prior knowledge on cleartext
  e.setopt(CURLOPT.PIPEWAIT, 1);
  if (tls) e.setopt(CURLOPT.CAINFO, testCerts().caFile);
  e.setopt(CURLOPT.WRITEFUNCTION, sink);
  return e;
}

for (const tls of [true, false]) {
  test(`HTTP/2 ${tls ? 'over TLS' : 'cleartext'}: interleaved bodies of three streams arrive byte-exact`, async () => {
    const bodies = [pattern(1_500_000, 1), pattern(700_000, 2), pattern(40_000, 3)];
    const srv = await startH2Server((stream, h) => {
      stream.respond({ ':status': 200 });
      const i = Number(String(h[':path']).slice(1));
      trickle(stream, bodies[i]!, [30_000, 9_000, 1_000][i]!);
    }, { tls });
    const multi = new Multi();
    const got: Buffer[][] = [[], [], []];
    const easies = [0, 1, 2].map((i) => easyFor(srv.url(`/${i}`), tls, (d) => (got[i]!.push(Buffer.from(d)), d.length)));
    try {
      assert.deepEqual(await runAll(multi, easies), [CURLE.OK, CURLE.OK, CURLE.OK]);
      for (let i = 0; i < 3; i++) assert.ok(Buffer.concat(got[i]!).equals(bodies[i]!), `body ${i}`);
      assert.equal(srv.sessions, 1);
    } finally {
      multi.cleanup();
      for (const e of easies) e.cleanup();
      await srv.close();
    }
  });

  test(`HTTP/2 ${tls ? 'over TLS' : 'cleartext'}: a paused stream's queued bytes survive the other streams' reads on the connection`, async () => {
    const held = pattern(600_000, 4);
    const other = pattern(3_000_000, 5);
    const srv = await startH2Server((stream, h) => {
      stream.respond({ ':status': 200 });
      stream.end(h[':path'] === '/held' ? held : other);
    }, { tls });
    const multi = new Multi();
    const gotHeld: Buffer[] = [];
    const gotOther: Buffer[] = [];
    let otherDone = false;
    let paused = false;
    const a = easyFor(srv.url('/held'), tls, (d) => {
      if (!paused) {
        paused = true;
        // unpause once the other stream is complete: its reads reused the receive memory meanwhile
        const check = (): void => {
          if (otherDone) a.pause(CURLPAUSE.CONT);
          else setTimeout(check, 5);
        };
        setTimeout(check, 5);
        return 0x10000001; // CURL_WRITEFUNC_PAUSE
      }
      gotHeld.push(Buffer.from(d));
      return d.length;
    });
    const b = easyFor(srv.url('/other'), tls, (d) => {
      gotOther.push(Buffer.from(d));
      if (gotOther.reduce((n, x) => n + x.length, 0) === other.length) otherDone = true;
      return d.length;
    });
    try {
      assert.deepEqual(await runAll(multi, [a, b]), [CURLE.OK, CURLE.OK]);
      assert.ok(paused);
      assert.ok(Buffer.concat(gotOther).equals(other), 'the other body');
      assert.ok(Buffer.concat(gotHeld).equals(held), 'the paused body');
    } finally {
      multi.cleanup();
      a.cleanup();
      b.cleanup();
      await srv.close();
    }
  });
}
