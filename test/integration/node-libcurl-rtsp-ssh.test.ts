// tscurl/node-libcurl's RTSP and SSH callbacks in node-libcurl 5's shapes,
// end to end: INTERLEAVEFUNCTION (buffer, size, nmemb) against a scripted
// RTSP server, SSH_HOSTKEYFUNCTION (keytype as CurlSshKeyType, key) against
// Debian's sshd; SSH_KEYFUNCTION refused as node-libcurl refuses it; and no
// callback option of tscurl's table left answering CURLE_NOT_BUILT_IN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Easy, CurlCode, CurlSshKeyMatch, CurlSshKeyType, CurlEasyError } from '../../src/compat/node-libcurl/index.js';
import { CURLOPT, Easy as TscEasy, optionById } from '../../src/index.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

const RTSPREQ = { SETUP: 4, PLAY: 5, DESCRIBE: 2 } as const;

const rtp = (channel: number, payload: string): Buffer =>
  Buffer.concat([Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]), Buffer.from(payload)]);

/** Answers SETUP, then PLAY with two RTP packets right behind the answer, then DESCRIBE; bounded by the requests. */
async function rtspScript(c: ScriptConn): Promise<void> {
  let used = 0;
  for (let n = 0; n < 3; n++) {
    let end = -1;
    if (!(await c.waitFor((g) => (end = g.indexOf('\r\n\r\n', used)) >= 0))) return;
    const head = c.received().subarray(used, end + 4).toString('latin1');
    used = end + 4;
    const cseq = /\r\nCSeq: (\d+)/i.exec(head)?.[1] ?? '0';
    const ok = (extra: string, body = ''): string =>
      `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 4711\r\n${extra}${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`;
    if (n === 0) c.write(ok('Transport: RTP/AVP/TCP;interleaved=0-1\r\n'));
    else if (n === 1) c.write(Buffer.concat([Buffer.from(ok('')), rtp(0, 'first'), rtp(1, 'rtcp')]));
    else c.write(ok('Content-Type: application/sdp\r\n', 'v=0\r\n'));
  }
  c.end();
}

test('INTERLEAVEFUNCTION gets each RTP packet whole as (buffer, size, nmemb), this the Easy; a throw or a short count fails the transfer', async () => {
  const srv = await startScriptServer(rtspScript);
  const easy = new Easy();
  try {
    const calls: Array<{ data: string; size: number; nmemb: number; self: boolean }> = [];
    const body: Buffer[] = [];
    easy.setOpt('URL', `rtsp://127.0.0.1:${srv.port}/`);
    easy.setOpt('RTSP_STREAM_URI', `rtsp://127.0.0.1:${srv.port}/media/track1`);
    easy.setOpt('RTSP_TRANSPORT', 'RTP/AVP/TCP;interleaved=0-1');
    easy.setOpt('WRITEFUNCTION', (b: Buffer) => (body.push(b), b.length));
    assert.equal(easy.setOpt('INTERLEAVEFUNCTION', function (this: Easy, data: Buffer, size: number, nmemb: number) {
      calls.push({ data: data.toString('latin1'), size, nmemb, self: this === easy });
      return size * nmemb;
    }), CurlCode.CURLE_OK);
    for (const req of [RTSPREQ.SETUP, RTSPREQ.PLAY, RTSPREQ.DESCRIBE]) {
      easy.setOpt('RTSP_REQUEST', req);
      assert.equal(await easy.perform(), CurlCode.CURLE_OK);
    }
    // libcurl delivers the RTP that followed PLAY's answer while it reads DESCRIBE's
    assert.deepEqual(calls, [
      { data: rtp(0, 'first').toString('latin1'), size: 1, nmemb: 9, self: true },
      { data: rtp(1, 'rtcp').toString('latin1'), size: 1, nmemb: 8, self: true },
    ]);
    assert.equal(Buffer.concat(body).toString(), 'v=0\r\n');
  } finally {
    easy.close();
    await srv.close();
  }

  // the callback's failures: a short count is CURLE_WRITE_ERROR, a throw rejects perform() with what was thrown
  for (const failing of ['short', 'throw', 'string'] as const) {
    const s = await startScriptServer(rtspScript);
    const e = new Easy();
    try {
      e.setOpt('URL', `rtsp://127.0.0.1:${s.port}/`);
      e.setOpt('RTSP_STREAM_URI', `rtsp://127.0.0.1:${s.port}/media/track1`);
      e.setOpt('RTSP_TRANSPORT', 'RTP/AVP/TCP;interleaved=0-1');
      e.setOpt('WRITEFUNCTION', (b: Buffer) => b.length);
      e.setOpt('INTERLEAVEFUNCTION', (_d: Buffer, _s: number, n: number) => {
        if (failing === 'throw') throw new Error('no RTP here');
        return failing === 'short' ? n - 1 : ('all' as unknown as number);
      });
      e.setOpt('RTSP_REQUEST', RTSPREQ.SETUP);
      assert.equal(await e.perform(), CurlCode.CURLE_OK);
      e.setOpt('RTSP_REQUEST', RTSPREQ.PLAY);
      assert.equal(await e.perform(), CurlCode.CURLE_OK);
      e.setOpt('RTSP_REQUEST', RTSPREQ.DESCRIBE);
      if (failing === 'short') assert.equal(await e.perform(), CurlCode.CURLE_WRITE_ERROR);
      else if (failing === 'throw') await assert.rejects(e.perform(), /no RTP here/);
      else await assert.rejects(e.perform(), { name: 'TypeError', message: 'Return value from the INTERLEAVE callback must be an integer.' });
    } finally {
      e.close();
      await s.close();
    }
  }
});

const SKIP_SSH = requirePrograms(['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']);
let sshd: Sshd | undefined;
before(async () => {
  if (SKIP_SSH) return;
  sshd = await startSshd();
  writeFileSync(join(sshd.home, 'a.txt'), 'hello world\n');
});
after(async () => {
  await sshd?.stop();
});

/** One SFTP download of a.txt with `hostKey` as SSH_HOSTKEYFUNCTION: the CURLcode (or the rejection) and the body. */
async function sftpGet(hostKey: (this: Easy, keytype: number, key: Buffer) => unknown): Promise<{ code: number; body: string }> {
  const s = sshd!;
  const easy = new Easy();
  try {
    const body: Buffer[] = [];
    easy.setOpt('URL', `sftp://127.0.0.1:${s.port}/~/a.txt`);
    easy.setOpt('USERNAME', s.user);
    easy.setOpt('SSH_PRIVATE_KEYFILE', s.key);
    // a known_hosts file without the host: only the callback can let the connection through
    easy.setOpt('SSH_KNOWNHOSTS', join(s.home, 'no-such-known-hosts'));
    easy.setOpt('WRITEFUNCTION', (b: Buffer) => (body.push(b), b.length));
    assert.equal(easy.setOpt('SSH_HOSTKEYFUNCTION', hostKey), CurlCode.CURLE_OK);
    const code = await easy.perform();
    return { code, body: Buffer.concat(body).toString() };
  } finally {
    easy.close();
  }
}

test('SSH_HOSTKEYFUNCTION gets (CurlSshKeyType, the raw host key), this the Easy; Ok accepts, Mismatch refuses', { skip: SKIP_SSH }, async () => {
  const s = sshd!;
  const blob = Buffer.from(s.hostPub.split(' ')[1]!, 'base64');
  const seen: Array<[number, string, boolean]> = [];
  let self: unknown = null;
  const accepted = await sftpGet(function (keytype, key) {
    self = this;
    seen.push([keytype, key.toString('base64'), Buffer.isBuffer(key)]);
    return CurlSshKeyMatch.Ok;
  });
  assert.deepEqual(accepted, { code: CurlCode.CURLE_OK, body: 'hello world\n' });
  // sshd's host key is ed25519: node-libcurl's enum value, not libcurl's CURLKHTYPE_ED25519 (5)
  assert.deepEqual(seen, [[CurlSshKeyType.Ed25519, blob.toString('base64'), true]]);
  assert.ok(self instanceof Easy);
  const refused = await sftpGet(() => CurlSshKeyMatch.Mismatch);
  assert.equal(refused.code, CurlCode.CURLE_PEER_FAILED_VERIFICATION);
  assert.equal(refused.body, '');
});

test('SSH_HOSTKEYFUNCTION: a throw or an answer that is not a number refuses the key and rejects perform()', { skip: SKIP_SSH }, async () => {
  await assert.rejects(sftpGet(() => { throw new Error('key check failed'); }), /key check failed/);
  await assert.rejects(sftpGet(() => 'yes'), {
    name: 'TypeError', message: 'Return value from the SSH_HOSTKEYFUNCTION callback must be an integer (CurlSshKeyMatch).',
  });
});

test('SSH_KEYFUNCTION and QUICK_EXIT are refused as node-libcurl 5 refuses them; every other callback option answers what the engine answers', () => {
  const easy = new Easy();
  const own = new TscEasy();
  try {
    for (const [name, value] of [['SSH_KEYFUNCTION', () => 0], ['QUICK_EXIT', 1]] as const) {
      assert.throws(() => easy.setOpt(name, value), (err: unknown) => {
        assert.ok(err instanceof CurlEasyError);
        assert.equal(err.code, CurlCode.CURLE_UNKNOWN_OPTION);
        assert.match(err.message, /^Unsupported option/);
        return true;
      }, name);
    }
    // every FUNCTIONPOINT option of tscurl's table is adapted (the layer passes on tscurl's own answer) or
    // refused with node-libcurl's "Unsupported option" throw: the layer adds no CURLE_NOT_BUILT_IN of its own
    const functions = Object.values(CURLOPT).map((id) => optionById(id)).filter((o) => o?.type === 'FUNCTIONPOINT');
    assert.ok(functions.length >= 20, `${functions.length} function options`);
    let adapted = 0;
    for (const o of functions) {
      const name = o!.name;
      let rc: number;
      try {
        rc = easy.setOpt(name, () => 0);
      } catch (err) {
        assert.equal((err as CurlEasyError).code, CurlCode.CURLE_UNKNOWN_OPTION, name);
        continue;
      }
      assert.equal(rc, own.setopt(name as never, (() => 0) as never), name);
      adapted++;
    }
    assert.ok(adapted >= 16, `${adapted} adapted`);
    for (const name of ['INTERLEAVEFUNCTION', 'SSH_HOSTKEYFUNCTION']) assert.equal(easy.setOpt(name, () => 0), CurlCode.CURLE_OK, name);
  } finally {
    easy.close();
    own.cleanup();
  }
});
