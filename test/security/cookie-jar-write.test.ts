// Writing the -c cookie jar as libcurl's Curl_fopen() does (issue 17, item 3).
// The jar used to be written to "<jar>.<pid>.<time>.tmp" and renamed over
// the target whatever it was: `-c /dev/null` as root turned /dev/null into a
// regular file, a fifo was replaced, the jar's permissions were lost, and a
// name that can be guessed lets a planted symlink redirect the write. Now
// (as curl 7.88.1 with the CVE-2023-32001 fix) a target that is not a
// regular file is written in place; a regular one gets "<dir>/<40 random
// hex>.tmp" made with O_EXCL (0600, then the original's mode when owner and
// group match) renamed over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, constants as fsc, lstatSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync,
  statSync, symlinkSync, watch, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const isRoot = process.getuid?.() === 0;

async function withCookieServer(fn: (url: string) => Promise<void>): Promise<void> {
  const srv = await startRawServer(() => ok('hi', 'Set-Cookie: flavour=oat; Path=/\r\n'));
  try {
    await fn(`http://127.0.0.1:${srv.port}/`);
  } finally {
    await srv.close();
  }
}

function sh(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(file, args, (err) => resolve(!err)));
}

test('-c onto a fifo or a character device writes into it and leaves it what it was', async () => {
  await withCookieServer(async (url) => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-jarw-'));
    const fifo = join(dir, 'fifo');
    assert.ok(await sh('mkfifo', [fifo]));
    // read and write ends held here: the tool's open() does not wait, and its bytes stay in the pipe
    const fd = openSync(fifo, fsc.O_RDWR | fsc.O_NONBLOCK);
    try {
      const r = await tscurl(['-s', '-c', fifo, url]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(lstatSync(fifo).isFIFO(), 'still a fifo');
      const buf = Buffer.alloc(65536);
      let n = 0;
      try {
        n = readSync(fd, buf);
      } catch {
        // EAGAIN: nothing was written into the fifo
      }
      assert.match(buf.subarray(0, n).toString('latin1'), /^# Netscape HTTP Cookie File\n[\s\S]*\tflavour\toat\n$/);
    } finally {
      closeSync(fd);
    }
    // a /dev/null of our own (mknod needs root): the same code path as -c /dev/null without risking the real one
    const devnull = join(dir, 'null');
    if (isRoot && (await sh('mknod', ['-m', '666', devnull, 'c', '1', '3']))) {
      const r = await tscurl(['-s', '-c', devnull, url]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(lstatSync(devnull).isCharacterDevice(), 'still a character device');
      assert.ok(statSync('/dev/null').isCharacterDevice());
    }
    assert.deepEqual(readdirSync(dir).sort(), isRoot ? ['fifo', 'null'] : ['fifo'], 'no temporary file left');
  });
});

test('-c keeps an existing jar\'s permissions; the temporary file has a random name', async () => {
  await withCookieServer(async (url) => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-jarm-'));
    const jar = join(dir, 'jar');
    writeFileSync(jar, '# Netscape HTTP Cookie File\n');
    chmodSync(jar, 0o640);
    const names: string[] = [];
    const watcher = watch(dir, (_ev, name) => {
      if (name) names.push(String(name));
    });
    try {
      const r = await tscurl(['-s', '-c', jar, url]);
      assert.equal(r.code, 0, r.stderr);
      // inotify events come in order: wait (bounded) until the rename onto the jar has been seen
      for (let i = 0; i < 200 && !names.includes('jar'); i++) await new Promise((res) => setTimeout(res, 5));
    } finally {
      watcher.close();
    }
    assert.equal(statSync(jar).mode & 0o777, 0o640);
    assert.match(readFileSync(jar, 'latin1'), /\tflavour\toat\n$/);
    const temps = [...new Set(names.filter((n) => n !== 'jar'))];
    assert.equal(temps.length, 1, `temporary names: ${temps.join(', ')}`);
    // libcurl's "<40 random hex>.tmp", not one made of the pid and the time
    assert.match(temps[0]!, /^[0-9a-f]{40}\.tmp$/);
    assert.deepEqual(readdirSync(dir), ['jar']);
  });
});

test('-c onto a symlink or another owner\'s jar: as libcurl', async (t) => {
  await withCookieServer(async (url) => {
    const cases: { file: string; args: (jar: string) => string[] }[] = [{ file: 'tscurl', args: (jar) => ['-s', '-c', jar, url] }];
    if (!NO_CURL) cases.push({ file: 'curl', args: (jar) => ['-s', '-c', jar, url] });
    const seen: string[] = [];
    for (const c of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'tscurl-jarl-'));
      // a symlink to a regular file: fstat() sees a regular file, so the new jar is renamed over the link
      const target = join(dir, 'target');
      writeFileSync(target, 'precious');
      const link = join(dir, 'link');
      symlinkSync(target, link);
      const run = c.file === 'curl' ? curl : tscurl;
      const r = await run(c.args(link));
      assert.equal(r.code, 0, `${c.file}: ${r.stderr}`);
      const result = [`link is a file: ${lstatSync(link).isFile()}`];
      assert.match(readFileSync(link, 'latin1'), /\tflavour\toat\n$/);
      // curl's first open (O_TRUNC) empties the link's target on the way; tscurl leaves it alone
      if (c.file === 'tscurl') assert.equal(readFileSync(target, 'latin1'), 'precious');
      if (isRoot) {
        // a jar of another owner: its mode is not copied onto root's new file (0600)
        const other = join(dir, 'other');
        writeFileSync(other, '# Netscape HTTP Cookie File\n');
        chmodSync(other, 0o644);
        chownSync(other, 4321, 4321);
        const o = await run(c.args(other));
        assert.equal(o.code, 0, `${c.file}: ${o.stderr}`);
        const st = statSync(other);
        result.push(`other: uid ${st.uid} mode ${(st.mode & 0o777).toString(8)}`);
      }
      seen.push(result.join('; '));
    }
    assert.equal(seen[0], `link is a file: true${isRoot ? '; other: uid 0 mode 600' : ''}`);
    if (seen.length > 1) assert.equal(seen[0], seen[1], 'tscurl and curl 7.88 agree');
  });
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});
