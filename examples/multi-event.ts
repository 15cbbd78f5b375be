// A port of libcurl's multi-uv.c / hiperfifo.c: the application owns the event
// loop. libcurl (here tscurl) says which sockets to watch through
// CURLMOPT_SOCKETFUNCTION and when to wake it through CURLMOPT_TIMERFUNCTION;
// the application watches with SocketWatcher (uv_poll_t's role), keeps its own
// per-socket context attached with multi.assign(), and calls socketAction().
//
//   node dist/examples/multi-event.js URL [URL ...]
import {
  Multi, Easy, SocketWatcher, CURLMOPT, CURLOPT, CURLINFO, CURL_POLL, CURL_SOCKET_TIMEOUT, CURLMSG, easyStrerror,
} from '../src/index.js';

/** What the application keeps per socket (multi-uv.c's curl_context_t). */
interface CurlContext {
  sockfd: number;
  poll: SocketWatcher;
}

export interface TransferReport {
  url: string;
  result: number;
  bytes: number;
  status: number;
}

export function downloadAll(urls: string[]): Promise<TransferReport[]> {
  const multi = new Multi();
  let timeout: NodeJS.Timeout | null = null;
  const reports: TransferReport[] = [];
  let finish!: (r: TransferReport[]) => void;
  const done = new Promise<TransferReport[]>((r) => (finish = r));

  function checkMultiInfo(): void {
    for (let msg = multi.infoRead(); msg; msg = multi.infoRead()) {
      if (msg.msg !== CURLMSG.DONE) continue;
      const e = msg.easy;
      const rep = e.getinfo(CURLINFO.PRIVATE) as TransferReport;
      rep.result = msg.result;
      rep.status = e.getinfo(CURLINFO.RESPONSE_CODE);
      reports.push(rep);
      multi.removeHandle(e);
      e.cleanup();
    }
    if (reports.length === urls.length) {
      if (timeout) clearTimeout(timeout);
      multi.cleanup();
      finish(reports);
    }
  }

  function onSocketEvent(ctx: CurlContext, events: number): void {
    multi.socketAction(ctx.sockfd, events);
    checkMultiInfo();
  }

  function handleSocket(_easy: Easy | null, s: number, action: number, _clientp: unknown, socketp: unknown): number {
    switch (action) {
      case CURL_POLL.IN:
      case CURL_POLL.OUT:
      case CURL_POLL.INOUT: {
        let ctx = socketp as CurlContext | null;
        if (!ctx) {
          ctx = { sockfd: s, poll: new SocketWatcher(s) };
          multi.assign(s, ctx);
        }
        const c = ctx;
        c.poll.start(action, (ev) => onSocketEvent(c, ev));
        break;
      }
      case CURL_POLL.REMOVE:
        if (socketp) (socketp as CurlContext).poll.stop();
        break;
    }
    return 0;
  }

  function startTimeout(_m: Multi, timeoutMs: number): number {
    if (timeout) clearTimeout(timeout);
    timeout = null;
    if (timeoutMs >= 0) {
      // 0 means "soon", never synchronously from inside this callback
      timeout = setTimeout(() => {
        timeout = null;
        multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
        checkMultiInfo();
      }, timeoutMs);
    }
    return 0;
  }

  multi.setopt(CURLMOPT.SOCKETFUNCTION, handleSocket);
  multi.setopt(CURLMOPT.TIMERFUNCTION, startTimeout);
  for (const url of urls) {
    const e = new Easy();
    const rep: TransferReport = { url, result: -1, bytes: 0, status: 0 };
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.PRIVATE, rep);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((rep.bytes += d.length), d.length));
    multi.addHandle(e);
  }
  if (urls.length === 0) finish([]);
  return done;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  downloadAll(process.argv.slice(2)).then((reps) => {
    for (const r of reps) console.log(`${r.url}: ${r.result ? easyStrerror(r.result) : `${r.status}, ${r.bytes} bytes`}`);
    process.exitCode = reps.some((r) => r.result !== 0) ? 1 : 0;
  });
}
