// The TLS receive path (src/transport/user-buffer.ts): the TLSSocket that
// node:tls layers over our TCP socket reads into the shared scratch buffer and
// a ReceiveQueue, as plain TCP does, instead of flowing mode. These tests run
// each case through that path and through flowing mode (the fallback when
// Node does not let us give it the buffer) and compare: responses whose TLS
// records arrive byte by byte or cut at odd places, a paused transfer that must
// stop reading (bounded queue, the server pushed back) and lose no byte, and a
// server that closes an idle keep-alive connection (with or without
// close_notify) — the next transfer must see it dead and connect again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type TLSSocket } from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';
import { Easy, Multi, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { lookupSocket } from '../../src/transport/socket-table.js';
import type { StreamTransport } from '../../src/transport/stream-transport.js';
import { HIGH_WATER, READ_SIZE } from '../../src/transport/recv-queue.js';
import { pausedDownload } from '../helpers/paused-download.js';
import { setUserBufferEnabled } from '../../src/transport/user-buffer.js';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PATHS = [
  { name: 'receive queue', queue: true },
  { name: 'flowing mode', queue: false },
] as const;

async function withPath<T>(queue: boolean, f: () => Promise<T>): Promise<T> {
  setUserBufferEnabled(queue);
  try {
    return await f();
  } finally {
    setUserBufferEnabled(true);
  }
}

type OnRequest = (sock: TLSSocket, n: number) => void | Promise<void>;

/** A TLS server calling `onRequest` for every request head; counts connections. */
async function tlsServer(onRequest: OnRequest) {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<TLSSocket>();
  const server = createServer({ key: testCerts().server.key, cert: testCerts().server.cert }, (sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let head = '';
    sock.on('data', (d) => {
      head += d.toString('latin1');
      while (head.includes('\r\n\r\n')) {
        head = head.slice(head.indexOf('\r\n\r\n') + 4);
        void onRequest(sock, requests++);
      }
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://localhost:${(server.address() as { port: number }).port}/`,
    get connections() { return connections; },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

function easyFor(url: string): { e: Easy; body: Buffer[]; headers: Buffer[] } {
  const e = new Easy();
  const body: Buffer[] = [];
  const headers: Buffer[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.CAINFO, testCerts().caFile);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
  // the data is only valid during the call: keep copies
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(Buffer.from(d)), d.length));
  return { e, body, headers };
}

function transportOf(e: Easy): StreamTransport {
  return lookupSocket(e.getinfo(CURLINFO.ACTIVESOCKET) as number) as StreamTransport;
}

test('HTTPS responses whose records arrive byte by byte or cut inside lines are intact on both receive paths', { skip: NO_OPENSSL }, async () => {
  const long = 'x'.repeat(9000);
  const head = `HTTP/1.1 200 OK\r\nX-Long: ${long}\r\nX-Folded: one\r\n two\r\nTransfer-Encoding: chunked\r\nX-Last: z\r\n\r\n`;
  const chunked = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
  const all = Buffer.from(head + chunked);
  const folded = all.indexOf(' two');
  // each write() is a TLS record of its own; a gap lets each arrive in a read of its own
  const variants: Buffer[][] = [
    [...[...all.subarray(0, 80)].map((b) => Buffer.from([b])), all.subarray(80)],
    [all.subarray(0, 4600), all.subarray(4600, folded), all.subarray(folded, all.length - 3), all.subarray(all.length - 3)],
    [all],
  ];
  const results: string[] = [];
  for (const p of PATHS) {
    await withPath(p.queue, async () => {
      for (const pieces of variants) {
        const srv = await tlsServer(async (sock) => {
          for (const piece of pieces) {
            if (sock.destroyed) return;
            sock.write(piece);
            await tick(2);
          }
        });
        const { e, body, headers } = easyFor(srv.url);
        try {
          assert.equal(await e.perform(), CURLE.OK, p.name);
          assert.equal(transportOf(e).volatileRecv, p.queue, `${p.name} is the path taken`);
          assert.equal(Buffer.concat(body).toString(), 'hello, world');
          const h = Buffer.concat(headers).toString('latin1');
          assert.ok(h === head + 'X-Trailer: t\r\n', `${p.name}: header lines arrive intact`);
          assert.equal(e.header('x-folded', 0, 1, -1).header?.value, 'one two');
          assert.equal(e.header('x-long', 0, 1, -1).header?.value, long);
          results.push(h + Buffer.concat(body).toString());
        } finally {
          e.cleanup();
          await srv.close();
        }
      }
    });
  }
  assert.equal(new Set(results).size, 1, 'every variant on both paths gives the same bytes');
});

test('keep-alive HTTPS requests on one connection: responses arriving together or apart, both paths', { skip: NO_OPENSSL }, async () => {
  for (const p of PATHS) {
    await withPath(p.queue, async () => {
      const srv = await tlsServer((sock, n) => {
        const body = `response ${n}`;
        const res = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        // odd requests: the response in two records
        if (n % 2) {
          sock.write(res.subarray(0, 20));
          setTimeout(() => sock.write(res.subarray(20)), 2);
        } else sock.write(res);
      });
      const { e, body } = easyFor(srv.url);
      try {
        for (let i = 0; i < 6; i++) {
          body.length = 0;
          assert.equal(await e.perform(), CURLE.OK);
          assert.equal(Buffer.concat(body).toString(), `response ${i}`);
        }
        assert.equal(srv.connections, 1, 'one connection carried every request');
        assert.equal(transportOf(e).volatileRecv, p.queue);
      } finally {
        e.cleanup();
        await srv.close();
      }
    });
  }
});

test('a paused HTTPS transfer stops reading (bounded queue, the server is pushed back) and loses no byte, both paths', { skip: NO_OPENSSL }, async () => {
  const size = 16 * 1024 * 1024;
  const data = randomBytes(size);
  const want = createHash('sha256').update(data).digest('hex');
  for (const p of PATHS) {
    await withPath(p.queue, async () => {
      let serverSock: TLSSocket | null = null;
      const srv = await tlsServer((sock) => {
        serverSock = sock;
        sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
        sock.write(data);
      });
      const multi = new Multi();
      const { e } = easyFor(srv.url);
      try {
        const r = await pausedDownload(multi, e, (tr, received) => {
          assert.equal(tr.volatileRecv, p.queue, `${p.name} is the path taken`);
          // node:tls may decrypt what one TCP read brought after the stop: a read's worth more
          assert.ok(tr.buffered <= HIGH_WATER + 2 * READ_SIZE, `${p.name}: queued ${tr.buffered} bytes while paused`);
          assert.ok(serverSock!.writableLength > 0, 'the server could not hand everything to the kernel: TCP pushed back');
          assert.ok(received < size);
        });
        assert.equal(r.running, 0);
        assert.equal(r.result, CURLE.OK);
        assert.equal(r.received, size);
        assert.equal(r.sha256, want, `${p.name}: every byte in order`);
      } finally {
        multi.cleanup();
        e.cleanup();
        await srv.close();
      }
    });
  }
});

test('a server closing an idle HTTPS keep-alive connection (close_notify or not): the next transfer connects again', { skip: NO_OPENSSL }, async () => {
  for (const p of PATHS) {
    for (const how of ['end', 'destroy'] as const) {
      await withPath(p.queue, async () => {
        const srv = await tlsServer((sock, n) => {
          const body = `r${n}`;
          sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
          // the connection idles in the client's pool when the server hangs up
          if (n === 0) setTimeout(() => (how === 'end' ? sock.end() : sock.destroy()), 20);
        });
        const { e, body } = easyFor(srv.url);
        try {
          assert.equal(await e.perform(), CURLE.OK);
          assert.equal(Buffer.concat(body).toString(), 'r0');
          const first = transportOf(e);
          assert.equal(first.volatileRecv, p.queue);
          for (let i = 0; i < 200 && !first.eof; i++) await tick(5);
          assert.ok(first.eof, `${p.name}/${how}: the idle connection saw the server's close`);
          body.length = 0;
          assert.equal(await e.perform(), CURLE.OK, `${p.name}/${how}`);
          assert.equal(Buffer.concat(body).toString(), 'r1');
          assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1, 'a new connection for the second transfer');
          assert.equal(srv.connections, 2);
        } finally {
          e.cleanup();
          await srv.close();
        }
      });
    }
  }
});
