// The pingpong layer (src/proto/pingpong.ts) over real loopback sockets: a
// raw TCP server scripts the replies, the client side is a StreamTransport
// made as the engine makes it (reads into a ReceiveQueue, volatile views).
// Multi-line responses split anywhere, replies pipelined behind each other,
// the header lines as they arrive, the bounds a hostile server hits (a
// 17 KB line passes as curl's test 1003 wants; a megabyte line, a million
// lines fail cleanly), EOF, the response timeout (on a given clock: no
// timing), and the TLS upgrade in the middle (AUTH TLS / STARTTLS) with the
// refusal of bytes pipelined behind the go-ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { ReceiveQueue } from '../../src/transport/recv-queue.js';
import { PingPong, threeDigitCode, lineText, type PpRead } from '../../src/proto/pingpong.js';
import { CURLE } from '../../src/codes.js';
import { CURL_CSELECT } from '../../src/constants.js';
import { Easy, CURLOPT } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { tlsConfig } from '../../src/cf/tls-connect.js';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

/** FTP's end of response: "NNN " (a "NNN-" line continues it). */
const ftpEnd = (line: Buffer): number | null => {
  const code = threeDigitCode(line);
  return code >= 0 && line[3] === 0x20 ? code : null;
};

function waitIn(t: StreamTransport): Promise<void> {
  return new Promise((resolve) => {
    if (t.readiness() & CURL_CSELECT.IN) return resolve();
    const o = {
      readinessChanged(): void {
        if (t.readiness() & (CURL_CSELECT.IN | CURL_CSELECT.OUT)) {
          t.removeObserver(o);
          resolve();
        }
      },
    };
    t.addObserver(o);
  });
}

interface Rig {
  server: Server;
  tr: StreamTransport;
  pp: PingPong;
  sent: string[];
  lines: string[];
  peer: Promise<Socket>;
  close(): void;
}

async function rig(onConn: (s: Socket) => void, opts: { maxLines?: number; timeout?: number } = {}): Promise<Rig> {
  let gotPeer!: (s: Socket) => void;
  const peer = new Promise<Socket>((r) => (gotPeer = r));
  const server = createServer((s) => {
    s.on('error', () => {});
    gotPeer(s);
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const rq = new ReceiveQueue();
  const sock = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', onread: rq.onread });
  const tr = new StreamTransport(sock, false, 'connect', rq);
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  const sent: string[] = [];
  const lines: string[] = [];
  const pp = new PingPong(tr, { endOfResponse: ftpEnd, maxLines: opts.maxLines, responseTimeoutMs: opts.timeout }, {
    sent: (l) => sent.push(l),
    received: (l) => {
      lines.push(l.toString('latin1'));
      return CURLE.OK;
    },
  }, 0);
  return {
    server, tr, pp, sent, lines, peer,
    close() {
      tr.close();
      server.close();
      void peer.then((s) => s.destroy());
    },
  };
}

/** read() until it is not pending (bounded by event-loop waits). */
async function readResponse(r: Rig, now = 0): Promise<PpRead> {
  for (let i = 0; i < 10_000; i++) {
    const got = r.pp.read(now);
    if (got.kind !== 'pending') return got;
    await waitIn(r.tr);
  }
  throw new Error('no response');
}

/** Write bytes one at a time, each in its own packet as far as Nagle lets it. */
async function trickle(s: Socket, text: string): Promise<void> {
  s.setNoDelay(true);
  for (const ch of text) {
    s.write(ch);
    await new Promise((r) => setImmediate(r));
  }
}

test('a multi-line response split byte by byte, then a reply pipelined behind it: lines go to the host as they come', async () => {
  const r = await rig((s) => void trickle(s, '220-Welcome\r\n220-to the\r\n 220 not the end\r\n220 end\r\n331 more\r\n230 ok\r\n'));
  try {
    const a = await readResponse(r);
    assert.equal(a.kind, 'response');
    if (a.kind !== 'response') return;
    assert.equal(a.code, 220);
    assert.deepEqual(a.lines.map(lineText), ['220-Welcome', '220-to the', ' 220 not the end', '220 end']);
    const b = await readResponse(r);
    assert.equal(b.kind === 'response' && b.code, 331);
    const c = await readResponse(r);
    assert.equal(c.kind === 'response' && c.code, 230);
    assert.deepEqual(r.lines, ['220-Welcome\r\n', '220-to the\r\n', ' 220 not the end\r\n', '220 end\r\n', '331 more\r\n', '230 ok\r\n']);
  } finally {
    r.close();
  }
});

test('send() adds CRLF, traces the line (or what is shown for it) and the server receives it', async () => {
  let got = '';
  const r = await rig((s) => s.on('data', (d: Buffer) => {
    got += d.toString('latin1');
    if (got.endsWith('PASS secret\r\n')) s.write('230 in\r\n');
  }));
  try {
    assert.equal(r.pp.send('USER me', 0), null);
    assert.equal(r.pp.send('PASS secret', 0, 'PASS ******'), null);
    const a = await readResponse(r);
    assert.equal(a.kind === 'response' && a.code, 230);
    assert.equal(got, 'USER me\r\nPASS secret\r\n');
    assert.deepEqual(r.sent, ['USER me\r\n', 'PASS ******\r\n']);
  } finally {
    r.close();
  }
});

test('a 17,000-byte response line passes whole (curl test 1003)', async () => {
  const long = '250 C' + 'A'.repeat(16998) + 'B';
  const r = await rig((s) => s.write(long + '\r\n'));
  try {
    const a = await readResponse(r);
    assert.equal(a.kind, 'response');
    if (a.kind === 'response') assert.equal(lineText(a.lines[0]!), long);
  } finally {
    r.close();
  }
});

test('a line of a megabyte fails with CURLE_WEIRD_SERVER_REPLY before it ends, and keeps failing', async () => {
  const r = await rig((s) => {
    s.write('220 ' + 'x'.repeat(1024 * 1024));
  });
  try {
    const a = await readResponse(r);
    assert.equal(a.kind, 'failed');
    if (a.kind === 'failed') {
      assert.equal(a.code, CURLE.WEIRD_SERVER_REPLY);
      assert.match(a.message, /Excessive server response line length/);
    }
    assert.equal(r.pp.read(0).kind, 'failed');
  } finally {
    r.close();
  }
});

test('a multi-line reply of a million lines fails once past the line cap, without reading it all', async () => {
  let written = 0;
  const r = await rig((s) => {
    const chunk = '220-x\r\n'.repeat(1000);
    const more = (): void => {
      // bounded: a million lines, in writes of a thousand, stopped by the client closing
      while (written < 1000 && !s.destroyed) {
        written++;
        if (!s.write(chunk)) return void s.once('drain', more);
      }
    };
    more();
  }, { maxLines: 10_000 });
  try {
    const a = await readResponse(r);
    assert.equal(a.kind, 'failed');
    if (a.kind === 'failed') assert.equal(a.code, CURLE.WEIRD_SERVER_REPLY);
    assert.ok(r.lines.length <= 10_000, `${r.lines.length} lines`);
  } finally {
    r.close();
  }
});

test('the server closing mid-response is CURLE_RECV_ERROR', async () => {
  const r = await rig((s) => s.end('220-partial\r\n220 no'));
  try {
    const a = await readResponse(r);
    assert.equal(a.kind === 'failed' && a.code, CURLE.RECV_ERROR);
  } finally {
    r.close();
  }
});

test('no response by the deadline is CURLE_OPERATION_TIMEDOUT (the clock is the caller\'s)', async () => {
  const r = await rig(() => {}, { timeout: 5000 });
  try {
    r.pp.send('NOOP', 1000);
    assert.equal(r.pp.deadline(), 6000);
    assert.equal(r.pp.read(5999).kind, 'pending');
    const a = r.pp.read(6000);
    assert.equal(a.kind === 'failed' && a.code, CURLE.OPERATION_TIMEDOUT);
  } finally {
    r.close();
  }
});

function tlsParams(e: Easy) {
  return {
    host: 'localhost', port: 21, config: tlsConfig(internalsOf(e)!.opts), sessions: null,
    alpn: [], info: () => {}, proxy: false,
  };
}

test('TLS upgrade in the middle: 234, handshake on the same socket number, then commands over TLS', { skip: NO_OPENSSL }, async () => {
  const certs = testCerts();
  let tlsGot = '';
  const r = await rig((s) => {
    s.once('data', () => {
      s.write('234 go ahead\r\n');
      const t = new TLSSocket(s, { isServer: true, key: certs.server.key, cert: certs.server.cert });
      t.on('error', () => {});
      t.on('data', (d: Buffer) => {
        tlsGot += d.toString();
        t.write('200 PBSZ=0\r\n');
      });
    });
  });
  const e = new Easy();
  e.setopt(CURLOPT.CAINFO, certs.caFile);
  try {
    const id = r.tr.id;
    r.pp.send('AUTH TLS', 0);
    const a = await readResponse(r);
    assert.equal(a.kind === 'response' && a.code, 234);
    assert.equal(r.pp.startTls(tlsParams(e), Infinity), null);
    assert.equal(r.pp.upgrading, true);
    assert.equal(r.pp.pollWhat(), 2 /* CURL_POLL.OUT */);
    let step = r.pp.tlsStep(0);
    for (let i = 0; i < 1000 && step.kind === 'pending'; i++) {
      await waitIn(r.tr);
      step = r.pp.tlsStep(0);
    }
    assert.equal(step.kind, 'done', JSON.stringify(step));
    assert.ok(r.pp.tlsQuery('tls'));
    assert.equal(r.tr.id, id, 'the socket number stays');
    r.pp.send('PBSZ 0', 0);
    const b = await readResponse(r);
    assert.equal(b.kind === 'response' && b.code, 200);
    assert.equal(tlsGot, 'PBSZ 0\r\n');
  } finally {
    r.close();
    e.cleanup();
  }
});

test('bytes pipelined behind the TLS go-ahead are refused (CVE-2021-22947)', async () => {
  const r = await rig((s) => s.once('data', () => s.write('234 go ahead\r\n230 injected\r\n')));
  const e = new Easy();
  try {
    r.pp.send('AUTH TLS', 0);
    const a = await readResponse(r);
    assert.equal(a.kind === 'response' && a.code, 234);
    const refused = r.pp.startTls(tlsParams(e), Infinity);
    assert.equal(refused?.code, CURLE.WEIRD_SERVER_REPLY);
  } finally {
    r.close();
    e.cleanup();
  }
});

test('takeLeftover() hands over what came after the last response (a body that follows it)', async () => {
  const r = await rig((s) => s.write('150 here it comes\r\nBODY BYTES'));
  try {
    const a = await readResponse(r);
    assert.equal(a.kind === 'response' && a.code, 150);
    // the body may still be on its way: wait for it (bounded)
    for (let i = 0; i < 100 && r.pp.buffered < 10; i++) {
      const more = r.pp.read(0); // reads into the line buffer, no complete line
      assert.equal(more.kind, 'pending');
      if (r.pp.buffered < 10) await waitIn(r.tr);
    }
    assert.equal(r.pp.takeLeftover()?.toString(), 'BODY BYTES');
    assert.equal(r.pp.takeLeftover(), null);
  } finally {
    r.close();
  }
});
