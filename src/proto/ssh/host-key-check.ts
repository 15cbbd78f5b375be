// Is the server's host key the one we expect? libcurl 7.88's
// ssh_check_fingerprint and ssh_knownhost (lib/vssh/libssh2.c), in its
// order: SSH_HOST_PUBLIC_KEY_SHA256, then SSH_HOST_PUBLIC_KEY_MD5; only when
// neither is set, SSH_HOSTKEYFUNCTION when set, else the known_hosts file
// (SSH_KNOWNHOSTS) judged by SSH_KEYFUNCTION, whose default accepts an
// exact match only. No option set
// at all: any key is accepted, as in libcurl. A refusal is
// CURLE_PEER_FAILED_VERIFICATION.
import { createHash } from 'node:crypto';
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLKHMATCH, CURLKHSTAT, type CurlKhKey, type SshKeyCallback } from '../../easy/ssh-callbacks.js';
import { khType, type KnownHosts } from './known-hosts.js';

export interface HostKeyPolicy {
  host: string;
  /** the port, -1 for 22 (known_hosts names "[host]:port" otherwise) */
  khPort: number;
  md5: string | null;
  sha256: string | null;
  /** SSH_KNOWNHOSTS and what was read from it (null: unreadable) */
  knownHostsFile: string | null;
  knownHosts: KnownHosts | null;
  /** calls SSH_HOSTKEYFUNCTION (under the callback guard), or null when it is not set */
  hostkeyfunc: ((keytype: number, key: Buffer) => number) | null;
  /** calls SSH_KEYFUNCTION (under the callback guard), or null for libcurl's default */
  keyfunc: ((known: CurlKhKey | null, found: CurlKhKey, match: number) => number) | null;
  info: (text: string) => void;
}

export type HostKeyVerdict = { ok: true } | { ok: false; code: CURLcode; message: string };

const REFUSED: HostKeyVerdict = { ok: false, code: CURLE.PEER_FAILED_VERIFICATION, message: '' };

/** The key type name at the start of an SSH public key blob. */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

export function checkHostKey(p: HostKeyPolicy, blob: Buffer): HostKeyVerdict {
  p.info(`SSH MD5 public key: ${p.md5 ?? 'NULL'}`);
  p.info(`SSH SHA256 public key: ${p.sha256 ?? 'NULL'}`);
  if (p.sha256 !== null) {
    const fp = createHash('sha256').update(blob).digest('base64');
    p.info(`SSH SHA256 fingerprint: ${fp}`);
    // as libcurl, '=' padding on either side does not count; unlike 7.88's strncmp (which
    // stops one short), every other character must match: a fingerprint with a wrong or
    // non-base64 last character is a mismatch, not a pass
    const given = p.sha256.replace(/=+$/, '');
    if (given !== fp.replace(/=+$/, '')) {
      return { ok: false, code: CURLE.PEER_FAILED_VERIFICATION,
        message: `Denied establishing ssh session: mismatch sha256 fingerprint. Remote ${fp} is not equal to ${p.sha256}` };
    }
    p.info('SHA256 checksum match');
  }
  if (p.md5 !== null) {
    // 7.88 compares whatever was given: a value that is not 32 hex digits never matches
    const fp = createHash('md5').update(blob).digest('hex');
    p.info(`SSH MD5 fingerprint: ${fp}`);
    if (fp !== p.md5.toLowerCase()) {
      return { ok: false, code: CURLE.PEER_FAILED_VERIFICATION,
        message: `Denied establishing ssh session: mismatch md5 fingerprint. Remote ${fp} is not equal to ${p.md5}` };
    }
    p.info('MD5 checksum match');
  }
  if (p.md5 !== null || p.sha256 !== null) return { ok: true };
  // SSH_HOSTKEYFUNCTION, when set, decides instead of the known_hosts file
  if (p.hostkeyfunc) return p.hostkeyfunc(khType(blobType(blob)), blob) === CURLKHMATCH.OK ? { ok: true } : REFUSED;
  return checkKnownHosts(p, blob);
}

/** ssh_knownhost: the file's verdict, then the key callback's. */
function checkKnownHosts(p: HostKeyPolicy, blob: Buffer): HostKeyVerdict {
  if (p.knownHostsFile === null) return { ok: true };
  const type = blobType(blob);
  const key = blob.toString('base64');
  const r = p.knownHosts ? p.knownHosts.check(p.host, p.khPort, type, key) : { match: CURLKHMATCH.MISSING, known: null };
  p.info(`SSH host check: ${r.match}, key: ${r.known ? r.known.key : '<none>'}`);
  const known: CurlKhKey | null = r.known ? { key: r.known.key, len: 0, keytype: khType(r.known.type) } : null;
  const found: CurlKhKey = { key: blob, len: blob.length, keytype: khType(type) };
  // libcurl's sshkeycallback: only a perfect match passes
  const rc = p.keyfunc ? p.keyfunc(known, found, r.match) : r.match === CURLKHMATCH.OK ? CURLKHSTAT.FINE : CURLKHSTAT.REJECT;
  switch (rc) {
    case CURLKHSTAT.FINE_REPLACE:
    case CURLKHSTAT.FINE:
    case CURLKHSTAT.FINE_ADD_TO_FILE:
      break;
    default:
      // REJECT, DEFER and anything unknown
      return REFUSED;
  }
  if (r.match !== CURLKHMATCH.OK) {
    // told to accept a key the file does not have: remember it (under the plain host name, as libcurl)
    if (rc === CURLKHSTAT.FINE_REPLACE && r.known && p.knownHosts) p.knownHosts.remove(r.known);
    if (!p.knownHosts) {
      p.info(`WARNING: adding the known host ${p.host} failed`);
    } else {
      p.knownHosts.add(p.host, type, key);
      if ((rc === CURLKHSTAT.FINE_ADD_TO_FILE || rc === CURLKHSTAT.FINE_REPLACE) && !p.knownHosts.write(p.knownHostsFile)) {
        p.info(`WARNING: writing ${p.knownHostsFile} failed`);
      }
    }
  }
  return { ok: true };
}

export type { SshKeyCallback };
