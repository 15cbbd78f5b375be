// An application-owned event loop in the style of libcurl's hiperfifo.c and
// multi-uv.c: it keeps one SocketWatcher per socket (its context object is
// attached with multi.assign), one timer, and calls socketAction() when either
// fires. Tests use it to drive the multi exactly as applications do, and it
// records every callback so tests can check the exact sequence.
import { CURL_POLL, CURL_SOCKET_TIMEOUT, CURLM, Multi, SocketWatcher, CURLMOPT, type Easy, type DoneMessage } from '../../src/index.js';

export interface SocketContext {
  s: number;
  watcher: SocketWatcher;
  serial: number;
}

export type LoopEvent =
  | { kind: 'socket'; s: number; what: number; socketp: unknown; easy: Easy | null }
  | { kind: 'timer'; ms: number };

export interface AppLoop {
  events: LoopEvent[];
  done: DoneMessage[];
  /** resolves when running handles reach 0 after at least one action */
  finished: Promise<void>;
  /** callbacks that were handed a socketp other than the one we assigned */
  wrongSocketp: number;
  contexts: Map<number, SocketContext>;
  stop(): void;
}

export function startAppLoop(multi: Multi, opts: { assign?: boolean; record?: boolean } = {}): AppLoop {
  const assign = opts.assign ?? true;
  const record = opts.record ?? true;
  let timer: NodeJS.Timeout | null = null;
  let resolveFinished!: () => void;
  let serial = 0;
  const loop: AppLoop = {
    events: [],
    done: [],
    finished: new Promise<void>((r) => (resolveFinished = r)),
    wrongSocketp: 0,
    contexts: new Map(),
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      for (const c of loop.contexts.values()) c.watcher.stop();
      loop.contexts.clear();
    },
  };
  const check = (running: number): void => {
    for (let m = multi.infoRead(); m; m = multi.infoRead()) loop.done.push(m);
    if (running === 0) resolveFinished();
  };
  const action = (s: number, ev: number): void => {
    const { code, runningHandles } = multi.socketAction(s, ev);
    if (code !== CURLM.OK && code !== CURLM.ABORTED_BY_CALLBACK) throw new Error(`socketAction returned ${code}`);
    check(runningHandles);
  };
  multi.setopt(CURLMOPT.SOCKETFUNCTION, (easy, s, what, _clientp, socketp) => {
    if (record) loop.events.push({ kind: 'socket', s, what, socketp, easy });
    const known = loop.contexts.get(s);
    if (assign && known && socketp !== known) loop.wrongSocketp++;
    if (what === CURL_POLL.REMOVE) {
      known?.watcher.stop();
      loop.contexts.delete(s);
      return 0;
    }
    let ctx = known;
    if (!ctx) {
      ctx = { s, watcher: new SocketWatcher(s), serial: serial++ };
      loop.contexts.set(s, ctx);
      if (assign) multi.assign(s, ctx);
    }
    ctx.watcher.start(what, (ev) => action(s, ev));
    return 0;
  });
  multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => {
    if (record) loop.events.push({ kind: 'timer', ms });
    if (timer) clearTimeout(timer);
    timer = null;
    if (ms >= 0) {
      timer = setTimeout(() => {
        timer = null;
        action(CURL_SOCKET_TIMEOUT, 0);
      }, ms);
    }
    return 0;
  });
  return loop;
}

const POLL_NAME: Record<number, string> = { 1: 'IN', 2: 'OUT', 3: 'INOUT', 4: 'REMOVE' };

/** The socket events of a recorded loop as "<socket name> <what>", sockets named from `names` in order of appearance. */
export function socketSequence(events: LoopEvent[], names: readonly string[]): string[] {
  const byId = new Map<number, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.kind !== 'socket') continue;
    if (!byId.has(e.s)) byId.set(e.s, names[byId.size] ?? `s${byId.size}`);
    out.push(`${byId.get(e.s)} ${POLL_NAME[e.what] ?? e.what}`);
  }
  return out;
}
