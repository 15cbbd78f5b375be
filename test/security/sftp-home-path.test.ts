// CVE-2023-27534 against Debian's sshd on loopback: in an SFTP URL only a path
// that starts with "/~/" (or is "/~") is in the login's home directory. A path
// like "/~Xa.txt" or "/~user/a.txt" is an absolute path as written; before the
// fix tscurl (as curl 7.88) read it as the home directory plus its third byte
// on, so "/~Xa.txt" fetched ~/a.txt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURLOPT, CURLE } from '../../src/index.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { fetchUrl } from '../helpers/fetch.js';

const SKIP = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
let s: Sshd;

before(async () => {
  if (SKIP) return;
  s = await startSshd();
  writeFileSync(join(s.home, 'a.txt'), 'home file\n');
});
after(async () => {
  if (s) await s.stop();
});

async function get(path: string): Promise<{ code: number; body: string }> {
  const r = await fetchUrl(`sftp://127.0.0.1:${s.port}${path}`, (e) => {
    e.setopt(CURLOPT.USERNAME, s.user);
    e.setopt(CURLOPT.SSH_PRIVATE_KEYFILE, s.key);
  });
  r.easy.cleanup();
  return { code: r.code, body: r.body };
}

test('CVE-2023-27534: "/~/" at the start is the home directory; "/~X..." and "/~user/..." are not', { skip: SKIP }, async () => {
  assert.deepEqual(await get('/~/a.txt'), { code: CURLE.OK, body: 'home file\n' });
  // the home directory by its absolute name gives the same file
  assert.deepEqual(await get(`${s.home}/a.txt`), { code: CURLE.OK, body: 'home file\n' });
  for (const p of ['/~Xa.txt', `/~${s.user}/a.txt`, '/~~/a.txt']) {
    const r = await get(p);
    assert.equal(r.code, CURLE.REMOTE_FILE_NOT_FOUND, `${p} was read as ${JSON.stringify(r.body)}`);
    assert.equal(r.body, '');
  }
});
