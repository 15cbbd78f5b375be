// libcurl's default callbacks (issue 12, item 3): with no WRITEFUNCTION the
// body goes to WRITEDATA as fwrite() sends it to a FILE* (a descriptor or a
// Node Writable, stdout when unset), headers to HEADERDATA, with no
// READFUNCTION the upload comes from READDATA (a Readable too), and VERBOSE
// text goes to CURLOPT_STDERR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';

test('WRITEDATA as a file descriptor: the body is written to it; HEADERDATA as another gets the headers', async () => {
  const srv = await startRawServer(() => ok('body bytes'));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-dio-'));
  const bodyFd = openSync(join(dir, 'body'), 'w');
  const headFd = openSync(join(dir, 'head'), 'w');
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEDATA, bodyFd);
    e.setopt(CURLOPT.HEADERDATA, headFd);
    assert.equal(await e.perform(), CURLE.OK);
    closeSync(bodyFd);
    closeSync(headFd);
    assert.equal(readFileSync(join(dir, 'body'), 'latin1'), 'body bytes');
    const head = readFileSync(join(dir, 'head'), 'latin1');
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(head.endsWith('\r\n\r\n'));
    assert.ok(!head.includes('body bytes'));
  } finally {
    e.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});

/** A Writable that takes a chunk only when the test lets it: its buffer fills up as a slow reader's does. */
function slowWritable(highWaterMark: number): { stream: Writable; chunks: Buffer[]; maxQueued: () => number; release: () => void } {
  const chunks: Buffer[] = [];
  let maxQueued = 0;
  let pending: (() => void) | null = null;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      maxQueued = Math.max(maxQueued, stream.writableLength);
      pending = cb;
    },
  });
  return {
    stream, chunks, maxQueued: () => maxQueued,
    release: () => {
      const p = pending;
      pending = null;
      p?.();
    },
  };
}

test('WRITEDATA as a Writable: the transfer pauses while the stream is full, so the buffer stays bounded', async () => {
  const size = 2 * 1024 * 1024;
  const body = Buffer.alloc(size, 'z');
  const srv = await startRawServer(() => ok(body));
  const w = slowWritable(64 * 1024);
  // the test is the slow reader: it takes one chunk per turn of the event loop (bounded)
  let turns = 0;
  const reader = setInterval(() => {
    turns++;
    w.release();
  }, 0);
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEDATA, w.stream);
    assert.equal(await e.perform(), CURLE.OK);
    await new Promise<void>((resolve) => w.stream.end(resolve));
    assert.equal(Buffer.concat(w.chunks).length, size);
    assert.ok(Buffer.concat(w.chunks).equals(body));
    // at most the high-water mark plus one write callback's piece (16 KiB) ever waited
    assert.ok(w.maxQueued() <= 64 * 1024 + 16 * 1024, `queued ${w.maxQueued()}`);
    assert.ok(turns < 100000);
  } finally {
    clearInterval(reader);
    e.cleanup();
    await srv.close();
  }
});

test('WRITEDATA as a Writable that fails: CURLE_WRITE_ERROR with curl\'s message', async () => {
  const srv = await startRawServer(() => ok(Buffer.alloc(256 * 1024, 'q')));
  let writes = 0;
  const failing = new Writable({
    highWaterMark: 1024,
    write(_chunk, _enc, cb) {
      writes++;
      setImmediate(() => cb(new Error('disk on fire')));
    },
  });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEDATA, failing);
    assert.equal(await e.perform(), CURLE.WRITE_ERROR);
    assert.equal(e.errorBuffer, 'Failure writing output to destination');
    assert.ok(writes >= 1);
    // a stream that already failed fails the next transfer at its first write
    assert.equal(await e.perform(), CURLE.WRITE_ERROR);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('WRITEDATA that is no FILE* (no WRITEFUNCTION to pass it to): CURLE_WRITE_ERROR, not a crash', async () => {
  const srv = await startRawServer(() => ok('abc'));
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEDATA, { mine: true });
    assert.equal(await e.perform(), CURLE.WRITE_ERROR);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('HEADERDATA as a Writable with no callbacks: headers there, the body to WRITEDATA', async () => {
  const srv = await startRawServer(() => ok('the body', 'X-Test: 1\r\n'));
  const heads: Buffer[] = [];
  const bodies: Buffer[] = [];
  const mk = (into: Buffer[]): Writable => new Writable({ write(c: Buffer, _e, cb) { into.push(c); cb(); } });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.HEADERDATA, mk(heads));
    e.setopt(CURLOPT.WRITEDATA, mk(bodies));
    assert.equal(await e.perform(), CURLE.OK);
    await new Promise((r) => setImmediate(r));
    const h = Buffer.concat(heads).toString('latin1');
    assert.match(h, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(h, /\r\nX-Test: 1\r\n/);
    assert.equal(Buffer.concat(bodies).toString(), 'the body');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('READDATA as a Readable: the upload pauses until the stream has data and ends with it', async () => {
  const srv = await startRawServer((req) => ok(`got ${req.body.length} ${req.body.toString().slice(0, 12)}`));
  const src = new PassThrough();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/up`);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.INFILESIZE_LARGE, 30000);
    e.setopt(CURLOPT.READDATA, src);
    const got: Buffer[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (got.push(Buffer.from(d)), d.length));
    // the data arrives later, in pieces, as from a pipe
    const pieces = [Buffer.alloc(10000, 'a'), Buffer.alloc(10000, 'b'), Buffer.alloc(10000, 'c')];
    let i = 0;
    const feeder = setInterval(() => {
      if (i < pieces.length) src.write(pieces[i++]);
      else {
        src.end();
        clearInterval(feeder);
      }
    }, 5);
    try {
      assert.equal(await e.perform(), CURLE.OK);
    } finally {
      clearInterval(feeder);
    }
    assert.equal(Buffer.concat(got).toString(), 'got 30000 aaaaaaaaaaaa');
    assert.equal(srv.requests[0]!.body.toString('latin1'), pieces.map((p) => p.toString('latin1')).join(''));
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('READDATA as a Readable that errors: CURLE_READ_ERROR', async () => {
  const srv = await startRawServer(() => ok('never'));
  const src = new PassThrough();
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/up`);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READDATA, src);
    // the application handles its stream's 'error' events, as in any Node program; the transfer sees the failure too
    src.on('error', () => {});
    setTimeout(() => src.destroy(new Error('source broke')), 5);
    assert.equal(await e.perform(), CURLE.READ_ERROR);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CURLOPT_STDERR: VERBOSE text goes to the given Writable or descriptor', async () => {
  const srv = await startRawServer(() => ok('v'));
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-dio-'));
  const text: Buffer[] = [];
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.VERBOSE, 1);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(e.setopt(CURLOPT.STDERR, 'stderr.txt' as never), CURLE.BAD_FUNCTION_ARGUMENT);
    e.setopt(CURLOPT.STDERR, new Writable({ write(c: Buffer, _e, cb) { text.push(c); cb(); } }));
    assert.equal(await e.perform(), CURLE.OK);
    await new Promise((r) => setImmediate(r));
    const t = Buffer.concat(text).toString('latin1');
    assert.match(t, /^\* /m);
    assert.match(t, /^> GET \/ HTTP\/1\.1\r$/m);
    assert.match(t, /^< HTTP\/1\.1 200 OK\r$/m);
    const fd = openSync(join(dir, 'err'), 'w');
    e.setopt(CURLOPT.STDERR, fd);
    assert.equal(await e.perform(), CURLE.OK);
    closeSync(fd);
    assert.match(readFileSync(join(dir, 'err'), 'latin1'), /^> GET \/ HTTP\/1\.1\r$/m);
  } finally {
    e.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});

test('no WRITEDATA and no WRITEFUNCTION: the body goes to stdout, as libcurl\'s default', async () => {
  const srv = await startRawServer(() => ok('to stdout'));
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  try {
    const script = `import(${JSON.stringify(index)}).then(async ({ Easy, CURLOPT }) => {
      const e = new Easy(); e.setopt(CURLOPT.URL, process.argv[1]);
      const rc = await e.perform(); e.cleanup(); process.exitCode = rc; })`;
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const c = execFile(process.execPath, ['-e', script, `http://127.0.0.1:${srv.port}/`], { timeout: 20000 }, (_err, stdout) => {
        resolve({ code: c.exitCode, stdout });
      });
    });
    assert.equal(out.code, 0);
    assert.equal(out.stdout, 'to stdout');
  } finally {
    await srv.close();
  }
});
