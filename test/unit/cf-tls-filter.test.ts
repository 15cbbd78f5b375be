// The TLS filter over a scripted transport: no socket, no listener. The
// transport below it is a StreamTransport over one end of an in-memory
// duplex pair; the other end is the scripted peer (a node:tls server
// socket, or raw bytes that are not TLS at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { TlsFilter } from '../../src/cf/tls-filter.js';
import { tlsConfig } from '../../src/cf/tls-connect.js';
import type { FilterStep } from '../../src/cf/filter.js';
import { testCerts, type Creds } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

/** Two Duplex ends: what one writes, the other reads; ending one ends the other's reading side. */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex => new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      other().push(chunk);
      cb();
    },
    final(cb) {
      other().push(null);
      cb();
    },
  });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Run the filter's connect() until it is not pending (bounded by event-loop turns). */
async function connectFilter(f: TlsFilter): Promise<FilterStep> {
  for (let i = 0; i < 2000; i++) {
    const step = f.connect(Date.now());
    if (step.kind !== 'pending') return step;
    await turn();
  }
  return { kind: 'failed', code: -1, message: 'the handshake never ended' };
}

interface Setup {
  filter: TlsFilter;
  transport: StreamTransport;
  peer: Duplex;
  info: string[];
  close(): void;
}

/** A TLS filter for `localhost` over an in-memory transport, trusting the test CA unless told otherwise. */
function setup(configure: (e: Easy) => void = () => {}): Setup {
  const certs = testCerts();
  const e = new Easy();
  e.setopt(CURLOPT.CAINFO, certs.caFile);
  configure(e);
  const [client, peer] = duplexPair();
  const transport = new StreamTransport(client as unknown as Socket, true);
  const info: string[] = [];
  const filter = new TlsFilter(transport, {
    host: 'localhost', port: 443, config: tlsConfig(internalsOf(e)!.opts), sessions: null,
    alpn: ['http/1.1'], info: (text) => info.push(text), proxy: false,
  });
  return {
    filter, transport, peer, info,
    close() {
      transport.close();
      peer.destroy();
      e.cleanup();
    },
  };
}

/** A TLS server on the peer end. */
function tlsPeer(peer: Duplex, creds: Creds): TLSSocket {
  const s = new TLSSocket(peer, { isServer: true, key: creds.key, cert: creds.cert, ALPNProtocols: ['http/1.1'] });
  s.on('error', () => {});
  return s;
}

test('the handshake completes over the transport below; the filter reports ALPN and the certificate, and bytes then travel through TLS', { skip: NO_OPENSSL }, async () => {
  const s = setup();
  const server = tlsPeer(s.peer, testCerts().server);
  try {
    const step = await connectFilter(s.filter);
    assert.equal(step.kind, 'done', JSON.stringify(step));
    assert.equal(s.filter.name, 'TLS');
    assert.equal(s.filter.query('alpn'), 'http/1.1');
    assert.ok(s.filter.query('tls'), 'certificate facts');
    assert.ok(s.info.some((l) => l.includes('ALPN: offers http/1.1')), s.info.join('|'));
    // the transport was upgraded in place: its sends are encrypted, its recv() decrypted
    const got: Buffer[] = [];
    server.on('data', (d: Buffer) => got.push(d));
    assert.equal(s.transport.send('ping').ok, true);
    server.write('pong');
    let reply = '';
    for (let i = 0; i < 2000 && (reply.length < 4 || got.length === 0); i++) {
      const r = s.transport.recv();
      if (r.kind === 'data') reply += r.data.toString();
      else await turn();
    }
    assert.equal(Buffer.concat(got).toString(), 'ping');
    assert.equal(reply, 'pong');
  } finally {
    server.destroy();
    s.close();
  }
});

test('a certificate the CA did not sign fails the filter with CURLE_PEER_FAILED_VERIFICATION', { skip: NO_OPENSSL }, async () => {
  const s = setup();
  const server = tlsPeer(s.peer, testCerts().selfSigned);
  try {
    const step = await connectFilter(s.filter);
    assert.equal(step.kind, 'failed');
    assert.equal(step.kind === 'failed' && step.code, CURLE.PEER_FAILED_VERIFICATION);
  } finally {
    server.destroy();
    s.close();
  }
});

test('a certificate for another name fails verification; with SSL_VERIFYHOST 0 it is accepted', { skip: NO_OPENSSL }, async () => {
  for (const verifyHost of [2, 0]) {
    const s = setup((e) => e.setopt(CURLOPT.SSL_VERIFYHOST, verifyHost));
    const server = tlsPeer(s.peer, testCerts().wrongName);
    try {
      const step = await connectFilter(s.filter);
      if (verifyHost) {
        assert.equal(step.kind === 'failed' && step.code, CURLE.PEER_FAILED_VERIFICATION, JSON.stringify(step));
        assert.match(step.kind === 'failed' ? step.message : '', /localhost/);
      } else {
        assert.equal(step.kind, 'done', JSON.stringify(step));
      }
    } finally {
      server.destroy();
      s.close();
    }
  }
});

test('a peer that hangs up during the handshake fails it with CURLE_SSL_CONNECT_ERROR', { skip: NO_OPENSSL }, async () => {
  const s = setup();
  // the scripted peer reads the ClientHello and closes
  s.peer.once('data', () => s.peer.end());
  s.peer.resume();
  try {
    const step = await connectFilter(s.filter);
    assert.equal(step.kind, 'failed');
    assert.equal(step.kind === 'failed' && step.code, CURLE.SSL_CONNECT_ERROR);
    // curl 7.88: OpenSSL's SSL_ERROR_SYSCALL, with libcurl's trailing space
    assert.equal(step.kind === 'failed' ? step.message : '', 'OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to localhost:443 ');
  } finally {
    s.close();
  }
});

test('a peer that spoke before the ClientHello is no TLS server', { skip: NO_OPENSSL }, async () => {
  const s = setup();
  s.peer.write('HTTP/1.1 400 Bad Request\r\n\r\n');
  try {
    for (let i = 0; i < 100 && s.transport.buffered === 0; i++) await turn();
    const step = s.filter.connect(Date.now());
    assert.equal(step.kind, 'failed');
    assert.equal(step.kind === 'failed' && step.code, CURLE.SSL_CONNECT_ERROR);
    assert.match(step.kind === 'failed' ? step.message : '', /the server sent data before the TLS handshake/);
  } finally {
    s.close();
  }
});
