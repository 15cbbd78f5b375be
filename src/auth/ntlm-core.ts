// The NTLM hashes and responses (libcurl's lib/curl_ntlm_core.c; MS-NLMP
// 3.3.1 and 3.3.2). Sans-I/O and pure: the client challenge and the time are
// parameters. Strings are byte strings as libcurl sees them (a C string's
// bytes); "Unicode" here is libcurl's: each byte widened to two, which is
// UTF-16LE for ASCII and Latin-1.
import { createHmac } from 'node:crypto';
import { desEncryptBlock, desKeyFrom56 } from './des.js';
import { md4 } from './md4.js';

/** each byte followed by a zero byte (ascii_to_unicode_le) */
export function widen(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) out[i * 2] = bytes[i]!;
  return out;
}

/** ASCII letters upper-cased, other bytes kept (Curl_raw_toupper) */
function asciiUpper(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));
}

/** "KGS!@#$%", the LM hash's plaintext */
const LM_MAGIC = Buffer.from('KGS!@#$%', 'latin1');

/** The LM hash, padded to 21 bytes: the password (14 bytes at most, upper-cased) as two DES keys. */
export function lmHash(password: Uint8Array): Buffer {
  const pw = Buffer.alloc(14);
  asciiUpper(password.subarray(0, 14)).copy(pw);
  const out = Buffer.alloc(21);
  desEncryptBlock(desKeyFrom56(pw.subarray(0, 7)), LM_MAGIC).copy(out, 0);
  desEncryptBlock(desKeyFrom56(pw.subarray(7, 14)), LM_MAGIC).copy(out, 8);
  return out;
}

/** The NT hash, padded to 21 bytes: MD4 of the widened password. */
export function ntHash(password: Uint8Array): Buffer {
  const out = Buffer.alloc(21);
  md4(widen(password)).copy(out);
  return out;
}

/** The 24-byte LM or NT (v1) response: the 21-byte hash as three DES keys over the server's challenge. */
export function lmResponse(hash21: Uint8Array, challenge: Uint8Array): Buffer {
  return Buffer.concat([0, 7, 14].map((at) => desEncryptBlock(desKeyFrom56(hash21.subarray(at, at + 7)), challenge)));
}

function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The NTLMv2 hash: HMAC-MD5 keyed with the NT hash over the upper-cased user and the domain, widened. */
export function ntlmv2Hash(user: Uint8Array, domain: Uint8Array, ntHash16: Uint8Array): Buffer {
  return hmacMd5(ntHash16.subarray(0, 16), widen(asciiUpper(user)), widen(domain));
}

/** The LMv2 response: HMAC of both challenges, then the client's challenge (24 bytes). */
export function lmv2Response(v2hash: Uint8Array, clientChallenge: Uint8Array, serverChallenge: Uint8Array): Buffer {
  return Buffer.concat([hmacMd5(v2hash, serverChallenge, clientChallenge), clientChallenge]);
}

/** Seconds between 1601-01-01 (Windows FILETIME's epoch) and 1970-01-01. */
const FILETIME_EPOCH_OFFSET = 11644473600n;

/** A Unix time in seconds as a FILETIME: tenths of a microsecond since 1601. */
export function fileTime(unixSeconds: number): bigint {
  return (BigInt(Math.floor(unixSeconds)) + FILETIME_EPOCH_OFFSET) * 10000000n;
}

/**
 * The NTLMv2 response (Curl_ntlm_core_mk_ntlmv2_resp): the HMAC ("NTProofStr")
 * followed by the blob it signs — signature 0x0101, reserved, the time, the
 * client's challenge, 4 zero bytes, the server's target info, 4 zero bytes.
 */
export function ntlmv2Response(v2hash: Uint8Array, clientChallenge: Uint8Array, serverChallenge: Uint8Array,
  targetInfo: Uint8Array, time: bigint): Buffer {
  const blob = Buffer.alloc(28 + targetInfo.length + 4);
  blob.set([1, 1, 0, 0], 0);
  blob.writeBigUInt64LE(time, 8);
  blob.set(clientChallenge, 16);
  blob.set(targetInfo, 28);
  return Buffer.concat([hmacMd5(v2hash, serverChallenge, blob), blob]);
}
