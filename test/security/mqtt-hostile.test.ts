// CVE-2021-22945 (MQTT double free): libcurl freed the unsent rest of a
// PUBLISH twice when a send was partial and the handle then went on (reused
// or closed). The C bug cannot happen here; its input can: a broker that
// breaks the connection in the middle of our PUBLISH, the same handle used
// again afterwards, SUBACKs that are malformed, and remaining-length fields
// of five bytes. Each ends with libcurl's code, the connection closed, and
// nothing of the failed transfer leaks into the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { broker, hex } from '../helpers/mqtt-broker.js';

/** Collects the body of one perform on `e`. */
async function perform(e: Easy): Promise<{ code: number; body: Buffer }> {
  const got: Buffer[] = [];
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (got.push(Buffer.from(d)), d.length));
  const code = await e.perform();
  return { code, body: Buffer.concat(got) };
}

/** The PUBLISH and DISCONNECT after the CONNECT that `got` starts with. */
const afterConnect = (got: Buffer): Buffer => got.subarray(2 + got[1]!);

test('MQTT: a broker that resets in the middle of our PUBLISH is CURLE_SEND_ERROR; the handle then publishes whole on a new connection', async () => {
  // larger than the socket buffers, so the reset finds most of it still unsent
  const payload = Buffer.alloc(8 << 20, 0x61);
  const resetting = await startScriptServer(broker({
    // the PUBLISH's fixed header is in: break the connection with the rest still coming
    afterSubscribe: (c: ScriptConn) => c.reset(),
  }));
  const good = await startScriptServer(async (c) => {
    if (!(await c.waitFor((g) => g.length >= 2 && g.length >= 2 + g[1]!))) return;
    c.write(hex('20020000'));
    await c.waitClosed();
  });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `mqtt://127.0.0.1:${resetting.port}/big`);
    e.setopt(CURLOPT.POSTFIELDS, payload);
    const r = await perform(e);
    assert.equal(r.code, CURLE.SEND_ERROR, e.errorBuffer);
    assert.equal(e.errorBuffer, 'Send failure: Connection reset by peer');
    await resetting.allClosed();
    assert.ok(afterConnect(resetting.conns[0]!.received()).length < 1 + 4 + 2 + 3 + payload.length, 'the broker got only part of it');
    // the same handle goes on: a new connection, the new PUBLISH whole, nothing of the failed one
    e.setopt(CURLOPT.URL, `mqtt://127.0.0.1:${good.port}/t`);
    e.setopt(CURLOPT.POSTFIELDS, 'second');
    const s = await perform(e);
    assert.equal(s.code, CURLE.OK, e.errorBuffer);
    e.cleanup();
    await good.allClosed();
    assert.equal(good.conns.length, 1);
    assert.deepEqual(afterConnect(good.conns[0]!.received()), hex('3009 0001 74 7365636f6e64 e000'));
  } finally {
    await resetting.close();
    await good.close();
  }
});

test('MQTT: a broker that closes (FIN) while our PUBLISH is still going out is CURLE_SEND_ERROR, not a success', async () => {
  const payload = Buffer.alloc(8 << 20, 0x62);
  const srv = await startScriptServer(broker({ afterSubscribe: (c: ScriptConn) => c.end() }));
  try {
    const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/big`, (e) => e.setopt(CURLOPT.POSTFIELDS, payload));
    assert.equal(r.code, CURLE.SEND_ERROR, r.easy.errorBuffer);
    assert.match(r.easy.errorBuffer, /^Send failure: /);
    r.easy.cleanup();
    await srv.allClosed();
  } finally {
    await srv.close();
  }
});

test('MQTT: malformed SUBACKs are CURLE_WEIRD_SERVER_REPLY, nothing delivered, the connection closed', async () => {
  const subacks: Array<[string, Buffer]> = [
    ['too short (2)', hex('90020001')],
    ['too long (4)', hex('9004000100 00')],
    ['empty', hex('9000')],
    ['another packet id', hex('9003000200')],
    ['QoS refused (0x80)', hex('9003000180')],
    ['QoS 1 granted for 0 asked', hex('9003000101')],
  ];
  for (const [name, suback] of subacks) {
    // a PUBLISH right behind it must not be delivered either
    const srv = await startScriptServer(broker({ afterSubscribe: (c) => c.end(Buffer.concat([suback, hex('300700017468656c6c6f'), hex('e000')])) }));
    try {
      const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/t`);
      assert.equal(r.code, CURLE.WEIRD_SERVER_REPLY, `${name}: ${r.easy.errorBuffer}`);
      assert.equal(r.bytes.length, 0, name);
      r.easy.cleanup();
      await srv.allClosed();
    } finally {
      await srv.close();
    }
  }
});

test('MQTT: remaining-length fields of five bytes (CONNACK, SUBACK, PUBLISH), whole or a byte at a time, are CURLE_WEIRD_SERVER_REPLY', async () => {
  const five = hex('ffffffff7f');
  const cases: Array<{ name: string; connack?: Buffer; after?: Buffer }> = [
    { name: 'CONNACK', connack: Buffer.concat([hex('20'), five, hex('0000')]) },
    { name: 'SUBACK', after: Buffer.concat([hex('90'), five, hex('000100')]) },
    { name: 'PUBLISH', after: Buffer.concat([hex('9003000100 30'), hex('8080808001'), hex('0001 74 61')]) },
  ];
  for (const k of cases) {
    for (const split of [false, true]) {
      const send = async (c: ScriptConn, bytes: Buffer): Promise<void> => {
        if (!split) return c.end(bytes);
        // one byte per write, each handed to the kernel before the next
        for (const byte of bytes) {
          if (c.closed) return;
          await new Promise<void>((resolve) => c.socket.write(Buffer.from([byte]), () => resolve()));
        }
        c.end();
      };
      const srv = await startScriptServer(async (c) => {
        if (k.connack) {
          if (await c.waitFor((g) => g.length >= 2 && g.length >= 2 + g[1]!)) await send(c, k.connack);
          return;
        }
        await broker({ afterSubscribe: (cc) => send(cc, k.after!) })(c);
      });
      try {
        const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/t`);
        assert.equal(r.code, CURLE.WEIRD_SERVER_REPLY, `${k.name} split=${split}: ${r.easy.errorBuffer}`);
        assert.equal(r.bytes.length, 0);
        r.easy.cleanup();
        await srv.allClosed();
        // after a bad CONNACK nothing more was sent: no SUBSCRIBE
        if (k.connack) assert.equal(srv.conns[0]!.received()[0], 0x10);
        if (k.connack) assert.equal(srv.conns[0]!.received().length, 2 + srv.conns[0]!.received()[1]!);
      } finally {
        await srv.close();
      }
    }
  }
});
