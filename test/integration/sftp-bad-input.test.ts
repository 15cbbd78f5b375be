// SSH servers that misbehave, and logins that fail: each ends with libcurl's
// CURLcode and message, and leaves no socket behind. A wrong password
// (Debian's sshd, and a node ssh2 server that knows the right one), a key
// that is not accepted, a server that never answers (the connect timeout
// covers the SSH handshake, as libcurl's PROTOCONNECT), one that hangs up,
// one that speaks HTTP, and a directory of thousands of entries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURLOPT, CURLE, CURLSSH_AUTH, openSocketCount, type Easy } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, startPasswordServer, sshArgs, type Sshd } from '../helpers/sshd.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { fetchUrl } from '../helpers/fetch.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
const NO_CURL = requirePrograms(['curl', 'curl']);
let s: Sshd;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'hello world\n');
});
after(async () => {
  if (s) await s.stop();
});

async function fails(url: string, setup: (e: Easy) => void): Promise<{ code: number; message: string }> {
  const before = openSocketCount();
  const r = await fetchUrl(url, setup);
  const out = { code: r.code, message: r.easy.errorBuffer };
  r.easy.cleanup();
  assert.equal(openSocketCount(), before, 'every socket was closed');
  return out;
}

/** A TCP server that does `onConn` with each connection; closes them all at close(). */
async function rawServer(onConn: (c: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const conns = new Set<Socket>();
  const srv = createServer((c) => {
    conns.add(c);
    c.on('error', () => {});
    c.on('close', () => conns.delete(c));
    onConn(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const c of conns) c.destroy();
      srv.close(() => r());
    }),
  };
}

test('a wrong password or an unusable key: CURLE_LOGIN_DENIED "Authentication failure", as curl', { skip: SKIP }, async () => {
  const url = `sftp://127.0.0.1:${s.port}/~/a.txt`;
  const r = await fails(url, (e) => e.setopt(CURLOPT.USERPWD, `${s.user}:wrong`));
  assert.deepEqual(r, { code: CURLE.LOGIN_DENIED, message: 'Authentication failure' });
  // the right key, but SSH_AUTH_TYPES allows only passwords
  const p = await fails(url, (e) => {
    e.setopt(CURLOPT.USERPWD, `${s.user}:wrong`);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
    e.setopt(CURLOPT.SSH_AUTH_TYPES, CURLSSH_AUTH.PASSWORD);
  });
  assert.equal(p.code, CURLE.LOGIN_DENIED);
  // a key with a passphrase, given the wrong one
  const k = await fails(url, (e) => {
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.rsaKey);
    e.setopt(CURLOPT.KEYPASSWD, 'nope');
  });
  assert.equal(k.code, CURLE.LOGIN_DENIED);
  // the right passphrase unlocks it
  const ok = await fetchUrl(url, (e) => {
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.rsaKey);
    e.setopt(CURLOPT.SSH_PUBLIC_KEYFILE, s.rsaPub);
    e.setopt(CURLOPT.KEYPASSWD, s.keyPass);
  });
  assert.equal(ok.code, CURLE.OK);
  assert.equal(ok.body, 'hello world\n');
  ok.easy.cleanup();
  for (const scheme of ['sftp', 'scp']) {
    const args = ['-sS', '-k', '-u', `${s.user}:wrong`, `${scheme}://127.0.0.1:${s.port}${s.home}/a.txt`];
    const a = await tscurl(args);
    assert.equal(a.code, CURLE.LOGIN_DENIED);
    assert.equal(a.stderr, 'tscurl: (67) Authentication failure\n');
    if (!NO_CURL) assert.equal(normalise((await curl(args)).stderr), a.stderr);
  }
});

test('password authentication (a node ssh2 server): the right one downloads, a wrong one is CURLE_LOGIN_DENIED', { skip: SKIP }, async () => {
  const content = Buffer.from('from the password server\n');
  const srv = await startPasswordServer('alice', 'secret', content);
  try {
    const url = `sftp://127.0.0.1:${srv.port}/hello.txt`;
    const ok = await fetchUrl(url, (e) => e.setopt(CURLOPT.USERPWD, 'alice:secret'));
    assert.equal(ok.code, CURLE.OK, ok.easy.errorBuffer);
    assert.equal(ok.body, content.toString());
    ok.easy.cleanup();
    assert.deepEqual(srv.attempts, ['none:alice', 'password:alice']);
    const bad = await fails(url, (e) => e.setopt(CURLOPT.USERPWD, 'alice:wrong'));
    assert.deepEqual(bad, { code: CURLE.LOGIN_DENIED, message: 'Authentication failure' });
    const missing = await fails(`sftp://127.0.0.1:${srv.port}/nope`, (e) => e.setopt(CURLOPT.USERPWD, 'alice:secret'));
    assert.deepEqual(missing, { code: CURLE.REMOTE_FILE_NOT_FOUND, message: 'Could not open remote file for reading: No such file or directory' });
    // the known_hosts check with the server's key
    const kh = join(s.dir, 'pw-known-hosts');
    writeFileSync(kh, `[127.0.0.1]:${srv.port} ${srv.hostPub}\n`);
    const checked = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.USERPWD, 'alice:secret');
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, kh);
    });
    assert.equal(checked.code, CURLE.OK);
    checked.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a server that never answers: the connect timeout ends the SSH handshake (28), nothing left open', { skip: SKIP }, async () => {
  const srv = await rawServer(() => {});
  try {
    const r = await fails(`sftp://127.0.0.1:${srv.port}/x`, (e) => e.setopt(CURLOPT.CONNECTTIMEOUT_MS, 300));
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
    assert.match(r.message, /^Operation timed out after \d+ milliseconds with 0 bytes received$/);
    const t = await fails(`scp://127.0.0.1:${srv.port}/x`, (e) => e.setopt(CURLOPT.TIMEOUT_MS, 300));
    assert.equal(t.code, CURLE.OPERATION_TIMEDOUT);
  } finally {
    await srv.close();
  }
});

test('a server that hangs up or speaks HTTP: CURLE_FAILED_INIT "Failure establishing ssh session", as curl', { skip: SKIP }, async () => {
  const closing = await rawServer((c) => c.end());
  const http = await rawServer((c) => c.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  try {
    for (const srv of [closing, http]) {
      const r = await fails(`sftp://127.0.0.1:${srv.port}/x`, () => {});
      assert.equal(r.code, CURLE.FAILED_INIT);
      assert.match(r.message, /^Failure establishing ssh session/);
    }
    const args = ['-sS', '-k', `sftp://127.0.0.1:${closing.port}/x`];
    const a = await tscurl(args);
    assert.equal(a.code, 2);
    if (!NO_CURL) assert.equal(a.stderr, normalise((await curl(args)).stderr));
  } finally {
    await closing.close();
    await http.close();
  }
});

test('a directory of 3000 entries lists as curl lists it', { skip: SKIP }, async () => {
  const big = join(s.home, 'big');
  mkdirSync(big);
  for (let i = 0; i < 3000; i++) writeFileSync(join(big, `file-${i}-${'x'.repeat(i % 50)}`), '');
  const args = ['-sS', ...sshArgs(s), `sftp://127.0.0.1:${s.port}/~/big/`];
  const a = await tscurl(args);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.split('\n').length, 3003);
  if (!NO_CURL) assert.equal(a.stdout, (await curl(args)).stdout);
  const l = await tscurl(['-l', ...args]);
  assert.equal(l.stdout.split('\n').filter((n) => n.startsWith('file-')).length, 3000);
});
