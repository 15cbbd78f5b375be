// TFTP against a scripted Node UDP server on 127.0.0.1: the server's ERROR
// codes as CURLcodes, lost packets answered by retransmits, a server that
// never answers, one that ignores the options, malformed option acks, and a
// datagram from a stranger's port. (Floods and endless files: test/security/tftp-hostile.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { Easy, CURLOPT, CURLE, CURLPAUSE, CURL_READFUNC_PAUSE, openSocketCount } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startUdpServer, parseRequest, data, ack, error, oack, type UdpServer } from '../helpers/tftp-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';

const NO_CURL = requireProgram('curl', 'curl');

/** A server that answers every RRQ/WRQ with `reply` (nothing for null). */
async function answering(reply: (req: ReturnType<typeof parseRequest>) => Buffer | null): Promise<UdpServer> {
  return startUdpServer((msg, from, srv) => {
    const req = parseRequest(msg);
    if (!req) return;
    const r = reply(req);
    if (r) srv.send(r, from);
  });
}

test('ERROR packets become libcurl\'s CURLcodes (tftp_translate_code), as curl 7.88 exits', async () => {
  const cases: [number, number][] = [[1, 68], [2, 69], [3, 70], [4, 71], [5, 72], [6, 73], [7, 74], [0, 71], [8, 42]];
  for (const [tftpCode, curlCode] of cases) {
    const srv = await answering(() => error(tftpCode, 'nope'));
    try {
      const url = `tftp://127.0.0.1:${srv.port}/x`;
      const r = await tscurl(['-sS', url]);
      assert.equal(r.code, curlCode, `TFTP error ${tftpCode}: ${r.stderr}`);
      if (!NO_CURL) assert.equal((await curl(['-s', url])).code, curlCode, `curl, TFTP error ${tftpCode}`);
    } finally {
      await srv.close();
    }
  }
  const srv = await answering(() => error(2, 'Access violation'));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-tftp-'));
  try {
    writeFileSync(join(dir, 'up.txt'), 'This data will not be sent\n');
    const r = await tscurl(['-sS', '-T', join(dir, 'up.txt'), `tftp://127.0.0.1:${srv.port}//invalid-file`]);
    assert.equal(r.code, CURLE.TFTP_PERM);
    assert.equal(r.stderr, 'tscurl: (69) TFTP: Access Violation\n');
    // curl's test 1007: a WRQ with the file's size as tsize
    assert.deepEqual(parseRequest(srv.received[0]!.data), {
      op: 2, filename: '/invalid-file', mode: 'octet', options: { tsize: '27', blksize: '512', timeout: '6' },
    });
    const v = await tscurl(['-s', '-v', `tftp://127.0.0.1:${srv.port}/x`]);
    assert.match(v.stderr, /\n\* TFTP error: Access violation\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});

test('a lost DATA block and a lost ACK are retransmitted after the retry time', async () => {
  const body = Buffer.alloc(700, 'x');
  let acks0 = 0;
  const down = await startUdpServer((msg, from, srv) => {
    const op = msg.readUInt16BE(0);
    if (op === 1) srv.send(oack({ tsize: '700', blksize: '512' }), from);
    else if (op === 4) {
      const block = msg.readUInt16BE(2);
      // the first ACK of the option ack is "lost": no DATA 1 until it comes again
      if (block === 0 && ++acks0 === 1) return;
      if (block === 0) srv.send(data(1, body.subarray(0, 512)), from);
      if (block === 1) srv.send(data(2, body.subarray(512)), from);
    }
  });
  try {
    // -m 5: retries every second (tftp_set_timeouts), not every 72
    const r = await tscurl(['-sS', '-v', '-m', '5', `tftp://127.0.0.1:${down.port}/f`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, body.toString());
    assert.equal(acks0, 2);
    assert.match(r.stderr, /\* Timeout waiting for block 1 ACK. {2}Retries = 1\n/);
  } finally {
    await down.close();
  }
  const got: Buffer[] = [];
  let data1 = 0;
  const up = await startUdpServer((msg, from, srv) => {
    const op = msg.readUInt16BE(0);
    if (op === 2) srv.send(ack(0), from);
    else if (op === 3) {
      const block = msg.readUInt16BE(2);
      if (block === 1 && ++data1 === 1) return; // its ACK is "lost"
      if (got.length < block) got.push(Buffer.from(msg.subarray(4)));
      srv.send(ack(block), from);
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-tftp-'));
  try {
    const src = Buffer.alloc(600, 'u');
    writeFileSync(join(dir, 'up.bin'), src);
    const r = await tscurl(['-sS', '-m', '5', '-T', join(dir, 'up.bin'), `tftp://127.0.0.1:${up.port}/up.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(data1, 2);
    assert.deepEqual(Buffer.concat(got), src);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await up.close();
  }
});

test('a server that never answers: CURLE_OPERATION_TIMEDOUT with -m and with --connect-timeout, as curl 7.88', async () => {
  const srv = await startUdpServer(() => undefined);
  try {
    const url = `tftp://127.0.0.1:${srv.port}/f`;
    for (const flags of [['-m', '2'], ['--connect-timeout', '1']]) {
      const r = await tscurl(['-sS', ...flags, url]);
      assert.equal(r.code, CURLE.OPERATION_TIMEDOUT, `${flags.join(' ')}: ${r.stderr}`);
      if (!NO_CURL) assert.equal((await curl(['-s', ...flags, url])).code, CURLE.OPERATION_TIMEDOUT, `curl ${flags.join(' ')}`);
    }
    // the request was sent again on each retry (retry time 1 s)
    assert.ok(srv.received.length >= 2, `${srv.received.length} requests`);
  } finally {
    await srv.close();
  }
});

test('a server that ignores the options sends 512-byte blocks; a TFTP_BLKSIZE out of 8..65464 is CURLE_TFTP_ILLEGAL', async () => {
  const body = Buffer.alloc(1000, 'd');
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    if (op === 1) s.send(data(1, body.subarray(0, 512)), from);
    else if (op === 4 && msg.readUInt16BE(2) === 1) s.send(data(2, body.subarray(512)), from);
  });
  const easy = new Easy();
  try {
    const chunks: Buffer[] = [];
    easy.setopt(CURLOPT.URL, `tftp://127.0.0.1:${srv.port}/f;mode=netascii`);
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      chunks.push(Buffer.from(d));
      return d.length;
    });
    // as curl 7.88 (setopt stores the value, tftp_connect refuses it): nothing is sent
    for (const bad of [7, 65465, -1]) {
      assert.equal(easy.setopt(CURLOPT.TFTP_BLKSIZE, bad), CURLE.OK);
      assert.equal(await easy.perform(), CURLE.TFTP_ILLEGAL, String(bad));
    }
    assert.equal(srv.received.length, 0);
    easy.setopt(CURLOPT.TFTP_BLKSIZE, 0);
    assert.equal(await easy.perform(), CURLE.OK);
    assert.deepEqual(Buffer.concat(chunks), body);
    assert.deepEqual(parseRequest(srv.received[0]!.data), {
      op: 1, filename: 'f', mode: 'netascii', options: { tsize: '0', blksize: '512', timeout: '6' },
    });
  } finally {
    easy.cleanup();
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('malformed or impossible option acks are CURLE_TFTP_ILLEGAL with libcurl\'s messages', async () => {
  const cases: [Buffer, string][] = [
    [Buffer.from([0, 6, ...Buffer.from('blksize\x00512', 'latin1')]), 'Malformed ACK packet, rejecting'],
    [oack({ blksize: '1024' }), 'server requested blksize larger than allocated (1024)'],
    [oack({ blksize: '4' }), 'blksize is smaller than min supported (8)'],
    [oack({ blksize: 'x' }), 'invalid blocksize value in OACK packet'],
    [oack({ tsize: '0' }), 'invalid tsize -:0:- value in OACK packet'],
  ];
  for (const [reply, message] of cases) {
    const srv = await answering(() => reply);
    try {
      const r = await tscurl(['-sS', `tftp://127.0.0.1:${srv.port}/f`]);
      assert.equal(r.code, CURLE.TFTP_ILLEGAL, message);
      assert.equal(r.stderr, `tscurl: (71) ${message}\n`);
    } finally {
      await srv.close();
    }
  }
});

test('a datagram from another port than the server\'s first answer is not part of the transfer', async () => {
  const stranger = createSocket('udp4');
  await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', () => resolve()));
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    // a full first block, so the transfer asks for a second
    if (op === 1) s.send(data(1, Buffer.alloc(512, 'a')), from);
    // before the real second block, a stranger sends a forged one to the client's port
    if (op === 4 && msg.readUInt16BE(2) === 1) {
      stranger.send(data(2, Buffer.from('FORGED')), from.port, from.address, () => s.send(data(2, Buffer.from('real')), from));
    }
  });
  try {
    const r = await tscurl(['-sS', `tftp://127.0.0.1:${srv.port}/f`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a'.repeat(512) + 'real');
  } finally {
    stranger.close();
    await srv.close();
  }
});

test('a read callback that pauses in the middle of a block: the block waits for CURLPAUSE_CONT and goes out whole', async () => {
  const got: Buffer[] = [];
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    if (op === 2) s.send(ack(0), from);
    else if (op === 3) {
      const block = msg.readUInt16BE(2);
      if (got.length < block) got.push(Buffer.from(msg.subarray(4)));
      s.send(ack(block), from);
    }
  });
  const easy = new Easy();
  try {
    const src = Buffer.alloc(1000);
    for (let i = 0; i < src.length; i++) src[i] = i & 0xff;
    let pos = 0;
    let paused = 0;
    easy.setopt(CURLOPT.URL, `tftp://127.0.0.1:${srv.port}/up`);
    easy.setopt(CURLOPT.UPLOAD, 1);
    easy.setopt(CURLOPT.INFILESIZE, src.length);
    easy.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      if (pos === 300 && paused === 0) {
        paused++;
        setTimeout(() => easy.pause(CURLPAUSE.CONT), 30);
        return CURL_READFUNC_PAUSE;
      }
      const n = Math.min(buf.length, 300, src.length - pos);
      src.copy(buf, 0, pos, pos + n);
      pos += n;
      return n;
    });
    assert.equal(await easy.perform(), CURLE.OK);
    assert.equal(paused, 1);
    assert.deepEqual(got.map((b) => b.length), [512, 488]);
    assert.deepEqual(Buffer.concat(got), src);
    assert.deepEqual(parseRequest(srv.received[0]!.data)?.options, { tsize: '1000', blksize: '512', timeout: '6' });
  } finally {
    easy.cleanup();
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});
