// StreamTransport.upgradeBridged()/downgrade() (src/transport/tls-bridge.ts)
// on a loopback TCP connection, without the FTP layer: TLS goes on over the
// bridge, the peer's close_notify ends it, and the transport reads the raw
// socket again — the same transport, the same socket number — starting with
// the clear bytes the peer sent in the same packet as its close_notify. Both
// receive paths of the raw socket: the ReceiveQueue of a TCP socket made by
// the connector (`onread`), and flowing 'data' events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, createServer, type Socket, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { StreamTransport } from '../../src/transport/stream-transport.js';
import { ReceiveQueue } from '../../src/transport/recv-queue.js';
import type { Transport } from '../../src/transport/transport.js';
import { ServerTlsLayer } from '../helpers/ftp-tls-layer.js';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

/** Resolves once `cond` holds, checked at each readiness change of `tr` (the test's own timeout bounds it). */
function until(tr: Transport, cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (cond()) return resolve();
    const o = {
      readinessChanged: (): void => {
        if (!cond()) return;
        tr.removeObserver(o);
        resolve();
      },
    };
    tr.addObserver(o);
  });
}

/** Everything recv() has now, as text. */
function drain(tr: StreamTransport): string {
  let s = '';
  // bounded: each pass takes one buffered chunk
  for (let r = tr.recv(); r.kind === 'data'; r = tr.recv()) s += r.data.toString('latin1');
  return s;
}

for (const path of ['ReceiveQueue', 'data events'] as const) {
  test(`a TLS layer over a bridge comes off at the peer's close_notify; the clear bytes behind it are kept (${path})`, { skip: NO_OPENSSL }, async () => {
    const certs = testCerts();
    let layer: ServerTlsLayer | null = null;
    let clear = '';
    let clearArrived: (() => void) | null = null;
    const srv = createServer((raw) => {
      raw.on('error', () => {});
      layer = new ServerTlsLayer(raw, certs.server);
      layer.tls.once('secure', () => layer!.tls.write('in TLS\r\n'));
      layer.tls.on('data', () => {
        // the client's "go": close_notify, and in the same write the first clear line
        layer!.shutdown('eager', 'last in TLS\r\n', (d) => {
          clear += d.toString('latin1');
          if (clear.endsWith('\r\n')) clearArrived?.();
        }, 'first in the clear\r\n');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    let tr: StreamTransport | null = null;
    try {
      const port = (srv.address() as AddressInfo).port;
      const rq = path === 'ReceiveQueue' ? new ReceiveQueue() : null;
      const sock: Socket = rq ? netConnect({ port, host: '127.0.0.1', onread: rq.onread }) : netConnect(port, '127.0.0.1');
      tr = new StreamTransport(sock, false, 'connect', rq);
      const t = tr;
      await until(t, () => t.connected);
      const id = t.id;
      t.upgradeBridged((below) => tlsConnect({ socket: below, ca: readFileSync(certs.caFile), servername: 'localhost' }), 'secureConnect');
      await until(t, () => t.connected);
      let got = '';
      await until(t, () => (got += drain(t)).includes('in TLS\r\n'));
      t.send('go\r\n');
      await until(t, () => t.bridge?.closeNotified === true && (got += drain(t)).includes('last in TLS\r\n'));
      assert.equal(got, 'in TLS\r\nlast in TLS\r\n');
      t.downgrade();
      assert.equal(t.bridge, null);
      assert.equal(t.id, id);
      assert.equal(t.eof, false);
      let plain = '';
      await until(t, () => (plain += drain(t)).includes('\r\n'));
      assert.equal(plain, 'first in the clear\r\n');
      // and the other way: our writes reach the peer in the clear
      const arrived = new Promise<void>((resolve) => (clearArrived = resolve));
      t.send('clear reply\r\n');
      await arrived;
      assert.equal(clear, 'clear reply\r\n');
    } finally {
      tr?.close();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
}
