// CVE-2018-16839 (SASL user name buffer overflow): libcurl computed the
// PLAIN message's size from the user name's length and overflowed it for
// huge names. The C bug cannot happen here; its input can: a user name or
// a password of 1 MiB, and NUL bytes in them, for PLAIN, LOGIN, CRAM-MD5 and
// NTLM over SMTP. The server decodes what arrives and checks it against
// what was given: the encoding is exactly right, or the transfer fails
// cleanly with libcurl's code before anything wrong is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Socket } from 'node:net';
import { CURLE, CURLOPT } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startLineServer, type LineServer } from '../helpers/line-server.js';
import { NtlmAuthority } from '../helpers/ntlm-server.js';

const MIB = 1 << 20;
const CHALLENGE = Buffer.from('<1896.697170952@postoffice.example.net>');

interface Verifying {
  srv: LineServer;
  /** what the server decoded: "mech user password" checks that failed, empty when all matched */
  mismatches: string[];
}

/**
 * An SMTP server offering `mech` that decodes the client's SASL messages and
 * answers 235 only when they carry exactly `user` and `password`.
 */
async function smtpd(mech: string, user: string, password: string): Promise<Verifying> {
  const mismatches: string[] = [];
  const ntlm = new NtlmAuthority({ accounts: [{ user, password }] });
  const state = new WeakMap<Socket, { step: string; user?: string }>();
  const judge = (ok: boolean, what: string): string => {
    if (!ok) mismatches.push(what);
    return ok ? '235 ok\r\n' : '535 no\r\n';
  };
  const srv = await startLineServer('220 sasl\r\n', (line, s) => {
    const st = state.get(s) ?? { step: 'cmd' };
    state.set(s, st);
    if (st.step === 'data') {
      if (line === '.') st.step = 'cmd';
      return line === '.' ? '250 queued\r\n' : null;
    }
    if (st.step === 'cmd') {
      const cmd = line.split(' ')[0]!.toUpperCase();
      if (cmd === 'EHLO') return `250-sasl\r\n250 AUTH ${mech}\r\n`;
      if (cmd === 'AUTH') {
        st.step = mech;
        return mech === 'CRAM-MD5' ? `334 ${CHALLENGE.toString('base64')}\r\n` : '334 \r\n';
      }
      if (cmd === 'QUIT') return '221 bye\r\n';
      if (cmd === 'DATA') {
        st.step = 'data';
        return '354 go\r\n';
      }
      return '250 ok\r\n';
    }
    const msg = Buffer.from(line, 'base64');
    // the client's base64 must be canonical: decoding and encoding again gives the same text
    if (msg.toString('base64') !== line) mismatches.push('not canonical base64');
    switch (st.step) {
      case 'PLAIN':
        st.step = 'cmd';
        return judge(msg.equals(Buffer.concat([Buffer.from([0]), Buffer.from(user), Buffer.from([0]), Buffer.from(password)])), 'PLAIN');
      case 'LOGIN':
        if (st.user === undefined) {
          st.user = msg.toString('latin1');
          return '334 UGFzc3dvcmQ6\r\n';
        }
        st.step = 'cmd';
        return judge(st.user === user && msg.toString('latin1') === password, 'LOGIN');
      case 'CRAM-MD5': {
        st.step = 'cmd';
        const digest = createHmac('md5', password).update(CHALLENGE).digest('hex');
        return judge(msg.toString('latin1') === `${user} ${digest}`, 'CRAM-MD5');
      }
      case 'NTLM': {
        const v = ntlm.judge(0, `NTLM ${line}`);
        if (v.kind === 'challenge') return `334 ${v.value.slice(5)}\r\n`;
        st.step = 'cmd';
        return judge(v.kind === 'ok', `NTLM ${v.kind}`);
      }
    }
    return '500 ?\r\n';
  });
  return { srv, mismatches };
}

function send(port: number, user: string, password: string): ReturnType<typeof fetchUrl> {
  return fetchUrl(`smtp://127.0.0.1:${port}/`, (e) => {
    e.setopt(CURLOPT.USERNAME, user);
    e.setopt(CURLOPT.PASSWORD, password);
    e.setopt(CURLOPT.MAIL_FROM, '<a@example.com>');
    e.setopt(CURLOPT.MAIL_RCPT, ['<b@example.com>']);
    e.setopt(CURLOPT.UPLOAD, 1);
    const body = [Buffer.from('Subject: t\r\n\r\nhi\r\n')];
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      const next = body.shift();
      if (!next) return 0;
      next.copy(buf);
      return next.length;
    });
  });
}

test('SASL: 1 MiB user names and passwords for PLAIN, LOGIN and CRAM-MD5 arrive encoded exactly; NTLM takes a 1 MiB password', async () => {
  const cases: Array<[string, string, string]> = [];
  for (const mech of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
    cases.push([mech, 'u'.repeat(MIB), 'pw'], [mech, 'joe', 'p'.repeat(MIB)]);
  }
  cases.push(['NTLM', 'joe', 'p'.repeat(MIB)]);
  for (const [mech, user, password] of cases) {
    const v = await smtpd(mech, user, password);
    try {
      const r = await send(v.srv.port, user, password);
      assert.equal(r.code, CURLE.OK, `${mech} ${user.length}/${password.length}: ${r.easy.errorBuffer}`);
      r.easy.cleanup();
      assert.deepEqual(v.mismatches, [], mech);
      assert.ok(v.srv.lines.some((l) => l.startsWith(`AUTH ${mech}`)), mech);
    } finally {
      await v.srv.close();
    }
  }
});

test('SASL: NTLM with a 1 MiB user name fails cleanly (CURLE_OUT_OF_MEMORY, libcurl\'s message) with no type-3 sent', async () => {
  const user = 'u'.repeat(MIB);
  const v = await smtpd('NTLM', user, 'pw');
  try {
    const r = await send(v.srv.port, user, 'pw');
    assert.equal(r.code, CURLE.OUT_OF_MEMORY);
    assert.equal(r.easy.errorBuffer, 'user + domain + host name too big');
    r.easy.cleanup();
    // AUTH NTLM, the type-1, and nothing after the challenge
    const after = v.srv.lines.slice(v.srv.lines.findIndex((l) => l === 'AUTH NTLM'));
    assert.equal(after.length, 2);
    assert.equal(Buffer.from(after[1]!, 'base64').readUInt32LE(8), 1);
  } finally {
    await v.srv.close();
  }
});

test('SASL: a NUL in a PLAIN credential is CURLE_BAD_FUNCTION_ARGUMENT before AUTH; LOGIN and CRAM-MD5 carry it as given', async () => {
  for (const [user, password] of [['vic\0tim', 'pw'], ['joe', 'p\0w'], ['\0', '\0']] as const) {
    const v = await smtpd('PLAIN', user, password);
    try {
      const r = await send(v.srv.port, user, password);
      assert.equal(r.code, CURLE.BAD_FUNCTION_ARGUMENT, JSON.stringify(user));
      r.easy.cleanup();
      assert.ok(!v.srv.lines.some((l) => l.startsWith('AUTH')), 'no AUTH sent');
    } finally {
      await v.srv.close();
    }
  }
  for (const mech of ['LOGIN', 'CRAM-MD5']) {
    const v = await smtpd(mech, 'vic\0tim', 'p\0w');
    try {
      const r = await send(v.srv.port, 'vic\0tim', 'p\0w');
      assert.equal(r.code, CURLE.OK, `${mech}: ${r.easy.errorBuffer}`);
      r.easy.cleanup();
      assert.deepEqual(v.mismatches, [], mech);
    } finally {
      await v.srv.close();
    }
  }
});
