// TFTP test servers on 127.0.0.1: Debian's tftpd-hpa (in.tftpd) with a temp
// root, and a scripted Node UDP server for what a real server does not do
// on demand (errors, lost packets, floods, malformed option acks).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './requires.js';

export interface Peer {
  address: string;
  port: number;
}

/** A parsed RRQ/WRQ. */
export interface TftpRequestPacket {
  op: 1 | 2;
  filename: string;
  mode: string;
  options: Record<string, string>;
}

export function parseRequest(b: Buffer): TftpRequestPacket | null {
  const op = b.readUInt16BE(0);
  if (op !== 1 && op !== 2) return null;
  const words = b.subarray(2).toString('latin1').split('\0');
  words.pop(); // after the last terminator
  const [filename = '', mode = '', ...rest] = words;
  const options: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) options[rest[i]!.toLowerCase()] = rest[i + 1]!;
  return { op: op as 1 | 2, filename, mode, options };
}

export const data = (block: number, payload: Buffer): Buffer => {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(3, 0);
  h.writeUInt16BE(block & 0xffff, 2);
  return Buffer.concat([h, payload]);
};
export const ack = (block: number): Buffer => Buffer.from([0, 4, (block >> 8) & 0xff, block & 0xff]);
export const error = (code: number, text: string): Buffer =>
  Buffer.concat([Buffer.from([0, 5, (code >> 8) & 0xff, code & 0xff]), Buffer.from(`${text}\0`, 'latin1')]);
export const oack = (opts: Record<string, string>): Buffer =>
  Buffer.concat([Buffer.from([0, 6]), ...Object.entries(opts).map(([k, v]) => Buffer.from(`${k}\0${v}\0`, 'latin1'))]);

export interface UdpServer {
  port: number;
  socket: Socket;
  /** every datagram received, in order */
  received: { data: Buffer; from: Peer }[];
  send(b: Buffer, to: Peer): void;
  close(): Promise<void>;
}

/** A UDP server whose `onMessage` decides every answer. */
export async function startUdpServer(onMessage: (msg: Buffer, from: Peer, srv: UdpServer) => void): Promise<UdpServer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const srv: UdpServer = {
    port: socket.address().port,
    socket,
    received: [],
    send(b, to) {
      socket.send(b, to.port, to.address);
    },
    close() {
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
  socket.on('message', (msg, r) => {
    const from = { address: r.address, port: r.port };
    srv.received.push({ data: Buffer.from(msg), from });
    onMessage(msg, from, srv);
  });
  return srv;
}

export interface TftpdHpa {
  root: string;
  port: number;
  url(path: string): string;
  stop(): Promise<void>;
}

/** A free UDP port on 127.0.0.1 (the kernel's pick, released for the server to take). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Whether a TFTP server answers on `port` (an RRQ in a mode it refuses: its child answers ERROR and exits at once). */
async function answers(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      s.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      s.send(Buffer.from('\0\x01.probe\0bogus\0', 'latin1'), port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

/** Signals the server's process group (the server and the children it forked); gone already is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** Debian's tftpd-hpa in the foreground on 127.0.0.1, serving (and, with `create`, accepting) files in a temp root. */
export async function startTftpdHpa(o: { create?: boolean } = {}): Promise<TftpdHpa> {
  const bin = findProgram('in.tftpd');
  if (!bin) throw new Error('in.tftpd is not installed (apt-get install tftpd-hpa); .ci/run installs it');
  const root = mkdtempSync(join(tmpdir(), 'tscurl-tftp-'));
  chmodSync(root, 0o777);
  // a port can be taken between freeUdpPort() and the server's bind: try a few times
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    // (-s chroots and -u names the user to run as: in.tftpd must start as root, as .ci/run runs)
    const args = ['-L', '-a', `127.0.0.1:${port}`, '-s', '-u', userInfo().username, ...(o.create ? ['-c', '-p'] : []), root];
    // a process group of its own: stop() ends the children it forks per transfer too (an upload's
    // child lingers a second for a repeated last block)
    const child: ChildProcess = spawn(bin, args, { stdio: 'ignore', detached: true });
    let exited = false;
    child.once('exit', () => { exited = true; });
    for (let i = 0; i < 20 && !exited; i++) {
      if (await answers(port)) {
        return {
          root,
          port,
          url: (path) => `tftp://127.0.0.1:${port}/${path}`,
          async stop() {
            if (!exited) {
              const gone = new Promise((resolve) => child.once('exit', resolve));
              killGroup(child, 'SIGTERM');
              await gone;
            }
            // the children that serve transfers outlive a SIGTERM (an upload's dallies ~5 s for a repeated last block)
            killGroup(child, 'SIGKILL');
            rmSync(root, { recursive: true, force: true });
          },
        };
      }
    }
    if (!exited) killGroup(child, 'SIGKILL');
  }
  rmSync(root, { recursive: true, force: true });
  throw new Error('in.tftpd did not start');
}
