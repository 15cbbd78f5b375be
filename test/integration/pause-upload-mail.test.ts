// SMTP (aiosmtpd) and IMAP APPEND (dovecot) whose READFUNCTION pauses
// (CURL_READFUNC_PAUSE): no read until the application unpauses, however
// often the transfer is woken meanwhile, then the message goes out whole,
// under perform(), multi.perform() and the multi-socket API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startAiosmtpd } from '../helpers/aiosmtpd.js';
import { startDovecot } from '../helpers/dovecot.js';
import { fetchUrl } from '../helpers/fetch.js';
import { pausedUpload, DRIVES } from '../helpers/paused-upload.js';

const NO_SMTPD = requireProgram('aiosmtpd', 'python3-aiosmtpd');
const NO_DOVECOT = requireProgram('dovecot', 'dovecot-imapd dovecot-pop3d');

/** A message of many lines, none starting with a dot. */
function message(subject: string): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(`line ${i} ${'y'.repeat(i % 60)}\r\n`);
  return Buffer.from(`From: a@example.com\r\nSubject: ${subject}\r\n\r\n${lines.join('')}`, 'latin1');
}

test('SMTP: a paused read callback is not called until unpaused, under every drive', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd();
  try {
    for (const [i, drive] of DRIVES.entries()) {
      const msg = message(drive);
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `smtp://127.0.0.1:${srv.port}/client.test`);
        e.setopt(CURLOPT.MAIL_FROM, 'sender@example.com');
        e.setopt(CURLOPT.MAIL_RCPT, ['a@example.com']);
        const r = await pausedUpload(e, msg, drive, 2048);
        assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
        assert.equal(r.pauses, 2);
        assert.equal(r.callsWhilePaused, 0, drive);
        assert.equal(r.calls, 2 + Math.ceil(msg.length / 2048) + 1);
        assert.ok(srv.messages()[i]?.content.equals(msg), drive);
      } finally {
        e.cleanup();
      }
    }
  } finally {
    await srv.stop();
  }
});

test('IMAP APPEND: a paused read callback is not called until unpaused, under every drive', { skip: NO_DOVECOT }, async () => {
  const d = await startDovecot();
  try {
    for (const [i, drive] of DRIVES.entries()) {
      const msg = message(drive);
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `imap://127.0.0.1:${d.imapPort}/INBOX`);
        e.setopt(CURLOPT.USERPWD, `${d.user}:${d.password}`);
        e.setopt(CURLOPT.INFILESIZE, msg.length);
        const r = await pausedUpload(e, msg, drive, 2048);
        assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
        assert.equal(r.pauses, 2);
        assert.equal(r.callsWhilePaused, 0, drive);
        const back = await fetchUrl(`imap://127.0.0.1:${d.imapPort}/INBOX/;MAILINDEX=${i + 1}`, (f) => f.setopt(CURLOPT.USERPWD, `${d.user}:${d.password}`));
        back.easy.cleanup();
        assert.equal(back.code, CURLE.OK);
        assert.ok(back.bytes.equals(msg), drive);
      } finally {
        e.cleanup();
      }
    }
  } finally {
    await d.stop();
  }
});
