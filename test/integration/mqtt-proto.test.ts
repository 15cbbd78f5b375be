// MQTT end to end: against Debian's mosquitto (subscribe by GET, publish by
// POST, user and password, a refused login) and against a scripted broker on
// loopback for the bytes libcurl sends and the server's bad answers (curl's
// cases 1132, 1194-1199, 2109, 2206, 3017, 3018 as the model): each a
// CURLcode, the connection closed afterwards.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, CURLINFO, CURLINFO_TYPE, CURLPROTO, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer } from '../helpers/script-server.js';
import { broker, hex, type Broker } from '../helpers/mqtt-broker.js';
import { run, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { NO_MOSQUITTO, startMosquitto } from '../helpers/mosquitto.js';
import { encodeRemainingLength, MqttPacketReader } from '../../src/proto/mqtt-packets.js';

const NO_CURL = requireProgram('curl', 'curl');

/** What a PUBLISH delivers to the application: the topic's length and name, then the payload (libcurl's way). */
function delivered(topic: string, payload: string): Buffer {
  const t = Buffer.from(topic);
  return Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, Buffer.from(payload, 'latin1')]);
}

/**
 * Subscribe with tscurl's library and resolve, after the SUBACK, with a
 * function that waits for `count` messages and ends the subscription (the
 * write callback refuses the next piece: CURLE_WRITE_ERROR).
 */
async function subscribe(url: string, count: number, setup?: (e: Easy) => void): Promise<() => Promise<{ code: number; got: Buffer }>> {
  const e = new Easy();
  const got: Buffer[] = [];
  let messages = 0;
  let subacked: () => void = () => {};
  const suback = new Promise<void>((resolve) => (subacked = resolve));
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => {
    if (type === CURLINFO_TYPE.HEADER_IN && d[0] === 0x90) subacked();
    if (type === CURLINFO_TYPE.HEADER_IN && (d[0]! & 0xf0) === 0x30) messages++;
    return 0;
  });
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    if (messages > count) return 0;
    got.push(Buffer.from(d));
    return d.length;
  });
  setup?.(e);
  const done = e.perform();
  await Promise.race([suback, done]);
  return async () => {
    const code = await done;
    e.cleanup();
    return { code, got: Buffer.concat(got) };
  };
}

test('MQTT with mosquitto: a POST publishes, a GET subscription receives it (and what real curl publishes)', { skip: NO_MOSQUITTO }, async () => {
  const broker = await startMosquitto();
  try {
    const url = `mqtt://127.0.0.1:${broker.port}/tscurl/test%20topic`;
    // two messages, then one more ends the subscription
    const finish = await subscribe(url, 2);
    const a = await fetchUrl(url, (e) => e.setopt(CURLOPT.POSTFIELDS, 'hello'));
    assert.equal(a.code, CURLE.OK, a.easy.errorBuffer);
    assert.equal(a.easy.getinfo(CURLINFO.PROTOCOL), CURLPROTO.MQTT);
    a.easy.cleanup();
    const cli = await tscurl(['-sS', '-d', 'from the tool', url]);
    assert.equal(cli.code, 0, cli.stderr);
    if (!NO_CURL) {
      const c = await run('/usr/bin/curl', ['-sS', '-d', 'from curl', url]);
      assert.equal(c.code, 0, c.stderr);
    } else {
      await tscurl(['-sS', '-d', 'from curl', url]);
    }
    const r = await finish();
    assert.equal(r.code, CURLE.WRITE_ERROR);
    assert.deepEqual(r.got, Buffer.concat([delivered('tscurl/test topic', 'hello'), delivered('tscurl/test topic', 'from the tool')]));
  } finally {
    await broker.stop();
  }
});

test('MQTT with mosquitto: real curl\'s subscription receives what tscurl publishes, byte for byte', { skip: NO_MOSQUITTO || NO_CURL }, async () => {
  const broker = await startMosquitto();
  const url = `mqtt://127.0.0.1:${broker.port}/cmp`;
  // curl subscribes, tracing to stderr: its SUBACK (a 3-byte header body) says it is subscribed
  const child = spawn('/usr/bin/curl', ['-sN', '--trace-ascii', '/dev/stderr', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let out = Buffer.alloc(0);
    let err = '';
    let wake: () => void = () => {};
    const changed = (): Promise<void> => new Promise((resolve) => (wake = resolve));
    child.stdout.on('data', (d: Buffer) => ((out = Buffer.concat([out, d])), wake()));
    child.stderr.on('data', (d: Buffer) => ((err += d.toString('latin1')), wake()));
    child.once('exit', () => wake());
    // bounded: every turn needs output from curl, and its exit ends the loop
    while (!/Recv header, 3 bytes/.test(err) && child.exitCode === null) await changed();
    const r = await fetchUrl(url, (e) => e.setopt(CURLOPT.POSTFIELDS, Buffer.from([0, 0xff, 0x41])));
    assert.equal(r.code, CURLE.OK);
    r.easy.cleanup();
    const want = delivered('cmp', '\0\xffA');
    while (out.length < want.length && child.exitCode === null) await changed();
    assert.deepEqual(out, want);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await broker.stop();
  }
});

test('MQTT with mosquitto: user and password; a refused login is CURLE_WEIRD_SERVER_REPLY ("Expected 0000 but got 0005")', { skip: NO_MOSQUITTO }, async () => {
  const broker = await startMosquitto({ alice: 's3cret' });
  try {
    const good = await fetchUrl(`mqtt://alice:s3cret@127.0.0.1:${broker.port}/t`, (e) => e.setopt(CURLOPT.POSTFIELDS, 'x'));
    assert.equal(good.code, CURLE.OK, good.easy.errorBuffer);
    good.easy.cleanup();
    const bad = await fetchUrl(`mqtt://127.0.0.1:${broker.port}/t`, (e) => {
      e.setopt(CURLOPT.USERPWD, 'alice:wrong');
      e.setopt(CURLOPT.POSTFIELDS, 'x');
    });
    assert.equal(bad.code, CURLE.WEIRD_SERVER_REPLY);
    assert.equal(bad.easy.errorBuffer, 'Expected 0000 but got 0005');
    bad.easy.cleanup();
    const cli = await tscurl(['-sS', '-d', 'x', `mqtt://127.0.0.1:${broker.port}/t`]);
    assert.equal(cli.code, 8);
    assert.equal(cli.stderr, 'tscurl: (8) Expected 0000 but got 0005\n');
  } finally {
    await broker.stop();
  }
});

// ---- a scripted broker for the exact bytes and the bad answers ----

test('MQTT: CONNECT, SUBSCRIBE and PUBLISH bytes as curl\'s cases 1190, 1198, 2201 expect them', async () => {
  const srv = await startScriptServer(broker({
    afterSubscribe: (c) => {
      if (c.received().includes(0x82)) c.end(Buffer.concat([hex('9003000100'), hex('300c000431313930'), Buffer.from('hello\n'), hex('e000')]));
    },
  }));
  try {
    const sub = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/1190`);
    assert.equal(sub.code, CURLE.OK, sub.easy.errorBuffer);
    assert.deepEqual(sub.bytes, delivered('1190', 'hello\n'));
    sub.easy.cleanup();
    const pub = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/%20`, (e) => e.setopt(CURLOPT.POSTFIELDS, ''));
    assert.equal(pub.code, CURLE.OK);
    pub.easy.cleanup();
    const auth = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/2201`, (e) => {
      e.setopt(CURLOPT.POSTFIELDS, 'something');
      e.setopt(CURLOPT.USERPWD, 'testuser:testpasswd');
    });
    assert.equal(auth.code, CURLE.OK);
    auth.easy.cleanup();
    await srv.allClosed();
    const [s, p, a] = srv.conns.map((c) => c.received().toString('hex'));
    assert.match(s!, /^101800044d5154540402003c000c6375726c[0-9a-f]{16}8209000100043131393000$/);
    assert.match(p!, /^101800044d5154540402003c000c6375726c[0-9a-f]{16}3003000120e000$/);
    assert.match(a!, /^102e00044d51545404c2003c000c6375726c[0-9a-f]{16}00087465737475736572000a74657374706173737764300f000432323031736f6d657468696e67e000$/);
  } finally {
    await srv.close();
  }
});

test('MQTT: the server\'s bad answers and the topic\'s checks, each a CURLcode; the connection closed after each', async () => {
  const cases: Array<{ name: string; b: Broker; url?: string; setup?: (e: Easy) => void; code: number; body?: Buffer }> = [
    { name: 'CONNACK refused', b: { connack: hex('20020001') }, code: CURLE.WEIRD_SERVER_REPLY },
    { name: 'CONNACK of length 3 (1132)', b: { connack: hex('2003000000') }, code: CURLE.WEIRD_SERVER_REPLY },
    { name: 'PINGRESP as CONNACK (2206)', b: { connack: hex('d0020000') }, code: CURLE.WEIRD_SERVER_REPLY },
    {
      name: 'PUBLISH before SUBACK (1194)',
      b: { afterSubscribe: (c) => c.end(Buffer.concat([hex('300800013168656c6c6f'), hex('9003000100'), hex('e000')])) },
      code: CURLE.OK, body: delivered('1', 'hello'),
    },
    { name: 'short PUBLISH (1195)', b: { afterSubscribe: (c) => c.end(hex('300a00013168656c')) }, code: CURLE.PARTIAL_FILE, body: delivered('1', 'hel') },
    { name: 'closed between packets', b: { afterSubscribe: (c) => c.end(hex('9003000100')) }, code: CURLE.RECV_ERROR },
    { name: 'wrong SUBACK', b: { afterSubscribe: (c) => c.end(hex('9003000280')) }, code: CURLE.WEIRD_SERVER_REPLY },
    { name: 'remaining length past 4 bytes (3017)', b: { afterSubscribe: (c) => c.end(hex('9003000100 30ffffff8000')) }, code: CURLE.WEIRD_SERVER_REPLY },
    {
      name: 'PUBLISH over MAXFILESIZE (3018)',
      b: { afterSubscribe: (c) => c.end(hex('9003000100 300c000433303138 68656c6c6f0a')) },
      setup: (e) => e.setopt(CURLOPT.MAXFILESIZE, 5), code: CURLE.FILESIZE_EXCEEDED,
    },
    { name: 'no topic (1199)', b: {}, url: '', setup: (e) => e.setopt(CURLOPT.POSTFIELDS, ''), code: CURLE.URL_MALFORMAT },
    { name: 'a control byte in the topic (2109)', b: {}, url: '/aa%00bb', code: CURLE.URL_MALFORMAT },
  ];
  for (const k of cases) {
    const srv = await startScriptServer(broker(k.b));
    try {
      const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}${k.url ?? '/1'}`, k.setup);
      assert.equal(r.code, k.code, `${k.name}: ${r.easy.errorBuffer}`);
      if (k.body) assert.deepEqual(r.bytes, k.body, k.name);
      r.easy.cleanup();
      await srv.allClosed();
    } finally {
      await srv.close();
    }
  }
});

test('MQTT: a broker that never answers is CURLE_OPERATION_TIMEDOUT; a 64 KiB user name is refused before sending (2205)', async () => {
  const srv = await startScriptServer(() => {});
  try {
    const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/t`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 300));
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
    r.easy.cleanup();
    const u = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/t`, (e) => e.setopt(CURLOPT.USERNAME, 'u'.repeat(65536)));
    assert.equal(u.code, CURLE.WEIRD_SERVER_REPLY);
    assert.equal(u.easy.errorBuffer, 'Username is too large: [65536]');
    u.easy.cleanup();
    await srv.allClosed();
    assert.equal(srv.conns.at(-1)!.received().length, 0);
  } finally {
    await srv.close();
  }
});

test('MQTT packets: remaining lengths and the reader, byte by byte', () => {
  assert.deepEqual(encodeRemainingLength(0), hex('00'));
  assert.deepEqual(encodeRemainingLength(127), hex('7f'));
  assert.deepEqual(encodeRemainingLength(128), hex('8001'));
  assert.deepEqual(encodeRemainingLength(268435455), hex('ffffff7f'));
  const r = new MqttPacketReader();
  const bytes = hex('30 8101') ;
  const body = Buffer.alloc(129, 0x61);
  const all = Buffer.concat([bytes, body, hex('e000')]);
  const events: string[] = [];
  let taken = 0;
  for (const byte of all) {
    r.feed(Buffer.from([byte]));
    for (let ev = r.next(); ev.kind !== 'need'; ev = r.next()) {
      if (ev.kind === 'header') events.push(`h ${ev.first.toString(16)} ${ev.remaining}`);
      if (ev.kind === 'body') taken += ev.data.length;
    }
  }
  assert.deepEqual(events, ['h 30 129', 'h e0 0']);
  assert.equal(taken, 129);
});

test('MQTT: for bad and odd brokers the tool exits, says and prints what curl 7.88.1 does', { skip: NO_CURL }, async () => {
  const cases: Array<{ b: Broker; args: string[]; path?: string }> = [
    { b: { connack: hex('20020005') }, args: [] },
    { b: {}, args: [] },
    { b: { afterSubscribe: (c) => c.end(hex('9003000100')) }, args: [] },
    { b: { afterSubscribe: (c) => c.end(Buffer.concat([hex('9003000100'), hex('300800013168656c6c6f'), hex('e000')])) }, args: [] },
    { b: { afterSubscribe: (c) => c.end(Buffer.concat([hex('9003000100'), hex('300a00013168656c')])) }, args: [] },
    { b: { afterSubscribe: (c) => c.end(Buffer.concat([hex('9003000100'), hex('300800013168656c6c6f')])) }, args: ['--max-filesize', '3'] },
    { b: { afterSubscribe: (c) => c.end(hex('9003000280')) }, args: [] },
    { b: {}, args: ['-d', 'x'], path: '' },
    { b: { afterSubscribe: (c) => c.end() }, args: ['-d', 'payload'] },
  ];
  for (const [i, k] of cases.entries()) {
    const srv = await startScriptServer(broker({ ...k.b, afterSubscribe: k.b.afterSubscribe ?? ((c) => c.end()) }));
    try {
      const url = `mqtt://127.0.0.1:${srv.port}${k.path ?? '/1'}`;
      const a = await tscurl(['-sS', ...k.args, url]);
      const c = await run('/usr/bin/curl', ['-sS', ...k.args, url]);
      assert.deepEqual([a.code, a.stderr.replace(/^tscurl:/, 'curl:'), a.stdout], [c.code, c.stderr, c.stdout], `case ${i}`);
    } finally {
      await srv.close();
    }
  }
});

test('MQTT: a publish larger than the socket buffers reaches the broker whole before the connection closes', async () => {
  const payload = Buffer.alloc(8 << 20, 0x61);
  const srv = await startScriptServer(async (c) => {
    if (!(await c.waitFor((g) => g.length >= 2 && g.length >= 2 + g[1]!))) return;
    c.write(hex('20020000'));
    await c.waitClosed();
  });
  try {
    const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/big`, (e) => e.setopt(CURLOPT.POSTFIELDS, payload));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    r.easy.cleanup();
    await srv.allClosed();
    const got = srv.conns[0]!.received();
    const connectLen = 2 + got[1]!;
    const publish = got.subarray(connectLen);
    // 0x30, a 4-byte remaining length, topic length and "big", the payload, then DISCONNECT
    assert.equal(publish.length, 1 + 4 + 2 + 3 + payload.length + 2);
    assert.deepEqual(publish.subarray(-2), hex('e000'));
  } finally {
    await srv.close();
  }
});
