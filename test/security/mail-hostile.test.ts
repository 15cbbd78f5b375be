// Mail servers that misbehave, scripted over loopback: error replies map to
// libcurl's CURLcodes (a refused AUTH is 67, MAIL_AUTH/SIZE go on MAIL FROM),
// a server that floods lines or never answers fails with a code and frees the
// connection, bytes pipelined behind the STARTTLS go-ahead are refused
// (CVE-2021-22947), a FETCH literal cut short is a partial file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startLineServer, type LineServer } from '../helpers/line-server.js';

interface Script {
  greeting: string;
  /** the reply to one command line (without CRLF); null: say nothing */
  reply(line: string, s: Socket): string | null;
}

function scripted(script: Script): Promise<LineServer> {
  return startLineServer(script.greeting, script.reply);
}

async function perform(url: string, opts: Array<[number, unknown]>): Promise<{ rc: number; err: string; body: string }> {
  const e = new Easy();
  let body = '';
  try {
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      body += d.toString('latin1');
      return d.length;
    });
    for (const [k, v] of opts) e.setopt(k as never, v as never);
    const rc = await e.perform();
    return { rc, err: e.errorBuffer ?? '', body };
  } finally {
    e.cleanup();
  }
}

const smtpOk = (extra: string[] = []) => (line: string): string | null => {
  const cmd = line.split(' ')[0]!.toUpperCase();
  if (cmd === 'EHLO') return ['250-hi', ...extra.map((x) => `250-${x}`), '250 OK'].join('\r\n') + '\r\n';
  if (cmd === 'DATA') return '354 go\r\n';
  if (cmd === 'QUIT') return '221 bye\r\n';
  if (line === '.') return '250 queued\r\n';
  if (cmd === 'AUTH') return line.startsWith('AUTH PLAIN ') ? '535 5.7.8 no\r\n' : '334 \r\n';
  if (/^(MAIL|RCPT)/.test(cmd)) return '250 ok\r\n';
  return null;
};

test('SMTP: a refused AUTH is CURLE_LOGIN_DENIED; MAIL FROM carries AUTH= and SIZE= when the server has them', async () => {
  const srv = await scripted({ greeting: '220 hi\r\n', reply: smtpOk(['AUTH PLAIN', 'SIZE 1000']) });
  try {
    const denied = await perform(`smtp://127.0.0.1:${srv.port}/`, [[CURLOPT.USERPWD, 'u:p'], [CURLOPT.SASL_IR, 1], [CURLOPT.MAIL_RCPT, ['a@b']]]);
    assert.equal(denied.rc, CURLE.LOGIN_DENIED);
    assert.ok(srv.lines.includes('AUTH PLAIN AHUAcA=='));
    // without credentials: no AUTH; the body size announced
    const body = 'hello\r\n';
    const ok = await perform(`smtp://127.0.0.1:${srv.port}/`, [[CURLOPT.UPLOAD, 1], [CURLOPT.INFILESIZE, body.length],
      [CURLOPT.READFUNCTION, ((sent = false) => (b: Buffer) => (sent ? 0 : ((sent = true), b.write(body))))()],
      [CURLOPT.MAIL_FROM, 'from@x'], [CURLOPT.MAIL_RCPT, ['a@b']], [CURLOPT.MAIL_AUTH, '']]);
    assert.equal(ok.rc, CURLE.OK, ok.err);
    // MAIL_AUTH only goes with an authenticated session
    assert.ok(srv.lines.includes(`MAIL FROM:<from@x> SIZE=${body.length}`), srv.lines.join('|'));
  } finally {
    await srv.close();
  }
});

test('a server that floods response lines fails with CURLE_WEIRD_SERVER_REPLY', async () => {
  const srv = await scripted({
    greeting: '220 hi\r\n',
    reply: (line, s) => {
      if (!line.startsWith('EHLO')) return null;
      // more lines than any response may have; the client gives up first
      const chunk = '250-flood\r\n'.repeat(1000);
      for (let i = 0; i < 12 && !s.destroyed; i++) s.write(chunk);
      return null;
    },
  });
  try {
    const r = await perform(`smtp://127.0.0.1:${srv.port}/`, [[CURLOPT.MAIL_RCPT, ['a@b']], [CURLOPT.SERVER_RESPONSE_TIMEOUT, 30]]);
    assert.equal(r.rc, CURLE.WEIRD_SERVER_REPLY);
    const long = await scripted({ greeting: '* OK ' + 'x'.repeat(200_000), reply: () => null });
    try {
      const r2 = await perform(`imap://127.0.0.1:${long.port}/`, []);
      assert.equal(r2.rc, CURLE.WEIRD_SERVER_REPLY);
    } finally {
      await long.close();
    }
  } finally {
    await srv.close();
  }
});

test('a server that never answers: SERVER_RESPONSE_TIMEOUT ends it with CURLE_OPERATION_TIMEDOUT', async () => {
  const srv = await scripted({ greeting: '', reply: () => null });
  try {
    const r = await perform(`pop3://127.0.0.1:${srv.port}/`, [[CURLOPT.SERVER_RESPONSE_TIMEOUT, 1]]);
    assert.equal(r.rc, CURLE.OPERATION_TIMEDOUT);
  } finally {
    await srv.close();
  }
});

test('bytes pipelined behind the STARTTLS go-ahead are refused, not read as if they came over TLS', async () => {
  const srv = await scripted({
    greeting: '220 hi\r\n',
    reply: (line) => {
      if (line.startsWith('EHLO')) return '250-hi\r\n250 STARTTLS\r\n';
      if (line === 'STARTTLS') return '220 go ahead\r\n250 injected\r\n';
      return null;
    },
  });
  try {
    const r = await perform(`smtp://127.0.0.1:${srv.port}/`, [[CURLOPT.USE_SSL, 3], [CURLOPT.MAIL_RCPT, ['a@b']]]);
    assert.equal(r.rc, CURLE.WEIRD_SERVER_REPLY);
  } finally {
    await srv.close();
  }
});

test('IMAP: a FETCH literal cut short by the server is CURLE_PARTIAL_FILE; a NO to FETCH is CURLE_REMOTE_FILE_NOT_FOUND', async () => {
  const srv = await scripted({
    greeting: '* OK hi\r\n',
    reply: (line, s) => {
      const [tag, cmd, arg] = line.split(' ');
      if (cmd === 'CAPABILITY') return `* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`;
      if (cmd === 'SELECT') return `* OK [UIDVALIDITY 7] ok\r\n${tag} OK selected\r\n`;
      if (cmd === 'FETCH' && arg === '1') {
        s.end('* 1 FETCH (BODY[] {100}\r\nonly this much');
        return null;
      }
      if (cmd === 'FETCH') return `${tag} NO no such message\r\n`;
      return null;
    },
  });
  try {
    const cut = await perform(`imap://127.0.0.1:${srv.port}/INBOX/;MAILINDEX=1`, []);
    assert.equal(cut.rc, CURLE.PARTIAL_FILE);
    assert.equal(cut.body, 'only this much');
    const none = await perform(`imap://127.0.0.1:${srv.port}/INBOX;UIDVALIDITY=7/;MAILINDEX=2`, []);
    assert.equal(none.rc, CURLE.REMOTE_FILE_NOT_FOUND);
  } finally {
    await srv.close();
  }
});

test('a CR or LF inside MAIL_FROM or MAIL_RCPT never injects a command: CURLE_BAD_FUNCTION_ARGUMENT', async () => {
  const srv = await scripted({ greeting: '220 hi\r\n', reply: smtpOk() });
  try {
    const body = 'hello\r\n';
    const send = (from: string, rcpt: string): Promise<{ rc: number; err: string }> =>
      perform(`smtp://127.0.0.1:${srv.port}/`, [[CURLOPT.UPLOAD, 1], [CURLOPT.INFILESIZE, body.length],
        [CURLOPT.READFUNCTION, ((sent = false) => (b: Buffer) => (sent ? 0 : ((sent = true), b.write(body))))()],
        [CURLOPT.MAIL_FROM, from], [CURLOPT.MAIL_RCPT, [rcpt]]]);
    for (const [from, rcpt] of [['a@b\r\nDATA', 'c@d'], ['a@b', 'c@d\nRSET'], ['a@b\rRSET', 'c@d']] as const) {
      const r = await send(from, rcpt);
      assert.equal(r.rc, CURLE.BAD_FUNCTION_ARGUMENT, r.err);
    }
    assert.ok(!srv.lines.some((l) => /^(DATA|RSET)/.test(l)), srv.lines.join('|'));
    // positive control: the same transfer with clean addresses sends its message
    const ok = await send('a@b', 'c@d');
    assert.equal(ok.rc, CURLE.OK, ok.err);
    assert.ok(srv.lines.includes('DATA'));
  } finally {
    await srv.close();
  }
});

test('a pooled mail connection logged in as one user never serves another user (libcurl\'s ConnectionExists for protocols without CREDSPERREQUEST)', async () => {
  const reply = (line: string): string | null => {
    if (line.startsWith('AUTH PLAIN ')) return '235 ok\r\n';
    return smtpOk(['AUTH PLAIN'])(line);
  };
  const srv = await scripted({ greeting: '220 hi\r\n', reply });
  const e = new Easy();
  try {
    const body = 'hello\r\n';
    const send = async (userpwd: string): Promise<void> => {
      e.setopt(CURLOPT.URL, `smtp://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.USERPWD, userpwd);
      e.setopt(CURLOPT.SASL_IR, 1);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, body.length);
      e.setopt(CURLOPT.READFUNCTION, ((sent = false) => (b: Buffer) => (sent ? 0 : ((sent = true), b.write(body))))());
      e.setopt(CURLOPT.MAIL_RCPT, ['c@d']);
      assert.equal(await e.perform(), CURLE.OK, e.errorBuffer ?? '');
    };
    const connections = (): number => srv.lines.filter((l) => l.startsWith('EHLO')).length;
    await send('one:secret');
    await send('one:secret');
    assert.equal(connections(), 1, 'the same login reuses the connection');
    await send('two:secret');
    assert.equal(connections(), 2, 'another user gets a connection of its own');
    const auths = srv.lines.filter((l) => l.startsWith('AUTH PLAIN '));
    assert.deepEqual(auths.map((l) => Buffer.from(l.slice(11), 'base64').toString('latin1')), ['\0one\0secret', '\0two\0secret']);
    await send('one:other');
    assert.equal(connections(), 3, 'the same user with another password too');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('IMAP: a URL query with a CR LF in it is no query (the mailbox is listed), as libcurl drops a query that does not decode', async () => {
  const srv = await scripted({
    greeting: '* OK hi\r\n',
    reply: (line) => {
      const [tag, cmd] = line.split(' ');
      if (cmd === 'CAPABILITY') return `* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`;
      if (cmd === 'LOGOUT') return `* BYE\r\n${tag} OK bye\r\n`;
      if (cmd === 'LIST') return `* LIST () "/" INBOX\r\n${tag} OK listed\r\n`;
      return `${tag} OK done\r\n`;
    },
  });
  try {
    const r = await perform(`imap://127.0.0.1:${srv.port}/INBOX?SUBJECT%20x%0d%0aB1%20DELETE%20INBOX`, [[CURLOPT.USERPWD, 'a:b']]);
    assert.equal(r.rc, CURLE.OK, r.err);
    assert.ok(srv.lines.some((l) => /^A\d+ LIST "INBOX" \*$/.test(l)), srv.lines.join('\n'));
    assert.ok(!srv.lines.some((l) => /SEARCH|DELETE/.test(l)), srv.lines.join('\n'));
    // control: a query that decodes is a SEARCH
    const s = await perform(`imap://127.0.0.1:${srv.port}/INBOX?SUBJECT%20x`, [[CURLOPT.USERPWD, 'a:b']]);
    assert.equal(s.rc, CURLE.OK, s.err);
    assert.ok(srv.lines.some((l) => /^A\d+ SEARCH SUBJECT x$/.test(l)), srv.lines.join('\n'));
  } finally {
    await srv.close();
  }
});
