// IMAP and POP3 against Debian's dovecot (a real server): APPEND a message
// with lines that start with ".", LIST, SELECT + FETCH by UID and by
// MAILINDEX (whole, SECTION, PARTIAL), SEARCH, UIDVALIDITY checks, a custom
// command, SASL (CRAM-MD5, PLAIN with SASL-IR, LOGIN via AUTH=+LOGIN); POP3
// LIST, RETR with dot-unstuffing, --list-only, APOP, DELE; wrong passwords.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from '../helpers/requires.js';
import { startDovecot } from '../helpers/dovecot.js';
import { tscurl } from '../helpers/cli-run.js';

const NO_DOVECOT = requireProgram('dovecot', 'dovecot-imapd dovecot-pop3d');

const MESSAGE = 'From: a@example.com\r\nSubject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\nlast line\r\n';

test('IMAP against dovecot: APPEND, LIST, FETCH by UID/MAILINDEX with SECTION and PARTIAL, SEARCH, UIDVALIDITY, custom commands', { skip: NO_DOVECOT }, async () => {
  const d = await startDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-imap-'));
  try {
    const base = `imap://127.0.0.1:${d.imapPort}`;
    const u = `${d.user}:${d.password}`;
    writeFileSync(join(dir, 'msg.eml'), MESSAGE);
    const up = await tscurl(['-s', '-S', '-u', u, '-T', join(dir, 'msg.eml'), `${base}/INBOX`]);
    assert.equal(up.code, 0, up.stderr);
    const list = await tscurl(['-s', '-S', '-u', u, `${base}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\* LIST \(.*\) "\." INBOX\r\n$/);
    const byUid = await tscurl(['-s', '-S', '-u', u, `${base}/INBOX/;UID=1`]);
    assert.equal(byUid.code, 0, byUid.stderr);
    assert.equal(byUid.stdout, MESSAGE);
    const text = await tscurl(['-s', '-S', '-u', u, `${base}/INBOX/;MAILINDEX=1/;SECTION=TEXT`]);
    assert.equal(text.stdout, '.starts with a dot\r\n..two dots\r\nlast line\r\n');
    const part = await tscurl(['-s', '-S', '-u', u, `${base}/INBOX/;UID=1/;PARTIAL=0.4`]);
    assert.equal(part.stdout, 'From');
    const search = await tscurl(['-s', '-S', '-u', u, `${base}/INBOX?SUBJECT%20dots`]);
    assert.equal(search.stdout, '* SEARCH 1\r\n');
    const examine = await tscurl(['-s', '-S', '-u', u, '-X', 'EXAMINE INBOX', `${base}/`]);
    assert.equal(examine.code, 0);
    assert.match(examine.stdout, /^\* 1 EXISTS\r\n/m);
    // a wrong UIDVALIDITY: the message is not that one
    const stale = await tscurl(['-s', '-S', '-u', u, `${base}/INBOX;UIDVALIDITY=1/;UID=1`]);
    assert.equal(stale.code, 78);
    assert.match(stale.stderr, /Mailbox UIDVALIDITY has changed/);
    const missing = await tscurl(['-s', '-u', u, `${base}/INBOX/;UID=99`]);
    assert.equal(missing.code, 78);
    // each SASL mechanism and LOGIN
    for (const opts of ['AUTH=CRAM-MD5', 'AUTH=PLAIN', 'AUTH=LOGIN', 'AUTH=+LOGIN']) {
      const r = await tscurl(['-s', '-S', '-v', '--sasl-ir', '--login-options', opts, '-u', u, `${base}/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(SUBJECT)`]);
      assert.equal(r.code, 0, `${opts}: ${r.stderr}`);
      assert.equal(r.stdout, 'Subject: dots\r\n\r\n', opts);
      const mech = opts.slice(5);
      assert.match(r.stderr, mech === '+LOGIN' ? /> A002 LOGIN user secret/ : new RegExp(`> A002 AUTHENTICATE ${mech}`), opts);
    }
    // a custom FETCH whose answer carries a literal: the line, then the literal's bytes, nothing after
    const custom = await tscurl(['-s', '-S', '-u', u, '-X', 'UID FETCH 1 BODY[]', `${base}/INBOX`]);
    assert.equal(custom.code, 0, custom.stderr);
    assert.equal(custom.stdout, `* 1 FETCH (UID 1 BODY[] {${MESSAGE.length}}\r\n${MESSAGE}`);
    // UPLOAD_FLAGS (--upload-flags): the flags dovecot keeps for each APPENDed message
    const flagsOf = async (uid: number): Promise<string> => {
      const f = await tscurl(['-s', '-S', '-u', u, '-X', `UID FETCH ${uid} FLAGS`, `${base}/INBOX`]);
      assert.equal(f.code, 0, f.stderr);
      const flags = /FLAGS \(([^)]*)\)/.exec(f.stdout)?.[1] ?? `no FLAGS in ${f.stdout}`;
      // \Recent is the server's own, for the first session that sees the message
      return flags.split(' ').filter((x) => x !== '\\Recent').join(' ');
    };
    assert.equal(await flagsOf(1), '\\Seen', 'the default marks an upload read');
    const flagged = await tscurl(['-s', '-S', '-u', u, '--upload-flags', 'flagged,draft,-seen', '-T', join(dir, 'msg.eml'), `${base}/INBOX`]);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.deepEqual((await flagsOf(2)).split(' ').sort(), ['\\Draft', '\\Flagged']);
    const unread = await tscurl(['-s', '-S', '-u', u, '--upload-flags', '-seen', '-T', join(dir, 'msg.eml'), `${base}/INBOX`]);
    assert.equal(unread.code, 0, unread.stderr);
    assert.equal(await flagsOf(3), '');
    const unknown = await tscurl(['-s', '-S', '-u', u, '--upload-flags', 'Seen', '-T', join(dir, 'msg.eml'), `${base}/INBOX`]);
    assert.equal(unknown.code, 2, 'flag names are case-sensitive');
    const bad = await tscurl(['-s', '-S', '-u', `${d.user}:wrong`, `${base}/`]);
    assert.equal(bad.code, 67);
    const badLogin = await tscurl(['-s', '-S', '--login-options', 'AUTH=+LOGIN', '-u', `${d.user}:wrong`, `${base}/`]);
    assert.equal(badLogin.code, 67);
    assert.match(badLogin.stderr, /Access denied\. N/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await d.stop();
  }
});

test('POP3 against dovecot: LIST, RETR (dot-unstuffed), --list-only, APOP, DELE, wrong password', { skip: NO_DOVECOT }, async () => {
  const d = await startDovecot();
  try {
    d.deliver(MESSAGE);
    d.deliver('Subject: second\r\n\r\nbody\r\n');
    const base = `pop3://127.0.0.1:${d.pop3Port}`;
    const u = `${d.user}:${d.password}`;
    const list = await tscurl(['-s', '-S', '-u', u, `${base}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, `1 ${MESSAGE.length}\r\n2 25\r\n`);
    const one = await tscurl(['-s', '-S', '-u', u, `${base}/1`]);
    assert.equal(one.stdout, MESSAGE);
    const lo = await tscurl(['-s', '-S', '-v', '-l', '-u', u, `${base}/2`]);
    assert.equal(lo.stdout, '');
    assert.match(lo.stderr, /> LIST 2\r?\n< \+OK 2 25/);
    const apop = await tscurl(['-s', '-S', '-v', '--login-options', 'AUTH=+APOP', '-u', u, `${base}/2`]);
    assert.equal(apop.code, 0, apop.stderr);
    assert.match(apop.stderr, /> APOP user [0-9a-f]{32}/);
    assert.equal(apop.stdout, 'Subject: second\r\n\r\nbody\r\n');
    // single-line answers (STAT, NOOP, DELE) end the transfer without -I: nothing waits for a dot-terminated body
    for (const cmd of ['STAT', 'NOOP']) {
      const r = await tscurl(['-s', '-S', '-X', cmd, '-u', u, `${base}/`]);
      assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
      assert.equal(r.stdout, '', cmd);
    }
    const dele = await tscurl(['-s', '-S', '-X', 'DELE', '-u', u, `${base}/1`]);
    assert.equal(dele.code, 0, dele.stderr);
    const after = await tscurl(['-s', '-S', '-u', u, `${base}/`]);
    assert.equal(after.stdout, '1 25\r\n');
    const gone = await tscurl(['-s', '-S', '-l', '-u', u, `${base}/5`]);
    assert.equal(gone.code, 8);
    const bad = await tscurl(['-s', '-S', '-u', `${d.user}:nope`, `${base}/`]);
    assert.equal(bad.code, 67);
  } finally {
    await d.stop();
  }
});
