// An application event loop around Multi.socketAction(), written the way a
// libcurl program ports hiperfifo.c / multi-uv.c: SOCKETFUNCTION starts and
// stops a SocketWatcher per socket (kept with multi.assign), TIMERFUNCTION arms
// one setTimeout, and every readiness or timer event is one socketAction()
// call, which the loop counts (scenario e reports CPU per call).
import { Multi, SocketWatcher, CURLMOPT, CURL_POLL, CURL_SOCKET_TIMEOUT, CURLMSG, type Easy } from '../../src/index.js';

export interface SocketLoop {
  multi: Multi;
  /** socketAction() calls made so far (socket events + timer expiries) */
  readonly calls: number;
  /** resolves when `count` transfers reported DONE */
  doneAfter(count: number): Promise<void>;
  close(): void;
}

export function socketLoop(onDone: (easy: Easy, result: number) => void): SocketLoop {
  const multi = new Multi();
  let calls = 0;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let done = 0;
  let waiting: { count: number; resolve: () => void; reject: (e: Error) => void } | null = null;

  const drain = (code: number): void => {
    if (code !== 0 && waiting) waiting.reject(new Error(`socketAction: CURLMcode ${code}`));
    for (let m = multi.infoRead(); m; m = multi.infoRead()) {
      if (m.msg !== CURLMSG.DONE) continue;
      done++;
      onDone(m.easy, m.result);
    }
    if (waiting && done >= waiting.count) {
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  };
  const action = (s: number, ev: number): void => {
    calls++;
    drain(multi.socketAction(s, ev).code);
  };

  multi.setopt(CURLMOPT.SOCKETFUNCTION, (_easy, s, what, _clientp, socketp) => {
    let w = socketp as SocketWatcher | null;
    if (what === CURL_POLL.REMOVE) {
      w?.stop();
      return 0;
    }
    if (!w) {
      w = new SocketWatcher(s);
      multi.assign(s, w);
    }
    w.start(what, (ev) => action(s, ev));
    return 0;
  });
  multi.setopt(CURLMOPT.TIMERFUNCTION, (_m, ms) => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = null;
    immediate = null;
    if (ms === 0) {
      // "as soon as possible": the next loop turn (setTimeout(0) would wait a whole millisecond)
      immediate = setImmediate(() => {
        immediate = null;
        action(CURL_SOCKET_TIMEOUT, 0);
      });
    } else if (ms > 0) {
      timer = setTimeout(() => {
        timer = null;
        action(CURL_SOCKET_TIMEOUT, 0);
      }, ms);
    }
    return 0;
  });

  return {
    multi,
    get calls() {
      return calls;
    },
    doneAfter(count) {
      if (done >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiting = { count, resolve, reject };
      });
    },
    close() {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      multi.cleanup();
    },
  };
}
