// The tscurl CLI against /usr/bin/curl 7.88.1 on FTP, SFTP and SMTP command
// lines a differential sweep found apart: each compared on the same command
// line against the same real server (vsftpd, sshd's internal-sftp, aiosmtpd).
// -w %{num_connects} counts FTP's passive data connection; QUOTE failures say
// "QUOT command failed with NNN" (POSTQUOTE: "QUOT string not accepted: CMD");
// --ssl-reqd against a server without AUTH TLS says strerror's text;
// %{ftp_entry_path} is SFTP's home directory; %{response_code} is SMTP's
// last reply code; -v says "Maxdownload" and "Getting file with size" as
// ftp_state_get_resp says them.
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { assertSameAsCurl, curl, tscurl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { startVsftpd } from '../helpers/vsftpd.js';
import { startSshd } from '../helpers/sshd.js';
import { startAiosmtpd } from '../helpers/aiosmtpd.js';

const NO_FTP = requirePrograms(['curl', 'curl'], ['vsftpd', 'vsftpd']);
const NO_SSH = requirePrograms(['curl', 'curl'], ['sshd', 'openssh-server']);
const NO_SMTP = requirePrograms(['curl', 'curl'], ['aiosmtpd', 'python3-aiosmtpd']);

test('FTP: num_connects counts the data connection; QUOTE failures and --ssl-reqd say what curl 7.88 says', { skip: NO_FTP }, async () => {
  const srv = await startVsftpd();
  const cwd = mkdtempSync(join(tmpdir(), 'tscurl-sweep-'));
  try {
    writeFileSync(join(srv.root, 'a.txt'), 'hello\n');
    writeFileSync(join(srv.root, 'b.txt'), 'second\n');
    const a = srv.url('/a.txt');
    const same = (args: string[]): Promise<void> => assertSameAsCurl(['-sS', ...args], { cwd });
    // passive: control + data; the reused control connection's second transfer opens only a data connection
    await same(['-w', '%{num_connects}\\n', a, srv.url('/b.txt')]);
    // no data connection (-I), and an accepted one (-P) that curl does not count
    await same(['-I', '-w', '%{num_connects}\\n', a]);
    await same(['-P', '127.0.0.1', '-w', '%{num_connects}\\n', a]);
    await same(['-w', '%{num_connects}\\n', srv.url('/nope.txt')]);
    await same(['-Q', 'BOGUS', a]);
    await same(['-Q', '+BOGUS', a]);
    await same(['-Q', '-BOGUS', a]);
    await same(['-Q', '-*BOGUS', '-Q', '-NOOP', a]);
    await same(['-Q', '-NOOP', '-Q', '-*BOGUS', '-Q', '-ALSOBOGUS', a]);
    await same(['--ssl-reqd', a]);
  } finally {
    await srv.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('FTP -v: the Maxdownload and Getting file with size lines', { skip: NO_FTP }, async () => {
  const srv = await startVsftpd();
  try {
    writeFileSync(join(srv.root, 'a.txt'), 'hello vsftpd\n');
    const a = srv.url('/a.txt');
    const lines = (s: string): string[] => s.split('\n').filter((l) => /^\* (Maxdownload|Getting file)/.test(l));
    // a plain download, a range (its size), ASCII (unknown size), a listing (no "Getting file")
    for (const args of [[a], ['-r', '2-5', a], ['-B', a], [srv.url('/')]]) {
      const ours = await tscurl(['-sS', '-v', '-o', '/dev/null', ...args]);
      const theirs = await curl(['-sS', '-v', '-o', '/dev/null', ...args]);
      assert.ok(lines(theirs.stderr).length > 0, args.join(' '));
      assert.deepEqual(lines(ours.stderr), lines(theirs.stderr), args.join(' '));
    }
  } finally {
    await srv.stop();
  }
});

test('SFTP: %{ftp_entry_path} is the home directory', { skip: NO_SSH }, async () => {
  const s = await startSshd();
  try {
    writeFileSync(join(s.home, 'a.txt'), 'hello ssh\n');
    const base = ['-sS', '-u', `${s.user}:`, '--key', s.key, '--pubkey', s.pub, '-k'];
    const url = `sftp://127.0.0.1:${s.port}/~/a.txt`;
    await assertSameAsCurl([...base, '-w', '%{ftp_entry_path}\\n', url]);
    // the second transfer reuses the connection: the same entry path
    await assertSameAsCurl([...base, '-w', '[%{ftp_entry_path}]\\n', url, url]);
    // SCP has none
    await assertSameAsCurl([...base, '-w', '[%{ftp_entry_path}]\\n', `scp://127.0.0.1:${s.port}/~/a.txt`]);
  } finally {
    await s.stop();
  }
});

test('SMTP: %{response_code} is the last reply code', { skip: NO_SMTP }, async () => {
  const srv = await startAiosmtpd({ user: 'u', password: 'p' });
  const cwd = mkdtempSync(join(tmpdir(), 'tscurl-sweep-'));
  try {
    writeFileSync(join(cwd, 'm.txt'), 'Subject: t\r\n\r\nbody\r\n');
    const url = `smtp://127.0.0.1:${srv.port}`;
    const w = ['-w', '%{response_code}\\n'];
    const same = (args: string[]): Promise<void> => assertSameAsCurl(['-sS', ...w, ...args], { cwd });
    await same(['--mail-from', 'a@b', '--mail-rcpt', 'c@d', '-T', 'm.txt', url]);
    await same(['--mail-from', 'a@b', '--mail-rcpt', 'c@d', '-T', 'm.txt', '-u', 'u:p', url, url]);
    await same(['--mail-from', 'a@b', '--mail-rcpt', 'reject@d', '-T', 'm.txt', url]);
    await same(['--mail-from', 'a@b', '--mail-rcpt', 'reject@d', '--mail-rcpt', 'c@d', '--mail-rcpt-allowfails', '-T', 'm.txt', url]);
    await same(['-X', 'NOOP', url]);
    await same(['-X', 'BOGUS', url]);
    await same([url]);
  } finally {
    await srv.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
});
