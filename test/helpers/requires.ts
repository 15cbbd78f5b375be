// Programs from Debian that some tests run beside tscurl: nginx as a real
// server, /usr/bin/curl (7.88.1) to compare against, openssl to make test
// certificates, python3 as a foreign client. `npm test` must pass on a
// machine with only Node, so a test that needs one of them asks here first:
//
//   const NO_NGINX = requireProgram('nginx', 'nginx-light');
//   test('...', { skip: NO_NGINX }, async () => { ... });
//   // several at once (nginx serving TLS with certificates from openssl):
//   const NO_SERVER = requirePrograms(['nginx', 'nginx-light'], ['openssl', 'openssl']);
//   // or, where only the comparison part of a test needs it:
//   if (NO_CURL) return t.skip(NO_CURL);
//
// requireProgram() answers `false` when the program is there, and otherwise a
// skip message that names the package to install. Under CI (CI=true) a
// missing program is an error instead: .ci/run installs them all, so a CI run
// can never go green with those tests skipped.
//
// TSCURL_TEST_NO_PROGRAMS=nginx,curl (a comma list) makes the named programs
// count as missing, to try a fresh machine's run without uninstalling them.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Where each known program must be. curl means Debian's /usr/bin/curl: the
 * tests compare against the 7.88.1 the package installs, not any curl on PATH.
 * nginx lives in sbin, which is not on every user's PATH. Others: PATH.
 */
const FIXED_PATHS: Readonly<Record<string, readonly string[]>> = {
  curl: ['/usr/bin/curl'],
  nginx: ['/usr/sbin/nginx', '/usr/bin/nginx'],
  dovecot: ['/usr/sbin/dovecot'],
  // sbin too, as nginx
  vsftpd: ['/usr/sbin/vsftpd', '/usr/bin/vsftpd'],
  sshd: ['/usr/sbin/sshd'],
  // tftpd-hpa's and slapd's servers live in sbin too
  'in.tftpd': ['/usr/sbin/in.tftpd'],
  slapd: ['/usr/sbin/slapd'],
  // Apache httpd (the h2c Upgrade tests)
  apache2: ['/usr/sbin/apache2'],
  // Samba's smbd (the SMB tests), and smbpasswd beside it
  smbd: ['/usr/sbin/smbd'],
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function markedMissing(name: string): boolean {
  const list = process.env['TSCURL_TEST_NO_PROGRAMS'] ?? '';
  return list.split(',').map((s) => s.trim()).includes(name);
}

const found = new Map<string, string | undefined>();

/** The program's absolute path, or undefined when it is not installed (or marked missing). */
export function findProgram(name: string): string | undefined {
  if (markedMissing(name)) return undefined;
  if (found.has(name)) return found.get(name);
  const candidates = FIXED_PATHS[name] ?? (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  const hit = candidates.find(isExecutable);
  found.set(name, hit);
  return hit;
}

/** True when this run is CI's: every program must be there. */
export function underCi(): boolean {
  const ci = (process.env['CI'] ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * `false` when `name` is installed; otherwise the reason to skip, naming the
 * Debian package `pkg` that provides it. Under CI a missing program throws.
 */
export function requireProgram(name: string, pkg: string): string | false {
  if (findProgram(name)) return false;
  const why = `needs ${name}, not installed here (apt-get install ${pkg})`;
  if (underCi()) throw new Error(`CI=true and ${name} is missing: .ci/run must install the Debian package ${pkg}`);
  return why;
}

/** requireProgram for several programs: `false` when all are there, else one message naming every missing one. */
export function requirePrograms(...needs: readonly (readonly [name: string, pkg: string])[]): string | false {
  const missing = needs.filter(([name]) => !findProgram(name));
  if (!missing.length) return false;
  if (underCi()) requireProgram(missing[0]![0], missing[0]![1]);
  return `needs ${missing.map(([n]) => n).join(' and ')}, not installed here (apt-get install ${missing.map(([, p]) => p).join(' ')})`;
}
