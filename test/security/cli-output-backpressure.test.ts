// The tool's output honours the reader (issue 17, item 2). curl's fwrite()
// to a pipe blocks while the reader lags; Node's stdout queues instead, so a
// 1 GB download into a slow pipe once sat in memory whole, and a small
// --compressed bomb decoded into memory whole. Now a transfer writing to a
// backed-up stdout pauses, the decoders stop with their input left while it
// is paused, and a reader that went away (EPIPE) or a full disk (ENOSPC)
// gives curl's 23 "Failure writing output to destination", never an
// uncaught exception or exit 0.
//
// The tool's peak RSS comes from a preload (written here) that prints
// process.resourceUsage().maxRSS to stderr as the process exits: no test
// code in the tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, constants as zc, crc32 } from 'node:zlib';
import { CLI_BUNDLE, CURL, run } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'tscurl-bp-'));
const PRELOAD = join(dir, 'maxrss.cjs');
writeFileSync(PRELOAD, `process.on('exit', () => require('node:fs').writeSync(2, '\\nmaxrss-kb=' + process.resourceUsage().maxRSS + '\\n'));\n`);

/** Streams `mib` MiB of 'a' (or the given body) per request; stops when the client goes. */
async function bigServer(mib: number, gzipBody?: Buffer): Promise<{ server: Server; url: string; gzUrl: string }> {
  const chunk = Buffer.alloc(MIB, 'a');
  const server = createServer((req, res: ServerResponse) => {
    if (req.url === '/gz' && gzipBody) {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gzipBody.length });
      res.end(gzipBody);
      return;
    }
    res.writeHead(200, { 'content-length': mib * MIB });
    let left = mib;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (left = 0));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/big`, gzUrl: `http://127.0.0.1:${port}/gz` };
}

/**
 * A gzip member of `mib` MiB of zeros made without compressing them all:
 * one sync-flushed deflate segment of 1 MiB of zeros (byte aligned, not
 * final) repeated, then an empty final block. Repeating it is valid: its
 * matches reach back into zeros only.
 */
function zeroBomb(mib: number): Buffer {
  const zeros = Buffer.alloc(MIB);
  const seg = deflateRawSync(zeros, { level: 9, finishFlush: zc.Z_SYNC_FLUSH });
  const last = deflateRawSync(Buffer.alloc(0));
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((mib * MIB) >>> 0, 4);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  return Buffer.concat([header, ...Array<Buffer>(mib).fill(seg), last, trailer]);
}

interface SlowRun {
  code: number | null;
  received: number;
  stderr: string;
  maxRssMiB: number;
}

/**
 * The bundled tool with its stdout a pipe to this process, read slowly:
 * after each MiB the reader stops for a few ms, so the tool (hundreds of
 * MB/s on loopback) is faster than its reader.
 */
function slowReader(args: readonly string[]): Promise<SlowRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', PRELOAD, CLI_BUNDLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: dir } });
    let received = 0;
    let sinceStop = 0;
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.stdout.on('data', (d: Buffer) => {
      received += d.length;
      sinceStop += d.length;
      if (sinceStop >= MIB) {
        sinceStop = 0;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 3);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const m = /maxrss-kb=(\d+)/.exec(stderr);
      resolve({ code, received, stderr, maxRssMiB: m ? Number(m[1]) / 1024 : Infinity });
    });
  });
}

/** Peak RSS allowed: the tool itself takes ~60 MB; the bodies are 512 MiB. */
const RSS_LIMIT_MIB = 150;

test('a 512 MiB body into a slow pipe: the tool pauses instead of queueing it (serial and -Z)', async (t) => {
  const { server, url } = await bigServer(512);
  try {
    for (const extra of [[], ['-Z']]) {
      const r = await slowReader(['-s', ...extra, url]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.received, 512 * MIB);
      t.diagnostic(`${extra.join(' ') || 'serial'}: peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
      assert.ok(r.maxRssMiB < RSS_LIMIT_MIB, `${extra.join(' ')}: peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a --compressed gzip bomb (512 KiB to 512 MiB) into a slow pipe: decoding stops while paused', async (t) => {
  const bomb = zeroBomb(512);
  assert.ok(bomb.length < 1024 * 1024);
  const { server, gzUrl } = await bigServer(0, bomb);
  try {
    const r = await slowReader(['-s', '--compressed', gzUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.received, 512 * MIB);
    t.diagnostic(`peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    assert.ok(r.maxRssMiB < RSS_LIMIT_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

/** The tool (or curl) whose stdout reader closes after the first bytes. */
function readerCloses(file: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const pre = file === CURL ? [] : [CLI_BUNDLE];
    const child = spawn(file === CURL ? CURL : process.execPath, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: dir } });
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    });
  });
}

test('a reader that goes away (EPIPE) ends the transfer with 23, as curl', async (t) => {
  const { server, url } = await bigServer(256);
  try {
    // (curl 7.88 shows the parallel meter despite -s: --no-progress-meter hides it)
    for (const extra of [[], ['-Z', '--no-progress-meter']]) {
      const r = await readerCloses(process.execPath, ['-sS', ...extra, url]);
      assert.equal(r.code, 23, r.stderr);
      assert.equal(r.stderr, 'tscurl: (23) Failure writing output to destination\n');
    }
    if (NO_CURL) return t.skip(NO_CURL);
    const c = await readerCloses(CURL, ['-sS', url]);
    assert.equal(c.code, 23);
    assert.equal(c.stderr, 'curl: (23) Failure writing output to destination\n');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a full disk (/dev/full) as -o or as stdout gives 23, never an uncaught exception', { skip: !existsSync('/dev/full') }, async () => {
  const { server, url } = await bigServer(4);
  try {
    const o = await run(process.execPath, [CLI_BUNDLE, '-sS', '-o', '/dev/full', url]);
    assert.equal(o.code, 23, o.stderr);
    assert.equal(o.stderr, 'tscurl: (23) Failure writing output to destination\n');
    for (const extra of [[], ['-Z', '--no-progress-meter']]) {
      const fd = openSync('/dev/full', 'w');
      try {
        const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [CLI_BUNDLE, '-sS', ...extra, url], { stdio: ['ignore', fd, 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: dir } });
          let stderr = '';
          child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
        });
        assert.equal(r.code, 23, r.stderr);
        assert.equal(r.stderr, 'tscurl: (23) Failure writing output to destination\n');
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
