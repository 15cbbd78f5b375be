// Debian's OpenSSH server, started by the SFTP/SCP tests on 127.0.0.1 on a
// free port with everything in a temp dir: a fresh ed25519 host key, a user
// key pair (ed25519, no passphrase) and an RSA one with a passphrase (PEM, so
// that curl 7.88's libssh2 reads it too) in authorized_keys, and SFTP served
// by internal-sftp starting in `<dir>/home` (so "~/" URLs stay in the temp
// dir). The test user is the current user: root in CI, so the config allows
// root logins; no PAM and no system account is touched. Password logins are
// on, but the tests never know a system password: a wrong one is what they
// try (CURLE_LOGIN_DENIED). A test that needs sshd asks
// requireProgram('sshd', 'openssh-server') first.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';
import { freePort } from './ports.js';
import { awaitListening } from './listening-child.js';
export { freePort } from './ports.js';

export const SSHD_BIN = findProgram('sshd') ?? '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  dir: string;
  /** where internal-sftp starts: "~/" in sftp:// URLs */
  home: string;
  user: string;
  /** the user key without a passphrase (OpenSSH format) and its .pub */
  key: string;
  pub: string;
  /** an RSA key (PEM) protected by `keyPass` */
  rsaKey: string;
  rsaPub: string;
  keyPass: string;
  /** a known_hosts file that has the server's host key for [127.0.0.1]:port */
  knownHosts: string;
  /** the host key's "ssh-ed25519 AAAA..." line */
  hostPub: string;
  stop(): Promise<void>;
}

function keygen(file: string, type: string, pass: string, extra: string[] = []): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', pass, '-C', 'tscurl-test', '-f', file, ...extra], { stdio: 'ignore' });
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-sshd-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  keygen(join(dir, 'host_ed25519'), 'ed25519', '');
  keygen(join(dir, 'user_ed25519'), 'ed25519', '');
  keygen(join(dir, 'user_rsa'), 'rsa', 'sekrit', ['-b', '2048', '-m', 'PEM']);
  const pub = readFileSync(join(dir, 'user_ed25519.pub'), 'utf8');
  const rsaPub = readFileSync(join(dir, 'user_rsa.pub'), 'utf8');
  writeFileSync(join(dir, 'authorized_keys'), pub + rsaPub);
  const hostPub = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  // sshd refuses to start without its privilege separation directory
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  // bounded: a port another process took in between is tried again
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
    const conf = join(dir, 'sshd_config');
    writeFileSync(conf, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin yes',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'UseDNS no',
      'MaxStartups 50',
      'MaxSessions 50',
      `Subsystem sftp internal-sftp -d ${home}`,
      'LogLevel ERROR',
      '',
    ].join('\n'));
    const child: ChildProcess = spawn(SSHD_BIN, ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    const stop = await awaitListening(child, port, dir, 100, 20);
    if (stop) {
      return {
        port, dir, home, user: userInfo().username,
        key: join(dir, 'user_ed25519'), pub: join(dir, 'user_ed25519.pub'),
        rsaKey: join(dir, 'user_rsa'), rsaPub: join(dir, 'user_rsa.pub'), keyPass: 'sekrit',
        knownHosts: join(dir, 'known_hosts'), hostPub, stop,
      };
    }
    if (!/Address already in use|Bind to port/.test(log)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start: ${log}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('sshd: no free port after 5 tries');
}

/** ssh2's server side, typed as far as the password server uses it. */
interface Ssh2ServerModule {
  Server: new (cfg: { hostKeys: Buffer[] }, onClient: (client: ServerClient) => void) => {
    listen(port: number, host: string, cb: () => void): void;
    address(): { port: number };
    close(cb?: () => void): void;
  };
  utils: { generateKeyPairSync(type: string): { private: string; public: string }; sftp: { STATUS_CODE: Record<string, number> } };
}
interface ServerClient {
  on(ev: 'authentication', cb: (ctx: { method: string; username: string; password?: string; accept(): void; reject(methods?: string[]): void }) => void): ServerClient;
  on(ev: 'ready', cb: () => void): ServerClient;
  on(ev: 'error' | 'close', cb: () => void): ServerClient;
  on(ev: 'session', cb: (accept: () => SessionLike) => void): ServerClient;
  end(): void;
}
interface SessionLike {
  on(ev: 'sftp', cb: (accept: () => SftpServer) => void): void;
}
interface SftpServer {
  on(ev: string, cb: (...args: never[]) => void): void;
  handle(id: number, h: Buffer): void;
  status(id: number, code: number): void;
  data(id: number, d: Buffer): void;
  name(id: number, names: Array<{ filename: string; longname: string; attrs: object }>): void;
  attrs(id: number, a: object): void;
}

export interface PasswordServer {
  port: number;
  /** the host key's public blob ("ssh-ed25519 AAAA...") */
  hostPub: string;
  /** authentication attempts seen, as "method:username" */
  attempts: string[];
  close(): Promise<void>;
}

/**
 * A node ssh2 Server for the password path (the system sshd would need a
 * system password): it accepts `user` with `password` by "password" or
 * "keyboard-interactive" and serves one file, /hello.txt, over SFTP.
 */
export async function startPasswordServer(user: string, password: string, content: Buffer): Promise<PasswordServer> {
  const req = createRequire(import.meta.url);
  const ssh2 = req('ssh2') as Ssh2ServerModule;
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const STATUS = ssh2.utils.sftp.STATUS_CODE;
  const attempts: string[] = [];
  const clients = new Set<ServerClient>();
  const server = new ssh2.Server({ hostKeys: [Buffer.from(keys.private)] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      attempts.push(`${ctx.method}:${ctx.username}`);
      if (ctx.method === 'password' && ctx.username === user && ctx.password === password) return ctx.accept();
      ctx.reject(['password']);
    });
    client.on('session', (accept) => {
      accept().on('sftp', (acc) => {
        const sftp = acc();
        let open = false;
        let sent = false;
        sftp.on('REALPATH', (id: number) => sftp.name(id, [{ filename: '/', longname: '/', attrs: {} }]));
        sftp.on('STAT', (id: number, path: string) => {
          if (path !== '/hello.txt') return sftp.status(id, STATUS.NO_SUCH_FILE!);
          sftp.attrs(id, { mode: 0o100644, size: content.length, uid: 0, gid: 0, atime: 0, mtime: 0 });
        });
        sftp.on('OPEN', (id: number, path: string) => {
          if (path !== '/hello.txt') return sftp.status(id, STATUS.NO_SUCH_FILE!);
          open = true;
          sent = false;
          sftp.handle(id, Buffer.from([1]));
        });
        sftp.on('READ', (id: number, _h: Buffer, offset: number, len: number) => {
          if (!open || sent || offset >= content.length) return sftp.status(id, STATUS.EOF!);
          const piece = content.subarray(offset, offset + len);
          if (offset + piece.length >= content.length) sent = true;
          sftp.data(id, piece);
        });
        sftp.on('CLOSE', (id: number) => {
          open = false;
          sftp.status(id, STATUS.OK!);
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pubBlob = (ssh2 as unknown as { utils: { parseKey(k: string): { getPublicSSH(): Buffer; type: string } } }).utils.parseKey(keys.public);
  return {
    port: server.address().port,
    hostPub: `${pubBlob.type} ${pubBlob.getPublicSSH().toString('base64')}`,
    attempts,
    close: () => new Promise<void>((resolve) => {
      for (const c of clients) c.end();
      server.close(() => resolve());
    }),
  };
}

/** CLI arguments that log in to the test sshd with the user key, host key unchecked (-k). */
export function sshArgs(s: Sshd): string[] {
  return ['-k', '-u', `${s.user}:`, '--key', s.key];
}
