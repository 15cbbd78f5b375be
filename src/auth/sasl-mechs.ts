// The SASL mechanisms' names and messages (libcurl's vauth/cleartext.c,
// cram.c, oauth2.c and the table in curl_sasl.c). Sans-I/O: each function
// returns the raw bytes of one client message; the SASL dialogue
// (src/auth/sasl.ts) base64-encodes them for the wire.
import { createHmac } from 'node:crypto';

/** libcurl's SASL_MECH_* bits. */
export const SASL_MECH = {
  LOGIN: 1 << 0,
  PLAIN: 1 << 1,
  CRAM_MD5: 1 << 2,
  DIGEST_MD5: 1 << 3,
  GSSAPI: 1 << 4,
  EXTERNAL: 1 << 5,
  NTLM: 1 << 6,
  XOAUTH2: 1 << 7,
  OAUTHBEARER: 1 << 8,
} as const;

/** Every mechanism (SASL_AUTH_ANY). */
export const SASL_AUTH_ANY = 0xffff;
/** What libcurl tries unless LOGIN_OPTIONS says otherwise: all but EXTERNAL (SASL_AUTH_DEFAULT). */
export const SASL_AUTH_DEFAULT = SASL_AUTH_ANY & ~SASL_MECH.EXTERNAL;
export const SASL_AUTH_NONE = 0;

/** The names on the wire, in libcurl's table order. */
const MECH_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['LOGIN', SASL_MECH.LOGIN],
  ['PLAIN', SASL_MECH.PLAIN],
  ['CRAM-MD5', SASL_MECH.CRAM_MD5],
  ['DIGEST-MD5', SASL_MECH.DIGEST_MD5],
  ['GSSAPI', SASL_MECH.GSSAPI],
  ['EXTERNAL', SASL_MECH.EXTERNAL],
  ['NTLM', SASL_MECH.NTLM],
  ['XOAUTH2', SASL_MECH.XOAUTH2],
  ['OAUTHBEARER', SASL_MECH.OAUTHBEARER],
];

/**
 * Curl_sasl_decode_mech: the mechanism named at the start of `text` (the
 * name must end there or be followed by a character that cannot be part of a
 * mechanism name), or 0.
 */
export function decodeMech(text: string): { mech: number; len: number } {
  for (const [name, bit] of MECH_NAMES) {
    // case-sensitive, as libcurl's strncmp
    if (text.startsWith(name)) {
      // a following upper-case letter, digit, '-' or '_' would make it another name
      if (text.length === name.length || !/[A-Z0-9_-]/.test(text[name.length]!)) return { mech: bit, len: name.length };
    }
  }
  return { mech: 0, len: 0 };
}

/** The wire name of one mechanism bit. */
export function mechName(bit: number): string {
  for (const [name, b] of MECH_NAMES) if (b === bit) return name;
  return '';
}

/** The mechanisms a server lists, separated by spaces ("PLAIN LOGIN CRAM-MD5"). */
export function mechsFromList(list: string): number {
  let bits = 0;
  // bounded by the list's words
  for (const word of list.split(/[ \t]+/)) {
    const d = decodeMech(word);
    if (d.mech && d.len === word.length) bits |= d.mech;
  }
  return bits;
}

/** A credential as the bytes a C program would pass: its UTF-8 encoding. */
function bytes(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** PLAIN (RFC 4616): authzid NUL authcid NUL password. */
export function plainMessage(authzid: string, user: string, passwd: string): Buffer {
  return Buffer.concat([bytes(authzid), Buffer.from([0]), bytes(user), Buffer.from([0]), bytes(passwd)]);
}

/** LOGIN: the user name, then the password, each on its own challenge. */
export function loginMessage(value: string): Buffer {
  return bytes(value);
}

/** EXTERNAL (RFC 4422 appendix A): the authorization identity, here the user name. */
export function externalMessage(user: string): Buffer {
  return bytes(user);
}

/** CRAM-MD5 (RFC 2195): "user " + hex HMAC-MD5 of the challenge keyed with the password. */
export function cramMd5Message(challenge: Buffer, user: string, passwd: string): Buffer {
  const digest = createHmac('md5', bytes(passwd)).update(challenge).digest('hex');
  return Buffer.concat([bytes(user), Buffer.from(' ' + digest, 'latin1')]);
}

/** XOAUTH2 (Google's): "user=U\x01auth=Bearer T\x01\x01". */
export function xoauth2Message(user: string, bearer: string): Buffer {
  return Buffer.concat([Buffer.from('user='), bytes(user), Buffer.from('\x01auth=Bearer '), bytes(bearer), Buffer.from('\x01\x01')]);
}

/**
 * OAUTHBEARER (RFC 7628): the GS2 header with the user, the host, the port
 * (left out when it is 0 or 80, as libcurl does) and the token.
 */
export function oauthBearerMessage(user: string, host: string, port: number, bearer: string): Buffer {
  const portPart = port === 0 || port === 80 ? '' : `port=${port}\x01`;
  return Buffer.concat([Buffer.from('n,a='), bytes(user), Buffer.from(`,\x01host=${host}\x01${portPart}auth=Bearer `),
    bytes(bearer), Buffer.from('\x01\x01')]);
}
