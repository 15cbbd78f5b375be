// Resource limits against a hostile server (curl's advisories as a checklist):
//   CVE-2023-38039  endless / huge response headers: 300 KB per response
//                   (CURLE_RECV_ERROR "Too large response headers"), one line
//                   at most 100 KB (CURLE_TOO_LARGE), 20 x 300 KB over all the
//                   responses of a transfer (redirects, 1xx)
//   CVE-2022-32206  unbounded chain of content encodings: at most 5
//   CVE-2023-23916  ... also when spread over many header lines
//   (libcurl-security.md) redirect loops end at MAXREDIRS
// Every case ends with a CURLcode, and no socket is left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { Easy, CURLOPT, CURLE, CURLINFO, openSocketCount } from '../../src/index.js';
import { startRawServer, type Reply } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

/** One perform against a server giving `reply` to every request. */
async function against(reply: (target: string, port: number) => Reply, setup?: (e: Easy) => void): Promise<{ code: number; message: string; requests: number; headerSize: number }> {
  let port = 0;
  const srv = await startRawServer((r) => reply(r.target, port));
  port = srv.port;
  const r = await fetchUrl(`http://127.0.0.1:${port}/`, (e) => {
    e.setopt(CURLOPT.TIMEOUT_MS, 20000); // safety net only: none of these cases may need it
    setup?.(e);
  });
  const out = { code: r.code, message: r.easy.errorBuffer, requests: srv.requests.length, headerSize: r.easy.getinfo(CURLINFO.HEADER_SIZE) as number };
  r.easy.cleanup();
  await srv.close();
  assert.notEqual(out.code, CURLE.OPERATION_TIMEDOUT, 'the safety-net timeout was not needed');
  assert.equal(openSocketCount(), 0, 'no socket left open');
  return out;
}

const header = (i: number, size: number): string => `X-H${i}: ${'a'.repeat(size)}\r\n`;

test('CVE-2023-38039: more than 300 KB of response headers fails with CURLE_RECV_ERROR', async () => {
  const lines = Array.from({ length: 400 }, (_, i) => header(i, 1000)).join('');
  const r = await against(() => ({ data: `HTTP/1.1 200 OK\r\n${lines}Content-Length: 0\r\n\r\n` }));
  assert.equal(r.code, CURLE.RECV_ERROR);
  assert.match(r.message, /^Too large response headers: \d+ > 307200$/);
  // control: 250 KB are fine
  const fine = Array.from({ length: 250 }, (_, i) => header(i, 1000)).join('');
  const c = await against(() => ({ data: `HTTP/1.1 200 OK\r\n${fine}Content-Length: 0\r\n\r\n` }));
  assert.equal(c.code, CURLE.OK);
});

test('CVE-2023-38039: one header line over 100 KB fails with CURLE_TOO_LARGE', async () => {
  const r = await against(() => ({ data: `HTTP/1.1 200 OK\r\n${header(0, 110 * 1024)}Content-Length: 0\r\n\r\n` }));
  assert.equal(r.code, CURLE.TOO_LARGE);
  const s = await against(() => ({ data: `HTTP/1.1 200 ${'x'.repeat(110 * 1024)}\r\nContent-Length: 0\r\n\r\n` }));
  assert.equal(s.code, CURLE.TOO_LARGE, 'a huge status line too');
});

test('CVE-2023-38039: a server sending header lines forever is cut off at the limit', async () => {
  // writes 1 KB header lines until the client goes away, bounded at 32 MB:
  // far more than the kernel's socket buffers (a few MB on loopback) and the
  // client's receive queue (at most 2 MB) can hold, so the server only gets
  // near the bound if the client keeps reading
  const LIMIT = 32 << 20;
  const socks = new Set<Socket>();
  let written = 0;
  const srv = createServer((s) => {
    socks.add(s);
    s.on('error', () => {});
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\n');
      const pump = (): void => {
        while (!s.destroyed && written < LIMIT) {
          written += 1024;
          if (!s.write(header(written, 1014))) return void s.once('drain', pump);
        }
      };
      pump();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as { port: number }).port;
    const r = await fetchUrl(`http://127.0.0.1:${port}/`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 20000));
    assert.equal(r.code, CURLE.RECV_ERROR, r.easy.errorBuffer);
    r.easy.cleanup();
    assert.ok(written < LIMIT / 2, `the client stopped reading long before the server ran out (${written} bytes written)`);
  } finally {
    for (const s of socks) s.destroy();
    await new Promise<void>((res) => srv.close(() => res()));
  }
  assert.equal(openSocketCount(), 0);
});

test('CVE-2023-38039: a flood of 1xx responses counts against the same limit', async () => {
  const flood = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(20000); // ~500 KB of interim responses
  const r = await against(() => ({ data: `${flood}HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n` }));
  assert.equal(r.code, CURLE.RECV_ERROR);
  assert.match(r.message, /Too large response headers/);
});

test('CVE-2023-38039: 20 x 300 KB over the redirects of one transfer', async () => {
  // every response carries 290 KB of headers and redirects again
  const lines = Array.from({ length: 290 }, (_, i) => header(i, 1000)).join('');
  const r = await against((target) => ({
    data: `HTTP/1.1 302 Found\r\nLocation: /r${Number(target.slice(2) || 0) + 1}\r\n${lines}Content-Length: 0\r\n\r\n`,
  }), (e) => {
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    e.setopt(CURLOPT.MAXREDIRS, 100);
  });
  assert.equal(r.code, CURLE.RECV_ERROR);
  assert.match(r.message, /^Too large response headers: \d+ > 6144000$/);
  assert.ok(r.requests >= 20 && r.requests <= 22, `${r.requests} requests`);
});

test('redirect loops end at MAXREDIRS (default 30) with CURLE_TOO_MANY_REDIRECTS', async () => {
  const r = await against(() => ({ data: 'HTTP/1.1 301 Moved\r\nLocation: /\r\nContent-Length: 0\r\n\r\n' }), (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1));
  assert.equal(r.code, CURLE.TOO_MANY_REDIRECTS);
  assert.equal(r.requests, 31);
});

test('CVE-2022-32206 / CVE-2023-23916: more than 5 content or transfer encodings are refused, on one line or many', async () => {
  const enc = (h: string): Reply => ({ data: `HTTP/1.1 200 OK\r\n${h}Content-Length: 3\r\n\r\nabc` });
  const accept = (e: Easy): void => void e.setopt(CURLOPT.ACCEPT_ENCODING, '');
  const oneLine = await against(() => enc('Content-Encoding: identity, identity, identity, identity, identity, identity\r\n'), accept);
  assert.equal(oneLine.code, CURLE.BAD_CONTENT_ENCODING);
  assert.match(oneLine.message, /Reject response exceeding limit of 5 content encodings/);
  const manyLines = await against(() => enc('Content-Encoding: gzip\r\n'.repeat(1000)), accept);
  assert.equal(manyLines.code, CURLE.BAD_CONTENT_ENCODING);
  const te = await against(() => ({ data: `HTTP/1.1 200 OK\r\n${'Transfer-Encoding: gzip\r\n'.repeat(1000)}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n` }), accept);
  assert.equal(te.code, CURLE.BAD_CONTENT_ENCODING);
});
