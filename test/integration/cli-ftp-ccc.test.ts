// --ftp-ssl-ccc and --ftp-ssl-ccc-mode, differentially: tscurl and
// /usr/bin/curl (7.88.1) run the same command lines against the test FTP
// server in its CCC modes (test/helpers/ftp-server.ts); the exit code, the
// output, the error message, the commands with whether each came in TLS or
// in the clear, and whether the client sent a close_notify (the mode in
// effect: active sends one, passive none) must all match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurlBundle, curl, type CliRun } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { startFtpServer, type CccMode, type FtpTestServer } from '../helpers/ftp-server.js';
import { testCerts } from '../helpers/certs.js';

const NO_PROGRAMS = requirePrograms(['curl', 'curl'], ['openssl', 'openssl']);

interface Case {
  args: string[];
  server: CccMode;
  /** the server's reply to CCC instead of its 200 */
  cccReply?: string;
  /** the exit code both must end with */
  code: number;
}

const CASES: Case[] = [
  { args: ['--ftp-ssl-ccc', '/d/f.txt'], server: 'server-first', code: 0 },
  { args: ['--ftp-ssl-ccc-mode', 'active', '/d/f.txt'], server: 'client-first', code: 0 },
  { args: ['--ftp-ssl-ccc-mode', 'passive', '/d/f.txt'], server: 'server-first', code: 0 },
  // the mode given first stays when --ftp-ssl-ccc comes after it
  { args: ['--ftp-ssl-ccc-mode', 'active', '--ftp-ssl-ccc', '/d/f.txt'], server: 'server-first', code: 0 },
  { args: ['--ftp-ssl-ccc-mode', 'active', '--no-ftp-ssl-ccc', '/d/f.txt'], server: 'server-first', code: 0 },
  // an unknown mode warns and is passive
  { args: ['--ftp-ssl-ccc-mode', 'sideways', '/d/f.txt'], server: 'server-first', code: 0 },
  { args: ['--ftp-ssl-ccc', '/d/'], server: 'eager', code: 0 },
  { args: ['--ftp-ssl-ccc-mode', 'active', '-T', '@upload', '/d/up.txt'], server: 'client-first', code: 0 },
  { args: ['--ftp-ssl-ccc', '/d/f.txt'], server: 'server-first', cccReply: '533 CCC not permitted', code: 0 },
  { args: ['--ftp-ssl-ccc', '/d/f.txt'], server: 'close', code: 56 },
  { args: ['--ftp-ssl-ccc-mode', 'active', '/d/f.txt'], server: 'close', code: 56 },
];

interface Seen {
  r: CliRun;
  wire: string[];
  clientCloseNotify: number;
  upload: string | undefined;
}

const UPLOAD = join(mkdtempSync(join(tmpdir(), 'tscurl-ccc-')), 'up.txt');
writeFileSync(UPLOAD, 'uploaded after CCC\n');

async function runOne(client: typeof curl, c: Case): Promise<Seen> {
  const srv: FtpTestServer = await startFtpServer({ tls: testCerts().server, ccc: c.server, files: { '/d/f.txt': 'hello\nccc\n', '/d/g.txt': 'g\n' } });
  try {
    if (c.cccReply) srv.replies.set('CCC', c.cccReply);
    const args = c.args.map((a) => (a.startsWith('/') ? `ftp://127.0.0.1:${srv.port}${a}` : a === '@upload' ? UPLOAD : a));
    const r = await client(['-sS', '--cacert', testCerts().caFile, '--ssl-reqd', ...args]);
    // the QUIT of the exiting client (if it sends one) is on its way: wait for it, at most half a second
    await Promise.race([srv.waitCommand('QUIT'), new Promise((res) => setTimeout(res, 500))]);
    return {
      r,
      wire: srv.commands.map((l, i) => `${srv.secure[i] ? 'TLS' : 'clear'} ${l}`),
      // curl also ends a control connection still in TLS (no CCC, or CCC refused) with a close_notify: not CCC's
      clientCloseNotify: srv.commands.includes('CCC') && !c.cccReply ? srv.clientCloseNotify : 0,
      upload: srv.files.get('/d/up.txt')?.toString(),
    };
  } finally {
    await srv.close();
  }
}

for (const c of CASES) {
  const shown = `${c.args.join(' ')} against a ${c.server} server${c.cccReply ? ` answering CCC with ${c.cccReply.slice(0, 3)}` : ''}`;
  test(`CCC: ${shown} as curl 7.88`, { skip: NO_PROGRAMS }, async () => {
    const ts = await runOne(tscurlBundle, c);
    const cu = await runOne(curl, c);
    assert.equal(cu.r.code, c.code, `curl: ${cu.r.stderr}`);
    assert.equal(ts.r.code, cu.r.code, `exit code: ${ts.r.stderr}`);
    assert.equal(ts.r.stdout, cu.r.stdout, 'output');
    assert.equal(ts.r.stderr.replace(/^tscurl: /gm, 'curl: '), cu.r.stderr, 'messages');
    assert.deepEqual(ts.wire, cu.wire, 'commands');
    assert.equal(ts.clientCloseNotify, cu.clientCloseNotify, 'close_notify sent');
    assert.equal(ts.upload, cu.upload, 'upload');
  });
}
