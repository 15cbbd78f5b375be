// Digest as libcurl computes it, checked against the RFCs' worked examples and
// curl's own test data, plus the challenge rules (stale, bad nonce, -sess).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestState, digestGetPair } from '../../src/auth/digest.js';
import { parseChallenges, pickOneAuth } from '../../src/auth/challenge.js';
import { basicCredentials } from '../../src/auth/basic.js';
import { CURLAUTH, normaliseHttpAuth } from '../../src/auth/curlauth.js';

function param(header: string, name: string): string | undefined {
  return new RegExp(`${name}="?([^",]*)"?`).exec(header)?.[1];
}

test('curl test 64: MD5 without qop, exact header', () => {
  const d = new DigestState();
  assert.ok(d.decode('realm="testrealm", nonce="1053604145"'));
  assert.equal(d.respond({ user: 'testuser', password: 'testpass', method: 'GET', uri: '/64' }),
    'Digest username="testuser", realm="testrealm", nonce="1053604145", uri="/64", response="c55f7f30d83d774a3d2dcacf725abaca"');
});

test('RFC 2617 3.5 example: MD5, qop=auth', () => {
  const d = new DigestState(() => '0a4f113b');
  assert.ok(d.decode('realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'));
  const h = d.respond({ user: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html' });
  assert.equal(h, 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
    'uri="/dir/index.html", cnonce="0a4f113b", nc=00000001, qop=auth, response="6629fae49393a05397450978507c4ef1", ' +
    'opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  // the nonce count goes up with every use of the same nonce
  assert.match(d.respond({ user: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html' }), /nc=00000002/);
});

test('RFC 7616 3.9.1 examples: MD5 and SHA-256', () => {
  const chlg = (algo: string): string => `realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algo}, ` +
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
  const req = { user: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html' };
  for (const [algo, expect] of [['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1']] as const) {
    const d = new DigestState(() => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
    assert.ok(d.decode(chlg(algo)));
    const h = d.respond(req);
    assert.equal(param(h, 'response'), expect, algo);
    assert.match(h, new RegExp(`, algorithm=${algo}$`));
  }
});

// RFC 7616 3.9.2's printed hashes are wrong (erratum 4897); these values are
// the RFC's inputs hashed independently (Python hashlib sha512_256).
test('RFC 7616 3.9.2 inputs: SHA-512-256 with userhash and a UTF-8 user name', () => {
  const d = new DigestState(() => 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v');
  assert.ok(d.decode('realm="api@example.org", qop="auth", algorithm=SHA-512-256, ' +
    'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", userhash=true'));
  const h = d.respond({ user: 'J\u00e4s\u00f8n Doe', password: 'Secret, or not?', method: 'GET', uri: '/doe.json' });
  assert.equal(param(h, 'username'), '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b');
  assert.equal(param(h, 'response'), '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
  assert.match(h, /, userhash=true$/);
});

test('challenge rules: stale nonce accepted, a fresh nonce without stale is a failure, -sess needs qop', () => {
  const d = new DigestState();
  assert.ok(d.decode('realm="r", nonce="n1", qop="auth"'));
  d.respond({ user: 'u', password: 'p', method: 'GET', uri: '/' });
  assert.equal(d.decode('realm="r", nonce="n2"'), false, 'new nonce, not stale: wrong credentials');
  assert.ok(d.decode('realm="r", nonce="n3", stale=true, qop=auth'));
  assert.match(d.respond({ user: 'u', password: 'p', method: 'GET', uri: '/' }), /nonce="n3".*nc=00000001/);
  assert.equal(new DigestState().decode('realm="r"'), false, 'no nonce');
  assert.equal(new DigestState().decode('nonce="n", algorithm=MD5-sess'), false, '-sess without qop');
  assert.equal(new DigestState().decode('nonce="n", algorithm=FOO'), false, 'unknown algorithm');
  assert.ok(new DigestState().decode('nonce="n", algorithm=md5-sess, qop="auth-int"'));
});

test('quoting: escapes are read in, and written back for realm and user', () => {
  assert.deepEqual(digestGetPair('realm="a\\"b", x', 0), { name: 'realm', value: 'a"b', end: 12 });
  assert.deepEqual(digestGetPair('algorithm=MD5,x', 0), { name: 'algorithm', value: 'MD5', end: 14 });
  assert.equal(digestGetPair('novalue', 0), null);
  const d = new DigestState();
  assert.ok(d.decode('realm="a\\"b", nonce="n"'));
  assert.match(d.respond({ user: 'x"y', password: '', method: 'GET', uri: '/' }), /^Digest username="x\\"y", realm="a\\"b"/);
});

test('WWW-Authenticate scanning and libcurl\'s order of preference', () => {
  assert.deepEqual(parseChallenges('Basic realm="x"').map((c) => c.bit), [CURLAUTH.BASIC]);
  assert.deepEqual(parseChallenges('Digest realm="x", nonce="1", Basic realm="y"').map((c) => c.bit), [CURLAUTH.DIGEST, CURLAUTH.BASIC]);
  assert.deepEqual(parseChallenges('Basicx, NTLM').map((c) => c.bit), [CURLAUTH.NTLM]);
  assert.equal(parseChallenges('Digest realm="x"')[0]!.rest, ' realm="x"');
  const all = CURLAUTH.BASIC | CURLAUTH.DIGEST | CURLAUTH.BEARER;
  assert.equal(pickOneAuth(all, CURLAUTH.ANY), CURLAUTH.BEARER);
  assert.equal(pickOneAuth(CURLAUTH.BASIC | CURLAUTH.DIGEST, CURLAUTH.ANY), CURLAUTH.DIGEST);
  assert.equal(pickOneAuth(CURLAUTH.BASIC | CURLAUTH.DIGEST, CURLAUTH.ANYSAFE), CURLAUTH.DIGEST);
  assert.equal(pickOneAuth(CURLAUTH.BASIC, CURLAUTH.ANYSAFE), CURLAUTH.NONE);
});

test('Basic encodes user:password as given (colons in the password, empty parts)', () => {
  assert.equal(basicCredentials('user', 'pa:ss'), 'Basic ' + Buffer.from('user:pa:ss').toString('base64'));
  assert.equal(basicCredentials('user', null), 'Basic dXNlcjo=');
  assert.equal(basicCredentials('', ''), 'Basic Og==');
});

test('HTTPAUTH masks as setopt sees them', () => {
  // NTLM is built in; winbind's NTLM helper and Negotiate (GSS-API) are not
  assert.deepEqual(normaliseHttpAuth(CURLAUTH.NTLM), { mask: CURLAUTH.NTLM, ieStyle: false });
  assert.equal(normaliseHttpAuth(CURLAUTH.NTLM_WB), null);
  assert.equal(normaliseHttpAuth(CURLAUTH.NEGOTIATE), null);
  assert.equal(normaliseHttpAuth(CURLAUTH.ONLY), null);
  assert.deepEqual(normaliseHttpAuth(CURLAUTH.DIGEST_IE), { mask: CURLAUTH.DIGEST, ieStyle: true });
  assert.equal(normaliseHttpAuth(CURLAUTH.ANY)!.mask & CURLAUTH.NTLM, CURLAUTH.NTLM);
  assert.equal(normaliseHttpAuth(CURLAUTH.ANY)!.mask & (CURLAUTH.NTLM_WB | CURLAUTH.NEGOTIATE), 0);
  assert.equal(normaliseHttpAuth(CURLAUTH.ANYSAFE)!.mask & (CURLAUTH.NTLM | CURLAUTH.BASIC), CURLAUTH.NTLM);
  assert.equal(normaliseHttpAuth(CURLAUTH.DIGEST | CURLAUTH.ONLY)!.mask, (CURLAUTH.DIGEST | CURLAUTH.ONLY) >>> 0);
});
