// The send path (src/transport/stream-transport.ts send()): a small send is
// held until the end of the JavaScript turn, so the requests several
// transfers send in one turn leave together. These tests check that holding
// changes no byte and loses none: sends followed in the same turn by a close,
// by an upgrade to another layer, or by a send too large to hold; and many
// keep-alive transfers re-added from inside socketAction (the hiperfifo
// pattern the holding exists for) sending exactly what one easy.perform() sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { Easy, CURLOPT, CURLE, CURLMOPT } from '../../src/index.js';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { socketLoop } from '../helpers/socket-loop.js';

/** A server that collects every byte each connection sends until it closes. */
async function sinkServer(): Promise<{ server: Server; port: number; received: Promise<Buffer> }> {
  let resolve!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => (resolve = r));
  const server = createServer((sock) => {
    const parts: Buffer[] = [];
    sock.on('data', (d) => parts.push(d));
    sock.on('error', () => {});
    sock.on('close', () => resolve(Buffer.concat(parts)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, received };
}

/** A connected StreamTransport to `port`. */
async function transportTo(port: number): Promise<StreamTransport> {
  const sock = connect(port, '127.0.0.1');
  const t = new StreamTransport(sock);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return t;
}

test('bytes sent and then closed in the same turn reach the peer', async () => {
  const { server, port, received } = await sinkServer();
  try {
    const t = await transportTo(port);
    assert.deepEqual(t.send('first '), { ok: true });
    assert.deepEqual(t.send(Buffer.from('second')), { ok: true });
    t.close();
    assert.equal((await received).toString(), 'first second');
  } finally {
    server.close();
  }
});

test('a send too large to hold flushes the held bytes first: order and content are kept', async () => {
  const { server, port, received } = await sinkServer();
  try {
    const t = await transportTo(port);
    const big = randomBytes(200 * 1024);
    const parts = [Buffer.from('head\r\n'), Buffer.from('x'.repeat(10_000)), big, Buffer.from('tail')];
    let written = 0;
    for (const p of parts) {
      assert.equal(t.send(p).ok, true);
      // the large send went to the socket at once, after what was held before it
      if (p === big) assert.equal(t.socket.bytesWritten + t.socket.writableLength, written + p.length);
      written += p.length;
    }
    // a turn later (the last small send is held until the end of this one), end
    // the connection once Node wrote everything (the large send may still be queued)
    await new Promise((r) => setImmediate(r));
    await new Promise<void>((r) => t.socket.end(r));
    const got = await received;
    t.close();
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
  } finally {
    server.close();
  }
});

test('bytes sent on a socket that is then layered over in the same turn go out on the old layer', async () => {
  const a = await sinkServer();
  const b = await sinkServer();
  try {
    const t = await transportTo(a.port);
    const lower = t.socket;
    t.send('on the lower layer');
    const upper: Socket = connect(b.port, '127.0.0.1');
    t.upgrade(upper, 'connect');
    // nothing may stay held for the layer below: it went there before the new layer took over
    assert.equal(lower.bytesWritten + lower.writableLength, 'on the lower layer'.length);
    await new Promise<void>((r) => upper.once('connect', () => r()));
    lower.end(); // what was held must already be on its way
    assert.equal((await a.received).toString(), 'on the lower layer');
    t.close();
    assert.equal((await b.received).length, 0);
  } finally {
    a.server.close();
    b.server.close();
  }
});

test('keep-alive transfers re-added from inside socketAction send exactly the bytes easy.perform() sends', async () => {
  const srv = await startRawServer(() => ok('0123456789abcdef'));
  const url = `http://127.0.0.1:${srv.port}/path?q=1`;
  try {
    // the reference: one request from the easy interface
    const ref = new Easy();
    ref.setopt(CURLOPT.URL, url);
    ref.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await ref.perform(), CURLE.OK);
    ref.cleanup();
    const expected = srv.requests[0]!.raw;

    const total = 200;
    let started = 0;
    let failures = 0;
    // hiperfifo: one watcher per socket, one timer; a finished handle is re-added
    // right after the socketAction() call that finished it
    const loop = socketLoop((easy, result) => {
      if (result !== CURLE.OK) failures++;
      loop.multi.removeHandle(easy);
      if (started < total) {
        started++;
        loop.multi.addHandle(easy);
      }
    });
    loop.multi.setopt(CURLMOPT.MAXCONNECTS, 8);
    const handles: Easy[] = [];
    for (let i = 0; i < 8; i++) {
      const e = new Easy();
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      handles.push(e);
      started++;
      loop.multi.addHandle(e);
    }
    await loop.doneAfter(total);
    loop.close();
    for (const e of handles) e.cleanup();
    assert.equal(failures, 0);
    assert.equal(srv.requests.length, total + 1);
    for (const r of srv.requests.slice(1)) assert.deepEqual(r.raw, expected);
    // keep-alive: at most one connection per concurrent transfer, plus the reference's
    assert.ok(srv.connections <= 9, `${srv.connections} connections`);
  } finally {
    await srv.close();
  }
});

test('setIdle(): the socket is unref\'ed and ref\'ed at the end of the turn, and not at all when the turn undoes it', async () => {
  const { server, port } = await sinkServer();
  try {
    const t = await transportTo(port);
    const handle = (t.socket as unknown as { _handle: { hasRef(): boolean } })._handle;
    let calls = 0;
    const ref = t.socket.ref.bind(t.socket);
    const unref = t.socket.unref.bind(t.socket);
    t.socket.ref = () => (calls++, ref());
    t.socket.unref = () => (calls++, unref());
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    t.setIdle(true);
    assert.equal(handle.hasRef(), true, 'not before the end of the turn');
    await turn();
    assert.equal(handle.hasRef(), false, 'an idle connection does not keep the process alive');
    assert.equal(calls, 1);
    // taken from the pool and released again within one turn: nothing to do
    t.setIdle(false);
    t.setIdle(true);
    await turn();
    assert.equal(handle.hasRef(), false);
    assert.equal(calls, 1);
    t.setIdle(false);
    await turn();
    assert.equal(handle.hasRef(), true, 'a connection in use keeps the process alive');
    assert.equal(calls, 2);
    t.close();
  } finally {
    server.close();
  }
});
