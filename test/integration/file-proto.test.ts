// The FILE protocol (file://) through the public API, against temp files:
// easy.perform(), and the multi socket API driven by an application loop
// whose only event source is the timer (a file transfer has no socket).
// The expectations are libcurl 7.88.1's, checked against it through its C
// API: the made-up headers, CURLINFO values, ranges, resume, time
// conditions, error codes and messages, and uploads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Easy, Multi, CURLOPT, CURLINFO, CURLE, CURLM, CURLPAUSE, CURLPROTO, CURLINFO_TYPE, CURL_WRITEFUNC_PAUSE, CURL_TIMECOND,
} from '../../src/index.js';
import { startAppLoop } from '../helpers/app-loop.js';
import { mulberry32 } from '../helpers/prng.js';
import { STEP_BYTES } from '../../src/proto/file.js';

const MTIME = 1583298367; // Wed, 04 Mar 2020 05:06:07 GMT
const TEXT = 'hello world\n0123456789\n'; // 23 bytes

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'tscurl-file-'));
}

function fileUrl(p: string): string {
  return 'file://' + p.split('/').map(encodeURIComponent).join('/');
}

/** Open descriptors of this process (Linux), to see that a transfer closed its file. */
function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
const haveProcFd = existsSync('/proc/self/fd');

interface Result {
  code: number;
  body: Buffer;
  headers: string[];
  easy: Easy;
}

/** easy.perform() with the body and header lines collected; `setup` sets more options. */
async function perform(url: string, setup: (e: Easy) => void = () => {}): Promise<Result> {
  const e = new Easy();
  const body: Buffer[] = [];
  const headers: string[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    body.push(Buffer.from(d));
    return d.length;
  });
  e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => {
    headers.push(d.toString('latin1'));
    return d.length;
  });
  setup(e);
  const code = await e.perform();
  return { code, body: Buffer.concat(body), headers, easy: e };
}

function withTextFile<T>(fn: (dir: string, file: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const file = path.join(dir, 'a.txt');
  writeFileSync(file, TEXT);
  utimesSync(file, MTIME, MTIME);
  return fn(dir, file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const HEADERS = ['Content-Length: 23\r\n', 'Accept-ranges: bytes\r\n', 'Last-Modified: Wed, 04 Mar 2020 05:06:07 GMT\r\n\r\n'];

test('file:// download: the file byte for byte, the made-up headers, and the CURLINFO values', async () => {
  await withTextFile(async (_dir, file) => {
    const r = await perform(fileUrl(file));
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.toString('latin1'), TEXT);
      assert.deepEqual(r.headers, HEADERS);
      const e = r.easy;
      assert.equal(e.getinfo(CURLINFO.SCHEME), 'FILE');
      assert.equal(e.getinfo(CURLINFO.PROTOCOL), CURLPROTO.FILE);
      assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 0);
      assert.equal(e.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 23);
      assert.equal(e.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), 23);
      assert.equal(e.getinfo(CURLINFO.HEADER_SIZE), 0); // libcurl counts no file: header bytes
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0);
      assert.equal(e.getinfo(CURLINFO.EFFECTIVE_URL), fileUrl(file));
      // libcurl stores the file's time for file: even without CURLOPT_FILETIME
      assert.equal(e.getinfo(CURLINFO.FILETIME_T), MTIME);
    } finally {
      r.easy.cleanup();
    }
  });
});

test('file:// with CURLOPT_HEADER: the made-up headers stay out of the body (7.88 writes them as headers only)', async () => {
  await withTextFile(async (_dir, file) => {
    const r = await perform(fileUrl(file), (e) => e.setopt(CURLOPT.HEADER, 1));
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.toString('latin1'), TEXT);
      assert.deepEqual(r.headers, HEADERS);
    } finally {
      r.easy.cleanup();
    }
  });
});

test('file:// NOBODY: the headers without the closing blank line, no body; FILETIME', async () => {
  await withTextFile(async (_dir, file) => {
    const r = await perform(fileUrl(file), (e) => {
      e.setopt(CURLOPT.NOBODY, 1);
      e.setopt(CURLOPT.FILETIME, 1);
      e.setopt(CURLOPT.RESUME_FROM_LARGE, 30); // NOBODY answers before the range is looked at
    });
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.length, 0);
      assert.deepEqual(r.headers, ['Content-Length: 23\r\n', 'Accept-ranges: bytes\r\n', 'Last-Modified: Wed, 04 Mar 2020 05:06:07 GMT\r\n']);
      assert.equal(r.easy.getinfo(CURLINFO.FILETIME), MTIME);
      assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), 23);
      assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 0);
    } finally {
      r.easy.cleanup();
    }
  });
});

// [options, code, body, CONTENT_LENGTH_DOWNLOAD, error message (null: not checked)], each from libcurl 7.88.1
const RANGES: [string, (e: Easy) => void, number, string, number, string | null][] = [
  ['RANGE 2-5', (e) => e.setopt(CURLOPT.RANGE, '2-5'), CURLE.OK, 'llo ', 4, null],
  ['RANGE -4 (the last 4)', (e) => e.setopt(CURLOPT.RANGE, '-4'), CURLE.OK, '789\n', 4, null],
  ['RANGE 20- (to the end)', (e) => e.setopt(CURLOPT.RANGE, '20-'), CURLE.OK, '89\n', 3, null],
  ['RANGE 20-30 (past the end)', (e) => e.setopt(CURLOPT.RANGE, '20-30'), CURLE.OK, '89\n', 11, null],
  ['RANGE 0-1,5-6 (the first part only)', (e) => e.setopt(CURLOPT.RANGE, '0-1,5-6'), CURLE.OK, 'he', 2, null],
  ['RANGE 3 (as "3-")', (e) => e.setopt(CURLOPT.RANGE, '3'), CURLE.OK, 'lo world\n0123456789\n', 20, null],
  ['RANGE abc (as "0-0")', (e) => e.setopt(CURLOPT.RANGE, 'abc'), CURLE.OK, 'h', 1, null],
  ['RANGE 5-2', (e) => e.setopt(CURLOPT.RANGE, '5-2'), CURLE.RANGE_ERROR, '', 23, null],
  ['RANGE -30 (longer than the file)', (e) => e.setopt(CURLOPT.RANGE, '-30'), CURLE.BAD_DOWNLOAD_RESUME, '', 30, null],
  ['RESUME_FROM 5 wins over RANGE', (e) => { e.setopt(CURLOPT.RESUME_FROM_LARGE, 5); e.setopt(CURLOPT.RANGE, '1-2'); }, CURLE.OK, ' world\n0123456789\n', 18, null],
  ['RESUME_FROM -1 (the last byte)', (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, -1), CURLE.OK, '\n', 1, null],
  ['RESUME_FROM 23 (the end)', (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 23), CURLE.OK, '', 23, null],
  ['RESUME_FROM 24', (e) => e.setopt(CURLOPT.RESUME_FROM, 24), CURLE.BAD_DOWNLOAD_RESUME, '', 23, 'failed to resume file:// transfer'],
];

for (const [name, setup, code, body, length, message] of RANGES) {
  test(`file:// ${name}`, async () => {
    await withTextFile(async (_dir, file) => {
      const r = await perform(fileUrl(file), setup);
      try {
        assert.equal(r.code, code);
        assert.equal(r.body.toString('latin1'), body);
        assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), length);
        assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), body.length);
        // the headers go out before the range is applied, with the whole size
        assert.deepEqual(r.headers, HEADERS);
        if (message !== null) assert.equal(r.easy.errorBuffer, message);
      } finally {
        r.easy.cleanup();
      }
    });
  });
}

test('file:// TIMECONDITION: an unmet condition delivers nothing (no headers either); a range turns the condition off', async () => {
  await withTextFile(async (_dir, file) => {
    const cond = (e: Easy): void => {
      e.setopt(CURLOPT.TIMECONDITION, CURL_TIMECOND.IFMODSINCE);
      e.setopt(CURLOPT.TIMEVALUE, MTIME + 1);
    };
    const unmet = await perform(fileUrl(file), cond);
    const ranged = await perform(fileUrl(file), (e) => {
      cond(e);
      e.setopt(CURLOPT.RANGE, '1-2');
    });
    const met = await perform(fileUrl(file), (e) => {
      e.setopt(CURLOPT.TIMECONDITION, CURL_TIMECOND.IFUNMODSINCE);
      e.setopt(CURLOPT.TIMEVALUE, MTIME + 1);
    });
    try {
      assert.equal(unmet.code, CURLE.OK);
      assert.equal(unmet.body.length, 0);
      assert.deepEqual(unmet.headers, []);
      assert.equal(unmet.easy.getinfo(CURLINFO.CONDITION_UNMET), 1);
      assert.equal(unmet.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), -1);
      assert.equal(ranged.body.toString(), 'el');
      assert.equal(ranged.easy.getinfo(CURLINFO.CONDITION_UNMET), 0);
      assert.equal(met.body.toString(), TEXT);
      assert.equal(met.easy.getinfo(CURLINFO.CONDITION_UNMET), 0);
    } finally {
      unmet.easy.cleanup();
      ranged.easy.cleanup();
      met.easy.cleanup();
    }
  });
});

test('file:// errors: a missing file is 37 naming the path as the URL has it; %00 in the path is 3', async () => {
  const dir = tempDir();
  try {
    const missing = await perform(fileUrl(dir) + '/no%20such');
    const nul = await perform(fileUrl(dir) + '/a%00b');
    try {
      assert.equal(missing.code, CURLE.FILE_COULDNT_READ_FILE);
      assert.equal(missing.easy.errorBuffer, `Couldn't open file ${dir}/no%20such`);
      assert.deepEqual(missing.headers, []);
      assert.equal(missing.easy.getinfo(CURLINFO.FILETIME), -1);
      assert.equal(nul.code, CURLE.URL_MALFORMAT);
    } finally {
      missing.easy.cleanup();
      nul.easy.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file:// on a directory: 7.88 delivers nothing and succeeds, with only a Last-Modified header', async () => {
  const dir = tempDir();
  try {
    writeFileSync(path.join(dir, 'inside.txt'), 'x');
    utimesSync(dir, MTIME, MTIME);
    const r = await perform(fileUrl(dir) + '/');
    const resumed = await perform(fileUrl(dir) + '/', (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 3));
    try {
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body.length, 0);
      assert.deepEqual(r.headers, ['Last-Modified: Wed, 04 Mar 2020 05:06:07 GMT\r\n\r\n']);
      assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), -1);
      assert.equal(resumed.code, CURLE.BAD_DOWNLOAD_RESUME);
      assert.equal(resumed.easy.errorBuffer, 'failed to resume file:// transfer');
    } finally {
      r.easy.cleanup();
      resumed.easy.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An upload of `data` through a READFUNCTION that hands out at most `chunk` bytes a call. */
async function upload(url: string, data: Buffer, setup: (e: Easy) => void = () => {}, chunk = 1 << 30): Promise<Result> {
  let pos = 0;
  return perform(url, (e) => {
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      const n = data.copy(buf, 0, pos, pos + Math.min(chunk, buf.length));
      pos += n;
      return n;
    });
    setup(e);
  });
}

test('file:// upload: creates (0644, or NEW_FILE_PERMS), truncates, appends from RESUME_FROM, skipping what is there', async () => {
  const dir = tempDir();
  const results: Result[] = [];
  try {
    const target = path.join(dir, 'up.txt');
    const created = await upload(fileUrl(target), Buffer.from('abcdef'));
    results.push(created);
    assert.equal(created.code, CURLE.OK);
    assert.equal(readFileSync(target, 'latin1'), 'abcdef');
    assert.equal(statSync(target).mode & 0o777, 0o644 & ~process.umask());
    assert.equal(created.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 6);
    assert.equal(created.easy.getinfo(CURLINFO.CONTENT_LENGTH_UPLOAD_T), -1);
    assert.equal(created.easy.getinfo(CURLINFO.FILETIME), -1);
    assert.deepEqual(created.headers, []);

    writeFileSync(target, '0123456789');
    const truncated = await upload(fileUrl(target), Buffer.from('XY'));
    results.push(truncated);
    assert.equal(readFileSync(target, 'latin1'), 'XY');

    // RESUME_FROM 3: the first 3 bytes of the data are taken as there already, the rest is appended
    const appended = await upload(fileUrl(target), Buffer.from('ABCDEFGH'), (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 3));
    results.push(appended);
    assert.equal(readFileSync(target, 'latin1'), 'XYDEFGH');
    assert.equal(appended.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 5);

    // RESUME_FROM -1: from the target's size
    writeFileSync(target, '0123');
    const fromEnd = await upload(fileUrl(target), Buffer.from('ABCDEFGH'), (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, -1), 3);
    results.push(fromEnd);
    assert.equal(readFileSync(target, 'latin1'), '0123EFGH');

    // INFILESIZE is for the progress meter: 7.88 writes what the callback gives until it says 0
    const sized = await upload(fileUrl(target), Buffer.from('ABCDEFGH'), (e) => e.setopt(CURLOPT.INFILESIZE_LARGE, 3));
    results.push(sized);
    assert.equal(readFileSync(target, 'latin1'), 'ABCDEFGH');
    assert.equal(sized.easy.getinfo(CURLINFO.CONTENT_LENGTH_UPLOAD_T), 3);
    assert.equal(sized.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 8);

    const privateFile = path.join(dir, 'private.txt');
    const perms = await upload(fileUrl(privateFile), Buffer.from('p'), (e) => {
      assert.equal(e.setopt(CURLOPT.NEW_FILE_PERMS, 0o1000), CURLE.BAD_FUNCTION_ARGUMENT);
      assert.equal(e.setopt(CURLOPT.NEW_FILE_PERMS, 0o600), CURLE.OK);
    });
    results.push(perms);
    assert.equal(statSync(privateFile).mode & 0o777, 0o600);

    // a large upload in many callback pieces
    const big = Buffer.alloc(3 * STEP_BYTES + 12345);
    const rnd = mulberry32(7);
    for (let i = 0; i < big.length; i++) big[i] = (rnd() * 256) | 0;
    const bigFile = path.join(dir, 'big.bin');
    const bigUp = await upload(fileUrl(bigFile), big, () => {}, 7000);
    results.push(bigUp);
    assert.equal(bigUp.code, CURLE.OK);
    assert.ok(readFileSync(bigFile).equals(big));
  } finally {
    for (const r of results) r.easy.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file:// upload errors: a directory or a missing directory is 23, the root is 37', async () => {
  const dir = tempDir();
  const results: Result[] = [];
  try {
    const toDir = await upload(fileUrl(dir) + '/', Buffer.from('x'));
    results.push(toDir);
    assert.equal(toDir.code, CURLE.WRITE_ERROR);
    assert.equal(toDir.easy.errorBuffer, `Can't open ${dir}/ for writing`);
    const noDir = await upload(fileUrl(dir) + '/nodir/x', Buffer.from('x'));
    results.push(noDir);
    assert.equal(noDir.code, CURLE.WRITE_ERROR);
    const root = await upload('file:///', Buffer.from('x'));
    results.push(root);
    assert.equal(root.code, CURLE.FILE_COULDNT_READ_FILE);
    // (a read callback that pauses: test/integration/pause-upload-file.test.ts)
    // NOBODY set after UPLOAD makes it a download again (libcurl's request kind): the file is not there
    const notUpload = await upload(fileUrl(path.join(dir, 'nob.txt')), Buffer.from('x'), (e) => e.setopt(CURLOPT.NOBODY, 1));
    results.push(notUpload);
    assert.equal(notUpload.code, CURLE.FILE_COULDNT_READ_FILE);
  } finally {
    for (const r of results) r.easy.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A file of `size` seeded random bytes, written in pieces; returns its SHA-256. */
function writeRandomFile(file: string, size: number, seed: number): string {
  const rnd = mulberry32(seed);
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  try {
    const piece = Buffer.alloc(1 << 20);
    for (let done = 0; done < size; done += piece.length) {
      const n = Math.min(piece.length, size - done);
      for (let i = 0; i < n; i += 4) piece.writeUInt32LE((rnd() * 0x100000000) >>> 0, i);
      hash.update(piece.subarray(0, n));
      writeSync(fd, piece, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const BIG = 64 << 20;

test('a 64 MiB file through the multi socket API: timer-driven only, at most STEP_BYTES per run, byte-exact', async () => {
  const dir = tempDir();
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const e = new Easy();
  try {
    const file = path.join(dir, 'big.bin');
    const sha = writeRandomFile(file, BIG, 1);
    const hash = createHash('sha256');
    let received = 0;
    let sinceAction = 0;
    let maxPerAction = 0;
    e.setopt(CURLOPT.URL, fileUrl(file));
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      hash.update(d);
      received += d.length;
      sinceAction += d.length;
      maxPerAction = Math.max(maxPerAction, sinceAction);
      return d.length;
    });
    // count what each socketAction delivered: the loop calls it from its timer
    const original = multi.socketAction.bind(multi);
    let actions = 0;
    multi.socketAction = (s: number, ev?: number) => {
      actions++;
      sinceAction = 0;
      return original(s, ev);
    };
    assert.equal(multi.addHandle(e), CURLM.OK);
    await loop.finished;
    assert.equal(loop.done.length, 1);
    assert.equal(loop.done[0]!.result, CURLE.OK);
    assert.equal(received, BIG);
    assert.equal(hash.digest('hex'), sha);
    assert.ok(maxPerAction <= STEP_BYTES, `one run delivered ${maxPerAction} bytes`);
    assert.ok(actions >= BIG / STEP_BYTES, `${actions} runs`);
    // no socket was ever asked for
    assert.equal(loop.events.filter((ev) => ev.kind === 'socket').length, 0);
    multi.removeHandle(e);
  } finally {
    e.cleanup();
    multi.cleanup();
    loop.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 64 MiB file through easy.perform(): byte-exact, and the event loop runs between the pieces', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'big.bin');
    const sha = writeRandomFile(file, BIG, 2);
    const hash = createHash('sha256');
    let received = 0;
    let immediates = 0;
    let spinning = true;
    const spin = (): void => {
      immediates++;
      if (spinning) setImmediate(spin);
    };
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, fileUrl(file));
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        hash.update(d);
        received += d.length;
        return d.length;
      });
      setImmediate(spin);
      const code = await e.perform();
      spinning = false;
      assert.equal(code, CURLE.OK);
      assert.equal(received, BIG);
      assert.equal(hash.digest('hex'), sha);
      // each piece yields to the event loop: other callbacks ran while the file was read
      assert.ok(immediates >= BIG / STEP_BYTES / 2, `${immediates} event-loop turns`);
    } finally {
      spinning = false;
      e.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file:// pause: CURL_WRITEFUNC_PAUSE holds the transfer (nothing read meanwhile), easy.pause(CONT) resumes it byte-exact', async () => {
  const dir = tempDir();
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const e = new Easy();
  try {
    const file = path.join(dir, 'p.bin');
    const size = 3 * STEP_BYTES + 777;
    const sha = writeRandomFile(file, size, 3);
    const hash = createHash('sha256');
    let received = 0;
    let pauses = 0;
    let pausedAt = -1;
    e.setopt(CURLOPT.URL, fileUrl(file));
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (pauses === 0 && received >= STEP_BYTES / 2) {
        pauses++;
        pausedAt = received;
        return CURL_WRITEFUNC_PAUSE;
      }
      hash.update(d);
      received += d.length;
      return d.length;
    });
    assert.equal(multi.addHandle(e), CURLM.OK);
    // wait (bounded) until the callback paused
    for (let i = 0; i < 200 && pauses === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(pauses, 1);
    // while paused, the transfer asks for no timer and delivers nothing
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(received, pausedAt);
    assert.equal(multi.timeout().timeoutMs, -1);
    assert.equal(e.pause(CURLPAUSE.CONT), CURLE.OK);
    await loop.finished;
    assert.equal(loop.done[0]!.result, CURLE.OK);
    assert.equal(received, size);
    assert.equal(hash.digest('hex'), sha);
    multi.removeHandle(e);
  } finally {
    e.cleanup();
    multi.cleanup();
    loop.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file:// MAXFILESIZE stops the download at the limit (as HTTP bodies, through the same writers)', async () => {
  await withTextFile(async (_dir, file) => {
    const r = await perform(fileUrl(file), (e) => e.setopt(CURLOPT.MAXFILESIZE, 5));
    try {
      assert.equal(r.code, CURLE.FILESIZE_EXCEEDED);
      assert.equal(r.body.length, 0);
    } finally {
      r.easy.cleanup();
    }
  });
});

test('the file descriptor is closed on every ending: done, error, removal mid-transfer, a progress callback abort', { skip: !haveProcFd }, async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'f.bin');
    writeRandomFile(file, 2 * STEP_BYTES + 1, 4);
    const before = openFds();
    const done = await perform(fileUrl(file));
    done.easy.cleanup();
    assert.equal(done.code, CURLE.OK);
    assert.equal(openFds(), before);
    const failed = await perform(fileUrl(file), (e) => e.setopt(CURLOPT.RANGE, '5-2'));
    failed.easy.cleanup();
    assert.equal(failed.code, CURLE.RANGE_ERROR);
    assert.equal(openFds(), before);
    const aborted = await perform(fileUrl(file), (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.XFERINFOFUNCTION, (_c: unknown, _dlt: number, dlnow: number) => (dlnow > 0 ? 1 : 0));
    });
    aborted.easy.cleanup();
    assert.equal(aborted.code, CURLE.ABORTED_BY_CALLBACK);
    assert.ok(aborted.body.length < 2 * STEP_BYTES + 1);
    assert.equal(openFds(), before);

    // removed from its multi while paused, halfway through
    const multi = new Multi();
    const loop = startAppLoop(multi);
    const e = new Easy();
    try {
      let paused = false;
      e.setopt(CURLOPT.URL, fileUrl(file));
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        if (!paused) {
          paused = true;
          return CURL_WRITEFUNC_PAUSE;
        }
        return d.length;
      });
      assert.equal(multi.addHandle(e), CURLM.OK);
      for (let i = 0; i < 200 && !paused; i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(paused);
      assert.equal(openFds(), before + 1);
      assert.equal(multi.removeHandle(e), CURLM.OK);
      assert.equal(openFds(), before);
    } finally {
      e.cleanup();
      multi.cleanup();
      loop.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failure that gave its reason shows it once with VERBOSE, not followed by the generic text (failf is called once)', async () => {
  await withTextFile(async (_dir, file) => {
    const verbose = (lines: string[]) => (e: Easy): void => {
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
        if (type === CURLINFO_TYPE.TEXT) lines.push(data.toString());
        return 0;
      });
    };
    const startLines: string[] = [];
    const start = await perform(fileUrl(file), (e) => {
      verbose(startLines)(e);
      e.setopt(CURLOPT.RESUME_FROM, 24);
    });
    const stepLines: string[] = [];
    const step = await perform(fileUrl(file), (e) => {
      verbose(stepLines)(e);
      e.setopt(CURLOPT.WRITEFUNCTION, () => 0);
    });
    try {
      assert.equal(start.code, CURLE.BAD_DOWNLOAD_RESUME);
      assert.deepEqual(startLines.filter((l) => !l.startsWith('Closing connection')), ['failed to resume file:// transfer\n']);
      assert.equal(step.code, CURLE.WRITE_ERROR);
      assert.deepEqual(stepLines.filter((l) => !l.startsWith('Closing connection')), ['Failure writing output to destination\n']);
    } finally {
      start.easy.cleanup();
      step.easy.cleanup();
    }
  });
});

test('a scheme without a handler is CURLE_UNSUPPORTED_PROTOCOL naming it', async () => {
  const r = await perform('rtmp://127.0.0.1/x');
  try {
    assert.equal(r.code, CURLE.UNSUPPORTED_PROTOCOL);
    assert.equal(r.easy.errorBuffer, 'Protocol "rtmp" not supported or disabled in libcurl');
  } finally {
    r.easy.cleanup();
  }
});
