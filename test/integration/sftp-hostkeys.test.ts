// SSH host key checks (libcurl's ssh_check_fingerprint / ssh_knownhost)
// against Debian's sshd: SSH_KNOWNHOSTS with plain, "[host]:port" and hashed
// names, SSH_KEYFUNCTION's arguments and answers (FINE_ADD_TO_FILE writes
// the file), SSH_HOST_PUBLIC_KEY_MD5/SHA256, and curl's tool: the
// known_hosts file under $HOME, its warning when there is none, -k.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLOPT, CURLE, CURLKHMATCH, CURLKHSTAT, CURLKHTYPE, type CurlKhKey, type Easy } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { fetchUrl } from '../helpers/fetch.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
const NO_CURL = requirePrograms(['curl', 'curl']);
const OTHER_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHqWIsFvRfTUV/j5fZc03pQOaSgRU94PoEYNI/8hNf2L';
let s: Sshd;
let dir: string;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'hello world\n');
  dir = mkdtempSync(join(tmpdir(), 'tscurl-kh-'));
});
after(async () => {
  if (s) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function get(setup: (e: Easy) => void): ReturnType<typeof fetchUrl> {
  return fetchUrl(`sftp://127.0.0.1:${s.port}/~/a.txt`, (e) => {
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
    setup(e);
  });
}

async function code(setup: (e: Easy) => void): Promise<number> {
  const r = await get(setup);
  r.easy.cleanup();
  return r.code;
}

function khFile(text: string): string {
  const f = join(dir, `kh-${randomBytes(4).toString('hex')}`);
  writeFileSync(f, text);
  return f;
}

test('SSH_KNOWNHOSTS: the host\'s key passes; another key, another host or no file is CURLE_PEER_FAILED_VERIFICATION', { skip: SKIP }, async () => {
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, s.knownHosts)), CURLE.OK);
  const type = s.hostPub.split(' ')[0];
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, khFile(`[127.0.0.1]:${s.port} ${type} ${OTHER_KEY}\n`))), CURLE.PEER_FAILED_VERIFICATION);
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, khFile(`otherhost ${s.hostPub}\n`))), CURLE.PEER_FAILED_VERIFICATION);
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, join(dir, 'absent'))), CURLE.PEER_FAILED_VERIFICATION);
  // the plain host name matches a non-default port too (libssh2 tries "[host]:port", then "host")
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, khFile(`# comment\nfoo,127.0.0.1 ${s.hostPub} c\n`))), CURLE.OK);
  // a hashed name
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${s.port}`).digest();
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, khFile(`|1|${salt.toString('base64')}|${hash.toString('base64')} ${s.hostPub}\n`))), CURLE.OK);
});

test('SSH_KEYFUNCTION gets curl_khkey values and decides; FINE_ADD_TO_FILE writes the file', { skip: SKIP }, async () => {
  const calls: Array<{ known: CurlKhKey | null; found: CurlKhKey; match: number; clientp: unknown }> = [];
  const file = khFile(`[127.0.0.1]:${s.port} ${s.hostPub.split(' ')[0]} ${OTHER_KEY}\n`);
  const rc = await code((e) => {
    e.setopt(CURLOPT.SSH_KNOWNHOSTS, file);
    e.setopt(CURLOPT.SSH_KEYDATA, 'my data');
    e.setopt(CURLOPT.SSH_KEYFUNCTION, (_easy, known, found, match, clientp) => {
      calls.push({ known, found, match, clientp });
      return CURLKHSTAT.FINE_REPLACE;
    });
  });
  assert.equal(rc, CURLE.OK);
  assert.equal(calls.length, 1);
  const c = calls[0]!;
  assert.equal(c.match, CURLKHMATCH.MISMATCH);
  assert.deepEqual(c.known, { key: OTHER_KEY, len: 0, keytype: CURLKHTYPE.ED25519 });
  assert.equal(c.found.keytype, CURLKHTYPE.ED25519);
  assert.equal((c.found.key as Buffer).toString('base64'), s.hostPub.split(' ')[1]);
  assert.equal(c.found.len, (c.found.key as Buffer).length);
  assert.equal(c.clientp, 'my data');
  // the mismatching line was replaced by the server's key, under the plain host name
  assert.equal(readFileSync(file, 'utf8'), `127.0.0.1 ${s.hostPub}\n`);
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_KNOWNHOSTS, file)), CURLE.OK);

  const fresh = join(dir, 'new-known-hosts');
  let match = -1;
  assert.equal(await code((e) => {
    e.setopt(CURLOPT.SSH_KNOWNHOSTS, fresh);
    e.setopt(CURLOPT.SSH_KEYFUNCTION, (_e, known, _f, m) => ((match = m), assert.equal(known, null), CURLKHSTAT.FINE_ADD_TO_FILE));
  }), CURLE.OK);
  assert.equal(match, CURLKHMATCH.MISSING);
  assert.equal(readFileSync(fresh, 'utf8'), `127.0.0.1 ${s.hostPub}\n`);
  for (const answer of [CURLKHSTAT.REJECT, CURLKHSTAT.DEFER, 99]) {
    assert.equal(await code((e) => {
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, join(dir, 'absent'));
      e.setopt(CURLOPT.SSH_KEYFUNCTION, () => answer);
    }), CURLE.PEER_FAILED_VERIFICATION, `answer ${answer}`);
  }
  // FINE accepts without writing
  assert.equal(await code((e) => {
    e.setopt(CURLOPT.SSH_KNOWNHOSTS, join(dir, 'stays-absent'));
    e.setopt(CURLOPT.SSH_KEYFUNCTION, () => CURLKHSTAT.FINE);
  }), CURLE.OK);
  assert.throws(() => readFileSync(join(dir, 'stays-absent')));
});

test('SSH_HOST_PUBLIC_KEY_MD5 and _SHA256: a match passes (known_hosts is then not read), a mismatch fails with curl\'s message', { skip: SKIP }, async () => {
  const blob = Buffer.from(s.hostPub.split(' ')[1]!, 'base64');
  const md5 = createHash('md5').update(blob).digest('hex');
  const sha = createHash('sha256').update(blob).digest('base64');
  assert.equal(await code((e) => {
    e.setopt(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5.toUpperCase());
    e.setopt(CURLOPT.SSH_KNOWNHOSTS, join(dir, 'absent'));
  }), CURLE.OK);
  assert.equal(await code((e) => e.setopt(CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, sha.replace(/=+$/, ''))), CURLE.OK);
  const bad = await get((e) => e.setopt(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, '0'.repeat(32)));
  assert.equal(bad.code, CURLE.PEER_FAILED_VERIFICATION);
  assert.equal(bad.easy.errorBuffer, `Denied establishing ssh session: mismatch md5 fingerprint. Remote ${md5} is not equal to ${'0'.repeat(32)}`);
  bad.easy.cleanup();
  const bad2 = await get((e) => e.setopt(CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, 'AAAA'));
  assert.equal(bad2.code, CURLE.PEER_FAILED_VERIFICATION);
  assert.equal(bad2.easy.errorBuffer, `Denied establishing ssh session: mismatch sha256 fingerprint. Remote ${sha} is not equal to AAAA`);
  bad2.easy.cleanup();
});

test('the tool: ~/.ssh/known_hosts unless -k, the warning without one, --hostpubmd5\'s length check, as curl', { skip: SKIP }, async () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const url = `sftp://127.0.0.1:${s.port}/~/a.txt`;
  const login = ['-u', `${s.user}:`, '--key', s.key];
  const both = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const a = await tscurl(args, { env: { HOME: home } });
    if (!NO_CURL) {
      const c = await curl(args, { env: { HOME: home } });
      assert.equal(a.code, c.code, args.join(' '));
      assert.equal(a.stdout, c.stdout);
      assert.equal(normalise(a.stderr), normalise(c.stderr));
    }
    return a;
  };
  // no known_hosts file: a warning (muted by -s), no check
  const w = await tscurl(['--no-progress-meter', ...login, url], { env: { HOME: home } });
  assert.equal(w.code, 0);
  assert.equal(w.stderr, "Warning: Couldn't find a known_hosts file!");
  assert.equal((await both(['-sS', ...login, url])).stdout, 'hello world\n');
  writeFileSync(join(home, '.ssh', 'known_hosts'), `otherhost ${s.hostPub}\n`);
  const r = await both(['-sS', ...login, url]);
  assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION);
  assert.match(r.stderr, /^tscurl: \(60\) SSL peer certificate or SSH remote key was not OK\nMore details here: /);
  assert.equal((await both(['-sS', '-k', ...login, url])).code, 0);
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(s.knownHosts));
  assert.equal((await both(['-sS', ...login, url])).stdout, 'hello world\n');
  assert.equal((await both(['-sS', ...login, '--hostpubmd5', '1234', url])).code, 2);
  // --knownhosts (curl 8.17's flag) names the file
  const k = await tscurl(['-sS', ...login, '--knownhosts', khFile(`127.0.0.1 ssh-ed25519 ${OTHER_KEY}\n`), url], { env: { HOME: home } });
  assert.equal(k.code, CURLE.PEER_FAILED_VERIFICATION);
});

test('SSH_HOSTKEYFUNCTION decides instead of known_hosts (CURLKHMATCH.OK accepts), unless a fingerprint is set', { skip: SKIP }, async () => {
  const seen: Array<[unknown, number, string, number]> = [];
  const blob = Buffer.from(s.hostPub.split(' ')[1]!, 'base64');
  for (const answer of [CURLKHMATCH.OK, CURLKHMATCH.MISMATCH]) {
    const rc = await code((e) => {
      e.setopt(CURLOPT.SSH_KNOWNHOSTS, join(dir, 'absent')); // would refuse on its own
      e.setopt(CURLOPT.SSH_HOSTKEYDATA, 'hk');
      e.setopt(CURLOPT.SSH_HOSTKEYFUNCTION, (clientp, keytype, key, keylen) => {
        seen.push([clientp, keytype, key.toString('base64'), keylen]);
        return answer;
      });
    });
    assert.equal(rc, answer === CURLKHMATCH.OK ? CURLE.OK : CURLE.PEER_FAILED_VERIFICATION);
  }
  assert.deepEqual(seen[0], ['hk', CURLKHTYPE.ED25519, blob.toString('base64'), blob.length]);
  const md5 = createHash('md5').update(blob).digest('hex');
  assert.equal(await code((e) => {
    e.setopt(CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5);
    e.setopt(CURLOPT.SSH_HOSTKEYFUNCTION, () => CURLKHMATCH.MISMATCH);
  }), CURLE.OK);
  assert.equal(seen.length, 2, 'not called when a fingerprint decided');
});
