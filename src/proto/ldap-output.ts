// What an LDAP transfer shows: search entries in libcurl 7.88's LDIF-like
// form (openldap.c's oldap_recv), libldap's texts for result codes
// (ldap_err2string), and libcurl's CURLcode for a failed bind (oldap_map_error).
import { CURLE, type CURLcode } from '../codes.js';
import type { Attribute } from './ldap-message.js';

const TEXTS: Readonly<Record<number, string>> = {
  0: 'Success', 1: 'Operations error', 2: 'Protocol error', 3: 'Time limit exceeded', 4: 'Size limit exceeded',
  5: 'Compare False', 6: 'Compare True', 7: 'Authentication method not supported',
  8: 'Strong(er) authentication required', 9: 'Partial results and referral received', 10: 'Referral',
  11: 'Administrative limit exceeded', 12: 'Critical extension is unavailable', 13: 'Confidentiality required',
  14: 'SASL bind in progress', 16: 'No such attribute', 17: 'Undefined attribute type', 18: 'Inappropriate matching',
  19: 'Constraint violation', 20: 'Type or value exists', 21: 'Invalid syntax', 32: 'No such object',
  33: 'Alias problem', 34: 'Invalid DN syntax', 35: 'Entry is a leaf', 36: 'Alias dereferencing problem',
  47: 'Proxy Authorization Failure', 48: 'Inappropriate authentication', 49: 'Invalid credentials',
  50: 'Insufficient access', 51: 'Server is busy', 52: 'Server is unavailable', 53: 'Server is unwilling to perform',
  54: 'Loop detected', 64: 'Naming violation', 65: 'Object class violation', 66: 'Operation not allowed on non-leaf',
  67: 'Operation not allowed on RDN', 68: 'Already exists', 69: 'Cannot modify object class', 70: 'Results too large',
  71: 'Operation affects multiple DSAs', 80: 'Internal (implementation specific) error',
  [-1]: "Can't contact LDAP server", [-7]: 'Bad search filter',
};

/** ldap_err2string() */
export function ldapErrorText(code: number): string {
  return TEXTS[code] ?? 'Unknown error';
}

/** oldap_map_error(): a bind's result code as a CURLcode. */
export function bindFailureCode(code: number): CURLcode {
  switch (code) {
    case 49: return CURLE.LOGIN_DENIED;
    case 2: return CURLE.UNSUPPORTED_PROTOCOL;
    case 50: return CURLE.REMOTE_ACCESS_DENIED;
    default: return CURLE.LDAP_CANNOT_BIND;
  }
}

const TAB = Buffer.from('\t');
const NL = Buffer.from('\n');

/** A value 7.88 base64-encodes: blank at either end, or a byte outside printable ASCII. */
function needsBase64(v: Buffer): boolean {
  if (v.length === 0) return false;
  const first = v[0]!;
  const last = v[v.length - 1]!;
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) return true;
  for (const b of v) if (b < 0x20 || b > 0x7e) return true;
  return false;
}

/**
 * One search entry: "DN: dn", then per attribute a "\tname: value" line per
 * value ("\tname:: base64" for ";binary" attributes and values that need
 * it) and an empty line (an attribute without values: "\tname:" alone), then
 * an empty line. A zero-length value or DN drops the space before it
 * (libcurl's client_write).
 */
export function formatEntry(dn: Buffer, attributes: readonly Attribute[]): Buffer {
  const out: Buffer[] = [Buffer.from(dn.length ? 'DN: ' : 'DN:'), dn, NL];
  for (const a of attributes) {
    if (a.values.length === 0) {
      // libldap hands no value list for an empty set: 7.88 writes "\tname:" and no empty line
      out.push(TAB, a.type, Buffer.from(':'), NL);
      continue;
    }
    const name = a.type.toString('latin1');
    const binary = name.length > 7 && name.endsWith(';binary');
    for (const v of a.values) {
      out.push(TAB, a.type);
      if (binary || needsBase64(v)) {
        const b64 = v.length ? v.toString('base64') : '';
        out.push(Buffer.from(b64 ? `:: ${b64}` : '::'));
      } else {
        out.push(Buffer.from(v.length ? ': ' : ':'), v);
      }
      out.push(NL);
    }
    out.push(NL);
  }
  out.push(NL);
  return Buffer.concat(out);
}
