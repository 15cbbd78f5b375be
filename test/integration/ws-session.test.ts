// A WebSocket session end to end over real loopback sockets: the upgrade made
// with src/ws/handshake.ts and read with the project's HTTP/1 response parser
// over a net.Socket in a StreamTransport, then src/ws/ws-session.ts talking to
// the `ws` package's WebSocketServer (echo, fragmented messages both ways, a
// PING answered by the automatic PONG or not, the closing handshake from
// either side, write-callback delivery, raw mode), and to raw TCP servers that
// answer the upgrade wrongly or send frames a client must refuse: each of
// those ends in libcurl's error, never in a wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { ReceiveQueue } from '../../src/transport/recv-queue.js';
import { ResponseParser } from '../../src/http1/response-parser.js';
import { newWebSocketKey, upgradeRequestLines, UpgradeResponseCheck, webSocketAccept, type UpgradeCheckResult } from '../../src/ws/handshake.js';
import { WsSession, type WsRecvResult, type WsSessionOptions } from '../../src/ws/ws-session.js';
import { CURLWS, CURLWS_OPT, type WsFrameMeta } from '../../src/ws/ws-flags.js';
import { CURLE } from '../../src/codes.js';
import { CURL_CSELECT } from '../../src/constants.js';
import { wsFrame } from '../helpers/ws-codec.js';

/** Resolves once the transport is readable (data, EOF or an error). */
function waitIn(t: StreamTransport): Promise<void> {
  return new Promise((resolve) => {
    if (t.readiness() & CURL_CSELECT.IN) return resolve();
    const o = {
      readinessChanged(): void {
        if (t.readiness() & CURL_CSELECT.IN) {
          t.removeObserver(o);
          resolve();
        }
      },
    };
    t.addObserver(o);
  });
}

/**
 * A connected transport as the engine makes it (tcp-connector.ts): reads land in
 * a ReceiveQueue's recycled slabs and recv() lends views of them, so whatever
 * the session keeps past a call must have been copied.
 */
async function connected(port: number): Promise<StreamTransport> {
  const rq = new ReceiveQueue();
  const sock = connect({ port, host: '127.0.0.1', onread: rq.onread });
  const t = new StreamTransport(sock, false, 'connect', rq);
  assert.equal(t.volatileRecv, true);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  return t;
}

interface Upgraded {
  t: StreamTransport;
  check: UpgradeCheckResult;
  leftover: Buffer;
}

/** GET with the upgrade headers, the answer read by the HTTP/1 parser and judged by UpgradeResponseCheck. */
async function upgrade(port: number, extra: string[] = [], requestedProtocols: string[] = []): Promise<Upgraded> {
  const t = await connected(port);
  const key = newWebSocketKey();
  const lines = ['GET /chat HTTP/1.1', `Host: 127.0.0.1:${port}`, ...extra, ...upgradeRequestLines(key)];
  t.send(Buffer.from(lines.join('\r\n') + '\r\n\r\n'));
  const parser = new ResponseParser({ method: 'GET' });
  const check = new UpgradeResponseCheck(key, { requestedProtocols });
  let early: UpgradeCheckResult | null = null;
  for (let reads = 0; reads < 1000; reads++) {
    const r = t.recv();
    if (r.kind === 'again') {
      await waitIn(t);
      continue;
    }
    if (r.kind === 'error') throw r.error;
    if (r.kind === 'eof') parser.eof();
    else parser.feed(r.data);
    for (;;) {
      const ev = parser.next();
      if (ev.type === 'need-data') break;
      if (ev.type === 'error') throw new Error(`parse error ${JSON.stringify(ev)}`);
      if (ev.type === 'status') early = check.status(ev.version, ev.code);
      else if (ev.type === 'header') check.header(ev.name, ev.value);
      else if (ev.type === 'headers-end' && !ev.interim) {
        // the bytes after the headers belong to the WebSocket (copied: the transport lends them)
        return { t, check: early ?? check.finish(), leftover: Buffer.from(parser.takeLeftover()) };
      }
    }
    parser.retain();
  }
  throw new Error('no response');
}

/** An upgraded session; `wsStart` is where the WebSocket bytes start in the socket's byte count. */
async function session(port: number, opts: WsSessionOptions = {}): Promise<{ t: StreamTransport; s: WsSession; wsStart: number }> {
  const u = await upgrade(port);
  assert.deepEqual(u.check, { ok: true, protocol: null });
  return { t: u.t, s: new WsSession(u.t, { ...opts, initial: u.leftover }), wsStart: u.t.socket.bytesRead - u.t.buffered - u.leftover.length };
}

/** recv() until it does not say CURLE_AGAIN, waiting for the socket in between. */
async function recvReady(t: StreamTransport, s: WsSession, buflen: number): Promise<WsRecvResult> {
  for (let i = 0; i < 1000; i++) {
    const r = s.recv(buflen);
    if (r.code !== CURLE.AGAIN) return r;
    await waitIn(t);
  }
  throw new Error('recv never got anything');
}

/** One whole frame: recv() with `buflen` until bytesleft is 0, checking the pieces' meta. */
async function recvFrame(t: StreamTransport, s: WsSession, buflen = 1 << 20, from = 0): Promise<{ flags: number; data: Buffer; calls: number }> {
  const parts: Buffer[] = [];
  let flags = -1;
  let at = from;
  for (let calls = 1; calls < 100000; calls++) {
    const r = await recvReady(t, s, buflen);
    assert.equal(r.code, CURLE.OK, r.message);
    const m = r.meta!;
    if (flags === -1) flags = m.flags;
    assert.equal(m.flags, flags);
    assert.equal(m.offset, at);
    assert.equal(m.len, r.data.length);
    assert.ok(m.len <= buflen);
    parts.push(r.data);
    at += m.len;
    if (m.bytesleft === 0) return { flags, data: Buffer.concat(parts), calls };
  }
  throw new Error('frame never ended');
}

/** Event-loop turns until the socket has read `n` bytes in all (bounded). */
async function bytesRead(t: StreamTransport, n: number): Promise<void> {
  for (let i = 0; i < 100000; i++) {
    if (t.socket.bytesRead >= n) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`never got ${n} bytes: ${t.socket.bytesRead} read, ${t.buffered} buffered`);
}

async function sendAll(t: StreamTransport, s: WsSession, data: Buffer, flags: number): Promise<void> {
  let at = 0;
  for (let i = 0; i < 100000; i++) {
    const r = s.send(data.subarray(at), 0, flags);
    if (r.code === CURLE.AGAIN) {
      await new Promise<void>((resolve) => t.socket.once('drain', () => resolve()));
      continue;
    }
    assert.equal(r.code, CURLE.OK, r.message);
    at += r.sent;
    if (at === data.length) return;
  }
  throw new Error('send never finished');
}

async function wsServer(onConnection: (ws: WebSocket) => void, opts: { handleProtocols?: (p: Set<string>) => string | false } = {}): Promise<{ wss: WebSocketServer; port: number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...opts });
  wss.on('connection', onConnection);
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return { wss, port: (wss.address() as AddressInfo).port };
}

async function closeServer(wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

function echo(ws: WebSocket): void {
  ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
}

test('echo: text, binary of every length encoding, read whole and in small pieces', async () => {
  const { wss, port } = await wsServer(echo);
  const { t, s } = await session(port);
  try {
    await sendAll(t, s, Buffer.from('hello, server'), CURLWS.TEXT);
    assert.deepEqual(await recvFrame(t, s), { flags: CURLWS.TEXT, data: Buffer.from('hello, server'), calls: 1 });
    for (const n of [0, 125, 126, 65535, 65536, 300000]) {
      const p = Buffer.alloc(n);
      for (let i = 0; i < n; i++) p[i] = (i * 7 + n) & 0xff;
      await sendAll(t, s, p, CURLWS.BINARY);
      const got = await recvFrame(t, s, 1000);
      assert.equal(got.flags, CURLWS.BINARY);
      assert.ok(got.data.equals(p), `${n} bytes echoed`);
      assert.ok(got.calls >= Math.ceil(n / 1000));
    }
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('payload left unread across event-loop turns survives the receive buffers being reused', async () => {
  // A arrives and is read 10 bytes at a time only after B came in: the bytes of A
  // the session holds meanwhile must be its own, not views of recycled slabs
  const a = Buffer.alloc(200000, 0x41);
  const b = Buffer.alloc(200000, 0x42);
  const { wss, port } = await wsServer((ws) => {
    ws.send(a, { binary: true });
    ws.on('message', () => ws.send(b, { binary: true }));
  });
  const { t, s, wsStart } = await session(port);
  try {
    // all of A (10 bytes of header) read into the transport's buffers first
    await bytesRead(t, wsStart + a.length + 10);
    // 10 bytes at a time until the session took a chunk from the transport (the
    // bytes that came with the 101 are read first): it holds the rest of that chunk
    const queued = t.buffered;
    let taken = 0;
    while (t.buffered === queued) {
      const r = s.recv(10);
      assert.equal(r.code, CURLE.OK);
      assert.ok(r.data.length > 0 && r.data.length <= 10);
      assert.equal(r.data.toString(), 'A'.repeat(r.data.length));
      taken += r.data.length;
      assert.ok(taken < a.length);
    }
    await sendAll(t, s, Buffer.from('go'), CURLWS.TEXT);
    // B is read into the receive buffers freed meanwhile
    await bytesRead(t, wsStart + a.length + 10 + b.length + 10);
    const restA = await recvFrame(t, s, 1 << 20, taken);
    assert.equal(restA.data.length, a.length - taken);
    assert.ok(restA.data.equals(a.subarray(taken)), 'A intact');
    const gotB = await recvFrame(t, s);
    assert.ok(gotB.data.equals(b), 'B intact');
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('send: a partial count when the socket buffer fills, CURLE_AGAIN until it drains; from a callback all at once', async () => {
  // the server stops reading until told: the kernel's buffers fill, then Node's
  let serverSocket: { pause(): void; resume(): void } | null = null;
  const { wss, port } = await wsServer((ws) => {
    serverSocket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    serverSocket.pause();
    ws.on('message', (data: Buffer) => ws.send(`${data.length} ${createHash('sha1').update(data).digest('hex')}`));
  });
  const { t, s } = await session(port);
  try {
    const big = Buffer.alloc(64 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    let at = 0;
    let partial = false;
    let again = false;
    for (let calls = 0; calls < 10000 && at < big.length && !again; calls++) {
      const r = s.send(big.subarray(at), 0, CURLWS.BINARY);
      if (r.code === CURLE.AGAIN) {
        assert.equal(r.sent, 0);
        again = true;
        break;
      }
      assert.equal(r.code, CURLE.OK);
      if (r.sent < big.length - at) partial = true;
      at += r.sent;
    }
    assert.ok(partial, 'a call took part of the payload');
    assert.ok(again, 'then CURLE_AGAIN');
    assert.ok(at < big.length);
    assert.equal(t.writeBlocked, true);
    assert.equal(s.sendingFrame, true);
    serverSocket!.resume();
    for (let i = 0; i < 100000 && at < big.length; i++) {
      const r = s.send(big.subarray(at), 0, CURLWS.BINARY);
      if (r.code === CURLE.AGAIN) await new Promise<void>((resolve) => t.socket.once('drain', () => resolve()));
      else {
        assert.equal(r.code, CURLE.OK);
        at += r.sent;
      }
    }
    assert.equal(at, big.length);
    const want = `${big.length} ${createHash('sha1').update(big).digest('hex')}`;
    assert.equal((await recvFrame(t, s)).data.toString(), want);
    // inCallback: libcurl blocks there; here everything is handed to the transport in one call
    const small = big.subarray(0, 3 << 20);
    assert.deepEqual(s.send(small, 0, CURLWS.BINARY, true), { code: CURLE.OK, sent: small.length });
    assert.equal((await recvFrame(t, s)).data.toString(), `${small.length} ${createHash('sha1').update(small).digest('hex')}`);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('recv with a buflen of 0 tells the frame\'s meta without taking its payload', async () => {
  const { wss, port } = await wsServer((ws) => ws.send('abcdef'));
  const { t, s } = await session(port);
  try {
    const peek = await recvReady(t, s, 0);
    assert.equal(peek.code, CURLE.OK);
    assert.deepEqual(peek.meta, { age: 0, flags: CURLWS.TEXT, offset: 0, bytesleft: 6, len: 0 });
    const r = s.recv(100);
    assert.equal(r.data.toString(), 'abcdef');
    assert.deepEqual(r.meta, { age: 0, flags: CURLWS.TEXT, offset: 0, bytesleft: 0, len: 6 });
    assert.equal(s.recv(100).code, CURLE.AGAIN);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('fragmented messages both ways: CONT on all but the last frame, the type on every one', async () => {
  let serverGot: { data: string; binary: boolean } | null = null;
  let gotMessage!: () => void;
  const got = new Promise<void>((r) => (gotMessage = r));
  const srv = await wsServer((ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      serverGot = { data: data.toString(), binary: isBinary };
      gotMessage();
    });
    // the server's own fragmented message, a PING between its fragments
    ws.send('part1,', { fin: false });
    ws.ping('in-between');
    ws.send('part2,', { fin: false });
    ws.send('part3', { fin: true });
  });
  const { t, s } = await session(srv.port, { wsOptions: CURLWS_OPT.NOAUTOPONG });
  try {
    const frames: Array<{ flags: number; data: string }> = [];
    for (let i = 0; i < 4; i++) {
      const f = await recvFrame(t, s);
      frames.push({ flags: f.flags, data: f.data.toString() });
    }
    assert.deepEqual(frames, [
      { flags: CURLWS.TEXT | CURLWS.CONT, data: 'part1,' },
      { flags: CURLWS.PING, data: 'in-between' },
      { flags: CURLWS.TEXT | CURLWS.CONT, data: 'part2,' },
      { flags: CURLWS.TEXT, data: 'part3' },
    ]);
    // ours: three frames, a PING between them
    await sendAll(t, s, Buffer.from('a'), CURLWS.BINARY | CURLWS.CONT);
    await sendAll(t, s, Buffer.from('x'), CURLWS.PING);
    await sendAll(t, s, Buffer.from('b'), CURLWS.BINARY | CURLWS.CONT);
    await sendAll(t, s, Buffer.from('c'), CURLWS.BINARY);
    await got;
    assert.deepEqual(serverGot, { data: 'abc', binary: true });
  } finally {
    t.close();
    await closeServer(srv.wss);
  }
});

test('a PING is answered by the automatic PONG and not handed to the application', async () => {
  let pong!: (p: string) => void;
  const pongGot = new Promise<string>((r) => (pong = r));
  const { wss, port } = await wsServer((ws) => {
    ws.on('pong', (d: Buffer) => pong(d.toString()));
    ws.ping('are you there?');
    ws.send('after the ping');
  });
  const { t, s } = await session(port);
  try {
    const f = await recvFrame(t, s);
    assert.deepEqual({ flags: f.flags, data: f.data.toString() }, { flags: CURLWS.TEXT, data: 'after the ping' });
    assert.equal(await pongGot, 'are you there?');
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('CURLWS_NOAUTOPONG: the PING reaches the application, which answers it itself', async () => {
  const pongs: string[] = [];
  let gotPong!: () => void;
  const pongDone = new Promise<void>((r) => (gotPong = r));
  const { wss, port } = await wsServer((ws) => {
    ws.on('pong', (d: Buffer) => {
      pongs.push(d.toString());
      gotPong();
    });
    ws.on('message', (d: Buffer) => ws.send(`echo ${d.toString()}`));
    ws.ping('p1');
  });
  const { t, s } = await session(port, { wsOptions: CURLWS_OPT.NOAUTOPONG });
  try {
    const f = await recvFrame(t, s);
    assert.deepEqual({ flags: f.flags, data: f.data.toString() }, { flags: CURLWS.PING, data: 'p1' });
    // a round trip through the server proves no PONG went out on its own
    await sendAll(t, s, Buffer.from('m'), CURLWS.TEXT);
    assert.equal((await recvFrame(t, s)).data.toString(), 'echo m');
    assert.deepEqual(pongs, []);
    await sendAll(t, s, f.data, CURLWS.PONG);
    await pongDone;
    assert.deepEqual(pongs, ['p1']);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('the server closes: the CLOSE reaches the application, the reply echoes its code, then CURLE_GOT_NOTHING', async () => {
  let closed!: (c: { code: number; reason: string }) => void;
  const serverClosed = new Promise<{ code: number; reason: string }>((r) => (closed = r));
  const { wss, port } = await wsServer((ws) => {
    ws.on('close', (code: number, reason: Buffer) => closed({ code, reason: reason.toString() }));
    ws.close(4001, 'bye now');
  });
  const { t, s } = await session(port);
  try {
    const f = await recvFrame(t, s);
    assert.equal(f.flags, CURLWS.CLOSE);
    assert.equal(f.data.readUInt16BE(0), 4001);
    assert.equal(f.data.subarray(2).toString(), 'bye now');
    assert.equal(s.closeReceived, true);
    assert.equal(s.closeSent, false, 'the reply waits for the next call');
    const end = await recvReady(t, s, 100);
    assert.equal(s.closeSent, true);
    assert.equal(end.code, CURLE.GOT_NOTHING);
    assert.equal(s.recv(100).code, CURLE.GOT_NOTHING);
    // ws reports the code of the CLOSE it got back: a clean closing handshake
    assert.deepEqual(await serverClosed, { code: 4001, reason: '' });
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('the application closes: the server\'s CLOSE comes back and gets no second reply', async () => {
  let closed!: (c: number) => void;
  const serverClosed = new Promise<number>((r) => (closed = r));
  const { wss, port } = await wsServer((ws) => ws.on('close', (code: number) => closed(code)));
  const { t, s } = await session(port);
  try {
    const payload = Buffer.from([0x03, 0xe8]);
    await sendAll(t, s, payload, CURLWS.CLOSE);
    assert.equal(s.closeSent, true);
    const f = await recvFrame(t, s);
    assert.equal(f.flags, CURLWS.CLOSE);
    assert.equal(f.data.readUInt16BE(0), 1000);
    assert.equal((await recvReady(t, s, 10)).code, CURLE.GOT_NOTHING);
    assert.equal(await serverClosed, 1000);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

/** A raw TCP server that answers the upgrade with `reply(key)` and then runs `after` on the socket. */
async function rawServer(reply: (key: string) => string | Buffer, after: (sock: Socket, received: Buffer[]) => void = () => {}): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    let head = '';
    const received: Buffer[] = [];
    let upgraded = false;
    sock.on('data', (d: Buffer) => {
      if (upgraded) {
        received.push(d);
        return;
      }
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length) received.push(rest);
      const key = /^Sec-WebSocket-Key: (.*)$/im.exec(head)![1]!.trim();
      sock.write(reply(key));
      after(sock, received);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function closeRaw(r: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const s of r.sockets) s.destroy();
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
}

const accepted = (key: string): string =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${webSocketAccept(key)}\r\n\r\n`;

test('an upgrade answered with 200 or a wrong Sec-WebSocket-Accept is refused with CURLE_HTTP_RETURNED_ERROR', async () => {
  const cases: Array<[(key: string) => string, string]> = [
    [() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', 'Refused WebSocket upgrade: 200'],
    [() => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${webSocketAccept('another key')}\r\n\r\n`, 'Refused WebSocket upgrade: Sec-WebSocket-Accept does not match Sec-WebSocket-Key'],
    [(key) => `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${webSocketAccept(key)}\r\n\r\n`, 'Refused WebSocket upgrade: 101 without "Upgrade: websocket"'],
  ];
  for (const [reply, message] of cases) {
    const srv = await rawServer(reply);
    let t: StreamTransport | null = null;
    try {
      const u = await upgrade(srv.port);
      t = u.t;
      assert.deepEqual(u.check, { ok: false, code: CURLE.HTTP_RETURNED_ERROR, message });
    } finally {
      t?.close();
      await closeRaw(srv);
    }
  }
});

test('a subprotocol the ws server picked from the ones asked for passes the check', async () => {
  const { wss, port } = await wsServer(() => {}, { handleProtocols: (p) => (p.has('chat.v2') ? 'chat.v2' : false) });
  let t: StreamTransport | null = null;
  try {
    const u = await upgrade(port, ['Sec-WebSocket-Protocol: chat.v1, chat.v2'], ['chat.v1', 'chat.v2']);
    t = u.t;
    assert.deepEqual(u.check, { ok: true, protocol: 'chat.v2' });
  } finally {
    t?.close();
    await closeServer(wss);
  }
});

test('frames a client must refuse end in CURLE_RECV_ERROR, also while the server keeps the connection open', async () => {
  const cases: Array<{ frame: Buffer; message: string; opts?: WsSessionOptions }> = [
    { frame: wsFrame(Buffer.from('masked'), { opcode: 1, mask: true }), message: '[WS] masked input frame' },
    // only the header of a huge frame: the decoder must not wait for its payload
    { frame: Buffer.from([0x82, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0]), message: '[WS] frame length 4294967296 is larger than the 1048576 bytes supported', opts: { maxPayload: 1 << 20 } },
    { frame: Buffer.from([0x82, 0x7f, 0xff, 0, 0, 0, 0, 0, 0, 0]), message: '[WS] frame length longer than 64 signed not supported' },
    { frame: Buffer.from([0x89, 0x7e, 0x01, 0x00]), message: '[WS] received PING frame is too big' },
    { frame: Buffer.from([0x09, 0x00]), message: '[WS] invalid fragmented PING frame' },
    { frame: Buffer.from([0x85, 0x00]), message: '[WS] invalid opcode: 85' },
  ];
  for (const c of cases) {
    // the first frame arrives together with the 101: the session's initial bytes
    const srv = await rawServer((key) => Buffer.concat([Buffer.from(accepted(key)), c.frame]));
    let t: StreamTransport | null = null;
    try {
      const u = await upgrade(srv.port);
      t = u.t;
      assert.equal(u.check.ok, true);
      const s = new WsSession(u.t, { ...c.opts, initial: u.leftover });
      const r = await recvReady(u.t, s, 1000);
      assert.deepEqual({ code: r.code, message: r.message }, { code: CURLE.RECV_ERROR, message: c.message });
      // sticky
      assert.equal(s.recv(1000).code, CURLE.RECV_ERROR);
    } finally {
      t?.close();
      await closeRaw(srv);
    }
  }
  // the same frame arriving after the upgrade, in single bytes, in write-callback mode
  const srv = await rawServer(accepted, (sock) => {
    const f = wsFrame(Buffer.from('masked'), { opcode: 2, mask: true });
    sock.write(Buffer.from([0x81, 0x02, 0x6f, 0x6b])); // a good frame first
    for (let i = 0; i < f.length; i++) sock.write(f.subarray(i, i + 1));
  });
  let t: StreamTransport | null = null;
  try {
    const u = await upgrade(srv.port);
    t = u.t;
    const s = new WsSession(u.t, { initial: u.leftover });
    const seen: string[] = [];
    let result = s.pump((d) => (seen.push(d.toString()), CURLE.OK));
    for (let i = 0; i < 100 && result.kind === 'again'; i++) {
      await waitIn(u.t);
      result = s.pump((d) => (seen.push(d.toString()), CURLE.OK));
    }
    assert.deepEqual(seen, ['ok']);
    assert.deepEqual(result, { kind: 'error', code: CURLE.RECV_ERROR, message: '[WS] masked input frame' });
  } finally {
    t?.close();
    await closeRaw(srv);
  }
});

test('write-callback mode: every piece with its meta, PING answered, CLOSE delivered, then eof', async () => {
  let pong!: (p: string) => void;
  const pongGot = new Promise<string>((r) => (pong = r));
  const big = Buffer.alloc(40000, 0x5a);
  const { wss, port } = await wsServer((ws) => {
    ws.on('pong', (d: Buffer) => pong(d.toString()));
    ws.send('one');
    ws.ping('pp');
    ws.send(Buffer.from('two'), { binary: true, fin: false });
    ws.send(Buffer.alloc(0), { binary: true, fin: true });
    ws.send(big, { binary: true });
    ws.close(1000);
  });
  const { t, s } = await session(port, { maxPiece: 16384 });
  try {
    const seen: Array<WsFrameMeta & { data: string }> = [];
    const sink = (d: Buffer, m: WsFrameMeta | null): number => {
      assert.ok(m);
      assert.deepEqual(s.meta, m, 'meta() is this piece during the call');
      seen.push({ ...m, data: m.flags & CURLWS.BINARY && m.len > 100 ? `${d.length}x${String.fromCharCode(d[0]!)}` : d.toString('latin1') });
      return CURLE.OK;
    };
    let result = s.pump(sink);
    for (let i = 0; i < 1000 && result.kind === 'again'; i++) {
      await waitIn(t);
      result = s.pump(sink);
    }
    assert.deepEqual(result, { kind: 'eof' });
    // 40000 bytes: at most 16384 per call, and cut where reads ended
    const bigPieces = seen.filter((m) => m.data.endsWith('xZ'));
    assert.ok(bigPieces.length >= 3);
    let at = 0;
    for (const p of bigPieces) {
      assert.equal(p.offset, at);
      assert.ok(p.len <= 16384);
      at += p.len;
      assert.equal(p.bytesleft, 40000 - at);
    }
    const rest = seen.filter((m) => !m.data.endsWith('xZ'));
    assert.deepEqual(rest, [
      { age: 0, flags: CURLWS.TEXT, offset: 0, bytesleft: 0, len: 3, data: 'one' },
      { age: 0, flags: CURLWS.BINARY | CURLWS.CONT, offset: 0, bytesleft: 0, len: 3, data: 'two' },
      { age: 0, flags: CURLWS.BINARY, offset: 0, bytesleft: 0, len: 0, data: '' },
      { age: 0, flags: CURLWS.CLOSE, offset: 0, bytesleft: 0, len: 2, data: '\x03\xe8' },
    ]);
    assert.equal(await pongGot, 'pp');
    assert.equal(s.closeSent, true);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('write-callback mode: a pause stops delivery, the next pump() goes on; an error code ends it', async () => {
  const { wss, port } = await wsServer((ws) => {
    ws.send('a');
    ws.send('b');
    ws.send('c');
  });
  const { t, s } = await session(port);
  try {
    const seen: string[] = [];
    let pauseNext = true;
    const sink = (d: Buffer): number | 'pause' => {
      seen.push(d.toString());
      if (pauseNext) {
        pauseNext = false;
        return 'pause';
      }
      return d.toString() === 'c' ? CURLE.WRITE_ERROR : CURLE.OK;
    };
    let result = s.pump(sink);
    for (let i = 0; i < 100 && result.kind === 'again'; i++) {
      await waitIn(t);
      result = s.pump(sink);
    }
    assert.deepEqual(result, { kind: 'paused' });
    assert.deepEqual(seen, ['a']);
    for (let i = 0; i < 100; i++) {
      result = s.pump(sink);
      if (result.kind !== 'again') break;
      await waitIn(t);
    }
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.deepEqual(result, { kind: 'error', code: CURLE.WRITE_ERROR });
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('raw mode: bytes in and out untouched; flags or fragsize refused', async () => {
  const { wss, port } = await wsServer(echo);
  const { t, s } = await session(port, { wsOptions: CURLWS_OPT.RAW_MODE });
  try {
    assert.deepEqual(s.send(Buffer.from('x'), 0, CURLWS.TEXT), { code: CURLE.BAD_FUNCTION_ARGUMENT, sent: 0, message: 'ws_send, raw mode: fragsize and flags cannot be non-zero' });
    assert.equal(s.send(Buffer.from('x'), 1, 0).code, CURLE.BAD_FUNCTION_ARGUMENT);
    // a client frame made by hand (ws's Sender, masked)
    const mine = wsFrame(Buffer.from('raw hello'), { opcode: 1, mask: true });
    assert.deepEqual(s.send(mine, 0, 0), { code: CURLE.OK, sent: mine.length });
    // the echo comes back as the server's unmasked frame, byte for byte
    const want = wsFrame(Buffer.from('raw hello'), { opcode: 1 });
    const got: Buffer[] = [];
    for (let n = 0; n < want.length; ) {
      const r = await recvReady(t, s, 4);
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.meta, null);
      assert.ok(r.data.length <= 4);
      // raw mode's data is good until the next recv(), as curl_ws_recv's copy into the caller's buffer
      got.push(Buffer.from(r.data));
      n += r.data.length;
    }
    assert.deepEqual(Buffer.concat(got), want);

    // a 300 KiB frame comes in reads far larger than the buffer: every byte once, in order
    const big = Buffer.alloc(300 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 0xff;
    // ws's Sender masks the payload it is given in place: a copy of its own
    const frame = wsFrame(Buffer.from(big), { opcode: 2, mask: true });
    assert.deepEqual(s.send(frame, 0, 0), { code: CURLE.OK, sent: frame.length });
    const echoed = wsFrame(big, { opcode: 2 });
    const parts: Buffer[] = [];
    for (let n = 0, calls = 0; n < echoed.length && calls < 10_000; calls++) {
      const r = await recvReady(t, s, 1000);
      assert.equal(r.code, CURLE.OK);
      parts.push(Buffer.from(r.data));
      n += r.data.length;
    }
    assert.deepEqual(Buffer.concat(parts), echoed);
  } finally {
    t.close();
    await closeServer(wss);
  }
});

test('a frame sent in parts with CURLWS_OFFSET; a PING that comes meanwhile is answered only once the frame is complete', async () => {
  // a raw server sees our bytes exactly as they are sent
  let sockRef: Socket | null = null;
  let received: Buffer[] = [];
  let ended!: Promise<void>;
  const srv = await rawServer(accepted, (sock, rec) => {
    sockRef = sock;
    received = rec;
    ended = new Promise<void>((r) => sock.once('end', () => r()));
  });
  let t: StreamTransport | null = null;
  try {
    const u = await upgrade(srv.port);
    t = u.t;
    const s = new WsSession(u.t, { initial: u.leftover });
    assert.deepEqual(s.send(Buffer.from('01234'), 10, CURLWS.BINARY | CURLWS.OFFSET), { code: CURLE.OK, sent: 5 });
    assert.equal(s.sendingFrame, true);
    // a PING, then a TEXT: once the TEXT is read, the PING was too
    sockRef!.write(Buffer.concat([Buffer.from([0x89, 0x02, 0x68, 0x69]), Buffer.from([0x81, 0x02, 0x67, 0x6f])]));
    const go = await recvFrame(u.t, s);
    assert.equal(go.data.toString(), 'go');
    // continuation calls: flags are those of the frame under way
    assert.deepEqual(s.send(Buffer.from('5678'), 0, CURLWS.BINARY), { code: CURLE.OK, sent: 4 });
    assert.equal(s.sendingFrame, true);
    assert.deepEqual(s.send(Buffer.from('9abc'), 0, CURLWS.BINARY), { code: CURLE.OK, sent: 1 }, 'no more than the frame needs');
    assert.equal(s.sendingFrame, false);
    assert.deepEqual(s.send(Buffer.from('abc'), 2, CURLWS.TEXT | CURLWS.OFFSET), { code: CURLE.OK, sent: 2 });
    await new Promise<void>((r) => setImmediate(r));
    u.t.socket.end();
    await ended;
    assert.deepEqual(parseClientFrames(Buffer.concat(received)), [
      { first: 0x82, payload: '0123456789' },
      { first: 0x8a, payload: 'hi' },
      { first: 0x81, payload: 'ab' },
    ]);
  } finally {
    t?.close();
    await closeRaw(srv);
  }
});

/** Masked client frames with 7-bit lengths, unmasked. */
function parseClientFrames(b: Buffer): Array<{ first: number; payload: string }> {
  const out: Array<{ first: number; payload: string }> = [];
  let at = 0;
  while (at + 6 <= b.length) {
    const first = b[at]!;
    assert.equal(b[at + 1]! & 0x80, 0x80, 'masked');
    const len = b[at + 1]! & 0x7f;
    assert.ok(len < 126);
    const key = b.subarray(at + 2, at + 6);
    const p = Buffer.alloc(len);
    for (let i = 0; i < len; i++) p[i] = b[at + 6 + i]! ^ key[i & 3]!;
    out.push({ first, payload: p.toString() });
    at += 6 + len;
  }
  assert.equal(at, b.length);
  return out;
}
