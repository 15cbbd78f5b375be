// Downloads whose WRITEFUNCTION pauses (CURL_WRITEFUNC_PAUSE) on FTP, SFTP,
// SCP, TFTP, IMAP, POP3 and FILE: while paused the write callback is not
// called, however often the application wakes the transfer; after
// easy.pause(CURLPAUSE_CONT) the refused piece comes again and the rest
// follows, in order, nothing lost, under perform(), multi.perform() and the
// multi-socket API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { requireProgram, requirePrograms } from '../helpers/requires.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { startTftpdHpa } from '../helpers/tftp-server.js';
import { startDovecot } from '../helpers/dovecot.js';
import { pausedWrite } from '../helpers/paused-write.js';
import { patternBody, DRIVES } from '../helpers/paused-upload.js';

const NO_SSHD = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
const NO_TFTPD = requireProgram('in.tftpd', 'tftpd-hpa');
const NO_DOVECOT = requireProgram('dovecot', 'dovecot-imapd dovecot-pop3d');
const BODY = patternBody(300 * 1024);
const HALF = BODY.length / 2;

function check(r: Awaited<ReturnType<typeof pausedWrite>>, want: Buffer): void {
  assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
  assert.equal(r.pauses, 2);
  assert.equal(r.callsWhilePaused, 0);
  // a paused transfer is not watched: poll() sleeps until the unpause instead of returning at once
  assert.ok(r.rounds < 1000, `${r.rounds} perform rounds`);
  assert.ok(r.body.equals(want), `body of ${r.body.length} bytes, ${want.length} expected, in order`);
}

let sshd: Sshd | null = null;
before(async () => {
  if (!NO_SSHD) {
    sshd = await startSshd();
    writeFileSync(join(sshd.home, 'body.bin'), BODY);
  }
});
after(async () => {
  await sshd?.stop();
});

for (const drive of DRIVES) {
  test(`FTP download (${drive}): a paused write callback is not called until unpaused, the body comes whole and in order`, async () => {
    const srv = await startFtpServer({ files: { '/body.bin': BODY } });
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/body.bin`);
      check(await pausedWrite(e, drive, HALF), BODY);
    } finally {
      e.cleanup();
      await srv.close();
    }
  });

  for (const scheme of ['sftp', 'scp']) {
    test(`${scheme.toUpperCase()} download (${drive}): a paused write callback is not called until unpaused, the body comes whole and in order`, { skip: NO_SSHD }, async () => {
      const s = sshd!;
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `${scheme}://127.0.0.1:${s.port}${s.home}/body.bin`);
        e.setopt(CURLOPT.USERNAME, s.user);
        e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
        check(await pausedWrite(e, drive, HALF), BODY);
      } finally {
        e.cleanup();
      }
    });
  }

  test(`TFTP download (${drive}): a paused write callback is not called until unpaused, the body comes whole and in order`, { skip: NO_TFTPD }, async () => {
    const srv = await startTftpdHpa();
    const e = new Easy();
    try {
      const small = BODY.subarray(0, 20_000);
      writeFileSync(join(srv.root, 'body.bin'), small);
      e.setopt(CURLOPT.URL, srv.url('body.bin'));
      check(await pausedWrite(e, drive, small.length / 2), small);
    } finally {
      e.cleanup();
      await srv.stop();
    }
  });

  test(`file:// download (${drive}): a paused write callback is not called until unpaused, the body comes whole and in order`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-pause-dl-'));
    const e = new Easy();
    try {
      writeFileSync(join(dir, 'body.bin'), BODY);
      e.setopt(CURLOPT.URL, `file://${dir}/body.bin`);
      check(await pausedWrite(e, drive, HALF), BODY);
    } finally {
      e.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('IMAP FETCH and POP3 RETR: a paused write callback is not called until unpaused, the message comes whole and in order', { skip: NO_DOVECOT }, async () => {
  const d = await startDovecot();
  try {
    // a message of many lines, none starting with a dot (POP3 would stuff it)
    const lines: string[] = [];
    for (let i = 0; lines.join('').length < 200_000; i++) lines.push(`line ${i} ${'x'.repeat(i % 70)}\r\n`);
    const msg = `From: a@example.com\r\nSubject: big\r\n\r\n${lines.join('')}`;
    d.deliver(msg);
    for (const drive of DRIVES) {
      for (const url of [`imap://127.0.0.1:${d.imapPort}/INBOX/;MAILINDEX=1`, `pop3://127.0.0.1:${d.pop3Port}/1`]) {
        const e = new Easy();
        try {
          e.setopt(CURLOPT.URL, url);
          e.setopt(CURLOPT.USERPWD, `${d.user}:${d.password}`);
          const r = await pausedWrite(e, drive, msg.length / 2);
          check(r, Buffer.from(msg, 'latin1'));
        } finally {
          e.cleanup();
        }
      }
    }
  } finally {
    await d.stop();
  }
});
