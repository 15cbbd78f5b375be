// The LDAP codecs on their own: filter strings to BER, the URL parts,
// libcurl's entry format, and the message reader fed whole, byte by byte and
// with trailing bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFilter } from '../../src/proto/ldap-filter.js';
import { parseLdapUrl } from '../../src/proto/ldap-url.js';
import { formatEntry } from '../../src/proto/ldap-output.js';
import { MessageReader, OP, bindRequest } from '../../src/proto/ldap-message.js';
import { sequence, integer, tlv, octets } from '../../src/proto/ldap-ber.js';

const hex = (b: Buffer | null): string | null => (b ? b.toString('hex') : null);

test('filters encode as RFC 4511 BER; what libldap refuses is null', () => {
  assert.equal(hex(encodeFilter('(cn=Bob)')), 'a3090402636e0403426f62');
  assert.equal(hex(encodeFilter('cn=Bob')), 'a3090402636e0403426f62'); // without parentheses, as OpenLDAP
  assert.equal(hex(encodeFilter('(objectClass=*)')), '870b6f626a656374436c617373');
  // substrings: initial a, any b, final c
  assert.equal(hex(encodeFilter('(cn=a*b*c)')), 'a40f0402636e3009' + '800161' + '810162' + '820163');
  assert.equal(hex(encodeFilter('(cn=*b*)')), 'a4090402636e3003' + '810162');
  assert.equal(hex(encodeFilter('(&(a=1)(!(b>=2)))')), 'a012' + 'a306040161040131' + 'a208' + 'a506040162040132');
  assert.equal(hex(encodeFilter('(|(a~=1)(b<=2))')), 'a110' + 'a806040161040131' + 'a606040162040132');
  assert.equal(hex(encodeFilter('(cn=a\\2ab)')), 'a3090402636e0403612a62'); // an escaped star is a value byte
  assert.equal(hex(encodeFilter('(cn:dn:2.5.13.5:=x)')), 'a914' + '8108322e352e31332e35' + '8202636e' + '830178' + '8401ff');
  assert.equal(hex(encodeFilter('(&)')), 'a000');
  for (const bad of ['(cn=*', '(cn=x)(sn=y)', '()', '(=x)', '(cn=a(b)', '(cn=\\zz)', '(!(a=1)(b=2))', 'cn=(x)', '(:=x)']) {
    assert.equal(encodeFilter(bad), null, bad);
  }
  // nesting deeper than any real filter is refused, not recursed into without bound
  assert.equal(encodeFilter('(!'.repeat(100) + '(a=1)' + ')'.repeat(100)), null);
});

test('URL parts: DN, attributes, scope, filter, each percent-decoded; libcurl\'s errors', () => {
  assert.deepEqual(parseLdapUrl('/dc=a,dc=b?cn,mail?sub?(cn=%2A)', false),
    { ok: true, url: { dn: 'dc=a,dc=b', attributes: ['cn', 'mail'], scope: 2, filter: '(cn=*)' } });
  assert.deepEqual(parseLdapUrl('/o=x%20y', false), { ok: true, url: { dn: 'o=x y', attributes: [], scope: 0, filter: '(objectclass=*)' } });
  assert.deepEqual(parseLdapUrl('/??ONE', false), { ok: true, url: { dn: '', attributes: [], scope: 1, filter: '(objectclass=*)' } });
  assert.deepEqual(parseLdapUrl('/x??nope', false), { ok: false, code: 3, message: 'LDAP local: bad or missing scope' });
  assert.deepEqual(parseLdapUrl('/x', true), { ok: false, code: 3, message: 'LDAP local: bad URL' });
  // libldap skips empty names in the list (curl 7.88.1 sends a and b)
  assert.deepEqual(parseLdapUrl('/x?a,,b', false), { ok: true, url: { dn: 'x', attributes: ['a', 'b'], scope: 0, filter: '(objectclass=*)' } });
});

test('entries print as 7.88: base64 for ";binary", blanks at the ends and unprintable bytes; no space before an empty value', () => {
  const out = formatEntry(Buffer.from('cn=x'), [
    { type: Buffer.from('cn'), values: [Buffer.from('x'), Buffer.from('')] },
    { type: Buffer.from('photo;binary'), values: [Buffer.from('abc')] },
    { type: Buffer.from('d'), values: [Buffer.from('tail\t'), Buffer.from([0xc3, 0xa9])] },
    { type: Buffer.from('none'), values: [] },
  ]);
  assert.equal(out.toString('latin1'),
    // an attribute without values: "\tnone:" and no empty line, as curl 7.88.1 prints it
    'DN: cn=x\n\tcn: x\n\tcn:\n\n\tphoto;binary:: YWJj\n\n\td:: dGFpbAk=\n\td:: w6k=\n\n\tnone:\n\n');
  assert.equal(formatEntry(Buffer.alloc(0), []).toString(), 'DN:\n\n');
});

test('the message reader: whole, byte by byte, several in one piece, malformed', () => {
  const done = sequence(integer(2), tlv(OP.SEARCH_DONE, integer(32, 0x0a), octets('dc=x'), octets('why')));
  const entry = sequence(integer(2), tlv(OP.SEARCH_ENTRY, octets('cn=a'), sequence(sequence(octets('cn'), tlv(0x31, octets('a'), octets('b'))))));
  const r = new MessageReader();
  for (const b of Buffer.concat([entry, done])) r.feed(Buffer.from([b]));
  const m1 = r.next();
  assert.ok(m1.kind === 'message' && m1.message.op === OP.SEARCH_ENTRY && 'attributes' in m1.message);
  if (m1.kind === 'message' && 'attributes' in m1.message) {
    assert.equal(m1.message.dn.toString(), 'cn=a');
    assert.deepEqual(m1.message.attributes.map((a) => [a.type.toString(), a.values.map(String)]), [['cn', ['a', 'b']]]);
  }
  const m2 = r.next();
  assert.ok(m2.kind === 'message' && 'result' in m2.message && m2.message.result.code === 32);
  assert.equal(r.next().kind, 'need-more');
  const half = new MessageReader();
  half.feed(done.subarray(0, 5));
  assert.equal(half.next().kind, 'need-more');
  half.feed(done.subarray(5));
  assert.equal(half.next().kind, 'message');
  const bad = new MessageReader();
  bad.feed(Buffer.from([0x04, 0x01, 0x41]));
  assert.equal(bad.next().kind, 'error');
  // the bind request as libldap sends it: version 3, simple authentication [0]
  assert.equal(bindRequest(1, Buffer.from('cn=a'), Buffer.from('pw')).toString('hex'), '3012020101600d020103' + '0404636e3d61' + '80027077');
});
