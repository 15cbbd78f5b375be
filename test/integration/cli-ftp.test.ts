// The tool's FTP flags end to end: tscurl and /usr/bin/curl (7.88.1) run
// the same command lines against the test FTP server, and both the output
// and the exit code must match, as must the commands the server received
// (minus the data connection's port numbers). Uploads compare what landed
// on the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurl, curl, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { startFtpServer, type FtpTestServer } from '../helpers/ftp-server.js';

const NO_CURL = requireProgram('curl', 'curl');

const FILES = { '/d/f.txt': 'hello\nworld\n', '/d/g.txt': 'gg\n', '/top.txt': 'top\n' };

/** The server's commands with the data connection's addresses blanked. */
function commands(srv: FtpTestServer): string[] {
  return srv.commands.map((c) => c.replace(/^(EPRT |PORT ).*/, '$1<addr>'));
}

async function both(args: (port: number) => string[], check?: (a: CliRun, srv: FtpTestServer) => void): Promise<void> {
  const runs: { r: CliRun; cmds: string[] }[] = [];
  for (const client of [tscurl, curl]) {
    const srv = await startFtpServer({ files: FILES });
    try {
      const r = await client(args(srv.port));
      // the QUIT of the exiting client (if it sends one) is on its way: wait for it, at most half a second
      await Promise.race([srv.waitCommand('QUIT'), new Promise((res) => setTimeout(res, 500))]);
      check?.(r, srv);
      runs.push({ r, cmds: commands(srv) });
    } finally {
      await srv.close();
    }
  }
  const [ts, c] = runs;
  const shown = args(0).join(' ');
  assert.equal(ts!.r.code, c!.r.code, `${shown}: exit code`);
  assert.equal(ts!.r.stdout, c!.r.stdout, `${shown}: output`);
  assert.deepEqual(ts!.cmds, c!.cmds, `${shown}: commands`);
}

const CASES: string[][] = [
  ['/d/f.txt'],
  ['/d/'],
  ['-l', '/d/'],
  ['-I', '/d/f.txt'],
  ['-I', '/d/'],
  ['-i', '/d/f.txt'],
  ['-r', '2-6', '/d/f.txt'],
  ['-C', '3', '/d/f.txt'],
  ['-B', '/d/f.txt'],
  ['-P', '-', '/d/f.txt'],
  ['-P', '127.0.0.1', '--disable-eprt', '/d/f.txt'],
  ['--disable-epsv', '/d/f.txt'],
  ['--ftp-pret', '/d/f.txt'],
  ['--ftp-method', 'singlecwd', '/d/f.txt'],
  ['--ftp-method', 'nocwd', '/d/f.txt'],
  ['--ftp-method', 'nocwd', '/d/'],
  ['-Q', 'NOOP', '-Q', '-SYST', '-Q', '+PWD', '/d/f.txt'],
  ['-Q', 'BOGUS', '/d/f.txt'],
  ['-X', 'NLST', '/d/'],
  ['--ftp-account', 'acct', '/d/f.txt'],
  ['/d/{f,g}.txt'],
  ['/d/[f-g].txt'],
  ['/d/missing.txt'],
  ['/nodir/f.txt'],
  ['-w', '%{response_code} %{ftp_entry_path} %{size_download}\\n', '/d/f.txt'],
  ['--ssl', '/d/f.txt'],
  ['--ssl-reqd', '/d/f.txt'],
];

for (const c of CASES) {
  test(`tscurl and curl agree: ${c.join(' ')}`, { skip: NO_CURL }, async () => {
    await both((port) => ['-s', ...c.slice(0, -1), `ftp://127.0.0.1:${port}${c[c.length - 1]}`]);
  });
}

test('uploads: -T, -a, --ftp-create-dirs, --crlf, -T to a directory URL', { skip: NO_CURL }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-ftp-'));
  try {
    const file = join(dir, 'up.txt');
    writeFileSync(file, 'line one\nline two\n');
    const stored = (want: string, content: string) => (_r: CliRun, srv: FtpTestServer): void => {
      assert.equal(srv.files.get(want)?.toString(), content);
    };
    await both((p) => ['-s', '-T', file, `ftp://127.0.0.1:${p}/d/new.txt`], stored('/d/new.txt', 'line one\nline two\n'));
    await both((p) => ['-s', '-a', '-T', file, `ftp://127.0.0.1:${p}/d/g.txt`], stored('/d/g.txt', 'gg\nline one\nline two\n'));
    await both((p) => ['-s', '--ftp-create-dirs', '-T', file, `ftp://127.0.0.1:${p}/x/y/z.txt`], stored('/x/y/z.txt', 'line one\nline two\n'));
    await both((p) => ['-s', '--crlf', '-T', file, `ftp://127.0.0.1:${p}/d/crlf.txt`], stored('/d/crlf.txt', 'line one\r\nline two\r\n'));
    // a URL ending in a slash gets the local file's name
    await both((p) => ['-s', '-T', file, `ftp://127.0.0.1:${p}/d/`], stored('/d/up.txt', 'line one\nline two\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
