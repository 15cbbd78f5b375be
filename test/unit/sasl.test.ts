// The SASL mechanisms against their RFCs' examples, and the dialogue's
// choices (libcurl's curl_sasl.c order, initial responses, cancellation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cramMd5Message, plainMessage, xoauth2Message, oauthBearerMessage, mechsFromList, decodeMech, SASL_MECH,
} from '../../src/auth/sasl-mechs.js';
import { SaslSession, type SaslCredentials } from '../../src/auth/sasl.js';
import { CURLE } from '../../src/codes.js';

const SMTP = { contcode: 334, finalcode: 235, maxirlen: 504 };

function creds(over: Partial<SaslCredentials> = {}): SaslCredentials {
  return { user: 'tim', passwd: 'tanstaaftanstaaf', authzid: '', bearer: null, host: 'server.example.com', port: 143, ...over };
}

test('CRAM-MD5: RFC 2195 section 2 example', () => {
  const m = cramMd5Message(Buffer.from('<1896.697170952@postoffice.reston.mci.net>'), 'tim', 'tanstaaftanstaaf');
  assert.equal(m.toString(), 'tim b913a602c7eda7a495b4e6e7334d3890');
});

test('PLAIN: RFC 4616 section 4 example (with and without authzid)', () => {
  assert.equal(plainMessage('', 'tim', 'tanstaaftanstaaf').toString('base64'), 'AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
  assert.equal(plainMessage('Ursel', 'Kurt', 'xipj3plmq').toString('latin1'), 'Ursel\0Kurt\0xipj3plmq');
});

test('XOAUTH2 and OAUTHBEARER (RFC 7628 section 4.1) messages', () => {
  assert.equal(xoauth2Message('someuser@example.com', 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg').toString('base64'),
    'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==');
  assert.equal(oauthBearerMessage('user@example.com', 'server.example.com', 143, 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==').toString(),
    'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01');
  // libcurl leaves port 80 out
  assert.doesNotMatch(oauthBearerMessage('u', 'h', 80, 't').toString(), /port=/);
});

test('mechanism names: exact words, case-sensitive, longest match wins by boundary', () => {
  assert.equal(mechsFromList('PLAIN LOGIN CRAM-MD5 XOAUTH2'), SASL_MECH.PLAIN | SASL_MECH.LOGIN | SASL_MECH.CRAM_MD5 | SASL_MECH.XOAUTH2);
  assert.equal(mechsFromList('PLAINX plain LOGIN-2'), 0);
  assert.equal(decodeMech('CRAM-MD5').mech, SASL_MECH.CRAM_MD5);
});

test('the dialogue prefers CRAM-MD5, then XOAUTH2 with a token, then PLAIN, then LOGIN', () => {
  const all = SASL_MECH.PLAIN | SASL_MECH.LOGIN | SASL_MECH.CRAM_MD5 | SASL_MECH.XOAUTH2;
  let s = new SaslSession(SMTP, creds(), false);
  s.authmechs = all;
  assert.deepEqual(s.start(false), { kind: 'auth', mech: 'CRAM-MD5', ir: null });
  const chlg = Buffer.from('<1896.697170952@postoffice.reston.mci.net>').toString('base64');
  assert.deepEqual(s.next(334, chlg), { kind: 'send', line: Buffer.from('tim b913a602c7eda7a495b4e6e7334d3890').toString('base64') });
  assert.deepEqual(s.next(235, 'ok'), { kind: 'done' });

  s = new SaslSession(SMTP, creds({ bearer: 'tok' }), false);
  s.authmechs = all & ~SASL_MECH.CRAM_MD5;
  assert.equal((s.start(false) as { mech: string }).mech, 'XOAUTH2');

  s = new SaslSession(SMTP, creds(), true);
  s.authmechs = SASL_MECH.PLAIN | SASL_MECH.LOGIN;
  assert.deepEqual(s.start(false), { kind: 'auth', mech: 'PLAIN', ir: 'AHRpbQB0YW5zdGFhZnRhbnN0YWFm' });
  assert.deepEqual(s.next(535, 'no'), { kind: 'fail', code: CURLE.LOGIN_DENIED, message: '' });

  s = new SaslSession(SMTP, creds(), false);
  s.authmechs = SASL_MECH.LOGIN;
  assert.deepEqual(s.start(false), { kind: 'auth', mech: 'LOGIN', ir: null });
  assert.deepEqual(s.next(334, 'VXNlcm5hbWU6'), { kind: 'send', line: 'dGlt' });
  assert.deepEqual(s.next(334, 'UGFzc3dvcmQ6'), { kind: 'send', line: Buffer.from('tanstaaftanstaaf').toString('base64') });
  assert.deepEqual(s.next(235, ''), { kind: 'done' });
});

test('EXTERNAL only when LOGIN_OPTIONS asks and no password is set; AUTH= options', () => {
  const s = new SaslSession(SMTP, creds({ passwd: '' }), false);
  s.authmechs = SASL_MECH.EXTERNAL | SASL_MECH.PLAIN;
  assert.equal((s.start(false) as { mech: string }).mech, 'PLAIN');
  assert.equal(s.parseAuthOption('EXTERNAL'), true);
  assert.deepEqual(s.start(true), { kind: 'auth', mech: 'EXTERNAL', ir: 'dGlt' });
  assert.equal(s.parseAuthOption('BOGUS'), false);
  assert.equal(s.parseAuthOption(''), false);
  const n = new SaslSession(SMTP, creds({ user: null }), false);
  n.authmechs = SASL_MECH.PLAIN;
  assert.equal(n.canAuthenticate(), false);
  assert.deepEqual(n.start(false), { kind: 'none' });
});

test('a challenge that is not base64 cancels; the server\'s answer moves on to the next mechanism', () => {
  const s = new SaslSession(SMTP, creds(), false);
  s.authmechs = SASL_MECH.CRAM_MD5 | SASL_MECH.PLAIN;
  assert.equal((s.start(false) as { mech: string }).mech, 'CRAM-MD5');
  assert.deepEqual(s.next(334, 'not base64!'), { kind: 'send', line: '*' });
  assert.deepEqual(s.next(501, 'cancelled'), { kind: 'auth', mech: 'PLAIN', ir: null });
});

test('an initial response too long for the protocol is left out', () => {
  const s = new SaslSession(SMTP, creds({ passwd: 'x'.repeat(600) }), true);
  s.authmechs = SASL_MECH.PLAIN;
  assert.deepEqual(s.start(false), { kind: 'auth', mech: 'PLAIN', ir: null });
});

test('NTLM: type-1 first (libcurl\'s bytes), a bad type-2 cancels with "*"', () => {
  const s = new SaslSession(SMTP, creds(), false);
  s.authmechs = SASL_MECH.NTLM | SASL_MECH.PLAIN;
  assert.deepEqual(s.start(false), { kind: 'auth', mech: 'NTLM', ir: null });
  assert.deepEqual(s.next(334, ''), { kind: 'send', line: 'TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=' });
  assert.deepEqual(s.next(334, Buffer.from('not ntlm').toString('base64')), { kind: 'send', line: '*' });
  assert.deepEqual(s.next(501, ''), { kind: 'auth', mech: 'PLAIN', ir: null });
});
