// tscurl with file:// URLs next to /usr/bin/curl (7.88.1), same command line,
// same temp files: stdout byte for byte, the exit code, and (with -sS) the
// error line. Uploads (-T) and --remote-time are compared by the files they
// leave behind. Each command runs in a directory of its own per client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurl, curl, normalise, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const MTIME = 1583298367;
const TEXT = 'hello world\n0123456789\n';

/** A fresh directory with a.txt (TEXT, MTIME), src.txt and sub/ (MTIME). */
function fixture(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), TEXT);
  writeFileSync(join(dir, 'src.txt'), 'upload data\n');
  utimesSync(join(dir, 'a.txt'), MTIME, MTIME);
  utimesSync(join(dir, 'sub'), MTIME, MTIME);
  return dir;
}

/** The files a command left: name -> [content, mtime when it is MTIME or 'new']. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const st = statSync(join(dir, f));
    out[f] = st.isDirectory() ? 'dir' : `${readFileSync(join(dir, f), 'latin1')} @${Math.floor(st.mtimeMs / 1000) === MTIME ? 'MTIME' : 'new'}`;
  }
  return out;
}

/** `args` with {D} replaced by the client's directory. */
async function both(args: string[], check: (ours: CliRun, theirs: CliRun, ourDir: string, theirDir: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tscurl-clifile-'));
  try {
    const ourDir = fixture(root, 'ours');
    const theirDir = fixture(root, 'theirs');
    const ours = await tscurl(args.map((a) => a.replaceAll('{D}', ourDir)), { cwd: ourDir });
    const theirs = await curl(args.map((a) => a.replaceAll('{D}', theirDir)), { cwd: theirDir });
    check(ours, theirs, ourDir, theirDir);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const SAME_OUTPUT: string[][] = [
  ['file://{D}/a.txt'],
  ['file://localhost{D}/a.txt'],
  ['file:{D}/a.txt'],
  ['-I', 'file://{D}/a.txt'],
  ['-i', 'file://{D}/a.txt'],
  ['-r', '2-5', 'file://{D}/a.txt'],
  ['-r', '-4', 'file://{D}/a.txt'],
  ['-r', '20-', 'file://{D}/a.txt'],
  ['-r', '5-2', 'file://{D}/a.txt'],
  ['-C', '3', 'file://{D}/a.txt'],
  ['-C', '30', 'file://{D}/a.txt'],
  ['file://{D}/sub/'],
  ['-I', 'file://{D}/sub/'],
  ['file://{D}/missing'],
  ['file://{D}/a%00.txt'],
  ['file://{D}/a.txt?q=1#frag'],
  ['-z', '01-Jan-2021', 'file://{D}/a.txt'],
  ['-z', '-01-Jan-2021', 'file://{D}/a.txt'],
  ['-w', '%{scheme} %{size_download} %{http_code} %{num_connects} %{size_header} %{exitcode}\\n', 'file://{D}/a.txt'],
  ['file://{D}/a.txt', 'file://{D}/a.txt'],
];

for (const args of SAME_OUTPUT) {
  test(`tscurl -sS ${args.join(' ')} as curl 7.88`, { skip: NO_CURL }, async () => {
    await both(['-sS', ...args], (ours, theirs, ourDir, theirDir) => {
      assert.equal(ours.code, theirs.code, ours.stderr);
      assert.equal(ours.stdout.replaceAll(ourDir, 'D'), theirs.stdout.replaceAll(theirDir, 'D'));
      assert.equal(normalise(ours.stderr).replaceAll(ourDir, 'D'), normalise(theirs.stderr).replaceAll(theirDir, 'D'));
    });
  });
}

const SAME_FILES: string[][] = [
  ['-T', 'src.txt', 'file://{D}/new.txt'],
  ['-T', 'src.txt', 'file://{D}/sub/'], // the file name is appended to a URL ending in /
  ['-T', 'src.txt', 'file://{D}/a.txt'], // truncates what is there
  ['-T', 'src.txt', '-C', '-', 'file://{D}/fresh.txt'],
  ['-T', 'a.txt', '-C', '-', 'file://{D}/src.txt'], // appends what src.txt lacks of a.txt
  ['-T', 'src.txt', '-C', '5', 'file://{D}/a.txt'],
  ['-T', 'src.txt', 'file://{D}/nodir/x'],
  ['-R', '-o', 'copy.txt', 'file://{D}/a.txt'],
  ['-o', 'copy.txt', 'file://{D}/a.txt'],
  ['-I', '-o', 'head.txt', 'file://{D}/a.txt'],
  ['-D', 'hd.txt', '-o', 'copy.txt', 'file://{D}/a.txt'],
  ['-o', 'copy.txt', 'file://{D}/missing'],
  ['-o', '#1.out', 'file://{D}/{a,src}.txt'],
];

for (const args of SAME_FILES) {
  test(`tscurl -sS ${args.join(' ')}: the same files as curl 7.88`, { skip: NO_CURL }, async () => {
    await both(['-sS', ...args], (ours, theirs, ourDir, theirDir) => {
      assert.equal(ours.code, theirs.code, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout);
      assert.equal(normalise(ours.stderr).replaceAll(ourDir, 'D'), normalise(theirs.stderr).replaceAll(theirDir, 'D'));
      assert.deepEqual(snapshot(ourDir), snapshot(theirDir));
    });
  });
}

test('tscurl -C - resumes a partial download of a file:// URL as curl does', { skip: NO_CURL }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tscurl-clifile-'));
  try {
    for (const [name, run] of [['ours', tscurl], ['theirs', curl]] as const) {
      const dir = fixture(root, name);
      writeFileSync(join(dir, 'part.txt'), TEXT.slice(0, 7));
      const r = await run(['-sS', '-C', '-', '-o', 'part.txt', `file://${dir}/a.txt`], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(join(dir, 'part.txt'), 'latin1'), TEXT, name);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('tscurl --version lists file, and a file:// URL is not "Protocol not supported" any more', async () => {
  const v = await tscurl(['--version']);
  assert.match(v.stdout, /\nProtocols: (\S+ )*file( \S+)*\n/);
  const root = mkdtempSync(join(tmpdir(), 'tscurl-clifile-'));
  try {
    const dir = fixture(root, 'x');
    const r = await tscurl(['-s', `file://${dir}/a.txt`]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, TEXT);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
