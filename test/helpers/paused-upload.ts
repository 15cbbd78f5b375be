// An upload whose READFUNCTION pauses (CURL_READFUNC_PAUSE), for the tests of
// libcurl's send-side pause on every protocol that uploads: the callback
// pauses before the first byte and again half way, and the application
// unpauses with easy.pause(CURLPAUSE_CONT) a little later. Meanwhile the test
// wakes the transfer on purpose (multi.perform(), or socketAction on the
// timer, as an application loop does when its own timer fires) and counts
// read-callback calls made while paused: libcurl makes none. Driven three
// ways: easy.perform(), multi.perform()/poll() and the multi-socket API
// (test/helpers/app-loop.ts). Every loop is bounded.
import {
  Easy, Multi, CURLOPT, CURLE, CURLPAUSE, CURL_READFUNC_PAUSE, CURL_SOCKET_TIMEOUT,
} from '../../src/index.js';
import { execFile } from 'node:child_process';
import { startAppLoop } from './app-loop.js';
import { CLI_MAIN } from './cli-run.js';

export type Drive = 'perform' | 'multi' | 'socket';
export const DRIVES: readonly Drive[] = ['perform', 'multi', 'socket'];

export interface PausedUpload {
  rc: number;
  /** read-callback calls in all */
  calls: number;
  /** read-callback calls made while the transfer was paused: libcurl makes none */
  callsWhilePaused: number;
  /** the times the callback paused */
  pauses: number;
  /** what the application's WRITEFUNCTION got */
  received: Buffer;
  /** bytes the WRITEFUNCTION got while sending was paused (receiving goes on) */
  receivedWhilePaused: number;
  errorBuffer: string | null;
}

export interface UploadHold {
  /** the application unpauses only once this holds (bounded: about 5 s at most) */
  holdUntil?: (now: { receivedWhilePaused: number }) => boolean;
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wakes of a paused transfer by the application while paused, before it unpauses. */
const POKES = 5;

/**
 * Upload `data` with `e` (URL and protocol options set; UPLOAD is set here)
 * through a READFUNCTION giving at most `chunk` bytes a call that pauses at
 * the start and after half the data.
 */
export async function pausedUpload(e: Easy, data: Buffer, drive: Drive, chunk = 1024, o: UploadHold = {}): Promise<PausedUpload> {
  let pos = 0;
  let calls = 0;
  let callsWhilePaused = 0;
  let pauses = 0;
  let paused = false;
  // pause before the first byte, and once the first half is read
  const pauseAt = [0, Math.floor(data.length / 2)];
  const received: Buffer[] = [];
  let multi: Multi | null = null;
  let pokes: Promise<void> = Promise.resolve();
  let receivedWhilePaused = 0;
  const holdUntil = o.holdUntil ?? ((): boolean => true);

  const unpauseLater = (): void => {
    pokes = (async () => {
      // the application wakes the transfer while it is paused: nothing may be read then
      // bounded: POKES wakes, and at most 500 more while `holdUntil` says no
      for (let i = 0; i < POKES || (i < POKES + 500 && !holdUntil({ receivedWhilePaused })); i++) {
        await tick(10);
        if (multi && drive === 'multi') multi.perform();
        else if (multi && drive === 'socket') multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
      }
      paused = false;
      e.pause(CURLPAUSE.CONT);
    })();
  };

  e.setopt(CURLOPT.UPLOAD, 1);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    if (paused) receivedWhilePaused += d.length;
    received.push(Buffer.from(d));
    return d.length;
  });
  e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
    calls++;
    if (paused) {
      callsWhilePaused++;
      return CURL_READFUNC_PAUSE;
    }
    if (pauseAt.length > 0 && pos >= pauseAt[0]!) {
      pauseAt.shift();
      pauses++;
      paused = true;
      unpauseLater();
      return CURL_READFUNC_PAUSE;
    }
    const n = Math.min(buf.length, chunk, data.length - pos);
    data.copy(buf, 0, pos, pos + n);
    pos += n;
    return n;
  });

  const { rc } = await driveToEnd(e, drive, (m) => (multi = m), () => pokes);
  return { rc, calls, callsWhilePaused, pauses, received: Buffer.concat(received), receivedWhilePaused, errorBuffer: e.errorBuffer ?? null };
}

/**
 * Runs `e` to its end under `drive` (easy.perform(), multi.perform()/poll(),
 * or an application loop on the multi-socket API), bounded; `setMulti` hands
 * the Multi to the caller's pokes, and `pokes()` is awaited before the handle
 * leaves it (and before the result, whatever the drive). `rounds` counts multi.perform() calls of the 'multi' drive: a
 * paused transfer whose socket stays watched spins there.
 */
export async function driveToEnd(e: Easy, drive: Drive, setMulti: (m: Multi) => void, pokes: () => Promise<void>): Promise<{ rc: number; rounds: number }> {
  if (drive === 'perform') {
    const rc = await e.perform();
    await pokes();
    return { rc, rounds: 0 };
  }
  const multi = new Multi();
  setMulti(multi);
  let rc: number;
  let rounds = 0;
  try {
    if (drive === 'multi') {
      multi.addHandle(e);
      let running = 1;
      for (let i = 0; i < 20_000 && running; i++) {
        rounds++;
        running = multi.perform().runningHandles;
        if (running) await multi.poll(50);
      }
      rc = multi.infoRead()?.result ?? -1;
    } else {
      const loop = startAppLoop(multi, { record: false });
      multi.addHandle(e);
      // bounded: a transfer that never ends gives up after 25 s
      let timeout: NodeJS.Timeout | undefined;
      try {
        await Promise.race([loop.finished, new Promise<void>((r) => (timeout = setTimeout(r, 25_000)))]);
      } finally {
        clearTimeout(timeout);
        loop.stop();
      }
      rc = loop.done[0]?.result ?? -1;
    }
    await pokes();
    multi.removeHandle(e);
  } finally {
    multi.cleanup();
  }
  return { rc, rounds };
}

/** A body of `n` bytes that shows where a byte went missing or moved. */
export function patternBody(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0x61 + ((i * 7 + Math.floor(i / 26)) % 26);
  return b;
}

export { CURLE };

/**
 * The CLI (`-T -` and `args`) with a pipe on stdin that gives `parts` one by
 * one, waiting for `gapMs` between them, and then ends: curl's tool blocks in
 * fread, tscurl's transfer pauses while the pipe is empty.
 */
export function tscurlSlowPipe(args: string[], parts: Buffer[], gapMs = 150): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_MAIN, ...args], { timeout: 20_000, encoding: 'latin1' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    const stdin = child.stdin!;
    stdin.on('error', () => {}); // the tool may end before it read everything (a test then sees its exit code)
    void (async () => {
      for (const p of parts) {
        await tick(gapMs);
        stdin.write(p);
      }
      await tick(gapMs);
      stdin.end();
    })();
  });
}
