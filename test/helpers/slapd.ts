// Debian's slapd (OpenLDAP), started by the LDAP tests on 127.0.0.1 with a
// slapd.conf and an mdb database in a temp dir, loaded with slapadd from
// the caller's LDIF before it starts. Optionally also ldaps:// with a
// certificate the caller supplies. A test asks requireProgram('slapd',
// 'slapd') first (helpers/requires.ts).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';
import { freePort, canConnect } from './ports.js';

export const SUFFIX = 'dc=example,dc=com';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PASSWORD = 'secret';

/** A small directory: the base, a people unit, two people (one with a value libcurl prints in base64). */
export const PEOPLE_LDIF = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: cn=Alice Smith,ou=people,${SUFFIX}
objectClass: inetOrgPerson
cn: Alice Smith
sn: Smith
mail: alice@example.com
description:: IGxlYWRpbmcgc3BhY2U=
telephoneNumber: 555-1234

dn: cn=Bob,ou=people,${SUFFIX}
objectClass: inetOrgPerson
cn: Bob
sn: Builder
mail: bob@example.com
`;

export interface Slapd {
  port: number;
  tlsPort: number;
  url(rest: string): string;
  tlsUrl(rest: string): string;
  stop(): Promise<void>;
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, (err, _out, stderr) => (err ? reject(new Error(`${bin}: ${stderr}`)) : resolve()));
  });
}

/** The password hash slapd.conf's rootpw wants ({SSHA} of ADMIN_PASSWORD, made by slappasswd). */
async function rootpw(): Promise<string> {
  const bin = findProgram('slappasswd') ?? '/usr/sbin/slappasswd';
  return new Promise((resolve, reject) => {
    execFile(bin, ['-s', ADMIN_PASSWORD], (err, out) => (err ? reject(err) : resolve(out.trim())));
  });
}

export async function startSlapd(o: { ldif?: string; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<Slapd> {
  const bin = findProgram('slapd');
  if (!bin) throw new Error('slapd is not installed (apt-get install slapd); .ci/run installs it');
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-slapd-'));
  const db = join(dir, 'db');
  mkdirSync(db);
  if (o.tls) {
    writeFileSync(join(dir, 'tls.crt'), o.tls.cert);
    writeFileSync(join(dir, 'tls.key'), o.tls.key);
  }
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${join(dir, 'slapd.pid')}
${o.tls ? `TLSCertificateFile ${join(dir, 'tls.crt')}\nTLSCertificateKeyFile ${join(dir, 'tls.key')}\n` : ''}
database mdb
suffix "${SUFFIX}"
rootdn "${ADMIN_DN}"
rootpw ${await rootpw()}
directory ${db}
maxsize 10485760
access to * by * read
`);
  writeFileSync(join(dir, 'data.ldif'), o.ldif ?? PEOPLE_LDIF);
  await run(findProgram('slapadd') ?? '/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')]);
  // a port can be taken between freePort() and slapd's bind: try a few times
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const tlsPort = o.tls ? await freePort() : 0;
    const urls = `ldap://127.0.0.1:${port}/${o.tls ? ` ldaps://127.0.0.1:${tlsPort}/` : ''}`;
    // -d 0: in the foreground, logging nothing; as root it stays root (no -u), reading the temp dir
    const child: ChildProcess = spawn(bin, ['-f', conf, '-h', urls, '-d', '0'], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port) && (!o.tls || await canConnect(tlsPort))) {
        return {
          port,
          tlsPort,
          url: (rest) => `ldap://127.0.0.1:${port}/${rest}`,
          tlsUrl: (rest) => `ldaps://127.0.0.1:${tlsPort}/${rest}`,
          async stop() {
            if (!exited) {
              const gone = new Promise((resolve) => child.once('exit', resolve));
              child.kill('SIGTERM');
              await gone;
            }
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('slapd did not start');
}
