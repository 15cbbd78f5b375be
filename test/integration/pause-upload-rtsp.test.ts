// RTSP ANNOUNCE and SET_PARAMETER bodies from a READFUNCTION that pauses
// (CURL_READFUNC_PAUSE): no read until the application unpauses, however
// often the transfer is woken meanwhile, then the body goes out whole with
// its Content-Length, under perform(), multi.perform() and the multi-socket API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startScriptServer } from '../helpers/script-server.js';
import { rtspd, ok, RTSPREQ } from '../helpers/rtsp-server.js';
import { pausedUpload, patternBody, DRIVES } from '../helpers/paused-upload.js';

const BODY = patternBody(20 * 1024);
const CHUNK = 1024;
const SET_PARAMETER = 9; // CURL_RTSPREQ_SET_PARAMETER

for (const drive of DRIVES) {
  for (const [name, req] of [['ANNOUNCE', RTSPREQ.ANNOUNCE], ['SET_PARAMETER', SET_PARAMETER]] as const) {
    test(`RTSP ${name} (${drive}): a paused read callback is not called until unpaused, the body arrives whole`, async () => {
      const bodies: Buffer[] = [];
      const srv = await startScriptServer(rtspd((r) => {
        bodies.push(Buffer.from(r.body));
        return ok(r);
      }));
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `rtsp://127.0.0.1:${srv.port}/`);
        e.setopt(CURLOPT.RTSP_REQUEST, req);
        if (req === SET_PARAMETER) e.setopt(CURLOPT.RTSP_SESSION_ID, 's1');
        e.setopt(CURLOPT.INFILESIZE, BODY.length);
        const r = await pausedUpload(e, BODY, drive, CHUNK);
        assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
        assert.equal(r.pauses, 2);
        assert.equal(r.callsWhilePaused, 0);
        assert.ok(r.calls <= 2 + BODY.length / CHUNK + 1, `${r.calls} read calls`);
        assert.equal(bodies.length, 1);
        assert.ok(bodies[0]!.equals(BODY));
      } finally {
        e.cleanup();
        await srv.close();
      }
    });
  }
}
