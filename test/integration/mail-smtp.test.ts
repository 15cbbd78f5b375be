// SMTP against Debian's aiosmtpd (a real server): a message sent with
// MAIL FROM / RCPT TO / DATA, dot-stuffed, with AUTH (PLAIN, LOGIN) and
// STARTTLS; MAIL_RCPT_ALLOWFAILS; the CLI's --mail-* flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLPAUSE, CURL_READFUNC_PAUSE } from '../../src/index.js';
import { execFile } from 'node:child_process';
import { requireProgram } from '../helpers/requires.js';
import { startAiosmtpd } from '../helpers/aiosmtpd.js';
import { tscurl, CLI_MAIN } from '../helpers/cli-run.js';
import { testCerts } from '../helpers/certs.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TMP = mkdtempSync(join(tmpdir(), 'tscurl-smtp-'));
let files = 0;
/** A file holding `content` (for -T). */
function bodyFile(content: string): string {
  const f = join(TMP, `body${files++}.txt`);
  writeFileSync(f, content);
  return f;
}

const NO_SMTPD = requireProgram('aiosmtpd', 'python3-aiosmtpd');
const NO_OPENSSL = requireProgram('openssl', 'openssl');

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

test('SMTP: AUTH PLAIN and LOGIN against aiosmtpd (a refusal is in test/security/mail-hostile.test.ts: aiosmtpd never answers a wrong password)', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd({ user: 'user', password: 'secret' });
  try {
    const url = `smtp://127.0.0.1:${srv.port}/`;
    for (const mech of ['PLAIN', 'LOGIN']) {
      const r = await sendMail(url, 'Subject: auth\r\n\r\nx\r\n', [
        [CURLOPT.USERPWD, 'user:secret'], [CURLOPT.LOGIN_OPTIONS, `AUTH=${mech}`], [CURLOPT.MAIL_FROM, 's@example.com'],
        [CURLOPT.MAIL_RCPT, ['r@example.com']],
      ]);
      assert.equal(r.rc, CURLE.OK, `${mech}: ${r.err}`);
    }
    const m = srv.messages();
    assert.equal(m.length, 2);
    assert.ok(m.every((x) => x.auth));
  } finally {
    await srv.stop();
  }
});

test('SMTP: RCPT failures end the transfer (55) unless MAIL_RCPT_ALLOWFAILS; all failing is 55 with the last code', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd();
  try {
    const url = `smtp://127.0.0.1:${srv.port}/`;
    const strict = await sendMail(url, 'x\r\n', [[CURLOPT.MAIL_RCPT, ['reject@example.com', 'ok@example.com']]]);
    assert.equal(strict.rc, CURLE.SEND_ERROR);
    assert.equal(strict.err, 'RCPT failed: 550');
    const lax = await sendMail(url, 'x\r\n', [[CURLOPT.MAIL_RCPT, ['reject@example.com', 'ok@example.com']], [CURLOPT.MAIL_RCPT_ALLOWFAILS, 1]]);
    assert.equal(lax.rc, CURLE.OK, lax.err);
    assert.deepEqual(srv.messages().map((x) => x.to), [['ok@example.com']]);
    const none = await sendMail(url, 'x\r\n', [[CURLOPT.MAIL_RCPT, ['reject@a', 'reject@b']], [CURLOPT.MAIL_RCPT_ALLOWFAILS, 1]]);
    assert.equal(none.rc, CURLE.SEND_ERROR);
    assert.equal(none.err, 'RCPT failed: 550 (last error)');
  } finally {
    await srv.stop();
  }
});

test('SMTP: STARTTLS with --ssl-reqd (the message goes over TLS); without STARTTLS offered --ssl-reqd is 64', { skip: NO_SMTPD || NO_OPENSSL }, async () => {
  const certs = testCerts();
  const tls = await startAiosmtpd({ tls: certs.server });
  const plain = await startAiosmtpd();
  try {
    const r = await tscurl(['-s', '-S', '--ssl-reqd', '--cacert', certs.caFile, '--mail-from', 'a@example.com', '--mail-rcpt', 'b@example.com',
      '-T', bodyFile('Subject: tls\r\n\r\nsecret\r\n'), `smtp://localhost:${tls.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tls.messages()[0]!.tls, true);
    const refused = await tscurl(['-s', '-S', '--ssl-reqd', '--mail-rcpt', 'b@example.com', '-T', bodyFile('x'), `smtp://127.0.0.1:${plain.port}/`]);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /STARTTLS not supported\./);
    assert.equal(plain.messages().length, 0);
  } finally {
    await tls.stop();
    await plain.stop();
  }
});

test('SMTP via the CLI: --mail-from/--mail-rcpt/-T, --crlf converts LF, VRFY is the body', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd();
  try {
    const url = `smtp://127.0.0.1:${srv.port}/me.test`;
    const r = await tscurl(['-s', '-S', '--crlf', '--mail-from', 'a@example.com', '--mail-rcpt', 'b@example.com', '-T',
      bodyFile('Subject: lf\n\n.line\nend'), url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.messages()[0]!.content.toString(), 'Subject: lf\r\n\r\n.line\r\nend\r\n');
    const v = await tscurl(['-s', '-S', '--mail-rcpt', 'someone', url]);
    assert.match(v.stdout, /^25[02] /);
  } finally {
    await srv.stop();
  }
});

test('SMTP: a READFUNCTION that pauses (CURL_READFUNC_PAUSE) sends the message once unpaused, as a pipe on stdin does for the CLI', { skip: NO_SMTPD }, async () => {
  const srv = await startAiosmtpd();
  try {
    const e = new Easy();
    const data = Buffer.from('Subject: paused\r\n\r\nafter a pause\r\n');
    let pos = 0;
    let paused = 0;
    e.setopt(CURLOPT.URL, `smtp://127.0.0.1:${srv.port}/client.test`);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.MAIL_FROM, 'sender@example.com');
    e.setopt(CURLOPT.MAIL_RCPT, ['a@example.com']);
    e.setopt(CURLOPT.TIMEOUT_MS, 10_000);
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      // nothing to give at first: pause, and unpause from a timer, as a reader waiting for input does
      if (paused++ === 0) {
        setTimeout(() => e.pause(CURLPAUSE.CONT), 50);
        return CURL_READFUNC_PAUSE;
      }
      const n = Math.min(buf.length, data.length - pos);
      data.copy(buf, 0, pos, pos + n);
      pos += n;
      return n;
    });
    const rc = await e.perform();
    assert.equal(rc, CURLE.OK, e.errorBuffer);
    assert.equal(paused, 3, 'paused once, then the message, then the end');
    e.cleanup();
    assert.equal(srv.messages()[0]?.content.toString('latin1'), 'Subject: paused\r\n\r\nafter a pause\r\n');
    // the CLI with a pipe on stdin (echo hi | tscurl -T - ...): the pipe is read when the upload asks
    const cli = await tscurlStdin(['-sS', '-T', '-', '--mail-from', 'c@example.com', '--mail-rcpt', 'd@example.com', `smtp://127.0.0.1:${srv.port}/client.test`], 'Subject: piped\r\n\r\nfrom a pipe\r\n');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(srv.messages()[1]?.content.toString('latin1'), 'Subject: piped\r\n\r\nfrom a pipe\r\n');
  } finally {
    await srv.stop();
  }
});

/** The CLI with `input` written to its stdin (a pipe) and then closed. */
function tscurlStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_MAIN, ...args], { timeout: 20_000, encoding: 'latin1' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}
