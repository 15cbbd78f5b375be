// NTLM's pieces without sockets: MD4 (RFC 1320's test suite), DES (FIPS
// known answers), the hashes and responses against MS-NLMP's worked examples
// (4.2.2, 4.2.4), and the messages against the exact bytes curl's own test
// cases expect (tests 68 and 91), the type-2 checks, and the handshake state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { md4 } from '../../src/auth/md4.js';
import { desEncryptBlock, desKeyFrom56 } from '../../src/auth/des.js';
import { fileTime, lmHash, lmResponse, lmv2Response, ntHash, ntlmv2Hash, ntlmv2Response, widen } from '../../src/auth/ntlm-core.js';
import {
  NTLMFLAG, NTLMSTATE, NtlmConnState, decodeType2, ntlmInput, ntlmOutput, ntlmType1, ntlmType3, type NtlmEnvironment, type NtlmHolder,
} from '../../src/auth/ntlm.js';
import { CURLE } from '../../src/codes.js';
import { CURLAUTH } from '../../src/auth/curlauth.js';
import { HostAuth } from '../../src/auth/host-auth.js';
import { ConnectionPool } from '../../src/conn/pool.js';
import { Connection } from '../../src/conn/connection.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

test('MD4: the RFC 1320 test suite', () => {
  const suite: [string, string][] = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  for (const [input, digest] of suite) assert.equal(md4(bytes(input)).toString('hex'), digest, JSON.stringify(input));
  // padding edges: 55, 56 and 64 bytes need one, two and two blocks
  for (const n of [55, 56, 63, 64, 65]) assert.equal(md4(Buffer.alloc(n, 0x61)).length, 16);
});

test('DES: known answers, and 56-bit keys spread over 8 bytes with odd parity', () => {
  assert.equal(desEncryptBlock(hex('133457799bbcdff1'), hex('0123456789abcdef')).toString('hex'), '85e813540f0ab405');
  assert.equal(desEncryptBlock(hex('0e329232ea6d0d73'), hex('8787878787878787')).toString('hex'), '0000000000000000');
  // FIPS 81 / NBS variable-plaintext known answer
  assert.equal(desEncryptBlock(hex('0101010101010101'), hex('8000000000000000')).toString('hex'), '95f8a5e5dd31d900');
  // parity bits do not change the result
  assert.deepEqual(desEncryptBlock(hex('0000000000000000'), hex('0123456789abcdef')), desEncryptBlock(hex('0101010101010101'), hex('0123456789abcdef')));
  assert.equal(desKeyFrom56(hex('00000000000000')).toString('hex'), '0101010101010101');
  assert.equal(desKeyFrom56(hex('ffffffffffffff')).toString('hex'), 'fefefefefefefefe');
  assert.throws(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8)), RangeError);
});

// MS-NLMP 4.2.1: user "User", domain "Domain", password "Password", server challenge 0123456789abcdef
const CHALLENGE = hex('0123456789abcdef');

test('NTLMv1 hashes and responses: MS-NLMP 4.2.2', () => {
  assert.equal(lmHash(bytes('Password')).subarray(0, 16).toString('hex'), 'e52cac67419a9a224a3b108f3fa6cb6d');
  assert.equal(ntHash(bytes('Password')).subarray(0, 16).toString('hex'), 'a4f49c406510bdcab6824ee7c30fd852');
  assert.equal(lmResponse(ntHash(bytes('Password')), CHALLENGE).toString('hex'), '67c43011f30298a2ad35ece64f16331c44bdbed927841f94');
  assert.equal(lmResponse(lmHash(bytes('Password')), CHALLENGE).toString('hex'), '98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13');
  // the LM hash upper-cases and stops at 14 bytes
  assert.deepEqual(lmHash(bytes('password')), lmHash(bytes('PASSWORD')));
  assert.deepEqual(lmHash(bytes('abcdefghijklmnXYZ')), lmHash(bytes('ABCDEFGHIJKLMN')));
});

test('NTLMv2 hashes and responses: MS-NLMP 4.2.4', () => {
  const v2 = ntlmv2Hash(bytes('User'), bytes('Domain'), ntHash(bytes('Password')));
  assert.equal(v2.toString('hex'), '0c868a403bfd7a93a3001ef22ef02e3f');
  const client = hex('aaaaaaaaaaaaaaaa');
  assert.equal(lmv2Response(v2, client, CHALLENGE).toString('hex'), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  // the example's target info: NetBIOS domain "Domain", computer "Server"; time zero
  const targetInfo = Buffer.concat([hex('02000c00'), widen(bytes('Domain')), hex('01000c00'), widen(bytes('Server')), hex('00000000')]);
  const resp = ntlmv2Response(v2, client, CHALLENGE, targetInfo, 0n);
  assert.equal(resp.subarray(0, 16).toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  // the blob: signature, reserved, time, client challenge, zeros, target info, zeros
  assert.equal(resp.subarray(16, 24).toString('hex'), '0101000000000000');
  assert.deepEqual(resp.subarray(32, 40), client);
  assert.deepEqual(resp.subarray(44, 44 + targetInfo.length), targetInfo);
  assert.equal(resp.length, 16 + 28 + targetInfo.length + 4);
  assert.equal(fileTime(0), 116444736000000000n);
});

test('type-1: the 32 bytes curl sends (flags OEM, request target, NTLM, NTLM2 key, always sign)', () => {
  // curl's tests: NTLMSSP%00%01%00%00%00%06%82%08%00 and 23 zero bytes
  assert.equal(ntlmType1().toString('base64'), 'TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=');
});

// the challenge in curl's NTLM test cases (68, 69, 81, 89, 90, 91, 150, ...)
const CURL_TYPE2 = 'TlRMTVNTUAACAAAAAgACADAAAACGggEAc51AYVDgyNcAAAAAAAAAAG4AbgAyAAAAQ0MCAAQAQwBDAAEAEgBFAEwASQBTAEEAQgBFAFQASAAEABgAYwBjAC4AaQBjAGUAZABlAHYALgBuAHUAAwAsAGUAbABpAHMAYQBiAGUAdABoAC4AYwBjAC4AaQBjAGUAZABlAHYALgBuAHUAAAAAAA==';
const NO_ENTROPY: NtlmEnvironment = {
  clientChallenge: () => assert.fail('an NTLMv1 response needs no entropy'),
  now: () => assert.fail('an NTLMv1 response needs no clock'),
};

test('type-3 (NTLMv1): byte for byte what curl\'s test cases 68 and 91 expect', () => {
  const s = new NtlmConnState();
  assert.equal(decodeType2(Buffer.from(CURL_TYPE2, 'base64'), s).code, CURLE.OK);
  assert.equal(s.flags, 0x00018286);
  const t68 = ntlmType3(s, bytes('testuser'), bytes('testpass'), NO_ENTROPY);
  assert.equal(t68.msg!.toString('base64'),
    'TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAACAAIAHAAAAALAAsAeAAAAAAAAAAAAAAAhoIBAFpkQwKRCZFMhjj0tw47wEjKHRHlvzfxQamFcheMuv8v+xeqphEO5V41xRd7R9deOXRlc3R1c2VyV09SS1NUQVRJT04=');
  // "DOMAIN\user"
  const t91 = ntlmType3(s, bytes('mydomain\\myself'), bytes('secret'), NO_ENTROPY);
  assert.equal(t91.msg!.toString('base64'),
    'TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAgACABwAAAABgAGAHgAAAALAAsAfgAAAAAAAAAAAAAAhoIBAMIyJpR5mHpg2FZha5kRaFZ9436GAxPu0C5llxexSQ5QzVkiLSfkcpVyRgCXXqR+Am15ZG9tYWlubXlzZWxmV09SS1NUQVRJT04=');
  // "DOMAIN/user" splits the same way
  assert.deepEqual(ntlmType3(s, bytes('mydomain/myself'), bytes('secret'), NO_ENTROPY).msg, t91.msg);
});

test('type-3 (NTLMv2) when the challenge has the NTLM2 key flag: the responses, the names widened with UNICODE', () => {
  const s = new NtlmConnState();
  s.flags = NTLMFLAG.NEGOTIATE_UNICODE | NTLMFLAG.NEGOTIATE_NTLM2_KEY | NTLMFLAG.NEGOTIATE_TARGET_INFO;
  s.nonce = CHALLENGE;
  s.targetInfo = Buffer.concat([hex('02000c00'), widen(bytes('Domain')), hex('01000c00'), widen(bytes('Server')), hex('00000000')]);
  const m = ntlmType3(s, bytes('Domain\\User'), bytes('Password'), { clientChallenge: () => hex('aaaaaaaaaaaaaaaa'), now: () => -11644473600 }).msg!;
  const buf = (at: number): Buffer => m.subarray(m.readUInt32LE(at + 4), m.readUInt32LE(at + 4) + m.readUInt16LE(at));
  assert.equal(buf(12).toString('hex'), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  assert.equal(buf(20).subarray(0, 16).toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  assert.equal(buf(28).toString('utf16le'), 'Domain');
  assert.equal(buf(36).toString('utf16le'), 'User');
  assert.equal(buf(44).toString('utf16le'), 'WORKSTATION');
  assert.equal(m.readUInt32LE(60), s.flags);
  // the target info is used once: the state forgets it with the message sent
  assert.equal(s.targetInfo.length, 0);
});

test('type-3 that does not fit libcurl\'s 1024 bytes: CURLE_OUT_OF_MEMORY with libcurl\'s words', () => {
  const s = new NtlmConnState();
  decodeType2(Buffer.from(CURL_TYPE2, 'base64'), s);
  const r = ntlmType3(s, bytes('testuser' + 'A'.repeat(1100)), bytes('testpass'), NO_ENTROPY);
  assert.deepEqual([r.code, r.message], [CURLE.OUT_OF_MEMORY, 'user + domain + host name too big']);
  s.flags |= NTLMFLAG.NEGOTIATE_NTLM2_KEY;
  s.targetInfo = Buffer.alloc(2000);
  const v2 = ntlmType3(s, bytes('u'), bytes('p'), { clientChallenge: () => Buffer.alloc(8), now: () => 0 });
  assert.deepEqual([v2.code, v2.message], [CURLE.OUT_OF_MEMORY, 'incoming NTLM message too big']);
});

test('type-2 checks: signature, type, length, target info inside the message', () => {
  const s = new NtlmConnState();
  const good = Buffer.from(CURL_TYPE2, 'base64');
  const bad = (m: Buffer): void => assert.equal(decodeType2(m, s).code, CURLE.BAD_CONTENT_ENCODING);
  bad(good.subarray(0, 31));
  bad(Buffer.concat([bytes('NTLMSSQ\0'), good.subarray(8)]));
  const type3 = Buffer.from(good);
  type3.writeUInt32LE(3, 8);
  bad(type3);
  // target info announced past the end of the message (curl's test 776 has such a length)
  const ti = Buffer.from(good);
  ti.writeUInt32LE(ti.readUInt32LE(20) | NTLMFLAG.NEGOTIATE_TARGET_INFO, 20);
  ti.writeUInt16LE(0xffff, 40);
  const r = decodeType2(ti, s);
  assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING);
  assert.match(r.info[0]!, /Target Info Offset Len is set incorrect by the peer/);
  // inside: kept
  ti.writeUInt16LE(4, 40);
  assert.equal(decodeType2(ti, s).code, CURLE.OK);
  assert.deepEqual(s.targetInfo, ti.subarray(ti.readUInt32LE(44), ti.readUInt32LE(44) + 4));
});

test('the handshake state: challenge, restart, rejection (Curl_input_ntlm / Curl_output_ntlm)', () => {
  const holder: NtlmHolder = { httpNtlm: null, proxyNtlm: null };
  const out = (): ReturnType<typeof ntlmOutput> => ntlmOutput(holder, false, 'testuser', 'testpass', NO_ENTROPY);
  // no state yet: a type-1, not done
  assert.deepEqual(out(), { code: CURLE.OK, value: 'NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=', done: false });
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.NONE);
  // the challenge
  assert.equal(ntlmInput(holder, false, ` ${CURL_TYPE2}`).code, CURLE.OK);
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.TYPE2);
  assert.equal(holder.proxyNtlm, null);
  const t3 = out();
  assert.equal(t3.done, true);
  assert.match(t3.value!, /^NTLM TlRMTVNTUAAD/);
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.TYPE3);
  // the connection is authenticated: nothing more to send on it
  assert.deepEqual(out(), { code: CURLE.OK, value: null, done: true });
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.LAST);
  // a bare "NTLM" now: the server wants to start over
  assert.deepEqual(ntlmInput(holder, false, ''), { code: CURLE.OK, info: ['NTLM auth restarted'] });
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.TYPE1);
  // a second bare "NTLM" before any challenge: something is wrong
  assert.deepEqual(ntlmInput(holder, false, ''), { code: CURLE.REMOTE_ACCESS_DENIED, info: ['NTLM handshake failure (internal error)'] });
  // a bare "NTLM" right after our type-3: the credentials were refused
  holder.httpNtlm!.state = NTLMSTATE.TYPE3;
  assert.deepEqual(ntlmInput(holder, false, ''), { code: CURLE.REMOTE_ACCESS_DENIED, info: ['NTLM handshake rejected'] });
  assert.equal(holder.httpNtlm!.state, NTLMSTATE.NONE);
  // not base64, or not a type-2
  assert.equal(ntlmInput(holder, false, ' TlRMTVNTUAACAAAA*').code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(ntlmInput(holder, false, ' TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=').code, CURLE.BAD_CONTENT_ENCODING);
  // the proxy's handshake is another one
  assert.equal(ntlmInput(holder, true, ` ${CURL_TYPE2}`).code, CURLE.OK);
  assert.equal(holder.proxyNtlm!.state, NTLMSTATE.TYPE2);
});

test('HostAuth with NTLM: the 401 exchange, the info lines, a wrong password is an authentication problem', () => {
  const a = new HostAuth({
    httpAuth: CURLAUTH.ANY, username: 'testuser', password: 'testpass', bearer: null, netrc: 0, netrcFile: null, awsSigV4: null, failOnError: false,
  });
  const conn: NtlmHolder = { httpNtlm: null, proxyNtlm: null };
  const creds = a.credentials('h').creds;
  const req = { method: 'GET', bodyless: true, host: 'h', hostHeader: 'h', target: '/', userHeaders: [], body: null, allowed: true, conn };
  // ANY: nothing before the server says what it takes
  assert.deepEqual(a.output(req, creds).lines, []);
  assert.deepEqual(a.input('Basic realm="x"', conn), []);
  assert.deepEqual(a.input('NTLM', conn), []);
  // NTLM before Basic (libcurl's order)
  assert.deepEqual(a.act(401, creds, true), { retry: true, fail: false });
  assert.equal(a.picked, CURLAUTH.NTLM);
  const o1 = a.output(req, creds);
  assert.deepEqual(o1.lines, ['Authorization: NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=']);
  assert.deepEqual(o1.info, ["Server auth using NTLM with user 'testuser'"]);
  // a POST waits with its body until the handshake is done
  assert.equal(a.output({ ...req, method: 'POST', bodyless: false, conn: { httpNtlm: null, proxyNtlm: null } }, creds).probe, true);
  a.input(`NTLM ${CURL_TYPE2}`, conn);
  assert.deepEqual(a.act(401, creds, true), { retry: true, fail: false });
  const o3 = a.output(req, creds);
  assert.match(o3.lines[0]!, /^Authorization: NTLM TlRMTVNTUAAD/);
  assert.equal(o3.probe, false);
  assert.equal(a.used, CURLAUTH.NTLM);
  // refused: the 401 is the answer
  assert.deepEqual(a.input('NTLM', conn), ['NTLM handshake rejected', 'Authentication problem. Ignoring this.']);
  assert.deepEqual(a.act(401, creds, true), { retry: false, fail: false });
  // the next brand-new connection: the done handshake belonged to the old one
  const b = new HostAuth({ httpAuth: CURLAUTH.NTLM, username: 'u', password: 'p', bearer: null, netrc: 0, netrcFile: null, awsSigV4: null, failOnError: false });
  assert.equal(b.freshConnection(), null);
  b.picked = CURLAUTH.NTLM;
  b.done = true;
  assert.equal(b.freshConnection(), 'NTLM picked AND auth done set, clear picked');
  assert.deepEqual([b.picked, b.done], [CURLAUTH.NONE, false]);
});

test('the pool: a rating picks the connection, 0 leaves it idle for others', () => {
  const closed: Connection[] = [];
  const pool = new ConnectionPool((c) => closed.push(c));
  const conns = [0, 1, 2].map(() => new Connection('http', 'h', 80));
  // an idle connection counts as alive only with a live transport; these have none, so tooOld decides nothing
  const alive = { isAliveWhileIdle: () => true } as const;
  for (const c of conns) {
    Object.assign(c, alive);
    pool.opened(c);
    pool.release(c, 10, 0);
  }
  // without a rating: the most recently used
  assert.equal(pool.take(conns[0]!.key), conns[2]);
  pool.release(conns[2]!, 10, 0);
  // a rating of 2 wins over newer ones rated 1
  assert.equal(pool.take(conns[0]!.key, undefined, (c) => (c === conns[0] ? 2 : 1)), conns[0]);
  // only 0s: nothing taken, nothing closed
  assert.equal(pool.take(conns[0]!.key, undefined, () => 0), undefined);
  assert.equal(pool.idleCount, 2);
  // the newest usable one when none is rated 2
  assert.equal(pool.take(conns[0]!.key, undefined, (c) => (c === conns[1] ? 1 : 0)), conns[1]);
  assert.deepEqual(closed, []);
});

test('HMAC-MD5 from node:crypto is what NTLMv2 needs (it is not in the legacy provider)', () => {
  assert.equal(createHmac('md5', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'), '80070713463e7749b90c2dc24911e275');
});
