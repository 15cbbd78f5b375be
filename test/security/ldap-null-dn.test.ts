// CVE-2018-1000121 (LDAP NULL pointer dereference): libcurl used what
// ldap_get_attribute_ber() returned without checking it for NULL, which a
// particular search answer produced. The C bug cannot happen here; its input
// can: search entries with an empty DN, attributes with no values, an empty
// attribute type, zero-length values, no attributes at all; and LDAP URLs of
// odd forms (empty DN, no attributes, empty "?" parts, empty names in the
// list). Output and the search request on the wire must be what curl 7.88.1
// (with OpenLDAP) makes of them, with no crash and nothing invented. (This
// found three differences, fixed: an attribute without values printed as an
// empty line instead of "\tname:", the default filter's spelling, and "a,,b"
// refused instead of skipping the empty name.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlv, integer, octets, sequence } from '../../src/proto/ldap-ber.js';
import { ldapServer, DONE } from '../helpers/ldap-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

/** A search entry with attributes given as [type, values]; an empty value list is an empty SET. */
const ent = (dn: string, attrs: Array<[string, string[]]>): Buffer =>
  sequence(integer(2), tlv(0x64, octets(dn), sequence(...attrs.map(([a, vals]) => sequence(octets(a), tlv(0x31, ...vals.map((v) => octets(v))))))));

const ANSWER = Buffer.concat([
  ent('', [['cn', ['x']]]),
  ent('cn=novalue', [['empty', []], ['cn', ['y']]]),
  ent('cn=notype', [['', ['v']]]),
  ent('cn=zerovalue', [['z', ['']], ['w', ['', 'q']]]),
  ent('cn=noattrs', []),
  DONE(2),
]);
/** What curl 7.88.1 prints for ANSWER (compared below when curl is here). */
const PRINTED = 'DN:\n\tcn: x\n\n\nDN: cn=novalue\n\tempty:\n\tcn: y\n\n\nDN: cn=notype\n\t: v\n\n\n' +
  'DN: cn=zerovalue\n\tz:\n\n\tw:\n\tw: q\n\n\nDN: cn=noattrs\n\n';

/** The SearchRequest for `base`, scope, the default filter and `attrs`, as libldap encodes it. */
const search = (base: string, scope: number, attrs: string[]): string =>
  sequence(integer(2), tlv(0x63, octets(base), integer(scope, 0x0a), integer(0, 0x0a), integer(0), integer(0), tlv(0x01, Buffer.from([0])),
    tlv(0x87, Buffer.from('objectclass')), sequence(...attrs.map((a) => octets(a))))).toString('hex');

test('LDAP: entries with an empty DN, attributes without values or type, zero-length values, no attributes: printed as curl 7.88.1 does; odd URLs searched as it does', async () => {
  const requests: string[] = [];
  const srv = await ldapServer((s, req) => {
    requests.push(req.toString('hex'));
    s.write(ANSWER);
  });
  try {
    const urls: Array<[string, string]> = [
      ['/dc=x??sub', search('dc=x', 2, [])],
      ['/', search('', 0, [])],
      ['/?', search('', 0, [])],
      ['/??', search('', 0, [])],
      ['/???', search('', 0, [])],
      ['/dc=x???', search('dc=x', 0, [])],
      ['/dc=x?cn,,mail', search('dc=x', 0, ['cn', 'mail'])],
      ['/?,', search('', 0, [])],
    ];
    for (const [path, request] of urls) {
      const url = `ldap://127.0.0.1:${srv.port}${path}`;
      const r = await tscurl(['-sS', url]);
      assert.equal(r.code, 0, `${path}: ${r.stderr}`);
      assert.equal(r.stdout, PRINTED, path);
      assert.equal(requests.at(-1), request, path);
      if (NO_CURL) continue;
      const c = await curl(['-sS', url]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, r.stdout, `${path}: what curl prints`);
      assert.equal(requests.at(-1), request, `${path}: what curl asks`);
    }
  } finally {
    await srv.close();
  }
});

test('LDAP: zero-length and malformed BER inside an entry is CURLE_RECV_ERROR ("Decoding error"), never a partial entry', async () => {
  const bad: Array<[string, Buffer]> = [
    ['an entry of zero length', sequence(integer(2), tlv(0x64))],
    ['an attribute list that is not a SEQUENCE', sequence(integer(2), tlv(0x64, octets('cn=a'), octets('x')))],
    ['an attribute without its value SET', sequence(integer(2), tlv(0x64, octets('cn=a'), sequence(sequence(octets('cn')))))],
    ['a value that is not an OCTET STRING', sequence(integer(2), tlv(0x64, octets('cn=a'), sequence(sequence(octets('cn'), tlv(0x31, integer(5))))))],
    ['a zero-length message id', sequence(tlv(0x02), tlv(0x64, octets(''), sequence()))],
  ];
  for (const [name, message] of bad) {
    const srv = await ldapServer((s) => s.write(Buffer.concat([ent('cn=first', [['cn', ['1']]]), message, DONE(2)])));
    try {
      const r = await tscurl(['-sS', `ldap://127.0.0.1:${srv.port}/dc=x??sub`]);
      assert.equal(r.code, 56, `${name}: ${r.stderr}`);
      assert.equal(r.stderr, 'tscurl: (56) LDAP local: search ldap_result Decoding error\n', name);
      // the entry before it is out whole; nothing of the bad one
      assert.equal(r.stdout, 'DN: cn=first\n\tcn: 1\n\n\n', name);
    } finally {
      await srv.close();
    }
  }
});
