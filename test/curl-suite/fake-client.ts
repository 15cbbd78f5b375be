// A scripted stand-in for curl, for the runner's own tests (runner.test.ts):
// it lets a synthetic test case send exact bytes to the test server and
// produce exact stderr and exit codes, so each rule of the runner can be
// checked without depending on what a real client does.
//
//   fake-client --version              prints a version in curl's layout
//   fake-client [RUNNER ARGS] ACTIONS  records every argument, one a line,
//                                      in log/argv, then runs the actions:
//     --send PORT TEXT   connect to 127.0.0.1:PORT, write TEXT (\r, \n and
//                        \\ are unescaped), close the sending side, copy
//                        what the server answers to stdout until it closes
//     --ftp PORT SCRIPT  an FTP session with 127.0.0.1:PORT: read the
//                        welcome, then send each line of SCRIPT (unescaped)
//                        with CRLF and read its reply (through any 1xx
//                        ones), copied to stdout; a 227/229 reply opens the
//                        data connection, whose bytes are appended to
//                        log/data; `CMD <<TEXT` writes TEXT on the data
//                        connection after CMD's 1xx reply and closes it
//     --stderr TEXT      write TEXT (unescaped) to stderr
//     --exit N           exit with status N (default 0)
// The arguments before the first action are the ones the runner adds.

import { appendFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

function unescape(s: string): string {
  return s.replace(/\\([rn\\])/g, (_m, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : '\\'));
}

function send(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.end(Buffer.from(unescape(text), 'latin1')));
    sock.on('data', (d: Buffer) => process.stdout.write(d));
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
  });
}

/** Reads whole reply lines from the control connection. */
class Replies {
  #buf = '';
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(sock: net.Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.#buf += d;
      this.#wake?.();
    });
    sock.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** The next complete reply (continuation lines included), or null at the end. */
  async next(): Promise<string | null> {
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.#buf);
      if (m) {
        this.#buf = this.#buf.slice(m[0].length);
        return m[0];
      }
      if (this.#ended) return null;
      await new Promise<void>((r) => {
        this.#wake = r;
      });
    }
  }
}

async function ftp(port: number, script: string): Promise<void> {
  const sock = net.connect({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  const replies = new Replies(sock);
  let data: net.Socket | undefined;
  let dataDone: Promise<void> = Promise.resolve();
  const openData = (dport: number): void => {
    const d = net.connect({ host: '127.0.0.1', port: dport });
    d.on('error', () => {});
    d.on('data', (b: Buffer) => appendFileSync('log/data', b));
    dataDone = new Promise((r) => d.on('close', () => r()));
    data = d;
  };
  const reply = async (): Promise<string | null> => {
    const r = await replies.next();
    if (r !== null) process.stdout.write(r);
    return r;
  };
  if ((await reply()) === null) return;
  for (const line of unescape(script).split('\n').filter(Boolean)) {
    const [cmd, upload] = line.split(' <<') as [string, string | undefined];
    sock.write(`${cmd}\r\n`);
    let r = await reply();
    while (r !== null && r.startsWith('1')) {
      if (upload !== undefined && data) {
        data.end(upload);
        await dataDone;
      }
      r = await reply();
    }
    if (r === null) break;
    const pasv = /^227 .*\(\d+,\d+,\d+,\d+,(\d+),(\d+)\)/.exec(r);
    const epsv = /^229 .*\(\|\|\|(\d+)\|\)/.exec(r);
    if (pasv) openData(Number(pasv[1]) * 256 + Number(pasv[2]));
    else if (epsv) openData(Number(epsv[1]));
    if (/^226/.test(r)) await dataDone;
  }
  sock.end();
  await new Promise<void>((r) => sock.on('close', () => r()));
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version') {
    process.stdout.write('fakecurl 1.0.0 (x86_64-pc-linux-gnu)\nRelease-Date: [unreleased]\nProtocols: http ftp\nFeatures: \n');
    return 0;
  }
  writeFileSync('log/argv', argv.map((a) => `${a}\n`).join(''));
  let status = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--send') {
      await send(Number(argv[i + 1]), argv[i + 2] ?? '');
      i += 2;
    } else if (a === '--ftp') {
      await ftp(Number(argv[i + 1]), argv[i + 2] ?? '');
      i += 2;
    } else if (a === '--stderr') {
      process.stderr.write(unescape(argv[++i] ?? ''));
    } else if (a === '--exit') {
      status = Number(argv[++i]);
    }
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
