// SFTP against Debian's OpenSSH (test/helpers/sshd.ts), compared with curl
// 7.88 on the same server: downloads with RANGE and RESUME_FROM, "~/" paths,
// directory listings, uploads (NEW_FILE_PERMS, APPEND, resume, create
// dirs), NOBODY and FILETIME, and the QUOTE / POSTQUOTE commands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, lstatSync, existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, sshArgs, type Sshd } from '../helpers/sshd.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startSocksServer } from '../helpers/socks-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
const NO_CURL = requirePrograms(['curl', 'curl']);
let s: Sshd;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'hello world\n');
  mkdirSync(join(s.home, 'sub'));
  writeFileSync(join(s.home, 'sub', 'x.bin'), Buffer.alloc(300000, 7));
  symlinkSync('a.txt', join(s.home, 'link'));
});
after(async () => {
  if (s) await s.stop();
});

function login(e: Easy): void {
  e.setopt(CURLOPT.USERNAME, s.user);
  e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
}

/** curl and tscurl with the same arguments: the same exit code, output and messages. */
async function same(args: string[]): Promise<{ code: number; stdout: string }> {
  const a = await tscurl(args);
  if (!NO_CURL) {
    const c = await curl(args);
    assert.equal(a.code, c.code, `exit code of ${args.join(' ')}: ${a.stderr}`);
    assert.equal(a.stdout, c.stdout, `output of ${args.join(' ')}`);
    assert.equal(normalise(a.stderr), normalise(c.stderr), `messages of ${args.join(' ')}`);
  }
  return a;
}

test('an SFTP download through the library: the file, its size, CURLINFO_PROTOCOL', { skip: SKIP }, async () => {
  const r = await fetchUrl(`sftp://127.0.0.1:${s.port}${s.home}/sub/x.bin`, (e) => {
    login(e);
    e.setopt(CURLOPT.FILETIME, 1);
  });
  try {
    assert.equal(r.code, CURLE.OK);
    assert.ok(r.bytes.equals(Buffer.alloc(300000, 7)));
    assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 300000);
    assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), 300000);
    assert.equal(r.easy.getinfo(CURLINFO.SCHEME), 'SFTP');
    assert.equal(r.easy.getinfo(CURLINFO.FILETIME), Math.floor(statSync(join(s.home, 'sub', 'x.bin')).mtimeMs / 1000));
  } finally {
    r.easy.cleanup();
  }
});

test('downloads as curl: "~/" paths, ranges, resume, a missing file, NOBODY', { skip: SKIP }, async () => {
  const u = `sftp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  assert.equal((await same(['-sS', ...k, `${u}/~/a.txt`])).stdout, 'hello world\n');
  assert.equal((await same(['-sS', ...k, `${u}${s.home}/a.txt`])).stdout, 'hello world\n');
  assert.equal((await same(['-sS', ...k, '-r', '2-4', `${u}/~/a.txt`])).stdout, 'llo');
  assert.equal((await same(['-sS', ...k, '-r', '-3', `${u}/~/a.txt`])).stdout, 'ld\n');
  assert.equal((await same(['-sS', ...k, '-r', '5-', `${u}/~/a.txt`])).stdout, ' world\n');
  assert.equal((await same(['-sS', ...k, '-C', '6', `${u}/~/a.txt`])).stdout, 'world\n');
  assert.equal((await same(['-sS', ...k, '-C', '60', `${u}/~/a.txt`])).code, CURLE.BAD_DOWNLOAD_RESUME);
  assert.equal((await same(['-sS', ...k, `${u}/~/nope.txt`])).code, CURLE.REMOTE_FILE_NOT_FOUND);
  assert.equal((await same(['-sS', ...k, '-I', `${u}/~/a.txt`])).stdout, '');
});

test('directory listings as curl prints them: long form with link targets, and -l names', { skip: SKIP }, async () => {
  const u = `sftp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  const long = await same(['-sS', ...k, `${u}/~/`]);
  assert.equal(long.code, 0);
  assert.match(long.stdout, /^l.* link -> a\.txt$/m);
  assert.match(long.stdout, /^d.* sub$/m);
  assert.match(long.stdout, /^d.* \.\.$/m);
  const names = await same(['-sS', ...k, '-l', `${u}/~/`]);
  assert.deepEqual(names.stdout.split('\n').filter(Boolean).sort(), ['.', '..', 'a.txt', 'link', 'sub']);
  assert.equal((await same(['-sS', ...k, `${u}/~/nope/`])).code, CURLE.REMOTE_FILE_NOT_FOUND);
});

test('uploads: NEW_FILE_PERMS, APPEND, resume, FTP_CREATE_MISSING_DIRS with NEW_DIRECTORY_PERMS', { skip: SKIP }, async () => {
  const u = `sftp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  const src = join(s.dir, 'up.txt');
  writeFileSync(src, 'up\n');
  const old = process.umask(0);
  try {
    assert.equal((await tscurl(['-sS', ...k, '--create-file-mode', '0600', '-T', src, `${u}/~/up1.txt`])).code, 0);
    assert.equal(readFileSync(join(s.home, 'up1.txt'), 'utf8'), 'up\n');
    assert.equal(statSync(join(s.home, 'up1.txt')).mode & 0o777, 0o600);
    assert.equal((await tscurl(['-sS', ...k, '-a', '-T', src, `${u}/~/up1.txt`])).code, 0);
    assert.equal(readFileSync(join(s.home, 'up1.txt'), 'utf8'), 'up\nup\n');
    writeFileSync(src, 'up\nup\nmore\n');
    assert.equal((await tscurl(['-sS', ...k, '-C', '-', '-T', src, `${u}/~/up1.txt`])).code, 0);
    assert.equal(readFileSync(join(s.home, 'up1.txt'), 'utf8'), 'up\nup\nmore\n');
    // a missing directory: the upload fails as curl's does, unless --ftp-create-dirs
    await same(['-sS', ...k, '-T', src, `${u}/~/nodir/up.txt`]);
    const e = new Easy();
    try {
      login(e);
      e.setopt(CURLOPT.URL, `${u}/~/d1/d2/up.txt`);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.FTP_CREATE_MISSING_DIRS, 1);
      e.setopt(CURLOPT.NEW_DIRECTORY_PERMS, 0o750);
      let sent = false;
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => (sent ? 0 : ((sent = true), buf.write('made\n'))));
      assert.equal(await e.perform(), CURLE.OK);
    } finally {
      e.cleanup();
    }
    assert.equal(readFileSync(join(s.home, 'd1', 'd2', 'up.txt'), 'utf8'), 'made\n');
    assert.equal(statSync(join(s.home, 'd1')).mode & 0o777, 0o750);
  } finally {
    process.umask(old);
  }
});

test('QUOTE and POSTQUOTE: mkdir, rename, ln, chmod, mtime, rm, rmdir, statvfs, pwd; "*" ignores a failure', { skip: SKIP }, async () => {
  const u = `sftp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  writeFileSync(join(s.home, 'q.txt'), 'q\n');
  const r = await tscurl(['-sS', ...k, '-Q', 'mkdir /~/qd', '-Q', 'rename /~/q.txt /~/qd/r.txt', '-Q', 'ln /~/qd/r.txt /~/qlink',
    '-Q', 'chmod 640 /~/qd/r.txt', '-Q', 'mtime "Sun, 06 Nov 1994 08:49:37 GMT" /~/qd/r.txt', '-Q', '*rm /~/absent',
    '-Q', '-rm /~/qlink', `${u}/~/qd/r.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'q\n');
  const st = statSync(join(s.home, 'qd', 'r.txt'));
  assert.equal(st.mode & 0o777, 0o640);
  assert.equal(st.mtimeMs / 1000, 784111777);
  assert.equal(existsSync(join(s.home, 'qlink')), false, 'the post-quote rm ran');
  // ln made qlink point at the file before that
  const seen = await tscurl(['-sS', ...k, '-Q', 'ln /~/qd/r.txt /~/qlink2', '-l', `${u}/~/`]);
  assert.equal(lstatSync(join(s.home, 'qlink2')).isSymbolicLink(), true);
  assert.equal(readlinkSync(join(s.home, 'qlink2')), join(s.home, 'qd', 'r.txt'));
  assert.match(seen.stdout, /^qlink2$/m);
  // pwd and statvfs answer as headers
  const h = await same(['-sS', ...k, '-Q', 'pwd', '-D', '-', `${u}/~/a.txt`]);
  assert.equal(h.stdout, `257 "${s.home}/a.txt" is current directory.\nhello world\n`);
  const v = await tscurl(['-sS', ...k, '-Q', 'statvfs /', '-D', '-', '-o', '/dev/null', `${u}/~/a.txt`]);
  assert.match(v.stdout, /^statvfs:\nf_bsize: \d+\nf_frsize: \d+\nf_blocks: \d+\nf_bfree: \d+\nf_bavail: \d+\nf_files: \d+\nf_ffree: \d+\nf_favail: \d+\nf_fsid: \d+\nf_flag: \d+\nf_namemax: \d+\n$/);
  assert.equal((await tscurl(['-sS', ...k, '-Q', '-rmdir /~/qd', '-Q', '-*rm /~/qd/r.txt', `${u}/~/a.txt`])).code, CURLE.QUOTE_ERROR);
});

test('quote errors as curl reports them (CURLE_QUOTE_ERROR)', { skip: SKIP }, async () => {
  const u = `sftp://127.0.0.1:${s.port}/~/a.txt`;
  const k = sshArgs(s);
  for (const q of ['foo bar', 'rm', 'rm /nonexist', 'rmdir /nonexist', 'chmod abc /x', 'chmod 600 /nonexist', 'chown x /~/a.txt',
    'rename /~/a.txt', 'ln /~/a.txt', 'rm "unterminated', 'mtime never /~/a.txt']) {
    const r = await same(['-sS', ...k, '-Q', q, u]);
    assert.equal(r.code, CURLE.QUOTE_ERROR, q);
    assert.equal(r.stdout, '', q);
  }
  assert.equal((await same(['-sS', ...k, '-Q', '*rm /nonexist', u])).stdout, 'hello world\n');
});

test('through the connection\'s filter chain: a SOCKS5 proxy, an HTTP proxy\'s CONNECT tunnel', { skip: SKIP }, async () => {
  const socks = await startSocksServer();
  const http = await startProxyServer(() => ({ tunnel: true }));
  try {
    for (const proxy of [`socks5://127.0.0.1:${socks.port}`, `http://127.0.0.1:${http.port}`]) {
      const r = await fetchUrl(`sftp://127.0.0.1:${s.port}/~/a.txt`, (e) => {
        login(e);
        e.setopt(CURLOPT.PROXY, proxy);
      });
      assert.equal(r.code, CURLE.OK, `${proxy}: ${r.easy.errorBuffer}`);
      assert.equal(r.body, 'hello world\n');
      r.easy.cleanup();
    }
    assert.deepEqual(socks.requests.map((q) => `${q.host}:${q.port}`), [`127.0.0.1:${s.port}`]);
    assert.deepEqual(http.requests.map((q) => `${q.method} ${q.target}`), [`CONNECT 127.0.0.1:${s.port}`]);
  } finally {
    await socks.close();
    await http.close();
  }
});

test('a connection that ended a transfer well serves the next one with the same login (libcurl reuses SSH connections)', { skip: SKIP }, async () => {
  const e = new Easy();
  try {
    login(e);
    const body: Buffer[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    for (const [scheme, path] of [['sftp', '/~/a.txt'], ['sftp', '/~/'], ['sftp', '/~/a.txt']] as const) {
      e.setopt(CURLOPT.URL, `${scheme}://127.0.0.1:${s.port}${path}`);
      assert.equal(await e.perform(), CURLE.OK);
    }
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0, 'the last transfer made no connection');
    // CVE-2023-27538: another key file (the same key, copied) logs in anew; then that connection is reused
    const copy = `${s.key}.copy`;
    writeFileSync(copy, readFileSync(s.key), { mode: 0o600 });
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, copy);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1, 'another SSH_PRIVATE_KEYFILE: a new connection');
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0);
    // another user name does not get that connection
    e.setopt(CURLOPT.USERNAME, 'nobody-here');
    e.setopt(CURLOPT.URL, `sftp://127.0.0.1:${s.port}/~/a.txt`);
    assert.equal(await e.perform(), CURLE.LOGIN_DENIED);
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1);
  } finally {
    e.cleanup();
  }
  for (const scheme of ['sftp', 'scp']) {
    const url = `${scheme}://127.0.0.1:${s.port}${s.home}/a.txt`;
    const r = await same(['-sS', ...sshArgs(s), url, url]);
    assert.equal(r.stdout, 'hello world\nhello world\n');
    const v = await tscurl(['-v', ...sshArgs(s), url, url]);
    assert.match(v.stderr, /\* Re-using existing connection #\d+ with host 127\.0\.0\.1\n/);
    assert.equal(v.stderr.match(/Authentication complete/g)?.length, 1, 'one login');
  }
});
