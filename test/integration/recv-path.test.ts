// The TCP receive path (src/transport/recv-queue.ts): sockets read into one
// shared buffer and bytes wait in recycled slabs, so whatever the library keeps
// past a call (a partial header line, a header waiting for its continuation,
// a gzip header cut short, a paused transfer's data) must be copied. These
// tests send responses in small pieces, one after another, so the pieces land
// in separate reads and the recycled memory is overwritten in between; and
// they check that a paused transfer stops reading the socket (bounded memory,
// TCP pushes back on the server) and loses no byte when it goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Easy, Multi, CURLOPT, CURLE } from '../../src/index.js';
import { HIGH_WATER, READ_SIZE } from '../../src/transport/recv-queue.js';
import { pausedDownload } from '../helpers/paused-download.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A server that answers every request with `pieces`, written one by one with a pause between. */
async function piecewiseServer(pieces: Buffer[], gapMs = 3): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => {
    sock.on('error', () => {});
    let head = '';
    sock.on('data', async (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      for (const p of pieces) {
        if (sock.destroyed) return;
        sock.write(p);
        await tick(gapMs);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

function bytewise(b: Buffer): Buffer[] {
  return [...b].map((x) => Buffer.from([x]));
}

async function fetchCopying(url: string, setup?: (e: Easy) => void) {
  const e = new Easy();
  const body: Buffer[] = [];
  const headers: Buffer[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000); // a parser fed corrupted bytes might wait forever: fail instead
  // the callbacks' data is only valid during the call: keep copies
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(Buffer.from(d)), d.length));
  setup?.(e);
  const code = await e.perform();
  const r = { code, body: Buffer.concat(body), headers: Buffer.concat(headers).toString('latin1'), easy: e };
  return r;
}

/** Cut `b` at the given offsets. */
function cut(b: Buffer, at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const a of [...at, b.length]) {
    out.push(b.subarray(prev, a));
    prev = a;
  }
  return out;
}

test('a response in pieces, small and large: status, long and folded headers, chunked body and trailer are intact', async () => {
  // Reads of more than 4 KiB land in recycled slabs (smaller ones get a
  // Buffer of their own), and a later large read reuses the slab: a long
  // line cut by a large read, and a header held back (it might continue on
  // the next line) at the end of a large read, must have been copied.
  const long = 'x'.repeat(9000);
  const pad = 'y'.repeat(5000);
  const head = `HTTP/1.1 200 OK\r\nX-Long: ${long}\r\nX-Folded: one\r\n two\r\nX-Pad: ${pad}\r\nTransfer-Encoding: chunked\r\nX-Last: z\r\n\r\n`;
  const body = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
  const all = Buffer.from(head + body);
  const folded = all.indexOf(' two');
  const variants = [
    [...bytewise(all.subarray(0, 64)), all.subarray(64)],
    cut(all, [4600, folded]),
  ];
  for (const pieces of variants) {
    const { server, port } = await piecewiseServer(pieces, 2);
    let r: Awaited<ReturnType<typeof fetchCopying>> | undefined;
    try {
      r = await fetchCopying(`http://127.0.0.1:${port}/`);
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.toString(), 'hello, world');
      assert.ok(r.headers === head + 'X-Trailer: t\r\n', 'header lines arrive intact');
      assert.equal(r.easy.header('x-folded', 0, 1, -1).header?.value, 'one two');
      assert.equal(r.easy.header('x-long', 0, 1, -1).header?.value, long);
    } finally {
      r?.easy.cleanup();
      server.close();
    }
  }
});

test('a gzip body whose header arrives cut inside large reads, or byte by byte, decodes to the original', async () => {
  const plain = randomBytes(200_000).toString('hex'); // compressible, several output pieces
  const gz = gzipSync(plain);
  // a padded head makes the read that ends inside the gzip header a large one (a slab)
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nX-Pad: ${'p'.repeat(6000)}\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`);
  const all = Buffer.concat([head, gz]);
  const variants = [
    cut(all, [head.length + 1, head.length + 8000]), // magic cut after its first byte
    cut(all, [head.length + 5, head.length + 8000]), // header cut inside
    [head, ...bytewise(gz.subarray(0, 12)), gz.subarray(12, gz.length - 8), ...bytewise(gz.subarray(gz.length - 8))],
  ];
  for (const pieces of variants) {
    const { server, port } = await piecewiseServer(pieces);
    let r: Awaited<ReturnType<typeof fetchCopying>> | undefined;
    try {
      r = await fetchCopying(`http://127.0.0.1:${port}/`, (e) => e.setopt(CURLOPT.ACCEPT_ENCODING, 'gzip'));
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.toString(), plain);
    } finally {
      r?.easy.cleanup();
      server.close();
    }
  }
});

test('a paused transfer stops reading its socket (bounded queue, the server is pushed back) and loses no byte', async () => {
  const size = 32 * 1024 * 1024;
  const data = randomBytes(size);
  const want = createHash('sha256').update(data).digest('hex');
  let serverSock: Socket | null = null;
  const server = createServer((sock) => {
    serverSock = sock;
    sock.on('error', () => {});
    sock.once('data', () => {
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      sock.write(data);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  const multi = new Multi();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${port}/`);
    const r = await pausedDownload(multi, e, (tr, received) => {
      assert.ok(tr?.volatileRecv, 'plain TCP uses the recycled-buffer receive path');
      assert.ok(tr.buffered <= HIGH_WATER + READ_SIZE, `queued ${tr.buffered} bytes while paused`);
      assert.ok(serverSock!.writableLength > 0, 'the server could not hand everything to the kernel: TCP pushed back');
      assert.ok(received < size);
    });
    assert.equal(r.running, 0);
    assert.equal(r.result, CURLE.OK);
    assert.equal(r.received, size);
    assert.equal(r.sha256, want);
  } finally {
    multi.cleanup();
    e.cleanup();
    server.close();
  }
});

test('bytes the write callback keeps without copying are overwritten later, as libcurl documents', async () => {
  // libcurl: the buffer passed to WRITEFUNCTION is only valid during the call.
  // tscurl reuses the memory (the point of the receive path): the second part
  // is only sent once the first was delivered, so it lands in recycled memory.
  const a = Buffer.alloc(40_000, 0x61);
  const b = Buffer.alloc(40_000, 0x62);
  let client: Socket | null = null;
  const server = createServer((sock) => {
    client = sock;
    sock.on('error', () => {});
    sock.once('data', () => sock.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${a.length + b.length}\r\n\r\n`), a])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      const views: Buffer[] = [];
      const copies: Buffer[] = [];
      let got = 0;
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        views.push(d);
        copies.push(Buffer.from(d));
        got += d.length;
        if (got === a.length) client!.write(b);
        return d.length;
      });
      assert.equal(await e.perform(), CURLE.OK);
      assert.ok(Buffer.concat(copies).equals(Buffer.concat([a, b])), 'copies made during the calls are the body');
      assert.ok(!Buffer.concat(views).equals(Buffer.concat([a, b])), 'kept views were reused for later bytes');
    } finally {
      e.cleanup();
    }
  } finally {
    server.close();
  }
});
