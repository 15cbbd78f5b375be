// What an upload asks the application's event loop for: OUT only while there
// is something to send. A paused read callback (CURL_READFUNC_PAUSE) leaves
// the socket at IN; unpausing from outside a callback brings OUT back through
// SOCKETFUNCTION and TIMERFUNCTION, as libcurl's multi_socket API does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURL_POLL, CURLPAUSE, CURL_READFUNC_PAUSE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startAppLoop } from '../helpers/app-loop.js';

test('a paused upload polls IN only; easy.pause(CONT) resumes sending through socketAction', async () => {
  const srv = await startRawServer(() => ok('ok'));
  const multi = new Multi();
  try {
    const loop = startAppLoop(multi);
    const easy = new Easy();
    try {
      let calls = 0;
      let resumed = false;
      let whatWhilePaused: number[] = [];
      let eventsAtResume = 0;
      easy.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/up`);
      easy.setopt(CURLOPT.UPLOAD, 1);
      easy.setopt(CURLOPT.INFILESIZE, 4);
      easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      easy.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        calls++;
        if (!resumed) {
          setTimeout(() => {
            // what the application was told to watch while the upload was paused
            whatWhilePaused = loop.events.flatMap((e) => (e.kind === 'socket' ? [e.what] : []));
            eventsAtResume = loop.events.length;
            resumed = true;
            assert.equal(easy.pause(CURLPAUSE.CONT), CURLE.OK);
          }, 50);
          return CURL_READFUNC_PAUSE;
        }
        return buf.write('data');
      });
      multi.addHandle(easy);
      await loop.finished;
      assert.equal(loop.done[0]?.result, CURLE.OK);
      assert.equal(srv.requests[0]!.body.toString(), 'data');
      assert.equal(calls, 2);
      // the head went out with OUT interest, then the paused transfer only listens
      assert.ok(whatWhilePaused.includes(CURL_POLL.INOUT) || whatWhilePaused.includes(CURL_POLL.OUT), JSON.stringify(whatWhilePaused));
      assert.equal(whatWhilePaused.at(-1), CURL_POLL.IN);
      // after the resume the socket was asked for OUT again
      const after = loop.events.slice(eventsAtResume).flatMap((e) => (e.kind === 'socket' ? [e.what] : []));
      assert.ok(after.some((w) => w & CURL_POLL.OUT), JSON.stringify(after));
      loop.stop();
      multi.removeHandle(easy);
    } finally {
      easy.cleanup();
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});
