// curl's TFTP test server (tests/server/tftpd.c), emulated as the TFTP cases
// observe it:
//  - one transfer at a time; each from a new UDP socket of its own, as tftpd
//    connects a fresh socket to the client;
//  - the request is logged to server.input: "opcode = N", "mode = MODE",
//    each option as "name = value" (options are logged, never acknowledged:
//    no OACK), then "filename = NAME";
//  - the file name's last path segment names the test (its first digits, a
//    part above 10000); no slash, no number or another test's number is
//    "Access violation"; a mode other than netascii/octet "Illegal TFTP
//    operation";
//  - a read sends <data> (netascii: LF and CR become CR LF and CR NUL) in
//    512-byte blocks, each resent after 5 s without its ACK (5 tries);
//    `writedelay: N` waits N seconds before each block;
//  - a write stores the blocks in log/upload.N (netascii decoded) and acks
//    each; the last block is the one shorter than 512 bytes.

import dgram from 'node:dgram';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestFile } from './test-file.js';

const RRQ = 1;
const WRQ = 2;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const SEGSIZE = 512;
const TIMEOUT_MS = 5000;

const ERRORS: Record<number, string> = { 2: 'Access violation', 4: 'Illegal TFTP operation' };

export interface TftpServerOptions {
  readonly logFile: string;
  readonly logDir: string;
  readonly testNumber: number;
  readonly test: () => TestFile | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** netascii for the wire: LF -> CR LF, CR -> CR NUL. */
export function toNetascii(data: Buffer): Buffer {
  const out: number[] = [];
  for (const c of data) {
    if (c === 0x0a) out.push(0x0d, 0x0a);
    else if (c === 0x0d) out.push(0x0d, 0x00);
    else out.push(c);
  }
  return Buffer.from(out);
}

/** The parsed request, or the error code to answer with. */
interface Request {
  opcode: number;
  filename: string;
  mode: string;
}

export class TftpServer {
  readonly #opts: TftpServerOptions;
  readonly #sockets = new Set<dgram.Socket>();
  #main: dgram.Socket | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: TftpServerOptions) {
    this.#opts = opts;
  }

  get openConnections(): number {
    return 0;
  }

  listen(host: string): Promise<number> {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.#main = sock;
    sock.on('message', (msg, rinfo) => {
      // tftpd answers one request after the other
      this.#queue = this.#queue.then(() => this.#transfer(msg, rinfo, host)).catch(() => {});
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, host, () => resolve(sock.address().port));
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#sockets) s.close();
    this.#sockets.clear();
    await new Promise<void>((r) => (this.#main ? this.#main.close(() => r()) : r()));
  }

  /** Logs the request as tftpd does; undefined when it is malformed. */
  #parse(msg: Buffer): Request | undefined {
    const opcode = msg.readUInt16BE(0);
    let log = `opcode = ${opcode.toString(16)}\n`;
    const strings = msg.subarray(2).toString('latin1').split('\0');
    // the last piece follows the final NUL: empty for a well-formed request
    const complete = strings.pop() === '';
    const [filename = '', mode, ...opts] = strings;
    if (mode !== undefined) log += `mode = ${mode}\n`;
    for (let i = 0; i + 1 < opts.length; i += 2) log += `${opts[i]} = ${opts[i + 1]}\n`;
    if (!complete || mode === undefined) {
      appendFileSync(this.#opts.logFile, log);
      return undefined;
    }
    log += `filename = ${filename}\n`;
    appendFileSync(this.#opts.logFile, log);
    return { opcode, filename, mode: mode.toLowerCase() };
  }

  async #transfer(msg: Buffer, rinfo: dgram.RemoteInfo, host: string): Promise<void> {
    if (this.#closed || msg.length < 2) return;
    const opcode = msg.readUInt16BE(0);
    if (opcode !== RRQ && opcode !== WRQ) return;
    const peer = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.#sockets.add(peer);
    const inbox: Buffer[] = [];
    let wake: (() => void) | undefined;
    peer.on('message', (m, from) => {
      if (from.port !== rinfo.port || from.address !== rinfo.address) return;
      inbox.push(m);
      wake?.();
    });
    peer.on('error', () => {});
    const send = (b: Buffer): Promise<void> => new Promise((r) => peer.send(b, rinfo.port, rinfo.address, () => r()));
    const receive = async (ms: number): Promise<Buffer | undefined> => {
      const deadline = Date.now() + ms;
      while (!inbox.length && !this.#closed && Date.now() < deadline) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.max(1, deadline - Date.now()));
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = undefined;
      }
      return inbox.shift();
    };
    const nak = (code: number): Promise<void> => {
      const text = Buffer.from(`${ERRORS[code] ?? 'Undefined error code'}\0`, 'latin1');
      const head = Buffer.alloc(4);
      head.writeUInt16BE(ERROR, 0);
      head.writeUInt16BE(code, 2);
      return send(Buffer.concat([head, text]));
    };
    try {
      await new Promise<void>((r) => peer.bind(0, host, () => r()));
      const req = this.#parse(msg);
      if (!req) return await nak(4);
      if (req.mode !== 'netascii' && req.mode !== 'octet') return await nak(4);
      const target = this.#target(req.filename);
      if (!target) return await nak(2);
      const netascii = req.mode === 'netascii';
      if (opcode === RRQ) await this.#sendFile(target, netascii, send, receive);
      else await this.#receiveFile(netascii, send, receive);
    } finally {
      this.#sockets.delete(peer);
      peer.close();
    }
  }

  /** validate_access: the test (and part) the file name asks for; undefined is "Access violation". */
  #target(filename: string): { data: Buffer; writeDelayMs: number } | undefined {
    const slash = filename.lastIndexOf('/');
    if (slash < 0) return undefined;
    const m = /^[^0-9]*(\d+)/.exec(filename.slice(slash + 1));
    if (!m) return undefined;
    let num = Number(m[1]);
    let part = 0;
    if (num > 10000) {
      part = num % 10000;
      num = Math.floor(num / 10000);
    }
    const test = this.#opts.test();
    if (num !== this.#opts.testNumber || !test) return undefined;
    let writeDelayMs = 0;
    for (const line of test.getList('reply', 'servercmd')) {
      const d = /^writedelay: (\d+)/.exec(line);
      if (d) writeDelayMs = Math.min(Number(d[1]), 60) * 1000;
    }
    const data = Buffer.from(test.getContent('reply', part ? `data${part}` : 'data') ?? '', 'latin1');
    return { data, writeDelayMs };
  }

  async #sendFile(t: { data: Buffer; writeDelayMs: number }, netascii: boolean, send: (b: Buffer) => Promise<void>,
    receive: (ms: number) => Promise<Buffer | undefined>): Promise<void> {
    const wire = netascii ? toNetascii(t.data) : t.data;
    for (let block = 1, off = 0; ; block++, off += SEGSIZE) {
      const chunk = wire.subarray(off, off + SEGSIZE);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(DATA, 0);
      head.writeUInt16BE(block & 0xffff, 2);
      if (t.writeDelayMs) await sleep(t.writeDelayMs);
      let acked = false;
      for (let tries = 0; tries < 5 && !acked && !this.#closed; tries++) {
        await send(Buffer.concat([head, chunk]));
        for (;;) {
          const ack = await receive(TIMEOUT_MS);
          if (!ack) break;
          if (ack.length >= 2 && ack.readUInt16BE(0) === ERROR) return;
          if (ack.length >= 4 && ack.readUInt16BE(0) === ACK && ack.readUInt16BE(2) === (block & 0xffff)) {
            acked = true;
            break;
          }
        }
      }
      if (!acked || chunk.length < SEGSIZE) return;
    }
  }

  async #receiveFile(netascii: boolean, send: (b: Buffer) => Promise<void>,
    receive: (ms: number) => Promise<Buffer | undefined>): Promise<void> {
    const file = path.join(this.#opts.logDir, `upload.${this.#opts.testNumber}`);
    writeFileSync(file, '');
    // netascii decoding may join a CR at the end of one block with the next: decode it all each time
    const received: number[] = [];
    const store = (b: Buffer): void => {
      if (!netascii) return appendFileSync(file, b);
      for (const c of b) received.push(c);
      const out: number[] = [];
      let prevCR = false;
      for (const c of received) {
        if (prevCR && c === 0x0a) out[out.length - 1] = 0x0a;
        else if (!(prevCR && c === 0x00)) out.push(c);
        prevCR = c === 0x0d;
      }
      writeFileSync(file, Buffer.from(out));
    };
    const ack = (block: number): Promise<void> => {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(ACK, 0);
      b.writeUInt16BE(block & 0xffff, 2);
      return send(b);
    };
    for (let block = 0; !this.#closed; block++) {
      let got: Buffer | undefined;
      for (let tries = 0; tries < 5 && !got && !this.#closed; tries++) {
        await ack(block);
        for (;;) {
          const m = await receive(TIMEOUT_MS);
          if (!m) break;
          if (m.length >= 2 && m.readUInt16BE(0) === ERROR) return;
          if (m.length >= 4 && m.readUInt16BE(0) === DATA && m.readUInt16BE(2) === ((block + 1) & 0xffff)) {
            got = m;
            break;
          }
        }
      }
      if (!got) return;
      store(got.subarray(4));
      if (got.length - 4 < SEGSIZE) {
        await ack(block + 1);
        return;
      }
    }
  }
}
