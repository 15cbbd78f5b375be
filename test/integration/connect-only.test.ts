// CURLOPT_CONNECT_ONLY with easy.send()/recv()/upkeep(): libcurl's sendrecv
// example ported (connect, send a request by hand, wait for the socket with a
// SocketWatcher, read the answer until the peer closes), over plain TCP, TLS
// and a CONNECT tunnel, from easy.perform() and from a multi.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLINFO, CURLMSG, CURL_POLL, SocketWatcher, type IoResult } from '../../src/index.js';
import { testCerts } from '../helpers/certs.js';
import { startTlsServer } from '../helpers/tls-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { waitOnSocket } from '../helpers/socket-wait.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

/** A server that answers each request head with a fixed reply and closes. */
async function startEchoHttp(reply: string): Promise<RawServer> {
  return startRawServer(() => ({ data: reply, close: true }));
}

/** The sendrecv example's loop: send all, then recv until the peer closes. */
async function sendRecv(e: Easy, request: string): Promise<string> {
  let sent = 0;
  const out = Buffer.from(request);
  for (let i = 0; i < 100 && sent < out.length; i++) {
    const r: IoResult = e.send(out.subarray(sent));
    if (r.code === CURLE.AGAIN) {
      await waitOnSocket(e, CURL_POLL.OUT);
      continue;
    }
    assert.equal(r.code, CURLE.OK);
    sent += r.n;
  }
  const got: Buffer[] = [];
  const buf = Buffer.alloc(7); // small on purpose: a read is spread over many recv() calls
  for (let i = 0; i < 10_000; i++) {
    const r = e.recv(buf);
    if (r.code === CURLE.AGAIN) {
      await waitOnSocket(e, CURL_POLL.IN);
      continue;
    }
    assert.equal(r.code, CURLE.OK);
    if (r.n === 0) break; // the server closed
    got.push(Buffer.from(buf.subarray(0, r.n)));
  }
  return Buffer.concat(got).toString('latin1');
}

test('CONNECT_ONLY over TCP: perform() connects and stops, send()/recv() carry a hand-written request (libcurl\'s sendrecv)', async () => {
  const srv = await startEchoHttp('HTTP/1.0 200 OK\r\n\r\nhello from the server');
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.CONNECT_ONLY, 1);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(srv.requests.length, 0, 'nothing sent by perform()');
    assert.notEqual(e.getinfo(CURLINFO.ACTIVESOCKET), -1);
    // nothing to read yet
    assert.equal(e.recv(Buffer.alloc(16)).code, CURLE.AGAIN);
    const answer = await sendRecv(e, `GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
    assert.equal(answer, 'HTTP/1.0 200 OK\r\n\r\nhello from the server');
    assert.match(srv.requests[0]!.head, /^GET \/ HTTP\/1\.0\r\n/);
    assert.equal(e.upkeep(), CURLE.OK);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('send()/recv() without CONNECT_ONLY or before any connection: CURLE_UNSUPPORTED_PROTOCOL with libcurl\'s message; bad values refused', async () => {
  const srv = await startEchoHttp('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
  const e = new Easy();
  try {
    assert.equal(e.setopt(CURLOPT.CONNECT_ONLY, 3), CURLE.BAD_FUNCTION_ARGUMENT);
    assert.equal(e.send('x').code, CURLE.UNSUPPORTED_PROTOCOL);
    assert.equal(e.errorBuffer, 'CONNECT_ONLY is required');
    e.setopt(CURLOPT.CONNECT_ONLY, 1);
    assert.equal(e.recv(Buffer.alloc(1)).code, CURLE.UNSUPPORTED_PROTOCOL);
    assert.equal(e.errorBuffer, 'Failed to get recent socket');
    // a normal transfer leaves no connection for send()
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`);
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.easy.send('x').code, CURLE.UNSUPPORTED_PROTOCOL);
    r.easy.cleanup();
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CONNECT_ONLY over TLS and through a CONNECT tunnel: send()/recv() speak inside TLS', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  const origin = await startTlsServer(certs.server, { body: 'tls body' });
  const proxy = await startProxyServer(() => ({ tunnel: true }));
  try {
    for (const viaProxy of [false, true]) {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `https://localhost:${origin.port}/`);
        e.setopt(CURLOPT.CAINFO, certs.caFile);
        e.setopt(CURLOPT.CONNECT_ONLY, 1);
        if (viaProxy) e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
        assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
        assert.equal(e.getinfo(CURLINFO.SSL_VERIFYRESULT), 0);
        let sent = e.send('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.equal(sent.code, CURLE.OK);
        const buf = Buffer.alloc(4096);
        let text = '';
        for (let i = 0; i < 1000 && !text.endsWith('tls body'); i++) {
          const r = e.recv(buf);
          if (r.code === CURLE.AGAIN) {
            await waitOnSocket(e, CURL_POLL.IN);
            continue;
          }
          assert.equal(r.code, CURLE.OK);
          assert.ok(r.n > 0);
          text += buf.subarray(0, r.n).toString('latin1');
        }
        assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*tls body$/);
        sent = e.send('');
        assert.deepEqual(sent, { code: CURLE.OK, n: 0 });
      } finally {
        e.cleanup();
      }
    }
    assert.equal(proxy.requests.length, 1);
    assert.equal(proxy.requests[0]!.method, 'CONNECT');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CONNECT_ONLY from a multi: DONE with CURLE_OK, the connection outlives removeHandle() until cleanup(); a new transfer closes it', async () => {
  const srv = await startEchoHttp('HTTP/1.0 200 OK\r\n\r\nmulti');
  const m = new Multi();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.CONNECT_ONLY, 1);
    m.addHandle(e);
    let done: { result: number } | undefined;
    for (let i = 0; i < 200 && !done; i++) {
      m.perform();
      const msg = m.infoRead();
      if (msg && msg.msg === CURLMSG.DONE) done = msg;
      else await m.poll(100);
    }
    assert.equal(done?.result, CURLE.OK);
    m.removeHandle(e);
    const s = e.getinfo(CURLINFO.ACTIVESOCKET) as number;
    assert.notEqual(s, -1);
    assert.equal(await sendRecv(e, 'GET / HTTP/1.0\r\n\r\n'), 'HTTP/1.0 200 OK\r\n\r\nmulti');
    // the handle's next transfer (a normal one) closes the CONNECT_ONLY connection
    e.setopt(CURLOPT.CONNECT_ONLY, 0);
    const before = srv.requests.length;
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(srv.requests.length, before + 1);
    assert.throws(() => new SocketWatcher(s), /not an open tscurl socket/);
  } finally {
    e.cleanup();
    m.cleanup();
    await srv.close();
  }
});
