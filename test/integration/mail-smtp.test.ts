// SMTP against Debian's aiosmtpd (a real server): a message sent with
// MAIL FROM / RCPT TO / DATA, dot-stuffed, with AUTH (PLAIN, LOGIN) and
// STARTTLS; MAIL_RCPT_ALLOWFAILS; the CLI's --mail-* flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { requireProgram } from '../helpers/requires.js';
import { startAiosmtpd } from '../helpers/aiosmtpd.js';
import { tscurl } from '../helpers/cli-run.js';

const NO_SMTPD = requireProgram('aiosmtpd', 'python3-aiosmtpd');

function sendMail(url: string, body: string, opts: Array<[number, unknown]>): Promise<{ rc: number; out: string; err: string }> {
  const e = new Easy();
  let out = '';
  let pos = 0;
  const data = Buffer.from(body, 'latin1');
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.UPLOAD, 1);
  e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
    const n = Math.min(buf.length, data.length - pos);
    data.copy(buf, 0, pos, pos + n);
    pos += n;
    return n;
  });
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    out += d.toString('latin1');
    return d.length;
  });
  for (const [k, v] of opts) e.setopt(k as never, v as never);
  return e.perform().then((rc) => {
    const err = e.errorBuffer ?? "";
    e.cleanup();
    return { rc, out, err };
  });
}

test('SMTP: a message with lines starting with "." arrives whole (dot-stuffing), sender and recipients in the envelope', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd();
  try {
    const body = 'Subject: hi\r\n\r\n.leading dot\r\n..two\r\n.\r\nend';
    const r = await sendMail(`smtp://127.0.0.1:${srv.port}/client.test`, body, [
      [CURLOPT.MAIL_FROM, 'sender@example.com'], [CURLOPT.MAIL_RCPT, ['a@example.com', '<b@example.com>']],
    ]);
    assert.equal(r.rc, CURLE.OK, r.err);
    const m = srv.messages();
    assert.equal(m.length, 1);
    assert.equal(m[0]!.from, 'sender@example.com');
    assert.deepEqual(m[0]!.to, ['a@example.com', 'b@example.com']);
    assert.equal(m[0]!.content.toString('latin1'), body + '\r\n');
  } finally {
    await srv.stop();
  }
});
