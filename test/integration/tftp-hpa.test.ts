// TFTP against Debian's tftpd-hpa started on 127.0.0.1 with a temp root:
// downloads with the default and a negotiated block size, without options,
// a file that is not there, uploads (short, block-multiple, empty), the
// multi-socket API seeing the UDP socket, and curl 7.88 doing the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, Multi, SocketWatcher, CURLOPT, CURLINFO, CURLMOPT, CURLMSG, CURLE, CURLPAUSE, CURL_POLL, CURL_SOCKET_TIMEOUT, CURL_WRITEFUNC_PAUSE, openSocketCount } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startTftpdHpa } from '../helpers/tftp-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';

const NO_TFTPD = requireProgram('in.tftpd', 'tftpd-hpa');
const NO_CURL = requireProgram('curl', 'curl');

test('downloads: default blksize, a negotiated one, no options; a missing file is CURLE_TFTP_NOTFOUND', { skip: NO_TFTPD }, async () => {
  const srv = await startTftpdHpa();
  try {
    const small = Buffer.from('hello tftp\n');
    const big = randomBytes(5000); // exactly 5 blocks of 1000: the transfer ends with an empty block
    writeFileSync(join(srv.root, 'small.txt'), small);
    writeFileSync(join(srv.root, 'big.bin'), big);
    const a = await tscurl(['-sS', srv.url('small.txt')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, small.toString('latin1'));
    for (const extra of [['--tftp-blksize', '1000'], ['--tftp-blksize', '400'], ['--tftp-no-options'], []]) {
      const b = await tscurl(['-sS', ...extra, '-w', '%{size_download}', srv.url('big.bin')]);
      assert.equal(b.code, 0, `${extra.join(' ')}: ${b.stderr}`);
      assert.deepEqual(Buffer.from(b.stdout, 'latin1'), Buffer.concat([big, Buffer.from('5000')]), extra.join(' '));
    }
    const v = await tscurl(['-sS', '-v', '--tftp-blksize', '1000', '-o', '/dev/null', srv.url('big.bin')]);
    assert.match(v.stderr, /\* got option=\(tsize\) value=\(5000\)\n\* tsize parsed from OACK \(5000\)\n/);
    assert.match(v.stderr, /\* blksize parsed from OACK \(1000\) requested \(1000\)\n\* got option=\(timeout\) value=\(6\)\n\* Connected for receive\n/);
    assert.match(v.stderr, /\* set timeouts for state 0; Total {2}\d+, retry 6 maxtry 50\n/);
    const missing = await tscurl(['-sS', srv.url('nope.txt')]);
    assert.equal(missing.code, CURLE.TFTP_NOTFOUND);
    assert.equal(missing.stderr, 'tscurl: (68) TFTP: File Not Found\n');
    if (!NO_CURL) {
      const c = await curl(['-s', '--tftp-blksize', '1000', srv.url('big.bin')]);
      assert.deepEqual(Buffer.from(c.stdout, 'latin1'), big);
      assert.equal((await curl(['-s', srv.url('nope.txt')])).code, CURLE.TFTP_NOTFOUND);
    }
  } finally {
    await srv.stop();
  }
});

test('uploads: short, a multiple of the block size, empty; tsize announces the size', { skip: NO_TFTPD }, async () => {
  const srv = await startTftpdHpa({ create: true });
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-tftp-up-'));
  try {
    for (const [name, size, extra] of [['a.bin', 700, []], ['b.bin', 1024, []], ['c.bin', 0, []], ['d.bin', 3000, ['--tftp-blksize', '1000']]] as const) {
      const body = randomBytes(size);
      writeFileSync(join(dir, name), body);
      const r = await tscurl(['-sS', ...extra, '-T', join(dir, name), '-w', '%{size_upload}', srv.url(name)]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, String(size));
      assert.deepEqual(readFileSync(join(srv.root, name)), body, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.stop();
  }
});

test('the multi-socket API gets the UDP socket through SOCKETFUNCTION and drives the transfer with socketAction', { skip: NO_TFTPD }, async () => {
  const srv = await startTftpdHpa();
  const multi = new Multi();
  const easy = new Easy();
  const seen: { s: number; what: number }[] = [];
  const chunks: Buffer[] = [];
  let timer: NodeJS.Timeout | null = null;
  try {
    const body = randomBytes(2000);
    writeFileSync(join(srv.root, 'f.bin'), body);
    const done = new Promise<number>((resolve) => {
      const act = (s: number, ev: number): void => {
        multi.socketAction(s, ev);
        const m = multi.infoRead();
        if (m && m.msg === CURLMSG.DONE) resolve(m.result);
      };
      multi.setopt(CURLMOPT.SOCKETFUNCTION, (_e, s, what, _c, socketp) => {
        seen.push({ s, what });
        let w = socketp as SocketWatcher | null;
        if (what === CURL_POLL.REMOVE) {
          w?.stop();
          return 0;
        }
        if (!w) {
          w = new SocketWatcher(s);
          multi.assign(s, w);
        }
        w.start(what, (ev) => act(s, ev));
        return 0;
      });
      multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => {
        if (timer) clearTimeout(timer);
        timer = ms >= 0 ? setTimeout(() => act(CURL_SOCKET_TIMEOUT, 0), ms) : null;
        return 0;
      });
    });
    easy.setopt(CURLOPT.URL, srv.url('f.bin'));
    let active = -2;
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      chunks.push(Buffer.from(d));
      active = easy.getinfo(CURLINFO.ACTIVESOCKET);
      return d.length;
    });
    multi.addHandle(easy);
    assert.equal(await done, CURLE.OK);
    assert.deepEqual(Buffer.concat(chunks), body);
    // the datagram socket: OUT while it binds (unless bound before the first run ended), then IN
    // while the transfer runs, then REMOVE
    const socks = [...new Set(seen.map((x) => x.s))];
    assert.equal(socks.length, 1, JSON.stringify(seen));
    // CURLINFO_ACTIVESOCKET names the same socket while the transfer runs
    assert.equal(active, socks[0]);
    const whats = seen.map((x) => x.what);
    if (whats[0] === CURL_POLL.OUT) whats.shift();
    assert.deepEqual(whats, [CURL_POLL.IN, CURL_POLL.REMOVE]);
  } finally {
    if (timer) clearTimeout(timer);
    multi.removeHandle(easy);
    easy.cleanup();
    multi.cleanup();
    await srv.stop();
  }
  assert.equal(openSocketCount(), 0);
});

test('a write callback that pauses holds the download; after CURLPAUSE_CONT it goes on to the end', { skip: NO_TFTPD }, async () => {
  const srv = await startTftpdHpa();
  const easy = new Easy();
  try {
    const body = randomBytes(3000);
    writeFileSync(join(srv.root, 'p.bin'), body);
    const chunks: Buffer[] = [];
    let paused = 0;
    easy.setopt(CURLOPT.URL, srv.url('p.bin'));
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (paused < 2 && chunks.length === paused * 2) {
        // pause twice, each time resuming from a timer
        paused++;
        setTimeout(() => easy.pause(CURLPAUSE.CONT), 50);
        return CURL_WRITEFUNC_PAUSE;
      }
      chunks.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await easy.perform(), CURLE.OK);
    assert.equal(paused, 2);
    assert.deepEqual(Buffer.concat(chunks), body);
  } finally {
    easy.cleanup();
    await srv.stop();
  }
  assert.equal(openSocketCount(), 0);
});
