// The scripted server curl's suite uses for FTP, IMAP, POP3 and SMTP
// (tests/ftpserver.pl), emulated: the protocol tables (replies and command
// handlers) come from ftp-commands.ts and mail-commands.ts; this file does
// what the script's main loop does for all of them:
//  - one client at a time: sockfilt accepts the next connection only after
//    the current one has gone, so a second connection waits (unanswered);
//  - on connect, <servercmd> is read afresh (pingpong-commands.ts) and the
//    welcome (or `REPLY welcome ...`) is sent;
//  - everything the client sends on the control connection is appended, as
//    received, to log/server.input (what <verify><protocol> compares), except
//    what a command reads as its payload (SMTP DATA, IMAP APPEND);
//  - a command line ends with CRLF; its reply is, in this order: a
//    `REPLY "CMD ARG"` for the full line, a `REPLY CMD` (for `COUNT` uses),
//    else the protocol's fixed text for the command and/or its handler, else
//    "not dealt with"; `DELAY CMD N` waits N seconds first;
//  - a line the protocol cannot parse gets an error and the script stops
//    reading that connection (it never closes it itself);
//  - SLOWDOWN sends replies one byte every 5 ms.
// The ftps server is this same server behind a TLS listener, as curl's runner
// puts stunnel in front of ftpserver.pl (the data connections stay plain).

import { appendFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { DataChannel } from './ftp-data.js';
import { parsePingPongCommands, perlNumber, type PingPongCommands } from './pingpong-commands.js';
import type { TestFile } from './test-file.js';

export type PingPongProto = 'ftp' | 'imap' | 'pop3' | 'smtp';

export type Handler = (s: Session, arg: string | undefined, cmd: string) => Promise<void>;

export interface PingPongProtocol {
  readonly name: PingPongProto;
  readonly welcome: string;
  /** Sent before the handler runs (ftpserver.pl's %displaytext). */
  readonly displayText: Readonly<Record<string, string>>;
  /** Keyed by the upper-cased command word (%commandfunc). */
  readonly handlers: Readonly<Record<string, Handler>>;
  /** Splits a command line (its CRLF removed); a string is the reply to a line it cannot parse. */
  parse(full: string, s: Session): { cmd: string; arg: string | undefined } | string;
  /** The reply when nothing handled the command. */
  notHandled(cmd: string, s: Session): string;
}

export interface PingPongServerOptions {
  readonly protocol: PingPongProtocol;
  /** Protocol log (server.input). */
  readonly logFile: string;
  /** Where uploads land (log/upload.N). */
  readonly logDir: string;
  readonly testNumber: number;
  readonly test: () => TestFile | undefined;
  /** The address this instance serves (and FTP's passive data ports listen on). */
  readonly host: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function drained(sock: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

/** State a protocol keeps across the commands of one control connection. */
export interface SessionState {
  /** FTP: CWD's idea of the current directory (for PWD). */
  ftpDir: string;
  /** IMAP: the tag of the command being answered. */
  cmdId: string;
  /** IMAP: the mailbox SELECT picked. */
  selected: string;
  /** SMTP: HELO/EHLO's client name (holds the test number) and ESMTP or SMTP. */
  smtpClient: string;
  smtpType: string;
}

export class Session {
  readonly server: PingPongServer;
  readonly cmds: PingPongCommands;
  readonly data = new DataChannel();
  readonly state: SessionState = { ftpDir: '', cmdId: '', selected: '', smtpClient: '', smtpType: '' };
  readonly #sock: Duplex;
  readonly #input: ByteQueue;
  /** The test file the script has loaded (loadtest): another test's number unloads it. */
  #loaded: TestFile | undefined;
  /** Received (and logged) but not yet handled. */
  #pending = Buffer.alloc(0);

  constructor(server: PingPongServer, sock: Duplex, input: ByteQueue) {
    this.server = server;
    this.#sock = sock;
    this.#input = input;
    this.cmds = parsePingPongCommands(server.opts.test());
    this.#loaded = server.opts.test();
  }

  get gone(): boolean {
    return this.#sock.destroyed || this.#input.peerDone;
  }

  /** loadtest("log/testNAME"): only the running test's file exists. */
  loadTest(name: string): void {
    this.#loaded = name === String(this.server.opts.testNumber) ? this.server.opts.test() : undefined;
  }

  /** A part of the loaded test, as the server sends it. */
  part(name: string): string | undefined {
    return this.#loaded?.getContent('reply', name);
  }

  /** The first line of a part of the loaded test, without its newline (getpart()[0]). */
  firstLine(name: string, keepNewline = false): string | undefined {
    const line = this.#loaded?.getPart('reply', name)?.lines[0];
    return keepNewline ? line : line?.replace(/\r?\n$/, '');
  }

  /** An attribute of a part of the loaded test (sendzero="yes"). */
  dataAttr(name: string, attr: string): string | undefined {
    return this.#loaded?.getPart('reply', name)?.attrs[attr];
  }

  /** getreplydata(): <dataN> for a number above 10000 (falling back to <data>), else <data>. */
  replyData(num: string): string {
    const n = perlNumber(num.replace(/^[^0-9]*/, ''));
    const p = n > 10000 ? String(n % 10000) : '';
    return this.part(`data${p}`) ?? (p ? this.part('data') : undefined) ?? '';
  }

  /** sendcontrol: a reply on the control connection (one byte at a time under SLOWDOWN). */
  async send(text: string): Promise<void> {
    if (this.#sock.destroyed) return;
    const buf = Buffer.from(text, 'latin1');
    if (!this.cmds.ctrlDelayMs) {
      if (!this.#sock.write(buf)) await drained(this.#sock);
      return;
    }
    for (let i = 0; i < buf.length && !this.#sock.destroyed; i++) {
      this.#sock.write(buf.subarray(i, i + 1));
      await sleep(this.cmds.ctrlDelayMs);
    }
  }

  /**
   * Raw bytes from the control connection for a command's payload: what came
   * after the command line first (logged with it), then new input (not logged).
   */
  readRaw(): Promise<Buffer | null> {
    if (this.#pending.length) {
      const b = this.#pending;
      this.#pending = Buffer.alloc(0);
      return Promise.resolve(b);
    }
    return this.#input.read();
  }

  /** Payload bytes that belong to the next command line after all. */
  unreadRaw(b: Buffer): void {
    this.#pending = Buffer.concat([b, this.#pending]);
  }

  async run(): Promise<void> {
    const proto = this.server.opts.protocol;
    let welcome = this.cmds.commandReply.get('welcome');
    if (welcome) {
      this.cmds.commandReply.set('welcome', '');
      if (!welcome.endsWith('\r\n')) welcome += '\r\n';
    } else welcome = proto.welcome;
    await this.send(welcome);

    for (;;) {
      const eol = this.#pending.indexOf('\r\n');
      if (eol < 0) {
        const chunk = await this.#input.read();
        if (!chunk) break;
        this.server.log(chunk);
        this.#pending = Buffer.concat([this.#pending, chunk]);
        continue;
      }
      const full = this.#pending.toString('latin1', 0, eol).replace(/[\r\n]+$/, '');
      this.#pending = this.#pending.subarray(eol + 2);
      const parsed = proto.parse(full, this);
      if (typeof parsed === 'string') {
        await this.send(parsed);
        // the script leaves this connection: nothing more is read or answered
        while ((await this.#input.read()) !== null);
        break;
      }
      await this.#dispatch(parsed.cmd, parsed.arg);
    }
    this.data.kill();
  }

  async #dispatch(cmd: string, arg: string | undefined): Promise<void> {
    const proto = this.server.opts.protocol;
    const delay = this.cmds.delaySeconds.get(cmd);
    if (delay) await sleep(Math.min(delay, 60) * 1000);

    const full = arg ? `${cmd} ${arg}` : cmd;
    const fullText = this.cmds.fullTextReply.get(full);
    if (fullText) return this.send(`${fullText}\r\n`);
    const custom = this.cmds.commandReply.get(cmd);
    if (custom) {
      const left = this.cmds.customCount.get(cmd);
      if (left) {
        this.cmds.customCount.set(cmd, left - 1);
        if (left - 1 === 0) this.cmds.commandReply.set(cmd, '');
      }
      return this.send(custom);
    }
    let handled = false;
    const text = proto.displayText[cmd];
    if (text) {
      await this.send(proto.name === 'imap' ? `${this.state.cmdId} ${text}\r\n` : `${text}\r\n`);
      handled = true;
    }
    const fn = proto.handlers[cmd.toUpperCase()];
    if (fn) {
      await fn(this, arg, cmd);
      handled = true;
    }
    if (!handled) await this.send(proto.notHandled(cmd, this));
  }
}

export class PingPongServer {
  readonly opts: PingPongServerOptions;
  readonly #servers: net.Server[] = [];
  readonly #sockets = new Set<Duplex>();
  readonly #waiting: { sock: Duplex; input: ByteQueue }[] = [];
  #busy = false;
  #closed = false;
  /** FTP REST offset: the script keeps it until a RETR uses it, across connections. */
  rest = 0;
  /** IMAP's SELECTed mailbox and the messages IMAP STORE / POP3 DELE marked: globals of the script. */
  mail: { selected: string; deleted: string[] } = { selected: '', deleted: [] };

  constructor(opts: PingPongServerOptions) {
    this.opts = opts;
  }

  /** Listens on host:0, plain or (ftps, as stunnel does) TLS in front; resolves the port. */
  listen(host: string, secure?: { key: string; cert: string }): Promise<number> {
    const server = secure
      ? tls.createServer({ key: secure.key, cert: secure.cert }, (s) => this.#onConnection(s))
      : net.createServer((s) => this.#onConnection(s));
    server.on('tlsClientError', () => {});
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }

  log(data: Buffer | string): void {
    // nothing is logged once the case is over (close()): its log folder may be gone already
    if (!this.#closed) appendFileSync(this.opts.logFile, data);
  }

  #onConnection(sock: net.Socket): void {
    this.#sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('error', () => {});
    sock.once('close', () => this.#sockets.delete(sock));
    // collected from the start; read only when its turn comes
    this.#waiting.push({ sock, input: ByteQueue.of(sock) });
    void this.#next();
  }

  async #next(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let c = this.#waiting.shift(); c && !this.#closed; c = this.#waiting.shift()) {
        // a client that gave up while waiting leaves nothing behind
        if (c.sock.destroyed && c.input.ended) continue;
        await new Session(this, c.sock, c.input).run();
      }
    } finally {
      this.#busy = false;
    }
  }
}
