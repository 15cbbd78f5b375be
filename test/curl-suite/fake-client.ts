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
//     --stderr TEXT      write TEXT (unescaped) to stderr
//     --exit N           exit with status N (default 0)
// The arguments before the first action are the ones the runner adds.

import { writeFileSync } from 'node:fs';
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

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version') {
    process.stdout.write('fakecurl 1.0.0 (x86_64-pc-linux-gnu)\nRelease-Date: [unreleased]\nProtocols: http\nFeatures: \n');
    return 0;
  }
  writeFileSync('log/argv', argv.map((a) => `${a}\n`).join(''));
  let status = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--send') {
      await send(Number(argv[i + 1]), argv[i + 2] ?? '');
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
