// vsftpd from Debian, started by the tests on 127.0.0.1 with a configuration
// and an anonymous FTP root in a temp dir: downloads from the root, uploads
// and new directories under `up/`, passive and active data connections, and
// optionally TLS (explicit AUTH TLS, or implicit for ftps://) with a
// certificate the caller supplies. A test that needs it asks
// requireProgram('vsftpd', 'vsftpd') (helpers/requires.ts) first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync, chownSync, existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';
import { freePort } from './ports.js';
import { stopChild } from './child-stop.js';

export const VSFTPD_BIN = findProgram('vsftpd') ?? '/usr/sbin/vsftpd';

export interface VsftpdOptions {
  /** TLS: the certificate chain and key (PEM) */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** TLS from the first byte (ftps://) instead of AUTH TLS */
  implicit?: boolean;
  /** extra config lines */
  extra?: string;
}

export interface Vsftpd {
  /** the anonymous root: files put here can be downloaded */
  root: string;
  /** the writable upload directory (root/up) */
  upload: string;
  port: number;
  url(path?: string): string;
  stop(): Promise<void>;
}

/** Whether vsftpd answers: its greeting arrives (a TCP accept alone is not enough). */
function greets(port: number, implicit: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      c.destroy();
      resolve(ok);
    };
    // implicit TLS: the server waits for our ClientHello, so a connect is all we can see
    c.once('connect', () => (implicit ? done(true) : undefined));
    c.once('data', (d: Buffer) => done(d.toString().startsWith('220')));
    c.once('error', () => done(false));
    c.once('close', () => done(false));
  });
}

export async function startVsftpd(o: VsftpdOptions = {}): Promise<Vsftpd> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-vsftpd-'));
  const root = join(dir, 'root');
  const upload = join(root, 'up');
  const empty = join(dir, 'empty');
  mkdirSync(root);
  mkdirSync(upload);
  mkdirSync(empty);
  // vsftpd refuses a writable chroot root; uploads go to a directory the ftp user owns
  chmodSync(root, 0o755);
  chmodSync(upload, 0o777);
  try {
    chownSync(upload, 108, 110);
  } catch {
    // not root: the mode above lets anyone write
  }
  chmodSync(dir, 0o755);
  if (o.tls) {
    writeFileSync(join(dir, 'tls.crt'), o.tls.cert);
    writeFileSync(join(dir, 'tls.key'), o.tls.key);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'vsftpd.conf');
    const tls = o.tls
      ? `ssl_enable=YES
rsa_cert_file=${join(dir, 'tls.crt')}
rsa_private_key_file=${join(dir, 'tls.key')}
allow_anon_ssl=YES
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
require_ssl_reuse=YES
ssl_ciphers=HIGH
${o.implicit ? 'implicit_ssl=YES' : ''}
`
      : '';
    writeFileSync(conf, `listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${port}
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=${root}
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_address=127.0.0.1
port_enable=YES
connect_from_port_20=NO
seccomp_sandbox=NO
secure_chroot_dir=${empty}
xferlog_enable=NO
vsftpd_log_file=${join(dir, 'vsftpd.log')}
dual_log_enable=NO
use_localtime=NO
${tls}${o.extra ?? ''}
`);
    const child: ChildProcess = spawn(VSFTPD_BIN, [conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await greets(port, !!o.implicit)) {
        return {
          root, upload, port,
          url: (p = '/') => `${o.implicit ? 'ftps' : 'ftp'}://127.0.0.1:${port}${p}`,
          stop: stopChild(child),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) child.kill('SIGKILL');
    if (attempt === 4) {
      const log = existsSync(join(dir, 'vsftpd.log')) ? readFileSync(join(dir, 'vsftpd.log'), 'utf8') : '';
      throw new Error(`vsftpd did not start: ${stderr} ${log.slice(-2000)}`);
    }
  }
  throw new Error('vsftpd did not start');
}
