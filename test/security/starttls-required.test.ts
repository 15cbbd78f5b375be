// CVE-2021-22946: with USE_SSL set to CONTROL or ALL (the tool's --ssl-reqd),
// a server that does not offer STARTTLS/STLS/AUTH TLS, or refuses it, fails the
// transfer with CURLE_USE_SSL_FAILED before any credential or mail command goes
// out in cleartext; for IMAP, POP3, SMTP and FTP, against scripted loopback
// servers. USE_SSL=TRY (--ssl) carries on in cleartext, as libcurl does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startLineServer, type LineServer } from '../helpers/line-server.js';

const USESSL = { TRY: 1, CONTROL: 2, ALL: 3 } as const;

const scripted = (greeting: string, reply: (line: string) => string | null): Promise<LineServer> => startLineServer(greeting, reply);

async function perform(url: string, useSsl: number, more: (e: Easy) => void = () => {}): Promise<{ rc: number; err: string }> {
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.USE_SSL, useSsl);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.TIMEOUT_MS, 10_000); // only a guard: with the protection gone the cleartext session may stall
    more(e);
    return { rc: await e.perform(), err: e.errorBuffer };
  } finally {
    e.cleanup();
  }
}

const imapTag = (line: string): string => line.split(' ')[0]!;
const imap = (offer: boolean) => (line: string): string => {
  const [tag, cmd = ''] = line.split(' ');
  if (/^CAPABILITY$/i.test(cmd)) return `* CAPABILITY IMAP4rev1${offer ? ' STARTTLS' : ''} AUTH=PLAIN\r\n${tag} OK done\r\n`;
  if (/^STARTTLS$/i.test(cmd)) return `${tag} NO not today\r\n`;
  return `${imapTag(line)} OK fine\r\n`;
};
const pop3 = (offer: boolean) => (line: string): string => {
  if (/^CAPA$/i.test(line)) return `+OK\r\nUSER\r\n${offer ? 'STLS\r\n' : ''}.\r\n`;
  if (/^STLS$/i.test(line)) return '-ERR not today\r\n';
  if (/^RETR/i.test(line)) return '+OK\r\nx\r\n.\r\n';
  return '+OK\r\n';
};
const smtp = (offer: boolean) => (line: string): string | null => {
  const cmd = line.split(' ')[0]!.toUpperCase();
  if (cmd === 'EHLO') return offer ? '250-hi\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n' : '250-hi\r\n250 AUTH PLAIN\r\n';
  if (cmd === 'STARTTLS') return '454 TLS not available\r\n';
  if (cmd === 'DATA') return '354 go\r\n';
  if (line === '.') return '250 queued\r\n';
  if (line === '') return null;
  return cmd === 'QUIT' ? '221 bye\r\n' : '250 ok\r\n';
};
const ftp = (line: string): string => {
  const cmd = line.split(' ')[0]!.toUpperCase();
  if (cmd === 'AUTH') return '530 no TLS here\r\n';
  if (cmd === 'USER') return '331 password\r\n';
  return '230 ok\r\n';
};

/** Commands that must never be sent in cleartext when TLS is required. */
const SECRET = /^(\S+ )?(LOGIN|AUTHENTICATE|USER|PASS|APOP|AUTH PLAIN|AUTH LOGIN|MAIL|RCPT|SELECT|RETR|LIST)\b/i;

const smtpSetup = (e: Easy): void => {
  e.setopt(CURLOPT.MAIL_FROM, '<a@example.com>');
  e.setopt(CURLOPT.MAIL_RCPT, ['<b@example.com>']);
  e.setopt(CURLOPT.UPLOAD, 1);
  let sent = false;
  e.setopt(CURLOPT.READFUNCTION, (b: Buffer) => (sent ? 0 : ((sent = true), b.write('Subject: x\r\n\r\nhi\r\n'))));
};

const cases = [
  { name: 'IMAP', greeting: '* OK ready\r\n', reply: imap, url: (p: number) => `imap://user:secret@127.0.0.1:${p}/INBOX;UID=1`, setup: undefined },
  { name: 'POP3', greeting: '+OK ready\r\n', reply: pop3, url: (p: number) => `pop3://user:secret@127.0.0.1:${p}/1`, setup: undefined },
  { name: 'SMTP', greeting: '220 ready\r\n', reply: smtp, url: (p: number) => `smtp://user:secret@127.0.0.1:${p}/`, setup: smtpSetup },
];

for (const c of cases) {
  test(`CVE-2021-22946 ${c.name}: STARTTLS required but not offered, or refused, is CURLE_USE_SSL_FAILED with nothing secret sent`, async () => {
    for (const offer of [false, true]) {
      for (const level of [USESSL.CONTROL, USESSL.ALL]) {
        const srv = await scripted(c.greeting, c.reply(offer));
        try {
          const r = await perform(c.url(srv.port), level, c.setup);
          assert.equal(r.rc, CURLE.USE_SSL_FAILED, `offer=${offer} level=${level}: ${r.err} ${srv.lines.join(' | ')}`);
          assert.deepEqual(srv.lines.filter((l) => SECRET.test(l)), [], 'a command went out in cleartext');
        } finally {
          await srv.close();
        }
      }
    }
  });
}

test('CVE-2021-22946 FTP: AUTH TLS and AUTH SSL both refused under USE_SSL CONTROL/ALL is CURLE_USE_SSL_FAILED before USER', async () => {
  for (const level of [USESSL.CONTROL, USESSL.ALL]) {
    const srv = await scripted('220 ready\r\n', ftp);
    try {
      const r = await perform(`ftp://user:secret@127.0.0.1:${srv.port}/f.txt`, level);
      assert.equal(r.rc, CURLE.USE_SSL_FAILED, `${r.err} ${srv.lines.join(' | ')}`);
      assert.deepEqual(srv.lines.filter((l) => SECRET.test(l)), []);
      assert.deepEqual(srv.lines.slice(0, 2), ['AUTH SSL', 'AUTH TLS']);
    } finally {
      await srv.close();
    }
  }
});

test('USE_SSL=TRY (--ssl) with a refused STARTTLS carries on in cleartext, as libcurl', async () => {
  const srv = await scripted('220 ready\r\n', smtp(true));
  try {
    const r = await perform(`smtp://127.0.0.1:${srv.port}/`, USESSL.TRY, smtpSetup);
    assert.equal(r.rc, CURLE.OK, r.err);
    assert.ok(srv.lines.includes('STARTTLS'));
    assert.ok(srv.lines.includes('MAIL FROM:<a@example.com>'));
  } finally {
    await srv.close();
  }
});
