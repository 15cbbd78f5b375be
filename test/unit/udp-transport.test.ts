// The UDP transport (TFTP's socket): readiness as datagrams queue, the
// bounded queue that drops a flood, restrictTo() dropping everyone but the
// peer, and a send right before close() still leaving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { UdpTransport, MAX_QUEUED } from '../../src/transport/udp-transport.js';
import { CURL_CSELECT } from '../../src/constants.js';
import { openSocketCount } from '../../src/index.js';

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  return s;
}

/** Waits (bounded) until `cond` holds, letting the event loop deliver datagrams. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
}

function ready(tr: UdpTransport): Promise<void> {
  return until(() => (tr.readiness() & CURL_CSELECT.OUT) !== 0);
}

test('datagrams queue with their source; IN readiness follows the queue; the queue is bounded', async () => {
  const tr = new UdpTransport(4, '127.0.0.1', 0);
  const a = await bound();
  try {
    await ready(tr);
    assert.equal(tr.readiness() & CURL_CSELECT.IN, 0);
    const port = tr.local().port;
    a.send(Buffer.from('one'), port, '127.0.0.1');
    await until(() => (tr.readiness() & CURL_CSELECT.IN) !== 0);
    const d = tr.recv()!;
    assert.equal(d.data.toString(), 'one');
    assert.equal(d.port, a.address().port);
    assert.equal(tr.recv(), null);
    assert.equal(tr.readiness() & CURL_CSELECT.IN, 0);
    // a flood beyond the bound is dropped, not kept
    // (in batches that the kernel's socket buffer holds: Node reads them into the transport's queue)
    for (let batch = 0; batch < 20 && tr.dropped === 0; batch++) {
      for (let i = 0; i < 32; i++) a.send(Buffer.from([i]), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => tr.dropped > 0);
    let got = 0;
    while (tr.recv()) got++;
    assert.ok(got <= MAX_QUEUED, `${got} queued`);
  } finally {
    a.close();
    tr.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('restrictTo keeps the peer\'s datagrams and drops the others, queued ones included', async () => {
  const tr = new UdpTransport(4, undefined, 0);
  const peer = await bound();
  const other = await bound();
  try {
    await ready(tr);
    const port = tr.local().port;
    other.send(Buffer.from('early stranger'), port, '127.0.0.1');
    peer.send(Buffer.from('peer 1'), port, '127.0.0.1');
    await until(() => (tr.readiness() & CURL_CSELECT.IN) !== 0 && tr.dropped === 0);
    await new Promise((r) => setTimeout(r, 20));
    tr.restrictTo('127.0.0.1', peer.address().port);
    other.send(Buffer.from('late stranger'), port, '127.0.0.1');
    peer.send(Buffer.from('peer 2'), port, '127.0.0.1');
    const seen: string[] = [];
    await until(() => {
      for (let d = tr.recv(); d; d = tr.recv()) seen.push(d.data.toString());
      return seen.includes('peer 2');
    });
    assert.deepEqual(seen, ['peer 1', 'peer 2']);
  } finally {
    peer.close();
    other.close();
    tr.close();
  }
});

test('a datagram sent right before close() still leaves (a transfer\'s last ACK)', async () => {
  const rx = await bound();
  const got: string[] = [];
  rx.on('message', (m) => got.push(m.toString()));
  const tr = new UdpTransport(4, undefined, 0);
  try {
    await ready(tr);
    tr.send(Buffer.from('last'), rx.address().port, '127.0.0.1');
    tr.close();
    await until(() => got.length === 1);
    assert.deepEqual(got, ['last']);
  } finally {
    rx.close();
    tr.close();
  }
});
