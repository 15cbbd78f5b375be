// An OpenSSH known_hosts file as libssh2 (and so libcurl 7.88) reads, checks
// and writes it: one entry per host name (a comma list on a line makes one
// entry per name), plain names compared exactly ("[host]:port" for a port
// other than 22, then the plain host), hashed names ("|1|salt|hash") by
// HMAC-SHA1, no wildcard patterns, "@marker" lines skipped. A check answers
// libcurl's curl_khmatch: OK (0), MISMATCH (1, a same-type key for the host
// that differs), MISSING (2).
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

import { CURLKHMATCH, CURLKHTYPE } from '../../easy/ssh-callbacks.js';

export interface KnownHost {
  /** the plain name, or null for a hashed entry */
  name: string | null;
  /** a hashed entry's salt and HMAC-SHA1 */
  salt: Buffer | null;
  hash: Buffer | null;
  /** the key type as written ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...) */
  type: string;
  /** the key, base64 as in the file */
  key: string;
  comment: string;
}

/** CURLKHTYPE of an SSH key type name. */
export function khType(type: string): number {
  if (type === 'ssh-rsa') return CURLKHTYPE.RSA;
  if (type === 'ssh-dss') return CURLKHTYPE.DSS;
  if (type.startsWith('ecdsa-sha2-')) return CURLKHTYPE.ECDSA;
  if (type === 'ssh-ed25519') return CURLKHTYPE.ED25519;
  return CURLKHTYPE.UNKNOWN;
}

/** The host key algorithms ssh2 may negotiate for a key of this type (libcurl pins the type found in the file). */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

export class KnownHosts {
  readonly entries: KnownHost[] = [];

  /** Reads `file`; null when it cannot be read (libcurl: "Failed to read known hosts from ..."). */
  static read(file: string): KnownHosts | null {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      return null;
    }
    const kh = new KnownHosts();
    // bounded by the file's lines
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
      const f = line.split(/[ \t]+/);
      if (f.length < 3) continue;
      const [names, type, key] = f as [string, string, string];
      const comment = f.slice(3).join(' ');
      for (const name of names.split(',')) {
        const hashed = /^\|1\|([^|]+)\|(.+)$/.exec(name);
        if (hashed) {
          kh.entries.push({ name: null, salt: Buffer.from(hashed[1]!, 'base64'), hash: Buffer.from(hashed[2]!, 'base64'), type, key, comment });
        } else if (name !== '') {
          kh.entries.push({ name, salt: null, hash: null, type, key, comment });
        }
      }
    }
    return kh;
  }

  /**
   * The entry libcurl's ssh_force_knownhost_key_type picks to choose the
   * host key type: the first with this host (and port, when bracketed), or
   * the first hashed one (libssh2 gives no name for those).
   */
  typeEntry(host: string, port: number): KnownHost | 'invalid' | null {
    for (const e of this.entries) {
      if (e.name === null) return e;
      if (e.name.startsWith('[')) {
        const end = e.name.indexOf(']:');
        if (end < 0) continue;
        const p = Number.parseInt(e.name.slice(end + 2), 10);
        if (p === port && host.slice(0, end - 1) === e.name.slice(1, end)) return e;
      } else if (e.name === host) return e;
    }
    return null;
  }

  /** libssh2_knownhost_checkp: `port` is -1 for the default port. */
  check(host: string, port: number, type: string, key: string): { match: number; known: KnownHost | null } {
    const names = port >= 0 ? [`[${host}]:${port}`, host] : [host];
    let bad: KnownHost | null = null;
    for (const name of names) {
      for (const e of this.entries) {
        if (!nameMatches(e, name)) continue;
        if (khType(e.type) !== khType(type) || khType(type) === CURLKHTYPE.UNKNOWN) continue;
        if (e.key === key) return { match: CURLKHMATCH.OK, known: e };
        bad ??= e;
      }
    }
    return bad ? { match: CURLKHMATCH.MISMATCH, known: bad } : { match: CURLKHMATCH.MISSING, known: null };
  }

  remove(e: KnownHost): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
  }

  add(name: string, type: string, key: string): void {
    this.entries.push({ name, salt: null, hash: null, type, key, comment: '' });
  }

  /** libssh2_knownhost_writefile: every entry on a line of its own. Returns false when writing failed. */
  write(file: string): boolean {
    const lines = this.entries.map((e) => {
      const name = e.name ?? `|1|${e.salt!.toString('base64')}|${e.hash!.toString('base64')}`;
      return `${name} ${e.type} ${e.key}${e.comment ? ' ' + e.comment : ''}\n`;
    });
    try {
      writeFileSync(file, lines.join(''));
      return true;
    } catch {
      return false;
    }
  }
}

function nameMatches(e: KnownHost, name: string): boolean {
  if (e.name !== null) return e.name === name;
  const mac = createHmac('sha1', e.salt!).update(name).digest();
  return mac.equals(e.hash!);
}
