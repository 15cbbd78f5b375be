// CURLOPT_HAPROXYPROTOCOL: the PROXY protocol v1 line is the first thing on a
// fresh connection - before the request, before a TLS ClientHello, and after
// a CONNECT tunnel (inside it) - naming this socket's two ends; a reused
// connection does not send it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { testCerts } from '../helpers/certs.js';
import { tscurlBundle } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

interface SeenConnection {
  /** the PROXY line without CRLF, or null when the first line was something else */
  proxyLine: string | null;
  /** the client's port as this server sees it */
  peerPort: number;
  /** request lines that arrived on the connection */
  requests: string[];
}

/** A keep-alive HTTP/1.1 server (optionally TLS) that takes an optional PROXY line first. */
async function startServer(tlsCreds?: { key: Buffer; cert: Buffer }): Promise<{ port: number; seen: SeenConnection[]; close(): Promise<void> }> {
  const seen: SeenConnection[] = [];
  const sockets = new Set<net.Socket>();
  const serveHttp = (s: net.Socket, c: SeenConnection): void => {
    let buf = '';
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        c.requests.push(buf.slice(0, buf.indexOf('\r\n')));
        buf = buf.slice(end + 4);
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  };
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const c: SeenConnection = { proxyLine: null, peerPort: sock.remotePort!, requests: [] };
    seen.push(c);
    let head = Buffer.alloc(0);
    const onReadable = (): void => {
      for (let d = sock.read() as Buffer | null; d !== null; d = sock.read() as Buffer | null) head = Buffer.concat([head, d]);
      const eol = head.indexOf('\r\n');
      if (eol < 0) return;
      sock.off('readable', onReadable);
      const first = head.subarray(0, eol).toString('latin1');
      let rest = head;
      if (first.startsWith('PROXY ')) {
        c.proxyLine = first;
        rest = head.subarray(eol + 2);
      }
      if (rest.length) sock.unshift(rest);
      if (tlsCreds) serveHttp(new tls.TLSSocket(sock, { isServer: true, ...tlsCreds }), c);
      else serveHttp(sock, c);
    };
    sock.on('readable', onReadable);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function get(e: Easy, url: string): Promise<number> {
  // bounded: a server waiting for a PROXY line that never comes must not stall the suite
  e.setopt(CURLOPT.TIMEOUT_MS, 10_000);
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  return e.perform();
}

test('HAPROXYPROTOCOL: the line first on a fresh connection, not again when it is reused', async () => {
  const srv = await startServer();
  const e = new Easy();
  try {
    assert.equal(e.setopt(CURLOPT.HAPROXYPROTOCOL, 1), CURLE.OK);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/one`), CURLE.OK);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/two`), CURLE.OK);
    assert.equal(srv.seen.length, 1, 'one connection');
    const c = srv.seen[0]!;
    assert.equal(c.proxyLine, `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.peerPort} ${srv.port}`);
    assert.deepEqual(c.requests, ['GET /one HTTP/1.1', 'GET /two HTTP/1.1'], 'no second PROXY line');
    // switched off, a fresh connection starts with the request
    e.setopt(CURLOPT.HAPROXYPROTOCOL, 0);
    e.setopt(CURLOPT.FRESH_CONNECT, 1);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/three`), CURLE.OK);
    assert.equal(srv.seen[1]!.proxyLine, null);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('HAPROXYPROTOCOL with https: the line goes before the TLS handshake', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const srv = await startServer(certs.server);
  const e = new Easy();
  try {
    e.setopt(CURLOPT.HAPROXYPROTOCOL, 1);
    e.setopt(CURLOPT.CAINFO, certs.caFile);
    assert.equal(await get(e, `https://127.0.0.1:${srv.port}/tls`), CURLE.OK);
    const c = srv.seen[0]!;
    assert.equal(c.proxyLine, `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.peerPort} ${srv.port}`);
    assert.deepEqual(c.requests, ['GET /tls HTTP/1.1']);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('HAPROXYPROTOCOL through a CONNECT tunnel: the line travels inside it and names the proxy end (curl case 3028)', async () => {
  const srv = await startServer();
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  const e = new Easy();
  try {
    e.setopt(CURLOPT.HAPROXYPROTOCOL, 1);
    e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
    e.setopt(CURLOPT.HTTPPROXYTUNNEL, 1);
    assert.equal(await get(e, `http://127.0.0.1:${srv.port}/page`), CURLE.OK);
    assert.equal(proxy.requests[0]!.method, 'CONNECT');
    assert.doesNotMatch(proxy.requests[0]!.head, /PROXY TCP/);
    const c = srv.seen[0]!;
    assert.match(c.proxyLine ?? '', new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ ${proxy.port}$`));
    assert.deepEqual(c.requests, ['GET /page HTTP/1.1']);
  } finally {
    e.cleanup();
    await proxy.close();
    await srv.close();
  }
});

test('--haproxy-protocol in the tool', async () => {
  const srv = await startServer();
  try {
    const r = await tscurlBundle(['-s', '--haproxy-protocol', `http://127.0.0.1:${srv.port}/cli`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok');
    assert.equal(srv.seen[0]!.proxyLine, `PROXY TCP4 127.0.0.1 127.0.0.1 ${srv.seen[0]!.peerPort} ${srv.port}`);
  } finally {
    await srv.close();
  }
});
