// CVE-2023-28319 (SSH use after free): libcurl freed the host key's SHA256
// fingerprint when it did not match and then used it in the error message.
// The C bug cannot happen here; its input can: a host key whose fingerprint
// is not the one given (SSH_HOST_PUBLIC_KEY_SHA256 or _MD5), and
// fingerprints given in a wrong form. Each must fail with
// CURLE_PEER_FAILED_VERIFICATION and curl's message before any
// authentication: the server (node's ssh2, on 127.0.0.1) sees no user name
// and no password. A wrong form is an error, never a pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CURLE, CURLOPT } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startPasswordServer } from '../helpers/sshd.js';

const CONTENT = Buffer.from('the file\n');

test('SSH: a fingerprint that does not match, or is given in a wrong form, is CURLE_PEER_FAILED_VERIFICATION before any authentication', async () => {
  const srv = await startPasswordServer('joe', 'secret', CONTENT);
  try {
    const blob = Buffer.from(srv.hostPub.split(' ')[1]!, 'base64');
    const sha = createHash('sha256').update(blob).digest('base64');
    const md5 = createHash('md5').update(blob).digest('hex');
    const unpadded = sha.replace(/=+$/, '');
    const lastSwapped = unpadded.slice(0, -1) + (unpadded.endsWith('A') ? 'B' : 'A');
    type FpOpt = typeof CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256 | typeof CURLOPT.SSH_HOST_PUBLIC_KEY_MD5;
    const get = (opt: FpOpt, value: string): ReturnType<typeof fetchUrl> =>
      fetchUrl(`sftp://127.0.0.1:${srv.port}/hello.txt`, (e) => {
        e.setopt(CURLOPT.USERPWD, 'joe:secret');
        e.setopt(opt, value);
      });
    // the right ones pass (with or without the padding, MD5 in either case): the server is reachable
    for (const [opt, value] of [[CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, sha], [CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, unpadded], [CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5.toUpperCase()]] as const) {
      const ok = await get(opt, value);
      assert.equal(ok.code, CURLE.OK, ok.easy.errorBuffer);
      assert.deepEqual(ok.bytes, CONTENT);
      ok.easy.cleanup();
    }
    assert.equal(srv.attempts.filter((a) => a.startsWith('password:joe')).length, 3);
    const wrong: Array<[string, FpOpt, string]> = [
      ['another SHA256', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, createHash('sha256').update('other').digest('base64')],
      ['SHA256 with its last character changed', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, lastSwapped],
      ['SHA256 with a non-base64 last character', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, unpadded.slice(0, -1) + '!'],
      ['SHA256 one character short', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, unpadded.slice(0, -1)],
      ['SHA256 as hex', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, createHash('sha256').update(blob).digest('hex')],
      ['SHA256 with "SHA256:" in front', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, `SHA256:${unpadded}`],
      ['SHA256 empty', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, ''],
      ['SHA256 only padding', CURLOPT.SSH_HOST_PUBLIC_KEY_SHA256, '=='],
      ['another MD5', CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, '0'.repeat(32)],
      ['MD5 one digit short', CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5.slice(0, 31)],
      ['MD5 one digit long', CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5 + '0'],
      ['MD5 with colons', CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, md5.match(/../g)!.join(':')],
      ['MD5 empty', CURLOPT.SSH_HOST_PUBLIC_KEY_MD5, ''],
    ];
    const before = srv.attempts.length;
    for (const [name, opt, value] of wrong) {
      const r = await get(opt, value);
      assert.equal(r.code, CURLE.PEER_FAILED_VERIFICATION, `${name}: ${r.easy.errorBuffer}`);
      const kind = opt === CURLOPT.SSH_HOST_PUBLIC_KEY_MD5 ? 'md5' : 'sha256';
      const remote = kind === 'md5' ? md5 : sha;
      assert.equal(r.easy.errorBuffer, `Denied establishing ssh session: mismatch ${kind} fingerprint. Remote ${remote} is not equal to ${value}`, name);
      assert.equal(r.bytes.length, 0, name);
      r.easy.cleanup();
    }
    // nothing after the key exchange: no user name, no password reached the server
    assert.deepEqual(srv.attempts.slice(before), []);
  } finally {
    await srv.close();
  }
});
