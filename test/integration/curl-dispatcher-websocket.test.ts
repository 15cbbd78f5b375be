// undici's WebSocket on CurlDispatcher: the upgrade is a libcurl ws://
// transfer (CONNECT_ONLY=2, CURLWS_RAW_MODE) with the dispatcher's options,
// the frames are undici's own over the connection libcurl leaves. Against
// the `ws` package's server (and raw TCP servers for the refusals) on
// 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { WebSocket, type Dispatcher } from 'undici';
import { CurlDispatcher } from '../../src/dispatcher/index.js';
import { CurlError, CURLE } from '../../src/index.js';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

async function wsServer(onConnection: (ws: ServerSocket, headers: Record<string, unknown>) => void,
  opts: { perMessageDeflate?: boolean } = {}): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: opts.perMessageDeflate ?? false });
  wss.on('connection', (ws, req) => onConnection(ws, req.headers));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return {
    port: (wss.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

/** Everything a client WebSocket reports until it closes (bounded by a watchdog). */
function run(ws: WebSocket, onOpen: (ws: WebSocket) => void, onMessage: (data: unknown, ws: WebSocket) => void = () => {}):
  Promise<{ opened: boolean; errors: number; code: number; reason: string; wasClean: boolean }> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let errors = 0;
    const dog = setTimeout(() => reject(new Error('the WebSocket never closed')), 15_000);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      opened = true;
      onOpen(ws);
    };
    ws.onmessage = (e) => onMessage(e.data, ws);
    ws.onerror = () => {
      errors++;
    };
    ws.onclose = (e) => {
      clearTimeout(dog);
      resolve({ opened, errors, code: e.code, reason: e.reason, wasClean: e.wasClean });
    };
  });
}

test('undici WebSocket on CurlDispatcher: the upgrade with undici\'s headers, a message sent with the 101, echoes of text and 1 MiB binary, permessage-deflate, a clean close', async () => {
  let seen: Record<string, unknown> = {};
  const srv = await wsServer((ws, headers) => {
    seen = headers;
    ws.send('welcome'); // right behind the 101: bytes libcurl read with the response must reach undici
    ws.on('message', (m, binary) => ws.send(m, { binary }));
  }, { perMessageDeflate: true });
  const dispatcher = new CurlDispatcher();
  try {
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const got: unknown[] = [];
    const client = new WebSocket(`ws://127.0.0.1:${srv.port}/chat`, { dispatcher, protocols: [] } as never);
    const end = await run(client, (ws) => {
      ws.send('echo me');
      ws.send(big);
    }, (data, ws) => {
      got.push(data);
      if (got.length === 3) ws.close(1000, 'done');
    });
    assert.deepEqual(end, { opened: true, errors: 0, code: 1000, reason: 'done', wasClean: true });
    assert.equal(got[0], 'welcome');
    assert.equal(got[1], 'echo me');
    assert.ok(Buffer.from(got[2] as ArrayBuffer).equals(Buffer.from(big)), 'the 1 MiB message came back byte for byte');
    assert.equal(seen['upgrade'], 'websocket');
    assert.match(String(seen['connection']), /upgrade/i);
    assert.equal(seen['sec-websocket-version'], '13');
    assert.match(String(seen['sec-websocket-extensions']), /permessage-deflate/);
    assert.match(client.extensions, /^permessage-deflate/, 'undici negotiated compression with the server (the 1 MiB message went compressed)');
  } finally {
    await dispatcher.close();
    await srv.close();
  }
});

test('undici WebSocket on CurlDispatcher: the dispatcher\'s curl options make the connection (RESOLVE), a subprotocol is agreed, the server closing is reported', async () => {
  const srv = await wsServer((ws) => {
    ws.send(`protocol ${ws.protocol}`);
    ws.close(4001, 'server says bye');
  });
  const dispatcher = new CurlDispatcher({ options: { RESOLVE: [`ws.test:${srv.port}:127.0.0.1`] } });
  try {
    const got: unknown[] = [];
    const client = new WebSocket(`ws://ws.test:${srv.port}/`, { dispatcher, protocols: ['chat.v2'] } as never);
    const end = await run(client, () => {}, (d) => got.push(d));
    assert.equal(end.opened, true);
    assert.equal(end.code, 4001);
    assert.equal(end.reason, 'server says bye');
    assert.deepEqual(got, ['protocol chat.v2']);
    assert.equal(client.protocol, 'chat.v2');
  } finally {
    await dispatcher.close();
    await srv.close();
  }
});

test('wss:// on CurlDispatcher: TLS verified by default (CURLE_PEER_FAILED_VERIFICATION without the CA), open with CAINFO', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const https = createHttpsServer({ key: certs.server.key, cert: certs.server.cert });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`re: ${m.toString()}`)));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const port = (https.address() as AddressInfo).port;
  try {
    // without the CA: the upgrade fails in libcurl, undici reports the WebSocket failed
    const untrusted = new CurlDispatcher();
    const failures: Error[] = [];
    const end = await run(new WebSocket(`wss://localhost:${port}/`, { dispatcher: watched(untrusted, failures) } as never), () => {});
    assert.equal(end.opened, false);
    assert.equal(end.code, 1006);
    assert.ok(failures[0] instanceof CurlError && failures[0].code === CURLE.PEER_FAILED_VERIFICATION, String(failures[0]));
    await untrusted.close();

    const trusted = new CurlDispatcher({ options: { CAINFO: certs.caFile } });
    let reply: unknown;
    const ok = await run(new WebSocket(`wss://localhost:${port}/`, { dispatcher: trusted } as never), (ws) => ws.send('hello'), (d, ws) => {
      reply = d;
      ws.close(1000);
    });
    assert.equal(ok.opened, true);
    assert.equal(reply, 're: hello');
    await trusted.close();
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => https.close(() => r()));
  }
});

/** A dispatcher whose handlers' onError calls are recorded (what fetch hides behind 'fetch failed'). */
function watched(d: CurlDispatcher, errors: Error[]): Dispatcher {
  return {
    dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      const h = handler as unknown as Record<string, (...a: unknown[]) => unknown>;
      return d.dispatch(opts, new Proxy(h, {
        get(target, key) {
          if (key === 'onError') return (err: Error) => {
            errors.push(err);
            return target.onError?.call(target, err);
          };
          const v = target[key as string];
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as unknown as Dispatcher.DispatchHandler);
    },
  } as unknown as Dispatcher;
}

/** A TCP server that answers each connection with `reply` (null: never answers), and counts open sockets. */
async function rawServer(reply: string | null): Promise<{ port: number; open(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', () => {
      if (reply !== null) s.end(reply);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as AddressInfo).port,
    open: () => sockets.size,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      srv.close(() => r());
    }),
  };
}

test('undici WebSocket on CurlDispatcher: a refused upgrade is libcurl\'s CURLE_HTTP_RETURNED_ERROR and the WebSocket fails; closing before the answer aborts the upgrade and its connection', async () => {
  const refusing = await rawServer('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  const silent = await rawServer(null);
  const dispatcher = new CurlDispatcher();
  try {
    const failures: Error[] = [];
    const end = await run(new WebSocket(`ws://127.0.0.1:${refusing.port}/`, { dispatcher: watched(dispatcher, failures) } as never), () => {});
    assert.equal(end.opened, false);
    assert.equal(end.code, 1006);
    assert.ok(failures[0] instanceof CurlError && failures[0].code === CURLE.HTTP_RETURNED_ERROR, String(failures[0]));

    // close() while the upgrade waits for its answer: the request is aborted, the connection closed
    const client = new WebSocket(`ws://127.0.0.1:${silent.port}/`, { dispatcher } as never);
    for (let i = 0; i < 400 && silent.open() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(silent.open(), 1, 'the upgrade request reached the server');
    const closed = run(client, () => {});
    client.close();
    const abortedEnd = await closed;
    assert.equal(abortedEnd.opened, false);
    for (let i = 0; i < 400 && silent.open() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(silent.open(), 0, 'the aborted upgrade left its connection open');

    // the dispatcher destroyed while an upgrade waits: the same end
    const doomed = new CurlDispatcher();
    const waiting = run(new WebSocket(`ws://127.0.0.1:${silent.port}/`, { dispatcher: doomed } as never), () => {});
    for (let i = 0; i < 400 && silent.open() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(silent.open(), 1);
    let dog: NodeJS.Timeout | undefined;
    await Promise.race([
      doomed.destroy(),
      new Promise((_, reject) => (dog = setTimeout(() => reject(new Error('destroy() did not end the waiting upgrade')), 5000))),
    ]).finally(() => clearTimeout(dog));
    const destroyedEnd = await waiting;
    assert.equal(destroyedEnd.opened, false);
    assert.equal(destroyedEnd.code, 1006);
    for (let i = 0; i < 400 && silent.open() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(silent.open(), 0, 'destroy() left the upgrade\'s connection open');
  } finally {
    await dispatcher.close();
    await refusing.close();
    await silent.close();
  }
});

test('CurlDispatcher: a websocket upgrade dispatched with headersTimeout ends with undici\'s HeadersTimeoutError when no 101 comes, its connection closed', async () => {
  const silent = await rawServer(null);
  const dispatcher = new CurlDispatcher();
  try {
    let dog: NodeJS.Timeout | undefined;
    const err = await Promise.race([
      new Promise<Error>((resolve) => {
        dispatcher.dispatch({ origin: `http://127.0.0.1:${silent.port}`, path: '/', method: 'GET', upgrade: 'websocket', headersTimeout: 100 } as Dispatcher.DispatchOptions, {
          onConnect() {},
          onUpgrade() {
            resolve(new Error('upgraded without a 101'));
          },
          onError: resolve,
        } as unknown as Dispatcher.DispatchHandler);
      }),
      // the server never answers: only the timer under test ends the wait
      new Promise<never>((_, reject) => (dog = setTimeout(() => reject(new Error('the upgrade never timed out')), 10_000))),
    ]).finally(() => clearTimeout(dog));
    assert.equal((err as Error & { code?: string }).code, 'UND_ERR_HEADERS_TIMEOUT', String(err));
    for (let i = 0; i < 400 && silent.open() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(silent.open(), 0, 'the timed-out upgrade left its connection open');
  } finally {
    // destroy(), not close(): close() would wait for an upgrade that never timed out
    await dispatcher.destroy();
    await silent.close();
  }
});

test('CurlDispatcher: an upgrade other than websocket, and CONNECT, are refused with UND_ERR_NOT_SUPPORTED', async () => {
  const dispatcher = new CurlDispatcher();
  try {
    for (const opts of [{ upgrade: 'h2c', method: 'GET' }, { method: 'CONNECT' }]) {
      const err = await new Promise<Error>((resolve) => {
        dispatcher.dispatch({ origin: 'http://127.0.0.1:1', path: '/', ...opts } as Dispatcher.DispatchOptions, {
          onError: resolve,
        } as unknown as Dispatcher.DispatchHandler);
      });
      assert.equal((err as Error & { code?: string }).code, 'UND_ERR_NOT_SUPPORTED');
    }
  } finally {
    await dispatcher.close();
  }
});

test('undici WebSocket on CurlDispatcher: the server going away mid-connection closes the WebSocket (1006)', async () => {
  const srv = await wsServer((ws) => {
    ws.send('one');
    setTimeout(() => ws.terminate(), 20);
  });
  const dispatcher = new CurlDispatcher();
  try {
    const got: unknown[] = [];
    const end = await run(new WebSocket(`ws://127.0.0.1:${srv.port}/`, { dispatcher } as never), () => {}, (d) => got.push(d));
    assert.equal(end.opened, true);
    assert.deepEqual(got, ['one']);
    assert.equal(end.code, 1006);
    assert.equal(end.wasClean, false);
  } finally {
    await dispatcher.close();
    await srv.close();
  }
});
