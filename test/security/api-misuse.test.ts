// Calling the API at the wrong moment (issue 17, item 4): cleanup()/reset()
// while perform() is pending or from inside a callback, a poll() timeout
// beyond a timer's range, and a Retry-After beyond it. Each gets libcurl's
// answer (CURLE_RECURSIVE_API_CALL, CURLE_ABORTED_BY_CALLBACK for the
// transfer that was pulled away, a clamped wait), never a spin, a TypeError,
// a leaked socket number or a Node TimeoutOverflowWarning.
//
// The easy-handle scenarios run in a child process (test/helpers/misuse-child.ts):
// the broken code spun on resolved promises, which no timer of this process
// could interrupt, and a child that must exit by itself also proves no timer
// or socket was left behind. Every child has a watchdog that fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Easy, Multi, CURLE, CURLM, CURLINFO, CURLOPT, CURLMSG } from '../../src/index.js';
import { RetryState, RETRY_SLEEP_CAP } from '../../src/request/retry-policy.js';
import { retryAfterSeconds } from '../../src/proto/retry-after.js';
import { startRawServer } from '../helpers/raw-http-server.js';
import { CLI_MAIN } from '../helpers/cli-run.js';

const CHILD = fileURLToPath(new URL('../helpers/misuse-child.js', import.meta.url));
const WATCHDOG_MS = 30_000;

/** Runs one scenario of misuse-child; fails when it crashes, or is still running when the watchdog fires. */
function scenario(name: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, name], { timeout: WATCHDOG_MS, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `did not finish and exit by itself within ${WATCHDOG_MS} ms (watchdog)` : `failed: ${err.message}`;
        reject(new Error(`scenario ${name} ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      assert.equal(stderr, '', `scenario ${name} wrote to stderr`);
      resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

test('cleanup() while perform() is pending: perform ends with CURLE_ABORTED_BY_CALLBACK, every socket is released, the process exits', async () => {
  const r = await scenario('cleanupDuringPerform');
  assert.equal(r.cleanupRc, CURLE.OK);
  assert.equal(r.socketsBefore, 1);
  assert.equal(r.rc, CURLE.ABORTED_BY_CALLBACK);
  assert.equal(r.errorBuffer, 'Transfer aborted: the easy handle was cleaned up during perform()');
  assert.equal(r.socketsAfter, 0);
  // the handle is gone: perform() on it is a bad argument, as before
  assert.equal(r.performAgain, CURLE.BAD_FUNCTION_ARGUMENT);
  assert.equal(r.socketsAtEnd, 0);
});

test('reset() while perform() is pending: perform resolves (no TypeError) with CURLE_ABORTED_BY_CALLBACK; the handle works again', async () => {
  const r = await scenario('resetDuringPerform');
  assert.equal(r.resetRc, CURLE.OK);
  assert.equal(r.rc, CURLE.ABORTED_BY_CALLBACK);
  assert.equal(r.socketsAfterAbort, 0); // the half-answered connection is closed, not pooled
  assert.equal(r.noUrl, CURLE.URL_MALFORMAT); // the options really are the defaults
  assert.equal(r.again, CURLE.OK);
  assert.equal(r.body, '0123456789');
  assert.equal(r.socketsAtEnd, 0);
});

test('cleanup() and reset() inside the handle\'s callbacks are refused with CURLE_RECURSIVE_API_CALL and change nothing', async () => {
  const r = await scenario('inCallbacksDuringPerform');
  assert.equal(r.resetInHeader, CURLE.RECURSIVE_API_CALL);
  assert.equal(r.cleanupInWrite, CURLE.RECURSIVE_API_CALL);
  assert.equal(r.rc, CURLE.OK);
  assert.equal(r.again, CURLE.OK);
  assert.equal(r.body, '0123456789'.repeat(2));
  assert.equal(r.socketsAfterPerform, 1); // kept for reuse by the handle, as libcurl does
  assert.equal(r.cleanupRc, CURLE.OK);
  assert.equal(r.socketsAfterCleanup, 0);
  assert.equal(r.socketsAtEnd, 0);
});

test('in an application\'s multi: refused inside callbacks; reset() from outside ends the transfer with a DONE message', async () => {
  const r = await scenario('applicationMulti');
  assert.equal(r.cleanupInWrite, CURLE.RECURSIVE_API_CALL);
  assert.equal(r.resetInWrite, CURLE.RECURSIVE_API_CALL);
  assert.equal(r.cleanupOtherInWrite, CURLE.RECURSIVE_API_CALL);
  assert.equal(r.a, CURLE.OK);
  assert.equal(r.resetB, CURLE.OK);
  assert.equal(r.b, CURLE.ABORTED_BY_CALLBACK);
  assert.equal(r.bError, 'Transfer aborted: the easy handle was reset during the transfer');
  assert.equal(r.sockets, 1); // a's connection, pooled in the multi
  assert.equal(r.socketsAtEnd, 0);
});

test('poll() and wait() with a timeout past INT_MAX ms wait without a TimeoutOverflowWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', onWarning);
  const m = new Multi();
  const e = new Easy();
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' }));
  try {
    // nothing to wait for: only wakeup() ends it (Node would have fired after 1 ms, again and again, warning each time)
    setImmediate(() => m.wakeup());
    assert.deepEqual(await m.poll(2 ** 40), { code: CURLM.OK, numfds: 0 });
    assert.deepEqual(await m.poll(-1), { code: CURLM.BAD_FUNCTION_ARGUMENT, numfds: 0 });
    // wait() cannot be woken: the transfer's socket ends it
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    m.addHandle(e);
    let result: number | undefined;
    for (let round = 0; round < 100 && result === undefined; round++) {
      m.perform();
      const msg = m.infoRead();
      if (msg?.msg === CURLMSG.DONE) result = msg.result;
      else assert.equal((await m.wait(Number.MAX_SAFE_INTEGER)).code, CURLM.OK);
    }
    assert.equal(result, CURLE.OK);
    // warnings are emitted on the next tick: let them arrive
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
    m.removeHandle(e);
    e.cleanup();
    m.cleanup();
    await srv.close();
  }
});

test('Retry-After: CURLINFO_RETRY_AFTER keeps what libcurl keeps (0 past a curl_off_t)', async () => {
  assert.equal(retryAfterSeconds('99999999999'), 99999999999);
  assert.equal(retryAfterSeconds('9223372036854775807'), 9223372036854775807);
  assert.equal(retryAfterSeconds('9223372036854775808'), 0);
  assert.equal(retryAfterSeconds('1' + '0'.repeat(100_000)), 0);
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 503 X\r\nRetry-After: 99999999999\r\nContent-Length: 0\r\n\r\n' }));
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(e.getinfo(CURLINFO.RETRY_AFTER), 99999999999);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('--retry: a Retry-After past INT_MAX ms sleeps INT_MAX ms; the warning says what the server asked, as curl does', () => {
  const cfg = { retries: 3, delayMs: 0, maxTimeMs: 0, allErrors: false, connRefused: false, failOnError: false };
  const attempt = (retryAfter: number) => ({ code: 0, scheme: 'http', responseCode: 503, retryAfter, connRefused: false });
  const d = new RetryState(cfg, 0).decide(attempt(99999999999), 0);
  assert.ok(d.retry);
  assert.equal(d.sleepMs, RETRY_SLEEP_CAP);
  assert.equal(RETRY_SLEEP_CAP, 2 ** 31 - 1);
  assert.equal(d.warning, 'Problem : HTTP error. Will retry in 99999999999 seconds. 3 retries left.\n');
  // curl keeps the sleep in a long of ms: past LONG_MAX/1000 seconds it says LONG_MAX/1000
  const huge = new RetryState(cfg, 0).decide(attempt(9223372036854775807), 0);
  assert.ok(huge.retry);
  assert.equal(huge.sleepMs, RETRY_SLEEP_CAP);
  assert.equal(huge.warning, 'Problem : HTTP error. Will retry in 9223372036854775 seconds. 3 retries left.\n');
  // a --retry-delay past the cap too
  const delay = new RetryState({ ...cfg, delayMs: 99999999999 * 1000 }, 0).decide(attempt(0), 0);
  assert.ok(delay.retry);
  assert.equal(delay.sleepMs, RETRY_SLEEP_CAP);
});

test('tscurl --retry with Retry-After: 99999999999 sleeps (no TimeoutOverflowWarning, no retry after 1 ms)', async () => {
  let requests = 0;
  const srv = await startRawServer(() => {
    requests++;
    return { data: 'HTTP/1.1 503 X\r\nRetry-After: 99999999999\r\nContent-Length: 0\r\n\r\n' };
  });
  // The child answers SIGUSR2 with a marker and exits. Signals are handled
  // on a later event-loop turn than the one that printed the retry warning
  // and started the sleep, so a TimeoutOverflowWarning (printed on that
  // turn's next tick) would already be on stderr before the marker.
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-misuse-'));
  const preload = join(dir, 'barrier.cjs');
  writeFileSync(preload, "process.on('SIGUSR2', () => { process.stderr.write('[barrier]\\n'); process.exit(0); });\n");
  const child = spawn(process.execPath, ['--require', preload, CLI_MAIN, '--no-progress-meter', '--retry', '1', '-o', join(dir, 'out'), `http://127.0.0.1:${srv.port}/`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: dir },
  });
  const watchdog = setTimeout(() => child.kill('SIGKILL'), WATCHDOG_MS);
  try {
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (s: string) => {
        stderr += s;
        // (the warning is wrapped at 79 columns: "left." may start a line of its own)
        if (/left\.\n/.test(stderr)) resolve();
      });
      child.on('exit', () => resolve());
    });
    child.kill('SIGUSR2');
    const code = await exited;
    await new Promise((r) => setImmediate(r));
    assert.doesNotMatch(stderr, /TimeoutOverflowWarning/);
    assert.match(stderr, /Will retry in 99999999999 seconds\. 1 retries/);
    assert.match(stderr, /\[barrier\]\n$/);
    assert.equal(code, 0);
    assert.equal(requests, 1);
  } finally {
    clearTimeout(watchdog);
    child.kill('SIGKILL');
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
