// A download whose WRITEFUNCTION pauses (CURL_WRITEFUNC_PAUSE), for the tests
// of libcurl's receive-side pause on every protocol that downloads: the
// callback refuses the first piece and a piece past the middle, and the
// application unpauses with easy.pause(CURLPAUSE_CONT) a little later.
// Meanwhile the test wakes the transfer on purpose (multi.perform(), or
// socketAction on the timer, as an application loop does) and counts write
// calls made while paused: libcurl makes none, and after the unpause it
// delivers the refused piece again, so nothing is lost or reordered. Driven
// three ways, as test/helpers/paused-upload.ts. Every loop is bounded.
import { Easy, Multi, CURLOPT, CURLPAUSE, CURL_WRITEFUNC_PAUSE, CURL_SOCKET_TIMEOUT } from '../../src/index.js';
import { driveToEnd, type Drive } from './paused-upload.js';

export interface PausedWrite {
  rc: number;
  /** the body as the write callback took it */
  body: Buffer;
  /** write-callback calls in all */
  calls: number;
  /** write-callback calls made while paused: libcurl makes none */
  callsWhilePaused: number;
  pauses: number;
  /** multi.perform() rounds of the 'multi' drive: a paused transfer whose socket stays watched spins here */
  rounds: number;
  errorBuffer: string | null;
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const POKES = 5;

/** Run `e` (URL and options set) with a pausing WRITEFUNCTION; `half` is where the second pause comes (bytes taken). */
export async function pausedWrite(e: Easy, drive: Drive, half: number): Promise<PausedWrite> {
  const parts: Buffer[] = [];
  let taken = 0;
  let calls = 0;
  let callsWhilePaused = 0;
  let pauses = 0;
  let paused = false;
  const pauseAt = [0, half];
  let multi: Multi | null = null;
  let pokes: Promise<void> = Promise.resolve();

  const unpauseLater = (): void => {
    pokes = (async () => {
      for (let i = 0; i < POKES; i++) {
        await tick(10);
        if (multi && drive === 'multi') multi.perform();
        else if (multi && drive === 'socket') multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
      }
      paused = false;
      e.pause(CURLPAUSE.CONT);
    })();
  };

  e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    calls++;
    if (paused) {
      callsWhilePaused++;
      return CURL_WRITEFUNC_PAUSE;
    }
    if (pauseAt.length > 0 && taken >= pauseAt[0]!) {
      pauseAt.shift();
      pauses++;
      paused = true;
      unpauseLater();
      return CURL_WRITEFUNC_PAUSE;
    }
    parts.push(Buffer.from(d));
    taken += d.length;
    return d.length;
  });

  const { rc, rounds } = await driveToEnd(e, drive, (m) => (multi = m), () => pokes);
  return { rc, body: Buffer.concat(parts), calls, callsWhilePaused, pauses, rounds, errorBuffer: e.errorBuffer ?? null };
}
