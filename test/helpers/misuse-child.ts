// Run in a child process by test/security/api-misuse.test.ts: one scenario
// of calling the API at the wrong moment (cleanup()/reset() while perform()
// is pending, or from inside a callback). A child, because the bug this
// guards against spun the event loop on resolved promises: no timer of the
// test's own process could have fired to fail it. The parent's watchdog
// kills a child that does not finish, and the child must also *exit by
// itself*: a timer or socket left behind keeps it alive, and that fails the
// test too. Prints one JSON line with what it saw.
import { Easy, Multi, CURLOPT, CURLMSG, openSocketCount } from '../../src/index.js';
import { startRawServer, ok, type RawServer } from './raw-http-server.js';

type Result = Record<string, unknown>;

/** A server whose /hang requests are never answered; `onHang` runs (outside any tscurl callback) when one arrives. */
async function hangingServer(onHang: () => void): Promise<RawServer> {
  return startRawServer((req) => {
    if (req.target === '/hang') {
      onHang();
      return { hang: true };
    }
    return ok('0123456789');
  });
}

/** cleanup() from a server event while perform() waits for the answer. */
async function cleanupDuringPerform(): Promise<Result> {
  const e = new Easy();
  let cleanupRc: number | undefined;
  let socketsBefore = -1;
  const srv = await hangingServer(() => {
    socketsBefore = openSocketCount();
    cleanupRc = e.cleanup();
  });
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/hang`);
    const eb = { message: '' };
    e.setopt(CURLOPT.ERRORBUFFER, eb);
    const rc = await e.perform();
    return { rc, cleanupRc, socketsBefore, socketsAfter: openSocketCount(), errorBuffer: eb.message, performAgain: await e.perform() };
  } finally {
    e.cleanup();
    await srv.close();
  }
}

/** reset() from a server event while perform() waits; the handle then works again. */
async function resetDuringPerform(): Promise<Result> {
  const e = new Easy();
  let resetRc: number | undefined;
  const srv = await hangingServer(() => {
    resetRc = e.reset();
  });
  try {
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/hang`);
    let rc: unknown;
    try {
      rc = await e.perform();
    } catch (err) {
      rc = `threw ${String(err)}`;
    }
    const socketsAfterAbort = openSocketCount();
    // reset: the options are the defaults again (no URL)
    const noUrl = await e.perform();
    const body: Buffer[] = [];
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/ok`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    const again = await e.perform();
    return { rc, resetRc, socketsAfterAbort, noUrl, again, body: Buffer.concat(body).toString() };
  } finally {
    e.cleanup();
    await srv.close();
  }
}

/** cleanup() and reset() from inside the handle's own callbacks during perform(). */
async function inCallbacksDuringPerform(): Promise<Result> {
  const srv = await startRawServer(() => ok('0123456789'));
  const e = new Easy();
  try {
    const codes: Record<string, number> = {};
    const body: Buffer[] = [];
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.HEADERFUNCTION, (l: Buffer) => {
      codes.resetInHeader ??= e.reset();
      return l.length;
    });
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      codes.cleanupInWrite ??= e.cleanup();
      body.push(Buffer.from(d));
      return d.length;
    });
    const rc = await e.perform();
    const socketsAfterPerform = openSocketCount();
    // the refused reset changed nothing: the same URL and callbacks work again
    const again = await e.perform();
    const cleanupRc = e.cleanup();
    return { ...codes, rc, again, body: Buffer.concat(body).toString(), socketsAfterPerform, cleanupRc, socketsAfterCleanup: openSocketCount() };
  } finally {
    e.cleanup();
    await srv.close();
  }
}

/**
 * An application's multi: cleanup()/reset() from inside a callback are
 * refused; reset() from a server event ends the transfer with a DONE
 * message that a pending poll() returns for.
 */
async function applicationMulti(): Promise<Result> {
  const m = new Multi();
  const a = new Easy();
  const b = new Easy();
  const codes: Record<string, number> = {};
  let resetB: number | undefined;
  const srv = await hangingServer(() => {
    resetB = b.reset();
  });
  try {
    a.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/ok`);
    a.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      codes.cleanupInWrite ??= a.cleanup();
      codes.resetInWrite ??= a.reset();
      // b is in the same multi: its multi is in a callback too (libcurl's multi->in_callback)
      codes.cleanupOtherInWrite ??= b.cleanup();
      return d.length;
    });
    b.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/hang`);
    m.addHandle(a);
    m.addHandle(b);
    const done = new Map<Easy, number>();
    // bounded: each round either finishes something or waits for an event the servers cause
    for (let round = 0; round < 1000 && done.size < 2; round++) {
      m.perform();
      for (let msg = m.infoRead(); msg; msg = m.infoRead()) {
        if (msg.msg === CURLMSG.DONE) {
          done.set(msg.easy, msg.result);
          m.removeHandle(msg.easy);
        }
      }
      if (done.size < 2) await m.poll(60_000);
    }
    return { ...codes, resetB, a: done.get(a), b: done.get(b), bError: b.errorBuffer, sockets: openSocketCount() };
  } finally {
    m.cleanup();
    a.cleanup();
    b.cleanup();
    await srv.close();
  }
}

const scenarios: Record<string, () => Promise<Result>> = { cleanupDuringPerform, resetDuringPerform, inCallbacksDuringPerform, applicationMulti };

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (!scenario) throw new Error(`unknown scenario ${name}`);
const result = await scenario();
// counted after everything was closed in finally
result.socketsAtEnd = openSocketCount();
process.stdout.write(JSON.stringify(result) + '\n');
