// curly's plain path takes a response's header array from what the engine
// stored when the raw lines would parse into exactly that (one response,
// each line "Name:" + at most one SP/HTAB + value + CRLF, ASCII; a header
// with a stray CR fails the transfer as in curl 8), and parses the raw lines otherwise. Either way the array must be
// what node-libcurl's split of the raw header text gives (parseHeaders), for
// clean heads and for every kind of line the shortcut must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curly } from '../../src/compat/node-libcurl/index.js';
import { parseHeaders } from '../../src/compat/node-libcurl/headers.js';
import { CURLOPT, Easy } from '../../src/index.js';
import { startRawServer } from '../helpers/raw-http-server.js';

/** Raw response heads by path; each is followed by a 2-byte body. */
const HEADS: Record<string, string> = {
  '/clean': 'HTTP/1.1 200 OK\r\nServer: t\r\nContent-Type: text/plain\r\nX-Empty:\r\nX-Tab:\tv\r\nX-None:v\r\nContent-Length: 2\r\n\r\n',
  '/cookies': 'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nA: 1\r\nA: 2\r\nContent-Length: 2\r\n\r\n',
  '/two-spaces': 'HTTP/1.1 200 OK\r\nX:  v\r\nContent-Length: 2\r\n\r\n',
  '/trailing': 'HTTP/1.1 200 OK\r\nX: v \r\nContent-Length: 2\r\n\r\n',
  '/space-tab': 'HTTP/1.1 200 OK\r\nX: \tv\r\nContent-Length: 2\r\n\r\n',
  '/utf8': 'HTTP/1.1 200 OK\r\nX-Name: caf\u00e9 \u2713\r\nContent-Length: 2\r\n\r\n',
  '/lf-only': 'HTTP/1.1 200 OK\nX: v\nContent-Length: 2\n\n',
  '/folded': 'HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\n',
  '/status-odd': 'HTTP/1.1 200  Fine  \r\nContent-Length: 2\r\n\r\n',
  '/status-trailing': 'HTTP/1.1 200 Fine \r\nContent-Length: 2\r\n\r\n',
  '/status-inner': 'HTTP/1.1 200 Fine  and\tdandy\r\nContent-Length: 2\r\n\r\n',
  '/status-bare': 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n',
  '/status-space': 'HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\n',
  '/status-spaces': 'HTTP/1.1 200  \r\nContent-Length: 2\r\n\r\n',
  '/status-utf8': 'HTTP/1.1 200 Tr\u00e8s bien\r\nContent-Length: 2\r\n\r\n',
  '/status-cr': 'HTTP/1.1 200 O\rK\r\nContent-Length: 2\r\n\r\n',
  '/continue': 'HTTP/1.1 100 Continue\r\nX: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n',
  '/http10': 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n',
};

/** Paths whose heads the stored fields reproduce (the rest must be parsed). */
const EXACT = new Set(['/clean', '/cookies', '/lf-only', '/http10', '/status-inner', '/status-bare', '/status-space']);

async function withServer(fn: (base: string) => Promise<void>): Promise<void> {
  const srv = await startRawServer((r) => ({ data: Buffer.concat([Buffer.from(HEADS[r.target] ?? HEADS['/clean']!, 'utf8'), Buffer.from('ok')]) }));
  try {
    await fn(`http://127.0.0.1:${srv.port}`);
  } finally {
    await srv.close();
  }
}

test('curly headers: the stored fields or the parsed lines, always what the raw head parses into', async () => {
  await withServer(async (base) => {
    // each path three times in a row (a kept handle serving the same head again), then all interleaved
    const order = [...Object.keys(HEADS).flatMap((p) => [p, p, p]), ...Object.keys(HEADS), ...Object.keys(HEADS)];
    {
      for (const path of order) {
        const head = HEADS[path]!;
        const { statusCode, data, headers } = await curly.get(base + path, { curlyResponseBodyParser: false });
        assert.equal(String(data), 'ok', path);
        assert.equal(statusCode, 200, path);
        assert.deepStrictEqual(headers, parseHeaders(head), path);
        assert.deepEqual(headers.map((b) => Object.keys(b)), parseHeaders(head).map((b) => Object.keys(b)), `${path} key order`);
      }
    }
  });
});

test('the engine offers stored fields only for heads that split back into them', async () => {
  await withServer(async (base) => {
    const easy = new Easy();
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    for (const path of Object.keys(HEADS)) {
      easy.setopt(CURLOPT.URL, base + path);
      assert.equal(await easy.perform(), 0, path);
      const head = easy.exactResponseHead();
      if (EXACT.has(path)) {
        assert.ok(head, `${path}: stored fields expected`);
        const block = parseHeaders(HEADS[path]!)[0]! as Record<string, unknown>;
        assert.deepEqual(head.slice(0, 2), [(block.result as { version: string }).version, (block.result as { reason: string }).reason], path);
        const names = head.slice(2).filter((_, i) => i % 2 === 0);
        assert.ok(names.every((n) => n.toLowerCase() === 'set-cookie' || n in block), path);
      } else {
        assert.equal(head, null, `${path}: must be parsed from the raw lines`);
      }
    }
    easy.cleanup();
  });
});
