// An MQTT subscription whose WRITEFUNCTION pauses (CURL_WRITEFUNC_PAUSE):
// nothing is delivered while paused, however often the application wakes
// the transfer, and after easy.pause(CURLPAUSE_CONT) every message comes in
// order, under perform(), multi.perform() and the multi-socket API. (MQTT
// publishes CURLOPT_POSTFIELDS only, as libcurl: no read callback to pause.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startScriptServer } from '../helpers/script-server.js';
import { broker, hex } from '../helpers/mqtt-broker.js';
import { pausedWrite } from '../helpers/paused-write.js';
import { DRIVES } from '../helpers/paused-upload.js';

const TOPIC = 'pause';
const COUNT = 200;

/** A PUBLISH (QoS 0) of `payload` to TOPIC, and what the subscriber delivers for it (topic length, topic, payload). */
function publish(payload: string): { packet: Buffer; delivered: Buffer } {
  const t = Buffer.from(TOPIC);
  const delivered = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, Buffer.from(payload, 'latin1')]);
  return { packet: Buffer.concat([Buffer.from([0x30, delivered.length]), delivered]), delivered };
}

for (const drive of DRIVES) {
  test(`MQTT subscription (${drive}): a paused write callback is not called until unpaused, every message comes in order`, async () => {
    const msgs = Array.from({ length: COUNT }, (_, i) => publish(`message ${i} ${'z'.repeat(i % 50)}`));
    const srv = await startScriptServer(broker({
      // SUBACK, the messages, then DISCONNECT: the subscription ends
      afterSubscribe: (c) => c.end(Buffer.concat([hex('9003000100'), ...msgs.map((m) => m.packet), hex('e000')])),
    }));
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `mqtt://127.0.0.1:${srv.port}/${TOPIC}`);
      const want = Buffer.concat(msgs.map((m) => m.delivered));
      const r = await pausedWrite(e, drive, want.length / 2);
      assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
      assert.equal(r.pauses, 2);
      assert.equal(r.callsWhilePaused, 0);
      assert.ok(r.body.equals(want), `${r.body.length} of ${want.length} bytes, in order`);
    } finally {
      e.cleanup();
      await srv.close();
    }
  });
}
