// tscurl/node-libcurl's streams end to end: the response as a Readable with
// backpressure through libcurl's pause (curlyStreamResponse /
// CurlFeature.StreamResponse), uploads from a Readable (curlyStreamUpload /
// setUploadStream), and what happens when the consumer stops or fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { curly, Curl, CurlFeature, CurlEasyError, CurlCode } from '../../src/compat/node-libcurl/index.js';

const MiB = 1024 * 1024;

/** An HTTP server whose handler the test gives; tracks open sockets so a test can see a connection close. */
async function httpServer(handler: (req: import('node:http').IncomingMessage, res: ServerResponse) => void): Promise<{ base: string; server: Server; open: () => number; close: () => Promise<void> }> {
  const server = createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    open: () => sockets.size,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Write `total` bytes of a repeating pattern, respecting the socket's backpressure. */
function writeBody(res: ServerResponse, total: number): void {
  const piece = Buffer.alloc(64 * 1024, 'abcdefgh');
  let sent = 0;
  const more = (): void => {
    while (sent < total) {
      const n = Math.min(piece.length, total - sent);
      sent += n;
      if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) return void res.once('drain', more);
    }
    res.end();
  };
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(total) });
  more();
}

/** Let the event loop run until `value()` stops changing for a while (bounded). */
async function settle(value: () => number): Promise<number> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 400 && same < 20; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const v = value();
    same = v === last ? same + 1 : 0;
    last = v;
  }
  return last;
}

test('curlyStreamResponse: the body is a Readable whose unread data holds the transfer (backpressure)', async () => {
  const total = 16 * MiB;
  const srv = await httpServer((_req, res) => writeBody(res, total));
  try {
    const { statusCode, data, headers } = await curly.get<Readable>(`${srv.base}/big`, {
      curlyStreamResponse: true, curlyStreamResponseHighWaterMark: 64 * 1024,
    });
    assert.equal(statusCode, 200);
    assert.equal(headers[0]!['Content-Type'], 'application/octet-stream');
    assert.ok(data instanceof Readable);
    // read one chunk, then stop reading: the transfer must pause instead of buffering the rest
    let received = 0;
    const first = await new Promise<Buffer>((r) => data.once('data', r));
    received += first.length;
    data.pause();
    const buffered = await settle(() => data.readableLength);
    assert.ok(buffered <= 64 * 1024 + 2 * 16 * 1024, `stream buffered ${buffered} bytes`);
    assert.ok(received + buffered < 4 * MiB, `only what the socket buffers let through arrived: ${received + buffered}`);
    // reading again lets everything through, byte for byte
    data.on('data', (c: Buffer) => { received += c.length; });
    data.resume();
    await new Promise((r) => data.once('end', r));
    assert.equal(received, total);
  } finally {
    await srv.close();
  }
});

test('destroying the response stream ends the transfer with an error and closes its connection', async () => {
  const srv = await httpServer((_req, res) => writeBody(res, 64 * MiB));
  try {
    const curl = new Curl();
    curl.setOpt('URL', `${srv.base}/huge`);
    curl.enable(CurlFeature.StreamResponse);
    const failed = new Promise<[Error, number]>((resolve) => curl.on('error', (e: Error, code: number) => resolve([e, code])));
    const stream = await new Promise<Readable>((resolve) => {
      curl.on('stream', (s: Readable, status: number) => { assert.equal(status, 200); resolve(s); });
      curl.perform();
    });
    await new Promise((r) => stream.once('data', r));
    stream.destroy();
    const [error, code] = await failed;
    assert.ok(error instanceof CurlEasyError);
    assert.equal(code, CurlCode.CURLE_ABORTED_BY_CALLBACK);
    assert.match(String((error.cause as Error).message), /unexpectedly destroyed/);
    curl.close();
    assert.equal(await settle(() => srv.open()), 0, 'the server saw the connection close');
  } finally {
    await srv.close();
  }
});

test('a response without a body still gets a stream, which ends at once', async () => {
  const srv = await httpServer((_req, res) => { res.writeHead(204); res.end(); });
  try {
    const { statusCode, data } = await curly.get<Readable>(`${srv.base}/`, { curlyStreamResponse: true });
    assert.equal(statusCode, 204);
    const chunks: Buffer[] = [];
    for await (const c of data) chunks.push(c as Buffer);
    assert.equal(chunks.length, 0);
  } finally {
    await srv.close();
  }
});

test('curlyStreamUpload sends a Readable as the body, pausing while it has nothing', async () => {
  const srv = await httpServer((req, res) => {
    let n = 0;
    let sum = 0;
    req.on('data', (d: Buffer) => { n += d.length; for (const b of d) sum = (sum + b) % 65521; });
    req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ n, sum, te: req.headers['transfer-encoding'] ?? null })); });
  });
  try {
    const parts = 200;
    let i = 0;
    let expectedSum = 0;
    // a source that produces its chunks slowly, on later turns of the event loop
    const source = new Readable({
      read() {
        if (i === parts) return void this.push(null);
        const chunk = Buffer.alloc(10_000, i++ % 251);
        for (const b of chunk) expectedSum = (expectedSum + b) % 65521;
        setImmediate(() => this.push(chunk));
      },
    });
    const { data } = await curly.put(`${srv.base}/up`, { curlyStreamUpload: source, upload: true });
    assert.deepEqual(data, { n: parts * 10_000, sum: expectedSum, te: 'chunked' });
  } finally {
    await srv.close();
  }
});

test('an upload stream that fails ends the transfer: the promise rejects with CURLE_ABORTED_BY_CALLBACK and the cause', async () => {
  const srv = await httpServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  try {
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent++ < 3) setImmediate(() => this.push(Buffer.alloc(1000, 1)));
        else setImmediate(() => this.destroy(new Error('disk on fire')));
      },
    });
    const err = await curly.put(`${srv.base}/up`, { curlyStreamUpload: source, upload: true }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof CurlEasyError);
    assert.equal(err.code, CurlCode.CURLE_ABORTED_BY_CALLBACK);
    assert.equal((err.cause as Error).message, 'disk on fire');
  } finally {
    await srv.close();
  }
});
