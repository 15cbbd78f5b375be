// A server-side RFC 9421 verifier for the HTTP Message Signatures tests,
// written from the RFC and not from src/auth/httpsig.ts: it rebuilds the
// signature base from the request as it arrived (the method and target of
// the request line, the Host header for @authority, the received header
// fields) and checks the Signature with node:crypto against the public key
// (Ed25519) or the shared secret (HMAC-SHA256).
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import assert from 'node:assert/strict';
import { CURLOPT, CURLE, CURLHTTPSIG, type Easy } from '../../src/index.js';
import type { ReceivedRequest } from './raw-http-server.js';

/** RFC 9421 Appendix B.1.4's test-key-ed25519: the private seed (hex) and its public key. */
export const ED25519_SEED_HEX = '9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5';
const ED25519_PUBLIC = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' }, format: 'jwk' });

export interface Verified {
  /** the covered component ids, in order */
  components: string[];
  created: number;
  keyid: string;
  alg: string;
  /** the signature base the server rebuilt */
  base: string;
}

/** The Signature-Input / Signature header lines of a request head, as received. */
export function signatureHeaders(req: ReceivedRequest): { input?: string; signature?: string } {
  const out: { input?: string; signature?: string } = {};
  for (const line of req.head.split('\r\n').slice(1)) {
    const c = line.indexOf(':');
    const name = line.slice(0, c).toLowerCase();
    if (name === 'signature-input') out.input = line.slice(c + 1).trim();
    if (name === 'signature') out.signature = line.slice(c + 1).trim();
  }
  return out;
}

/**
 * A header field's value as RFC 9421 section 2.1 takes it: every line of that name, stripped of
 * HTTP's blanks (OWS: space and tab, RFC 9110 section 5.6.3) at its ends, joined with ", ". The
 * head is latin1 text: JS's trim() would also strip a 0xA0 byte, which is no blank in HTTP.
 */
function fieldValue(req: ReceivedRequest, name: string): string | undefined {
  const values: string[] = [];
  for (const line of req.head.split('\r\n').slice(1)) {
    const c = line.indexOf(':');
    if (c > 0 && line.slice(0, c).toLowerCase() === name) values.push(line.slice(c + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  return values.length ? values.join(', ') : undefined;
}

/** Check the request's sig1 signature; throws with the reason when it does not verify. */
export function verifyRequest(req: ReceivedRequest, hmacKeyHex?: string): Verified {
  const { input, signature } = signatureHeaders(req);
  if (input === undefined || signature === undefined) throw new Error('no Signature-Input / Signature');
  const mi = /^sig1=(\(([^)]*)\);created=(\d+);keyid="((?:[^"\\]|\\.)*)";alg="([^"]+)")$/.exec(input);
  if (!mi) throw new Error(`Signature-Input not understood: ${input}`);
  const params = mi[1]!;
  const components = mi[2] === '' ? [] : mi[2]!.split(' ').map((q) => JSON.parse(q) as string);
  const ms = /^sig1=:([A-Za-z0-9+/=]+):$/.exec(signature);
  if (!ms) throw new Error(`Signature not understood: ${signature}`);
  const q = req.target.indexOf('?');
  const lines = components.map((id) => {
    let value: string | undefined;
    if (id === '@method') value = req.method;
    else if (id === '@authority') value = req.headers.get('host')?.toLowerCase();
    else if (id === '@path') value = q < 0 ? req.target : req.target.slice(0, q);
    else if (id === '@query') value = q < 0 ? '?' : req.target.slice(q);
    else if (id.startsWith('@')) throw new Error(`unexpected derived component ${id}`);
    else value = fieldValue(req, id);
    if (value === undefined) throw new Error(`component ${id} not in the request`);
    return `"${id}": ${value}`;
  });
  const base = [...lines, `"@signature-params": ${params}`].join('\n');
  const sig = Buffer.from(ms[1]!, 'base64');
  const alg = mi[5]!;
  let good: boolean;
  if (alg === 'ed25519') good = verify(null, Buffer.from(base, 'latin1'), ED25519_PUBLIC, sig);
  else if (alg === 'hmac-sha256' && hmacKeyHex !== undefined) {
    const want = createHmac('sha256', Buffer.from(hmacKeyHex, 'hex')).update(Buffer.from(base, 'latin1')).digest();
    good = want.length === sig.length && timingSafeEqual(want, sig);
  } else throw new Error(`cannot verify alg ${alg}`);
  if (!good) throw new Error(`signature does not verify over:\n${base}`);
  return { components, created: Number(mi[3]), keyid: mi[4]!.replace(/\\(.)/g, '$1'), alg, base };
}

/** The client side of the tests: a handle signs with the Ed25519 test key (RFC 9421's, seed above) under `keyid`. */
export function signWithEd25519(e: Easy, keyid = 'test-key-ed25519'): void {
  assert.equal(e.setopt(CURLOPT.HTTPSIG_ALGORITHM, CURLHTTPSIG.ED25519), CURLE.OK);
  assert.equal(e.setopt(CURLOPT.HTTPSIG_KEY, ED25519_SEED_HEX), CURLE.OK);
  assert.equal(e.setopt(CURLOPT.HTTPSIG_KEYID, keyid), CURLE.OK);
}
