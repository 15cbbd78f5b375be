// undici's per-request headersTimeout and bodyTimeout on CurlDispatcher:
// undici's errors (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT) from a
// server that stalls, and no body timeout while the handler holds the body
// back. Servers on 127.0.0.1; the stalls never end by themselves, so each
// outcome is decided by the timer under test alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { CurlDispatcher } from '../../src/dispatcher/index.js';
import { MultiRunner } from '../../src/index.js';

async function stallingServer(): Promise<{ base: string; close(): Promise<void> }> {
  const srv = http.createServer((req, res) => {
    if (req.url === '/no-head') return; // never answers
    if (req.url === '/stall-body') {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('first part'); // and then nothing more
      return;
    }
    res.end('x'.repeat(100_000)); // everything at once
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    base: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    }),
  };
}

test('CurlDispatcher: headersTimeout and bodyTimeout end a stalled request with undici\'s errors; a paused body is not timed out', async () => {
  const srv = await stallingServer();
  const runner = new MultiRunner();
  const dispatcher = new CurlDispatcher({ runner });
  try {
    await assert.rejects(within(undiciRequest(`${srv.base}/no-head`, { dispatcher, headersTimeout: 100 }), 'the headers-timed request'),
      (e: Error & { code?: string }) => e.code === 'UND_ERR_HEADERS_TIMEOUT' && e.name === 'HeadersTimeoutError');

    const res = await undiciRequest(`${srv.base}/stall-body`, { dispatcher, bodyTimeout: 100 });
    assert.equal(res.statusCode, 200);
    await assert.rejects(within(res.body.text(), 'the body-timed read'), (e: Error & { code?: string }) => e.code === 'UND_ERR_BODY_TIMEOUT' && e.name === 'BodyTimeoutError');

    // the handler holds the body back for longer than bodyTimeout: no timeout, the whole body after resume()
    const outcome = await within(new Promise<{ bytes: number; error: Error | null }>((resolve) => {
      let bytes = 0;
      dispatcher.dispatch({ origin: srv.base, path: '/all', method: 'GET', bodyTimeout: 50 }, {
        onConnect() {},
        onHeaders(_status: number, _raw: Buffer[], resume: () => void) {
          setTimeout(resume, 400);
          return false;
        },
        onData(chunk: Buffer) {
          bytes += chunk.length;
          return true;
        },
        onComplete() {
          resolve({ bytes, error: null });
        },
        onError(error: Error) {
          resolve({ bytes, error });
        },
      } as unknown as Dispatcher.DispatchHandler);
    }), 'the paused request');
    assert.deepEqual(outcome, { bytes: 100_000, error: null });
  } finally {
    await dispatcher.destroy();
    runner.close();
    await srv.close();
  }
});

/** `p`, or a failure after 10 s: a timeout that never fires fails the test instead of hanging it. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let dog: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (dog = setTimeout(() => reject(new Error(`${what} never settled`)), 10_000)))])
    .finally(() => clearTimeout(dog));
}
