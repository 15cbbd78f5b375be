// Hostile TFTP servers on 127.0.0.1: floods of stale and foreign datagrams,
// a file that never ends, packets too short to be TFTP, opcodes a client
// never gets. Each transfer ends with a code (or succeeds despite the noise)
// and leaves no socket open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Easy, CURLOPT, CURLE, openSocketCount } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startUdpServer, data, oack } from '../helpers/tftp-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';

const NO_CURL = requireProgram('curl', 'curl');

async function perform(url: string, set: (e: Easy) => void = () => undefined): Promise<{ code: number; body: Buffer }> {
  const easy = new Easy();
  const chunks: Buffer[] = [];
  try {
    easy.setopt(CURLOPT.URL, url);
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      chunks.push(Buffer.from(d));
      return d.length;
    });
    set(easy);
    const code = await easy.perform();
    return { code, body: Buffer.concat(chunks) };
  } finally {
    easy.cleanup();
  }
}

test('a flood of foreign datagrams is dropped on arrival; stale blocks are skipped; a drowning flood ends', async () => {
  const body = Buffer.alloc(512 * 6 + 100, 'z');
  const block = (n: number): Buffer => body.subarray((n - 1) * 512, n * 512);
  const stranger = createSocket('udp4');
  await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', () => resolve()));
  let stale = 0;
  let answered = 0;
  let drown = false;
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    const next = op === 1 ? 1 : op === 4 ? msg.readUInt16BE(2) + 1 : 0;
    if (!next || (next - 1) * 512 > body.length) return;
    // a re-sent ACK (libcurl acknowledges every copy of the last block again, and after a timeout)
    // gets the block again without a second flood
    if (next <= answered && !drown) return s.send(data(next, block(next)), from);
    answered = next;
    // once the transfer runs (the first answer names the server's port), every answer comes after
    // datagrams from another port and copies of old blocks (as many as the kernel's socket buffer
    // keeps: beyond that it drops them before anyone reads, the real block too)
    if (next > 1) for (let i = 0; i < 100; i++) stranger.send(data(next, Buffer.from('forged')), from.port, from.address);
    for (let i = 0; i < stale; i++) s.send(data(next > 1 ? next - 1 : 9, block(1)), from);
    setImmediate(() => s.send(data(next, block(next)), from));
  });
  try {
    const url = `tftp://127.0.0.1:${srv.port}/f`;
    stale = 20;
    answered = 0;
    const r = await perform(url, (e) => e.setopt(CURLOPT.TIMEOUT, 20));
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(r.body, body);
    // the server floods before every block it sends, re-sent ones too: the bounded queue (and the
    // kernel's buffer) drop what does not fit, the real block often with it; the transfer gets
    // through on a retry or runs out of time, and either way ends
    stale = 3000;
    answered = 0;
    drown = true;
    const d = await perform(url, (e) => e.setopt(CURLOPT.TIMEOUT, 3));
    assert.ok(d.code === CURLE.OK || d.code === CURLE.OPERATION_TIMEDOUT, String(d.code));
    if (d.code === CURLE.OK) assert.deepEqual(d.body, body);
  } finally {
    stranger.close();
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('a file that never ends stops at MAXFILESIZE (CURLE_FILESIZE_EXCEEDED) or the timeout', async () => {
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    if (op === 1) s.send(oack({ blksize: '1024' }), from);
    else if (op === 4) s.send(data((msg.readUInt16BE(2) + 1) & 0xffff, Buffer.alloc(1024, 'e')), from);
  });
  try {
    const url = `tftp://127.0.0.1:${srv.port}/endless`;
    const a = await perform(url, (e) => {
      e.setopt(CURLOPT.TFTP_BLKSIZE, 1024);
      e.setopt(CURLOPT.MAXFILESIZE, 100_000);
    });
    assert.equal(a.code, CURLE.FILESIZE_EXCEEDED);
    assert.ok(a.body.length <= 100_000);
    const b = await tscurl(['-sS', '-o', '/dev/null', '--tftp-blksize', '1024', '-m', '1', url]);
    assert.equal(b.code, CURLE.OPERATION_TIMEDOUT, b.stderr);
  } finally {
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('packets too short to be TFTP count as timeouts until the retries run out; an opcode a client never gets is CURLE_TFTP_ILLEGAL', async () => {
  const short = await startUdpServer((_msg, from, s) => s.send(Buffer.from([0, 3]), from));
  try {
    const url = `tftp://127.0.0.1:${short.port}/f`;
    const r = await tscurl(['-sS', '-m', '5', url]);
    assert.equal(r.code, CURLE.COULDNT_CONNECT, r.stderr);
    assert.equal(r.stderr, 'tscurl: (7) Received too short packet\n');
    if (!NO_CURL) assert.equal((await curl(['-s', '-m', '5', url])).code, CURLE.COULDNT_CONNECT);
  } finally {
    await short.close();
  }
  const odd = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    if (op === 1) s.send(data(1, Buffer.alloc(512, 'o')), from);
    else s.send(Buffer.from([0, 9, 0, 1]), from);
  });
  try {
    const url = `tftp://127.0.0.1:${odd.port}/f`;
    const r = await perform(url);
    assert.equal(r.code, CURLE.TFTP_ILLEGAL);
    if (!NO_CURL) assert.equal((await curl(['-s', '-o', '/dev/null', url])).code, CURLE.TFTP_ILLEGAL);
  } finally {
    await odd.close();
  }
  assert.equal(openSocketCount(), 0);
});
