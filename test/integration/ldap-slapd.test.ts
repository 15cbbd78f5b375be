// LDAP and LDAPS against Debian's slapd started on 127.0.0.1 with a temp
// config and database: searches (scope, attributes, filters) printed byte
// for byte as curl 7.88 prints them, the URL errors, binds (anonymous,
// as a user, refused), connection reuse, ldaps, CURLINFO_RESPONSE_CODE and a
// paused write callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLPAUSE, CURL_WRITEFUNC_PAUSE, openSocketCount } from '../../src/index.js';
import { requirePrograms, requireProgram } from '../helpers/requires.js';
import { startSlapd, ADMIN_DN, ADMIN_PASSWORD, SUFFIX } from '../helpers/slapd.js';
import { testCerts } from '../helpers/certs.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';

const NO_SLAPD = requireProgram('slapd', 'slapd');
const NO_CURL = requireProgram('curl', 'curl');
const NO_TLS = requirePrograms(['slapd', 'slapd'], ['openssl', 'openssl']);

const BOB = `DN: cn=Bob,ou=people,${SUFFIX}\n\tobjectClass: inetOrgPerson\n\n\tcn: Bob\n\n\tsn: Builder\n\n\tmail: bob@example.com\n\n\n`;

test('searches print entries as curl 7.88 does; URL, filter and search errors with its codes and messages', { skip: NO_SLAPD }, async () => {
  const srv = await startSlapd();
  try {
    const cases = [
      SUFFIX, // base scope by default
      `ou=people,${SUFFIX}?mail,cn?one`,
      `${SUFFIX}??sub?cn=Bob`,
      `${SUFFIX}?cn?sub?(%26(objectClass=person)(!(cn=Bob)))`,
      `${SUFFIX}??sub?(|(mail=*bob*)(sn>=T))`,
      `${SUFFIX}??sub?(cn=Alice*)`,
      `${SUFFIX}?description?sub?(description=*)`, // a value with a leading space: base64
      `cn=Bob,ou=people,${SUFFIX}?cn,nonexist`,
      '', // the root DSE: an empty DN prints "DN:"
      `dc=nope,dc=com??sub`, // No such object: 39
      `${SUFFIX}??bogus`, // bad scope: 3
      `${SUFFIX}??sub?(cn=*`, // bad filter: 39
      `${SUFFIX}??sub?(cn=x)(sn=y)`,
    ];
    const expected = new Map<string, { code: number; stdout: string; stderr?: string }>([
      [`${SUFFIX}??sub?cn=Bob`, { code: 0, stdout: BOB }],
      ['', { code: 0, stdout: 'DN:\n\tobjectClass: top\n\tobjectClass: OpenLDAProotDSE\n\n\n' }],
      [`dc=nope,dc=com??sub`, { code: 39, stdout: '', stderr: 'tscurl: (39) LDAP remote: search failed No such object \n' }],
      [`${SUFFIX}??bogus`, { code: 3, stdout: '', stderr: 'tscurl: (3) LDAP local: bad or missing scope\n' }],
      [`${SUFFIX}??sub?(cn=*`, { code: 39, stdout: '', stderr: 'tscurl: (39) LDAP local: ldap_search_ext Bad search filter\n' }],
      [`${SUFFIX}?description?sub?(description=*)`, { code: 0, stdout: `DN: cn=Alice Smith,ou=people,${SUFFIX}\n\tdescription:: IGxlYWRpbmcgc3BhY2U=\n\n\n` }],
    ]);
    for (const rest of cases) {
      const url = srv.url(rest);
      const t = await tscurl(['-sS', url]);
      const want = expected.get(rest);
      if (want) {
        assert.equal(t.code, want.code, rest);
        assert.equal(t.stdout, want.stdout, rest);
        if (want.stderr !== undefined) assert.equal(t.stderr, want.stderr, rest);
      }
      if (NO_CURL) continue;
      const c = await curl(['-sS', url]);
      assert.equal(t.code, c.code, `${rest}: ${t.stderr}`);
      assert.equal(t.stdout, c.stdout, rest);
      assert.equal(t.stderr, normalise(c.stderr), rest);
    }
    // credentials in the URL: 7.88's openldap.c does not parse such a URL
    const cred = await tscurl(['-sS', `ldap://u:p@127.0.0.1:${srv.port}/${SUFFIX}`]);
    assert.equal(cred.code, CURLE.URL_MALFORMAT);
    assert.equal(cred.stderr, 'tscurl: (3) LDAP local: bad URL\n');
  } finally {
    await srv.stop();
  }
});

test('binds: as a user with -u, a wrong password is CURLE_LOGIN_DENIED, an empty one CURLE_LDAP_CANNOT_BIND', { skip: NO_SLAPD }, async () => {
  const srv = await startSlapd();
  try {
    const url = srv.url(`cn=Bob,ou=people,${SUFFIX}?sn`);
    const ok = await tscurl(['-sS', '-u', `${ADMIN_DN}:${ADMIN_PASSWORD}`, url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `DN: cn=Bob,ou=people,${SUFFIX}\n\tsn: Builder\n\n\n`);
    const wrong = await tscurl(['-sS', '-u', `${ADMIN_DN}:wrong`, url]);
    assert.equal(wrong.code, CURLE.LOGIN_DENIED);
    assert.equal(wrong.stderr, 'tscurl: (67) Login denied\n');
    const empty = await tscurl(['-sS', '-u', `${ADMIN_DN}:`, url]);
    assert.equal(empty.code, CURLE.LDAP_CANNOT_BIND);
    assert.equal(empty.stderr, 'tscurl: (38) LDAP: cannot bind\n');
    if (!NO_CURL) {
      assert.equal((await curl(['-s', '-u', `${ADMIN_DN}:wrong`, url])).code, CURLE.LOGIN_DENIED);
      assert.equal((await curl(['-s', '-u', `${ADMIN_DN}:`, url])).code, CURLE.LDAP_CANNOT_BIND);
    }
  } finally {
    await srv.stop();
  }
});

test('a second search reuses the bound connection; verbose lines as 7.88', { skip: NO_SLAPD }, async () => {
  const srv = await startSlapd();
  try {
    const a = srv.url(`cn=Bob,ou=people,${SUFFIX}?sn`);
    const b = srv.url(`cn=Bob,ou=people,${SUFFIX}?mail`);
    const r = await tscurl(['-sS', '-v', a, b]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `DN: cn=Bob,ou=people,${SUFFIX}\n\tsn: Builder\n\n\nDN: cn=Bob,ou=people,${SUFFIX}\n\tmail: bob@example.com\n\n\n`);
    assert.match(r.stderr, new RegExp(`\\* LDAP local: ${a.replace(/[?]/g, '\\?')}\n\\{ \\[0 bytes data\\]\n\\* Connection #0 to host 127.0.0.1 left intact\n`));
    assert.match(r.stderr, /\* Re-using existing connection #0 with host 127\.0\.0\.1\n/);
    assert.equal((r.stderr.match(/Connected to/g) ?? []).length, 1);
  } finally {
    await srv.stop();
  }
});

test('ldaps: TLS from the start, verified against the CA', { skip: NO_TLS }, async () => {
  const certs = testCerts();
  const srv = await startSlapd({ tls: certs.server });
  try {
    const r = await tscurl(['-sS', '--cacert', certs.caFile, srv.tlsUrl(`${SUFFIX}??sub?cn=Bob`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, BOB);
    const untrusted = await tscurl(['-sS', srv.tlsUrl(SUFFIX)]);
    assert.equal(untrusted.code, CURLE.PEER_FAILED_VERIFICATION);
  } finally {
    await srv.stop();
  }
});

test('the API: CURLINFO_RESPONSE_CODE is the LDAP result code; a paused write callback holds the entries', { skip: NO_SLAPD }, async () => {
  const srv = await startSlapd();
  const easy = new Easy();
  try {
    easy.setopt(CURLOPT.URL, srv.url('dc=nope,dc=com'));
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await easy.perform(), CURLE.LDAP_SEARCH_FAILED);
    assert.equal(easy.getinfo(CURLINFO.RESPONSE_CODE), 32);
    const chunks: Buffer[] = [];
    let pauses = 0;
    easy.setopt(CURLOPT.URL, srv.url(`${SUFFIX}?cn?sub?(objectClass=person)`));
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (pauses < 2 && chunks.length === pauses) {
        pauses++;
        setTimeout(() => easy.pause(CURLPAUSE.CONT), 20);
        return CURL_WRITEFUNC_PAUSE;
      }
      chunks.push(Buffer.from(d));
      return d.length;
    });
    assert.equal(await easy.perform(), CURLE.OK);
    assert.equal(pauses, 2);
    const text = Buffer.concat(chunks).toString();
    assert.match(text, /^DN: cn=(Alice Smith|Bob),ou=people,dc=example,dc=com\n\tcn: (Alice Smith|Bob)\n\n\nDN: /);
    assert.equal((text.match(/^DN: /gm) ?? []).length, 2);
    assert.equal(easy.getinfo(CURLINFO.RESPONSE_CODE), 0);
  } finally {
    easy.cleanup();
    await srv.stop();
  }
  assert.equal(openSocketCount(), 0);
});
