// SCP against Debian's OpenSSH, compared with curl 7.88: downloads, "/~/"
// paths, a missing file (CURLE_REMOTE_FILE_NOT_FOUND), uploads with
// NEW_FILE_PERMS, an upload of unknown size (CURLE_UPLOAD_FAILED) or into a
// missing directory. And SFTP and SCP driven the way applications drive
// libcurl's multi_socket API (hiperfifo): the data is read only inside
// socketAction(), with one socket per transfer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, Multi, CURLOPT, CURLE, CURL_POLL, CURLPAUSE, CURL_WRITEFUNC_PAUSE, openSocketCount } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, sshArgs, type Sshd } from '../helpers/sshd.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { startAppLoop } from '../helpers/app-loop.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
const NO_CURL = requirePrograms(['curl', 'curl']);
let s: Sshd;
const BIG = Buffer.alloc(1 << 20);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7 + (i >> 9)) & 0xff;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'hello world\n');
  writeFileSync(join(s.home, 'big.bin'), BIG);
});
after(async () => {
  if (s) await s.stop();
});

async function same(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const a = await tscurl(args);
  if (!NO_CURL && stdin === undefined) {
    const c = await curl(args);
    assert.equal(a.code, c.code, `exit code of ${args.join(' ')}: ${a.stderr}`);
    assert.equal(a.stdout, c.stdout);
    assert.equal(normalise(a.stderr), normalise(c.stderr));
  }
  return a;
}

test('SCP downloads as curl: a file, a large file, a missing one, a directory', { skip: SKIP }, async () => {
  const u = `scp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  assert.equal((await same(['-sS', ...k, `${u}${s.home}/a.txt`])).stdout, 'hello world\n');
  const big = await tscurl(['-sS', ...k, `${u}${s.home}/big.bin`]);
  assert.equal(big.code, 0);
  assert.ok(Buffer.from(big.stdout, 'latin1').equals(BIG));
  const missing = await same(['-sS', ...k, `${u}${s.home}/nope`]);
  assert.equal(missing.code, CURLE.REMOTE_FILE_NOT_FOUND);
  assert.equal(missing.stderr, 'tscurl: (78) Failed to recv file\n');
  assert.equal((await same(['-sS', ...k, `${u}${s.home}/`])).code, CURLE.REMOTE_FILE_NOT_FOUND);
  // "/~/" is relative to the home directory (root's here, which has no such file)
  assert.equal((await same(['-sS', ...k, `${u}/~/tscurl-surely-absent`])).code, CURLE.REMOTE_FILE_NOT_FOUND);
});

test('SCP uploads: the mode, a missing directory, an unknown size', { skip: SKIP }, async () => {
  const u = `scp://127.0.0.1:${s.port}`;
  const k = sshArgs(s);
  const src = join(s.dir, 'up.txt');
  writeFileSync(src, 'scp upload\n');
  const r = await tscurl(['-sS', ...k, '--create-file-mode', '0640', '-T', src, `${u}${s.home}/up.txt`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(s.home, 'up.txt'), 'utf8'), 'scp upload\n');
  assert.equal(statSync(join(s.home, 'up.txt')).mode & 0o777, 0o640);
  const empty = join(s.dir, 'empty.txt');
  writeFileSync(empty, '');
  assert.equal((await same(['-sS', ...k, '-T', empty, `${u}${s.home}/empty.txt`])).code, 0);
  assert.equal(statSync(join(s.home, 'empty.txt')).size, 0);
  const nodir = await same(['-sS', ...k, '-T', src, `${u}${s.home}/nodir/up.txt`]);
  assert.equal(nodir.code, CURLE.UPLOAD_FAILED);
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `${u}${s.home}/stream.txt`);
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READFUNCTION, () => 0);
    assert.equal(await e.perform(), CURLE.UPLOAD_FAILED);
    assert.equal(e.errorBuffer, 'SCP requires a known file size for upload');
  } finally {
    e.cleanup();
  }
});

test('SFTP and SCP under socketAction(): bytes are read inside the library only, one socket each, all closed', { skip: SKIP }, async () => {
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const sockets = openSocketCount();
  const bodies: Buffer[][] = [[], []];
  const easies = ['sftp', 'scp'].map((scheme, i) => {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `${scheme}://127.0.0.1:${s.port}${s.home}/big.bin`);
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      assert.ok(inLibrary, 'data arrives only inside socketAction()');
      bodies[i]!.push(Buffer.from(d));
      return d.length;
    });
    return e;
  });
  // socketAction() is the only way in: mark the time spent inside it
  let inLibrary = false;
  const real = multi.socketAction.bind(multi);
  multi.socketAction = (sock: number, ev: number) => {
    inLibrary = true;
    try {
      return real(sock, ev);
    } finally {
      inLibrary = false;
    }
  };
  try {
    for (const e of easies) multi.addHandle(e);
    multi.socketAction(-1, 0);
    await loop.finished;
    assert.deepEqual(loop.done.map((d) => d.result), [CURLE.OK, CURLE.OK]);
    for (const b of bodies) assert.ok(Buffer.concat(b).equals(BIG));
    const added = new Set(loop.events.filter((ev) => ev.kind === 'socket' && ev.what !== CURL_POLL.REMOVE).map((ev) => (ev as { s: number }).s));
    assert.equal(added.size, 2, 'one socket per transfer');
    assert.equal(loop.contexts.size, 0, 'every socket was removed');
  } finally {
    loop.stop();
    for (const e of easies) {
      multi.removeHandle(e);
      e.cleanup();
    }
    multi.cleanup();
  }
  assert.equal(openSocketCount(), sockets);
});

test('a write callback pauses an SFTP download, an SCP download and an SFTP listing; easy.pause(CONT) goes on', { skip: SKIP }, async () => {
  for (const url of [`sftp://127.0.0.1:${s.port}${s.home}/big.bin`, `scp://127.0.0.1:${s.port}${s.home}/big.bin`, `sftp://127.0.0.1:${s.port}${s.home}/`]) {
    const e = new Easy();
    try {
      const chunks: Buffer[] = [];
      let pauses = 0;
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.USERNAME, s.user);
      e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        // pause on the first delivery of the first three, then take everything
        if (pauses < 3 && chunks.length === pauses) {
          pauses++;
          setTimeout(() => e.pause(CURLPAUSE.CONT), 20);
          chunks.push(Buffer.alloc(0));
          return CURL_WRITEFUNC_PAUSE;
        }
        chunks.push(Buffer.from(d));
        return d.length;
      });
      assert.equal(await e.perform(), CURLE.OK, url);
      assert.ok(pauses >= 1, url);
      const body = Buffer.concat(chunks);
      if (url.endsWith('/')) assert.match(body.toString(), / big\.bin\n/);
      else assert.ok(body.equals(BIG), url);
    } finally {
      e.cleanup();
    }
  }
});
