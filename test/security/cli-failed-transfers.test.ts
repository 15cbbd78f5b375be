// Nothing the user handed over is lost or half-written without the error
// saying so: a download cut short leaves what arrived in the -o file and the
// exit code says why (18 for a close, 56 for a reset; --remove-on-error
// removes the file), and an upload the server cuts short is an error. Each
// case is compared with /usr/bin/curl when it is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tscurl, curl, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

interface CutServer { port: number; close(): Promise<void> }

/** A server that calls `onData` with the socket and the byte count received so far. */
async function startCutServer(onData: (s: Socket, received: number) => void): Promise<CutServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let n = 0;
    s.on('data', (d) => {
      n += d.length;
      onData(s, n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** Answer with Content-Length 100000, send 50000 bytes, then close or reset. */
function halfBody(how: 'close' | 'reset'): (s: Socket) => void {
  return (s) => {
    if ((s as Socket & { answered?: boolean }).answered) return;
    (s as Socket & { answered?: boolean }).answered = true;
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(50000)}`, () => {
      if (how === 'close') s.end();
      // give the client the bytes first, so the reset usually lands mid-body (no timing is asserted)
      else setTimeout(() => s.resetAndDestroy(), 100);
    });
  };
}

async function both(args: (out: string) => string[]): Promise<{ ts: CliRun; tsFile: string; c?: CliRun; cFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-cut-'));
  const tsFile = join(dir, 'ts.out');
  const cFile = join(dir, 'curl.out');
  const ts = await tscurl(args(tsFile));
  const out: { ts: CliRun; tsFile: string; c?: CliRun; cFile: string } = { ts, tsFile, cFile };
  if (!NO_CURL) out.c = await curl(args(cFile));
  return out;
}

test('a download closed mid-body: exit 18, the file keeps what arrived; --remove-on-error removes it', async (t) => {
  const srv = await startCutServer(halfBody('close'));
  try {
    const url = `http://127.0.0.1:${srv.port}/file`;
    const r = await both((f) => ['-sS', '-o', f, url]);
    assert.equal(r.ts.code, 18);
    assert.match(r.ts.stderr, /^tscurl: \(18\) transfer closed with 50000 bytes remaining to read/m);
    assert.equal(readFileSync(r.tsFile).length, 50000);
    if (r.c) {
      assert.equal(r.c.code, r.ts.code);
      assert.equal(readFileSync(r.cFile).length, 50000);
    }
    const rm = await both((f) => ['-sS', '--remove-on-error', '-o', f, url]);
    assert.equal(rm.ts.code, 18);
    assert.equal(existsSync(rm.tsFile), false);
    if (rm.c) assert.equal(existsSync(rm.cFile), false);
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await srv.close();
  }
});

test('a download reset mid-body: exit 56 with the reason, the file keeps what arrived', async (t) => {
  const srv = await startCutServer(halfBody('reset'));
  const r = await both((f) => ['-sS', '-o', f, `http://127.0.0.1:${srv.port}/file`]);
  await srv.close();
  // whether the reset or the bytes before it are seen first is up to the kernel: 56 or 18, never 0
  if (r.ts.code === 56) assert.match(r.ts.stderr, /^tscurl: \(56\) Recv failure: Connection reset by peer/m);
  else assert.match(r.ts.stderr, /^tscurl: \(18\) transfer closed with \d+ bytes remaining to read/m);
  const got = readFileSync(r.tsFile).length;
  assert.ok(got > 0 && got <= 50000, `${got} bytes kept`);
  if (r.c) assert.ok(r.c.code === 56 || r.c.code === 18);
  // tscurl's side passed; the comparison with curl did not run
  if (NO_CURL) t.skip(NO_CURL);
});

test('an upload the server resets part way is an error, with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-up-'));
  const file = join(dir, 'big.bin');
  writeFileSync(file, Buffer.alloc(4 << 20, 0x61));
  const srv = await startCutServer((s, received) => {
    if (received > 200000) s.resetAndDestroy();
  });
  try {
    const url = `http://127.0.0.1:${srv.port}/upload`;
    const ts = await tscurl(['-sS', '-T', file, url]);
    assert.ok(ts.code === 55 || ts.code === 56, `exit ${ts.code}: ${ts.stderr}`);
    assert.match(ts.stderr, /^tscurl: \(5[56]\) (Send|Recv) failure: /m);
    if (NO_CURL) return t.skip(NO_CURL);
    const c = await curl(['-sS', '-T', file, url]);
    assert.ok(c.code === 55 || c.code === 56, `curl exit ${c.code}`);
  } finally {
    await srv.close();
  }
});

test('an API upload the server resets part way ends with an error code, not CURLE_OK', async () => {
  const { Easy, CURLOPT, CURLE, openSocketCount } = await import('../../src/index.js');
  const srv = await startCutServer((s, received) => {
    if (received > 100000) s.resetAndDestroy();
  });
  try {
    const e = new Easy();
    try {
      let left = 2 << 20;
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/upload`);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE_LARGE, left);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        const n = Math.min(buf.length, left);
        buf.fill(0x62, 0, n);
        left -= n;
        return n;
      });
      e.setopt(CURLOPT.TIMEOUT_MS, 20000);
      const code = await e.perform();
      assert.ok(code === CURLE.SEND_ERROR || code === CURLE.RECV_ERROR, `${code}: ${e.errorBuffer}`);
      assert.ok(e.errorBuffer.length > 0);
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});
