// CVE-2019-5482 / CVE-2019-5436 (TFTP heap overflows with a small blksize) are
// memory errors JavaScript cannot make; what must still hold, over loopback
// against a scripted UDP server: a DATA datagram longer than the negotiated
// blksize never delivers more than blksize bytes (the rest is cut, as
// libcurl's recvfrom() into a blksize + 4 buffer does), a cut block counts as a
// full one (the transfer goes on), and an OACK asking for a larger blksize than
// requested is refused (checked in test/integration/tftp-errors.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, openSocketCount } from '../../src/index.js';
import { startUdpServer, data, oack } from '../helpers/tftp-server.js';

test('CVE-2019-5482: DATA longer than a 16-byte blksize delivers 16 bytes per block, never more', async () => {
  const srv = await startUdpServer((msg, from, s) => {
    const op = msg.readUInt16BE(0);
    if (op === 1) s.send(oack({ blksize: '16' }), from);
    // the ACK of the OACK is block 0: answer with an oversized block 1, then a short last block
    else if (op === 4 && msg.readUInt16BE(2) === 0) s.send(data(1, Buffer.alloc(1400, 'x')), from);
    else if (op === 4 && msg.readUInt16BE(2) === 1) s.send(data(2, Buffer.from('end')), from);
  });
  const easy = new Easy();
  try {
    const chunks: Buffer[] = [];
    easy.setopt(CURLOPT.URL, `tftp://127.0.0.1:${srv.port}/f`);
    easy.setopt(CURLOPT.TFTP_BLKSIZE, 16);
    easy.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      assert.ok(d.length <= 16, `${d.length} bytes in one block`);
      chunks.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await easy.perform(), CURLE.OK, easy.errorBuffer);
    assert.equal(Buffer.concat(chunks).toString('latin1'), 'x'.repeat(16) + 'end');
  } finally {
    easy.cleanup();
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});
