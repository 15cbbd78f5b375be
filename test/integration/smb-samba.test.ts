// SMB end to end against Debian's Samba (test/helpers/smbd.ts), compared with
// /usr/bin/curl 7.88.1 on the same server: downloads (one READ_ANDX, and
// 100000 bytes that take four), an upload with -T, a missing file, a wrong
// password, a missing share, a URL without a share, "DOMAIN\user", -v, exit
// codes; then the library: sizes, FILETIME, a paused download, connection
// reuse per login and share, and smbs:// through a TLS front to the same smbd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLE, CURLINFO, CURLOPT, CURLPAUSE, CURL_WRITEFUNC_PAUSE, Easy } from '../../src/index.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { assertSameAsCurl, curl, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { NO_SMBD, startSmbd, type Smbd } from '../helpers/smbd.js';
import { testCerts } from '../helpers/certs.js';

const NO_CURL = requireProgram('curl', 'curl');
const SKIP = NO_SMBD || NO_CURL;

const BIG = randomBytes(100000);

async function withSmbd(fn: (s: Smbd) => Promise<void>): Promise<void> {
  const s = await startSmbd();
  try {
    writeFileSync(join(s.share, 'small.txt'), 'hello smb\n');
    writeFileSync(join(s.share, 'big.bin'), BIG);
    writeFileSync(join(s.other, 'only-other.txt'), 'from the other share\n');
    await fn(s);
  } finally {
    await s.stop();
  }
}

test('smb:// as curl 7.88: downloads, errors, -v and exit codes', { skip: SKIP }, async () => {
  await withSmbd(async (s) => {
    const login = `${s.user}:${s.password}`;
    await assertSameAsCurl(['-sS', '-u', login, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sS', '-u', login, s.url('share/big.bin')]);
    await assertSameAsCurl(['-sS', '-u', login, s.url('share/missing.txt')]);
    await assertSameAsCurl(['-sS', '-u', login, s.url('noshare/small.txt')]);
    await assertSameAsCurl(['-sS', '-u', `${s.user}:wrong`, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sS', s.url('share/small.txt')]);
    await assertSameAsCurl(['-sS', '-u', login, s.url('share')]);
    await assertSameAsCurl(['-sS', '-u', `WORKGROUP\\${login}`, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sS', '-u', `WORKGROUP/${login}`, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sv', '-u', login, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sv', '-u', login, s.url('share/missing.txt')]);
    await assertSameAsCurl(['-sv', '-u', `${s.user}:wrong`, s.url('share/small.txt')]);
    await assertSameAsCurl(['-sS', '-u', login, '-w', '%{size_download} %{response_code}\\n', '-o', '/dev/null', s.url('share/big.bin')]);
  });
});

test('smb:// upload with -T as curl 7.88; an upload of unknown size is refused', { skip: SKIP }, async () => {
  await withSmbd(async (s) => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-smb-up-'));
    const src = join(dir, 'up.bin');
    writeFileSync(src, BIG);
    const login = `${s.user}:${s.password}`;
    const ours = await tscurl(['-sS', '-u', login, '-T', src, '-w', '%{size_upload}', s.url('share/ours.bin')]);
    const theirs = await curl(['-sS', '-u', login, '-T', src, '-w', '%{size_upload}', s.url('share/theirs.bin')]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout);
    assert.deepEqual(readFileSync(join(s.share, 'ours.bin')), BIG);
    assert.deepEqual(readFileSync(join(s.share, 'theirs.bin')), BIG);
    // into a directory that is not there: the open fails
    await assertSameAsCurl(['-sS', '-u', login, '-T', src, s.url('share/nodir/x.bin')]);
    // stdin has no size: refused before anything is opened
    const e = new Easy();
    e.setopt(CURLOPT.URL, s.url('share/unknown.bin'));
    e.setopt(CURLOPT.USERPWD, login);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READFUNCTION, () => 0);
    assert.equal(await e.perform(), CURLE.SEND_ERROR);
    assert.equal(e.errorBuffer, 'SMB upload needs to know the size up front');
  });
});

test('smb:// with the library: sizes, FILETIME, a paused download, reuse per login and share', { skip: NO_SMBD }, async () => {
  await withSmbd(async (s) => {
    const login = `${s.user}:${s.password}`;
    const r = await fetchUrl(s.url('share/big.bin'), (e) => {
      e.setopt(CURLOPT.USERPWD, login);
      e.setopt(CURLOPT.FILETIME, 1);
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(r.bytes, BIG);
    assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), BIG.length);
    assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), BIG.length);
    // the file was written once: its change time is its modification time
    assert.equal(r.easy.getinfo(CURLINFO.FILETIME_T), Math.floor(statSync(join(s.share, 'big.bin')).mtimeMs / 1000));

    // paused by the write callback, then continued: every byte arrives once, in order
    const e = new Easy();
    const got: Buffer[] = [];
    let paused = false;
    e.setopt(CURLOPT.URL, s.url('share/big.bin'));
    e.setopt(CURLOPT.USERPWD, login);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (!paused) {
        paused = true;
        setImmediate(() => e.pause(CURLPAUSE.CONT));
        return CURL_WRITEFUNC_PAUSE;
      }
      got.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await e.perform(), CURLE.OK);
    assert.ok(paused);
    assert.deepEqual(Buffer.concat(got), BIG);

    // the same handle: same login and share reuse the connection, another share gets its own
    const lines = verboseLines(e);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await e.perform(), CURLE.OK);
    assert.ok(lines.some((l) => l.startsWith('Re-using existing connection')), lines.join('\n'));
    lines.length = 0;
    const otherBody: Buffer[] = [];
    e.setopt(CURLOPT.URL, s.url('other/only-other.txt'));
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (otherBody.push(Buffer.from(d)), d.length));
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(otherBody).toString(), 'from the other share\n');
    assert.ok(!lines.some((l) => l.startsWith('Re-using')), lines.join('\n'));
    // another password: not the logged-in connection
    lines.length = 0;
    e.setopt(CURLOPT.USERPWD, `${s.user}:wrong`);
    assert.equal(await e.perform(), CURLE.LOGIN_DENIED);
    assert.ok(!lines.some((l) => l.startsWith('Re-using')), lines.join('\n'));
  });
});

test('smbs:// speaks TLS first: through a TLS front to smbd, as curl 7.88', { skip: SKIP }, async () => {
  await withSmbd(async (s) => {
    const certs = testCerts();
    const sockets = new Set<Socket | TLSSocket>();
    const front = createTlsServer({ key: certs.server.key, cert: certs.server.cert }, (tls) => {
      const back = connect(s.port, '127.0.0.1');
      sockets.add(tls);
      sockets.add(back);
      tls.pipe(back).pipe(tls);
      tls.on('error', () => back.destroy());
      back.on('error', () => tls.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const port = (front.address() as { port: number }).port;
    try {
      const url = `smbs://127.0.0.1:${port}/share/big.bin`;
      const login = `${s.user}:${s.password}`;
      await assertSameAsCurl(['-sS', '--cacert', certs.caFile, '--resolve', `localhost:${port}:127.0.0.1`, '-u', login,
        url.replace('127.0.0.1', 'localhost')]);
      // verification is on: a CA it does not know fails the handshake
      await assertSameAsCurl(['-sS', '-u', login, '--cacert', certs.otherCaFile, url.replace('127.0.0.1', 'localhost'),
        '--resolve', `localhost:${port}:127.0.0.1`]);
      const r = await fetchUrl(url, (e) => {
        e.setopt(CURLOPT.USERPWD, login);
        e.setopt(CURLOPT.CAINFO, certs.caFile);
        e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
      });
      assert.equal(r.code, CURLE.OK);
      assert.deepEqual(r.bytes, BIG);
    } finally {
      for (const so of sockets) so.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });
});
