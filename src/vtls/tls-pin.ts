// CURLOPT_PINNEDPUBLICKEY (libcurl's Curl_pin_peer_pubkey): the server's
// public key, as SubjectPublicKeyInfo DER, must match either one of the
// "sha256//<base64>" hashes (separated by ';') or the key in a PEM or DER
// file. Independent of SSL_VERIFYPEER.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** libcurl refuses pinned key files larger than this. */
const MAX_PINNED_PUBKEY_SIZE = 1048576;

export interface PinResult {
  ok: boolean;
  /** the " public key hash: sha256//..." line libcurl shows in verbose mode, for the hash form */
  info?: string;
}

/** The DER inside "-----BEGIN PUBLIC KEY-----" ... "-----END PUBLIC KEY-----" (pubkey_pem_to_der). */
function pemToDer(text: string): Buffer | null {
  const begin = text.indexOf('-----BEGIN PUBLIC KEY-----');
  if (begin < 0) return null;
  // the header must start a line
  if (begin > 0 && text[begin - 1] !== '\n') return null;
  const start = begin + '-----BEGIN PUBLIC KEY-----'.length;
  const end = text.indexOf('\n-----END PUBLIC KEY-----', start);
  if (end < 0) return null;
  const b64 = text.slice(start, end).replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) return null;
  return Buffer.from(b64, 'base64');
}

export function checkPinnedKey(pin: string, spki: Buffer): PinResult {
  if (pin.startsWith('sha256//')) {
    const encoded = createHash('sha256').update(spki).digest('base64');
    const info = ` public key hash: sha256//${encoded}`;
    // entries are split at ";sha256//", as libcurl does
    const ok = pin.split(';sha256//').some((p, i) => (i === 0 ? p.slice(8) : p) === encoded);
    return { ok, info };
  }
  let buf: Buffer;
  try {
    if (statSync(pin).size > MAX_PINNED_PUBKEY_SIZE) return { ok: false };
    buf = readFileSync(pin);
  } catch {
    return { ok: false };
  }
  if (spki.length > buf.length) return { ok: false };
  // the same size: it cannot be base64, so it must be DER
  if (spki.length === buf.length) return { ok: spki.equals(buf) };
  const der = pemToDer(buf.toString('latin1'));
  return { ok: der !== null && der.equals(spki) };
}
