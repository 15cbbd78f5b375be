// Debian's Samba smbd, started by the SMB tests in the foreground on
// 127.0.0.1 and a free port with everything in a temp dir: its own smb.conf
// (SMB1 allowed, NTLMv1 allowed: curl 7.88 speaks "NT LM 0.12" and sends LM
// and NT v1 responses), lock/state/cache/private/pid directories, a tdbsam
// password database with one user, and two writable shares ("share" and
// "other"). The SMB user must be a Unix account: the current user (root in
// CI). A test asks NO_SMBD first.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findProgram, requireProgram } from './requires.js';
import { freePort } from './ports.js';
import { awaitListening } from './listening-child.js';

export const NO_SMBD: string | false = requireProgram('smbd', 'samba') || requireProgram('smbpasswd', 'samba');

export interface Smbd {
  port: number;
  user: string;
  password: string;
  /** the directory of the share "share" */
  share: string;
  /** the directory of the share "other" */
  other: string;
  /** smb://127.0.0.1:port/<path> */
  url(path: string): string;
  stop(): Promise<void>;
}

function config(dir: string, port: number, share: string, other: string): string {
  return [
    '[global]',
    `smb ports = ${port}`,
    'interfaces = 127.0.0.1',
    'bind interfaces only = yes',
    'server min protocol = NT1',
    'ntlm auth = yes',
    'server role = standalone server',
    'map to guest = never',
    'disable netbios = yes',
    'load printers = no',
    'printcap name = /dev/null',
    'disable spoolss = yes',
    `lock directory = ${join(dir, 'lock')}`,
    `state directory = ${join(dir, 'state')}`,
    `cache directory = ${join(dir, 'cache')}`,
    `private dir = ${join(dir, 'private')}`,
    `pid directory = ${join(dir, 'pid')}`,
    `ncalrpc dir = ${join(dir, 'ncalrpc')}`,
    `log file = ${join(dir, 'log.smbd')}`,
    `passdb backend = tdbsam:${join(dir, 'private', 'passdb.tdb')}`,
    '[share]',
    `path = ${share}`,
    'read only = no',
    '[other]',
    `path = ${other}`,
    'read only = no',
    '',
  ].join('\n');
}

export async function startSmbd(): Promise<Smbd> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-smbd-'));
  for (const d of ['lock', 'state', 'cache', 'private', 'pid', 'ncalrpc']) mkdirSync(join(dir, d));
  const share = join(dir, 'share');
  const other = join(dir, 'other');
  mkdirSync(share);
  mkdirSync(other);
  chmodSync(share, 0o777);
  chmodSync(other, 0o777);
  const user = userInfo().username;
  const password = 'smb secret';
  const smbd = findProgram('smbd') ?? '/usr/sbin/smbd';
  const smbpasswd = findProgram('smbpasswd') ?? 'smbpasswd';
  const conf = join(dir, 'smb.conf');
  // bounded: a port another process took in between is tried again
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(conf, config(dir, port, share, other));
    if (attempt === 0) execFileSync(smbpasswd, ['-a', '-s', '-c', conf, user], { input: `${password}\n${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    // a process group of its own (detached): smbd signals its whole group when it shuts down,
    // which would otherwise be the test runner's
    const child: ChildProcess = spawn(smbd, ['-F', '--no-process-group', '--debug-stdout', '-s', conf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    const stop = await awaitListening(child, port, dir, 250, 20);
    if (stop) return { port, user, password, share, other, url: (path: string) => `smb://127.0.0.1:${port}/${path}`, stop };
    if (!/Address already in use|bind failed/i.test(log)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`smbd did not start: ${log}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('smbd: no free port after 5 tries');
}
