// NTLM against curl's NTLM advisories (the checklist in docs/security-checklist.md):
//   CVE-2014-0015 / CVE-2015-3143  an NTLM-authenticated connection reused for other credentials
//   CVE-2016-8616   credentials compared without regard to case when reusing a connection
//   CVE-2016-0755   a proxy's NTLM connection reused for other proxy credentials
//   CVE-2018-16890  a type-2 whose target info points outside the message
//   CVE-2019-3822   a type-2 whose target info makes the NTLMv2 response too big for the type-3
//   CVE-2018-14618 / CVE-2017-8816  huge passwords and user names
// and credentials after a redirect to another origin, as for every scheme.
// Each case has its control: the same request with matching credentials does
// reuse, a well-formed challenge is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLAUTH } from '../../src/index.js';
import { NtlmAuthority, startNtlmServer, FLAG } from '../helpers/ntlm-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { NtlmConnState, decodeType2, ntlmType3 } from '../../src/auth/ntlm.js';

async function get(e: Easy, url: string): Promise<number> {
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  return e.perform();
}

test('CVE-2014-0015 / CVE-2015-3143 / CVE-2016-8616: an NTLM connection serves only the exact credentials that authenticated it', async () => {
  const srv = await startNtlmServer(new NtlmAuthority({ accounts: [{ user: 'alice', password: 'Secret' }] }));
  const e = new Easy();
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.NTLM);
    e.setopt(CURLOPT.USERPWD, 'alice:Secret');
    assert.equal(await get(e, url), CURLE.OK);
    // control: the same credentials reuse the authenticated connection, sending nothing
    assert.equal(await get(e, url), CURLE.OK);
    assert.deepEqual(srv.log.map((l) => [l.connectionId, l.verdict]), [[0, 'challenge'], [0, 'ok'], [0, 'ok']]);
    // the password differs in case only: not the same credentials, not the same connection
    e.setopt(CURLOPT.USERPWD, 'alice:secret');
    assert.equal(await get(e, url), CURLE.OK);
    // nor another user name that differs in case
    e.setopt(CURLOPT.USERPWD, 'ALICE:Secret');
    assert.equal(await get(e, url), CURLE.OK);
    const later = srv.log.slice(3);
    assert.ok(later.every((l) => l.connectionId !== 0), JSON.stringify(later));
    // each of them had to do its own handshake (the wrong password was refused)
    assert.deepEqual(later.map((l) => l.verdict), ['challenge', 'reject', 'challenge', 'ok']);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CVE-2016-0755: a proxy connection NTLM-authenticated for one proxy user is not used with another', async () => {
  const authority = new NtlmAuthority({ accounts: [{ user: 'alice', password: 'a' }, { user: 'bob', password: 'b' }] });
  const proxy = await startProxyServer((req) => {
    const v = authority.judge(req.connectionId, req.headers.get('proxy-authorization'));
    if (v.kind === 'ok') return { data: `HTTP/1.1 200 OK\r\nContent-Length: ${v.user.length}\r\n\r\n${v.user}` };
    const h = v.kind === 'challenge' ? v.value : 'NTLM';
    return { data: `HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${h}\r\nContent-Length: 0\r\n\r\n` };
  });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${proxy.port}`);
    e.setopt(CURLOPT.PROXYAUTH, CURLAUTH.NTLM);
    const users: string[] = [];
    for (const creds of ['alice:a', 'alice:a', 'bob:b']) {
      e.setopt(CURLOPT.PROXYUSERPWD, creds);
      const chunks: Buffer[] = [];
      e.setopt(CURLOPT.URL, 'http://origin.example/');
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
      assert.equal(await e.perform(), CURLE.OK);
      users.push(Buffer.concat(chunks).toString());
    }
    assert.deepEqual(users, ['alice', 'alice', 'bob']);
    // alice's second request went over her authenticated connection (the control), bob's elsewhere
    assert.deepEqual(proxy.requests.map((r) => r.connectionId), [0, 0, 0, 1, 1]);
  } finally {
    e.cleanup();
    await proxy.close();
  }
});

test('CVE-2018-16890 / CVE-2019-3822: target info outside the type-2, or too big for the type-3, is refused', async () => {
  // through the wire: a challenge announcing 65535 bytes of target info that are not there
  const bogus = new NtlmAuthority({ accounts: [{ user: 'u', password: 'p' }], flags: FLAG.NTLM | FLAG.NTLM2 | FLAG.TARGET_INFO });
  const t2 = bogus.type2();
  t2.writeUInt16LE(0xffff, 40);
  const srv = await startRawServer((r) => (r.headers.get('authorization')?.startsWith('NTLM TlRMTVNTUAAB')
    ? { data: `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM ${t2.toString('base64')}\r\nContent-Length: 0\r\n\r\n` }
    : ok('no')));
  try {
    let lines: string[] = [];
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (x) => {
      x.setopt(CURLOPT.USERPWD, 'u:p');
      x.setopt(CURLOPT.HTTPAUTH, CURLAUTH.NTLM);
      lines = verboseLines(x);
    });
    // the challenge is not taken: no type-3, the 401 is the answer
    assert.equal(r.code, CURLE.OK);
    assert.equal(srv.requests.length, 1);
    assert.ok(lines.some((l) => l.includes('Target Info Offset Len is set incorrect by the peer')), lines.join('\n'));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
  // sans-I/O: target info that is there but does not fit libcurl's type-3 buffer (curl's test 776)
  const s = new NtlmConnState();
  const big = Buffer.alloc(48 + 60000);
  big.write('NTLMSSP\0', 0, 'latin1');
  big.writeUInt32LE(2, 8);
  big.writeUInt32LE(FLAG.NTLM2 | FLAG.TARGET_INFO, 20);
  big.writeUInt16LE(60000, 40);
  big.writeUInt32LE(48, 44);
  assert.equal(decodeType2(big, s).code, CURLE.OK);
  const r3 = ntlmType3(s, Buffer.from('u'), Buffer.from('p'), { clientChallenge: () => Buffer.alloc(8), now: () => 0 });
  assert.deepEqual([r3.code, r3.message], [CURLE.OUT_OF_MEMORY, 'incoming NTLM message too big']);
});

test('CVE-2018-14618 / CVE-2017-8816: a huge password is hashed, a huge user name refused with libcurl\'s error', () => {
  const s = new NtlmConnState();
  const t2 = new NtlmAuthority({ accounts: [] }).type2();
  assert.equal(decodeType2(t2, s).code, CURLE.OK);
  const ok3 = ntlmType3(s, Buffer.from('u'), Buffer.alloc(1 << 20, 0x41), { clientChallenge: () => Buffer.alloc(8), now: () => 0 });
  assert.equal(ok3.code, CURLE.OK);
  assert.equal(ok3.msg!.length, 64 + 24 + 24 + 1 + 11);
  const tooLong = ntlmType3(s, Buffer.alloc(70000, 0x41), Buffer.from('p'), { clientChallenge: () => Buffer.alloc(8), now: () => 0 });
  assert.deepEqual([tooLong.code, tooLong.message], [CURLE.OUT_OF_MEMORY, 'user + domain + host name too big']);
});

test('NTLM credentials do not follow a redirect to another origin (UNRESTRICTED_AUTH does)', async () => {
  const other = await startNtlmServer(new NtlmAuthority({ accounts: [{ user: 'u', password: 'p' }] }));
  const first = await startRawServer(() => ({ data: `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${other.port}/landed\r\nContent-Length: 0\r\n\r\n` }));
  try {
    for (const unrestricted of [0, 1]) {
      const r = await fetchUrl(`http://127.0.0.1:${first.port}/start`, (x) => {
        x.setopt(CURLOPT.USERPWD, 'u:p');
        x.setopt(CURLOPT.HTTPAUTH, CURLAUTH.NTLM);
        x.setopt(CURLOPT.FOLLOWLOCATION, 1);
        x.setopt(CURLOPT.UNRESTRICTED_AUTH, unrestricted);
      });
      assert.equal(r.code, CURLE.OK);
      r.easy.cleanup();
    }
    // the type-1 went to the first origin both times (it is the one the credentials are for)
    assert.ok(first.requests.every((q) => q.headers.get('authorization')?.startsWith('NTLM ')));
    const landed = other.log.map((l) => [l.authorization === undefined ? 'none' : 'ntlm', l.verdict]);
    assert.deepEqual(landed, [['none', 'ask'], ['ntlm', 'challenge'], ['ntlm', 'ok']]);
  } finally {
    await first.close();
    await other.close();
  }
});
