// ws:// and wss:// through the engine: the upgrade, frames to the write
// callback with easy.wsMeta(), CONNECT_ONLY=2 with wsSend()/wsRecv(), and the
// refusals, against the `ws` package's WebSocketServer (and raw servers for
// hostile answers) on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLWS, CURL_POLL, type WsFrameMeta } from '../../src/index.js';
import { testCerts } from '../helpers/certs.js';
import { tscurl } from '../helpers/cli-run.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { waitOnSocket } from '../helpers/socket-wait.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

async function wsServer(onConnection: (ws: WebSocket) => void): Promise<{ wss: WebSocketServer; port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', onConnection);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return {
    wss,
    port: (wss.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

/** wsRecv until a frame piece arrives (or the connection ends). */
async function recvFrame(e: Easy, buf: Buffer): Promise<{ code: number; data: string; meta: WsFrameMeta | null }> {
  for (let i = 0; i < 1000; i++) {
    const r = e.wsRecv(buf);
    if (r.code === CURLE.AGAIN) {
      await waitOnSocket(e, CURL_POLL.IN);
      continue;
    }
    return { code: r.code, data: buf.subarray(0, r.n).toString('utf8'), meta: r.meta };
  }
  throw new Error('no frame');
}

test('ws:// frames to WRITEFUNCTION: text, binary, a fragmented message; wsMeta() describes each piece; a PING is answered', async () => {
  let pongs = 0;
  const srv = await wsServer((ws) => {
    ws.on('pong', () => {
      pongs++;
      ws.close(1000);
    });
    ws.send('hello');
    ws.send(Buffer.from([1, 2, 3]));
    ws.send('frag-', { fin: false });
    ws.send('ment', { fin: true });
    ws.ping('p');
  });
  const e = new Easy();
  try {
    const pieces: { data: string; meta: WsFrameMeta | null }[] = [];
    e.setopt(CURLOPT.URL, `ws://127.0.0.1:${srv.port}/chat`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      const m = e.wsMeta();
      pieces.push({ data: d.toString('latin1'), meta: m ? { ...m } : null });
      return d.length;
    });
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 101);
    assert.equal(e.getinfo(CURLINFO.SCHEME), 'WS');
    assert.equal(e.wsMeta(), null, 'no meta outside the write callback');
    const kinds = pieces.map((p) => [p.data, p.meta!.flags, p.meta!.offset, p.meta!.bytesleft]);
    assert.deepEqual(kinds.slice(0, 4), [
      ['hello', CURLWS.TEXT, 0, 0],
      ['\x01\x02\x03', CURLWS.BINARY, 0, 0],
      ['frag-', CURLWS.TEXT | CURLWS.CONT, 0, 0],
      ['ment', CURLWS.TEXT, 0, 0],
    ]);
    // the server's close frame is delivered too (status 1000)
    assert.equal(pieces[4]!.meta!.flags, CURLWS.CLOSE);
    assert.equal(pongs, 1, 'the PING got its PONG');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CONNECT_ONLY=2: the upgrade, then wsSend()/wsRecv() echo, CLOSE, and CURLE_GOT_NOTHING after', async () => {
  const srv = await wsServer((ws) => ws.on('message', (m, binary) => ws.send(m, { binary })));
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `ws://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.CONNECT_ONLY, 2);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    const buf = Buffer.alloc(256);
    assert.equal(e.wsRecv(buf).code, CURLE.AGAIN);
    assert.deepEqual(e.wsSend('echo me', 0, CURLWS.TEXT), { code: CURLE.OK, sent: 7 });
    let r = await recvFrame(e, buf);
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.data, 'echo me');
    assert.equal(r.meta!.flags, CURLWS.TEXT);
    assert.equal(e.wsSend(Buffer.from([9, 8]), 0, CURLWS.BINARY).code, CURLE.OK);
    r = await recvFrame(e, buf);
    assert.equal(r.meta!.flags, CURLWS.BINARY);
    assert.equal(r.data, '\x09\x08');
    // close: the server answers with its CLOSE and hangs up
    assert.equal(e.wsSend(Buffer.from([0x03, 0xe8]), 0, CURLWS.CLOSE).code, CURLE.OK);
    r = await recvFrame(e, buf);
    assert.equal(r.meta?.flags, CURLWS.CLOSE);
    r = await recvFrame(e, buf);
    assert.equal(r.code, CURLE.GOT_NOTHING);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('a subprotocol and an extension offered in HTTPHEADER may be agreed to (the extension\'s frames then pass raw with CURLWS_RAW_MODE)', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, handleProtocols: (p) => (p.has('chat') ? 'chat' : false) });
  wss.on('connection', (ws) => ws.send('x'.repeat(4096))); // over ws's 1 KiB threshold: sent compressed (RSV1)
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `ws://127.0.0.1:${port}/`);
    e.setopt(CURLOPT.CONNECT_ONLY, 2);
    e.setopt(CURLOPT.WS_OPTIONS, 1); // CURLWS_RAW_MODE: the application handles what it negotiated
    e.setopt(CURLOPT.HTTPHEADER, ['Sec-WebSocket-Protocol: superchat, chat', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']);
    const headers: string[] = [];
    e.setopt(CURLOPT.HEADERFUNCTION, (l: Buffer) => {
      headers.push(l.toString('latin1').trim().toLowerCase());
      return l.length;
    });
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.ok(headers.includes('sec-websocket-protocol: chat'), headers.join('|'));
    assert.ok(headers.some((h) => h.startsWith('sec-websocket-extensions: permessage-deflate')), headers.join('|'));
    // the frame arrives as sent: FIN|RSV1|TEXT, a compressed payload libcurl did not try to read
    const buf = Buffer.alloc(8192);
    let r = e.wsRecv(buf);
    for (let i = 0; i < 100 && r.code === CURLE.AGAIN; i++) {
      await waitOnSocket(e, CURL_POLL.IN);
      r = e.wsRecv(buf);
    }
    assert.equal(r.code, CURLE.OK);
    assert.equal(buf[0], 0xc1);
    assert.ok(r.n < 4096, `compressed: ${r.n} bytes`);
  } finally {
    e.cleanup();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  }
});

test('wss:// with CONNECT_ONLY=2: the upgrade over verified TLS, echo', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const https = createHttpsServer({ key: certs.server.key, cert: certs.server.cert });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`re: ${m.toString()}`)));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as { port: number }).port;
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `wss://localhost:${port}/`);
    e.setopt(CURLOPT.CAINFO, certs.caFile);
    e.setopt(CURLOPT.CONNECT_ONLY, 2);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(e.wsSend('tls', 0, CURLWS.TEXT).code, CURLE.OK);
    const r = await recvFrame(e, Buffer.alloc(64));
    assert.equal(r.data, 're: tls');
  } finally {
    e.cleanup();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => https.close(() => r())));
  }
});

/** A raw server answering each request head with `reply(head)`, keeping the connection open. */
function rawServer(reply: (head: string) => Buffer | string): Promise<RawServer> {
  return startRawServer((req) => ({ data: reply(req.head) }));
}

test('refusals: a 200 answer, a wrong Sec-WebSocket-Accept and a masked frame from the server are errors, never hangs', async () => {
  const ok200 = await rawServer(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno');
  const badAccept = await rawServer(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n');
  const masked = await rawServer((head) => {
    const key = /sec-websocket-key: *(\S+)/i.exec(head)![1]!;
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    // a masked text frame: servers must not mask
    const frame = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
    return Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), frame]);
  });
  try {
    for (const [srv, code, message] of [
      [ok200, CURLE.HTTP_RETURNED_ERROR, /Refused WebSocket upgrade: 200/],
      [badAccept, CURLE.HTTP_RETURNED_ERROR, /Refused WebSocket upgrade/],
      [masked, CURLE.RECV_ERROR, /mask/],
    ] as const) {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `ws://127.0.0.1:${srv.port}/`);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
        e.setopt(CURLOPT.TIMEOUT_MS, 10_000);
        assert.equal(await e.perform(), code);
        assert.match(e.errorBuffer, message);
      } finally {
        e.cleanup();
      }
    }
    // wsSend on a handle with no WebSocket connection
    const e = new Easy();
    assert.equal(e.wsSend('x', 0, CURLWS.TEXT).code, CURLE.UNSUPPORTED_PROTOCOL);
    e.setopt(CURLOPT.CONNECT_ONLY, 2);
    assert.equal(e.wsRecv(Buffer.alloc(4)).code, CURLE.BAD_FUNCTION_ARGUMENT);
    e.cleanup();
  } finally {
    await ok200.close();
    await badAccept.close();
    await masked.close();
  }
});

test('tscurl ws://: received payload to stdout; --version lists ws and wss', async () => {
  const srv = await wsServer((ws) => {
    ws.send('line one\n');
    ws.send('line two\n', () => ws.close(1000));
  });
  try {
    const r = await tscurl(['-s', `ws://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith('line one\nline two\n'), JSON.stringify(r.stdout));
    const v = await tscurl(['--version']);
    assert.match(v.stdout, /^Protocols: .*\bws wss\b/m);
  } finally {
    await srv.close();
  }
});
