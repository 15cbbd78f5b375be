// The `ssh2` npm package (a pure-JavaScript SSH client), loaded on the first
// sftp:// or scp:// transfer (an HTTP run never pays for it), and the small
// part of its API this library uses, typed here (the package ships no types).
// Its optional native crypto binding is never needed: without it ssh2 uses
// node:crypto and its own JavaScript for what OpenSSL lacks.
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { EventEmitter } from 'node:events';

export interface SftpError extends Error {
  /** the SFTP status code (SSH_FX_*) when the server answered with one */
  code?: number | string;
  level?: string;
}

export interface SftpAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: number;
  mtime?: number;
}

export interface SftpStats extends SftpAttrs {
  size: number;
  mode: number;
  mtime: number;
}

export interface DirEntry {
  filename: string;
  longname: string;
  attrs: SftpStats;
}

export interface StatvfsInfo {
  f_bsize: bigint; f_frsize: bigint; f_blocks: bigint; f_bfree: bigint; f_bavail: bigint; f_files: bigint;
  f_ffree: bigint; f_favail: bigint; f_sid: bigint; f_flag: bigint; f_namemax: bigint;
}

type Cb<T = void> = (err: SftpError | undefined | null, value: T) => void;

export interface SftpSession extends EventEmitter {
  open(path: string, flags: number, attrs: SftpAttrs, cb: Cb<Buffer>): void;
  close(handle: Buffer, cb: (err?: SftpError) => void): void;
  read(handle: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: (err: SftpError | undefined, n: number) => void): void;
  write(handle: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: (err?: SftpError) => void): void;
  stat(path: string, cb: Cb<SftpStats>): void;
  setstat(path: string, attrs: SftpAttrs, cb: (err?: SftpError) => void): void;
  opendir(path: string, cb: Cb<Buffer>): void;
  readdir(handle: Buffer, opts: { full: boolean }, cb: Cb<DirEntry[] | false>): void;
  mkdir(path: string, attrs: SftpAttrs, cb: (err?: SftpError) => void): void;
  rmdir(path: string, cb: (err?: SftpError) => void): void;
  unlink(path: string, cb: (err?: SftpError) => void): void;
  rename(from: string, to: string, cb: (err?: SftpError) => void): void;
  symlink(target: string, link: string, cb: (err?: SftpError) => void): void;
  readlink(path: string, cb: Cb<string>): void;
  realpath(path: string, cb: Cb<string>): void;
  ext_openssh_statvfs(path: string, cb: Cb<StatvfsInfo>): void;
  end(): void;
  /** how ssh2 reads 64-bit numbers: undefined (as doubles) or 'always' (BigInt) */
  _biOpt?: string;
}

export interface ExecChannel extends Duplex {
  stderr: EventEmitter & { resume(): void };
  close(): void;
}

export interface AuthAttempt {
  type: 'none' | 'password' | 'publickey' | 'keyboard-interactive' | 'agent';
  username: string;
  password?: string;
  key?: unknown;
  agent?: SshAgent;
  prompt?: (name: string, instructions: string, lang: string, prompts: unknown[], finish: (answers: string[]) => void) => void;
}

export interface ClientConfig {
  sock: Duplex;
  username: string;
  authHandler: (methodsLeft: string[] | null, partialSuccess: boolean | null, next: (a: AuthAttempt | false) => void) => void;
  hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => void;
  readyTimeout: number;
  keepaliveInterval: number;
  algorithms?: { serverHostKey?: string[]; compress?: string[] };
  debug?: (text: string) => void;
}

export interface SshClient extends EventEmitter {
  connect(cfg: ClientConfig): this;
  sftp(cb: (err: Error | undefined, sftp: SftpSession) => void): void;
  exec(cmd: string, cb: (err: Error | undefined, ch: ExecChannel) => void): void;
  end(): void;
  destroy(): void;
}

export interface ParsedKey {
  type: string;
  getPublicSSH(): Buffer;
  isPrivateKey(): boolean;
}

/** ssh2's OpenSSHAgent: an ssh-agent reached over its Unix socket (one connection per call). */
export interface SshAgent {
  getIdentities(cb: (err: Error | null | undefined, keys?: ParsedKey[]) => void): void;
  sign(key: ParsedKey, data: Buffer, options: object, cb: (err: Error | null | undefined, signature?: Buffer) => void): void;
}

interface Ssh2Module {
  Client: new () => SshClient;
  OpenSSHAgent: new (socketPath: string) => SshAgent;
  utils: { parseKey(data: Buffer | string, passphrase?: string): ParsedKey | ParsedKey[] | Error };
}

let mod: Ssh2Module | null = null;
let cryptoIsReady = false;

/** The ssh2 module (required on first use). */
export function ssh2(): Ssh2Module {
  if (mod) return mod;
  const req = createRequire(import.meta.url);
  mod = req('ssh2') as Ssh2Module;
  // ssh2 compiles a WebAssembly Poly1305 on load and starts a connection's
  // handshake only once that promise resolved (an event-loop turn or more
  // later, on the first load only). A session waits for it before it
  // connects, so that ssh2 listens to its socket right after connect().
  (req('ssh2/lib/protocol/crypto.js') as { init: Promise<void> }).init.then(() => {
    cryptoIsReady = true;
  }, () => {
    cryptoIsReady = true; // connect() then reports the failure as an error
  });
  return mod;
}

/** ssh2's crypto setup is done (see ssh2()). */
export function ssh2Ready(): boolean {
  ssh2();
  return cryptoIsReady;
}

/** ssh2's version, for --version's line ("ssh2/1.17.0"), or null when it is not installed. */
export function ssh2Version(): string | null {
  try {
    const pkg = createRequire(import.meta.url)('ssh2/package.json') as { version?: string };
    return pkg.version ? `ssh2/${pkg.version}` : null;
  } catch {
    return null;
  }
}
