// In-process clients for the keep-alive scenarios (a) and (c). Each runs
// `total` GETs with `concurrency` requests in flight over keep-alive
// connections (one request at a time per connection: no pipelining) and
// resolves when all are done.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Pool } from 'undici';
import { Multi, Easy, CURLOPT, CURLMSG, CURLMOPT } from '../src/index.js';
import { socketLoop } from '../test/helpers/socket-loop.js';

export interface Target {
  url: string;
  /** PEM CA for HTTPS targets, and the same as a file for tscurl's CAINFO */
  ca?: Buffer;
  caFile?: string;
}

export type KeepAliveClient = (target: Target, total: number, concurrency: number) => Promise<void>;

function newEasy(target: Target, sink: (d: Buffer) => number): Easy {
  const e = new Easy();
  e.setopt(CURLOPT.URL, target.url);
  e.setopt(CURLOPT.WRITEFUNCTION, sink);
  if (target.caFile) e.setopt(CURLOPT.CAINFO, target.caFile);
  return e;
}

/**
 * tscurl Multi driven by perform() + poll(), handles re-added as they finish.
 * `onDone` sees each finished handle before it is re-added (diagnostics).
 */
export const tscurlPoll = async (target: Target, total: number, concurrency: number, onDone?: (easy: Easy) => void): Promise<void> => {
  const multi = new Multi();
  multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
  let started = 0;
  let finished = 0;
  const sink = (d: Buffer): number => d.length;
  const handles: Easy[] = [];
  for (let i = 0; i < Math.min(concurrency, total); i++) {
    const e = newEasy(target, sink);
    handles.push(e);
    multi.addHandle(e);
    started++;
  }
  while (finished < total) {
    multi.perform();
    for (let m = multi.infoRead(); m; m = multi.infoRead()) {
      if (m.msg !== CURLMSG.DONE) continue;
      if (m.result !== 0) throw new Error(`tscurl transfer failed: ${m.result}`);
      finished++;
      onDone?.(m.easy);
      multi.removeHandle(m.easy);
      if (started < total) {
        started++;
        multi.addHandle(m.easy); // reuse the handle, as libcurl programs do
      }
    }
    if (finished < total) await multi.poll(1000);
  }
  multi.cleanup();
  for (const e of handles) e.cleanup();
};

/** tscurl Multi driven by socketAction() with SocketWatcher, as an application would. */
export const tscurlSocket: KeepAliveClient = async (target, total, concurrency) => {
  let started = 0;
  let failed: Error | null = null;
  const loop = socketLoop((easy, result) => {
    if (result !== 0) failed ??= new Error(`tscurl transfer failed: ${result}`);
    loop.multi.removeHandle(easy);
    if (started < total) {
      started++;
      loop.multi.addHandle(easy);
    }
  });
  loop.multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
  const sink = (d: Buffer): number => d.length;
  const handles: Easy[] = [];
  for (let i = 0; i < Math.min(concurrency, total); i++) {
    const e = newEasy(target, sink);
    handles.push(e);
    loop.multi.addHandle(e);
    started++;
  }
  await loop.doneAfter(total);
  loop.close();
  for (const e of handles) e.cleanup();
  if (failed) throw failed;
};

export const undiciPool: KeepAliveClient = async (target, total, concurrency) => {
  const u = new URL(target.url);
  const pool = new Pool(u.origin, {
    connections: concurrency,
    pipelining: 1,
    ...(target.ca ? { connect: { ca: target.ca } } : {}),
  });
  let next = 0;
  const path = u.pathname + u.search;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      if (statusCode !== 200) throw new Error(`undici status ${statusCode}`);
      for await (const _ of body) void _;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
};

export const nodeHttp: KeepAliveClient = async (target, total, concurrency) => {
  const secure = target.url.startsWith('https:');
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: concurrency, ...(target.ca ? { ca: target.ca } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = secure ? https.get : http.get;
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      get(target.url, { agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`node:http status ${res.statusCode}`));
        res.on('data', () => {});
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
};

/**
 * The ceiling: a minimal client on raw sockets. Each connection sends one GET,
 * waits for the whole response (status line, headers, Content-Length body),
 * then sends the next — no pipelining, no general HTTP parsing.
 */
export const rawSocket: KeepAliveClient = (target, total, concurrency) => {
  const u = new URL(target.url);
  const secure = u.protocol === 'https:';
  const port = Number(u.port || (secure ? 443 : 80));
  const request = Buffer.from(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`, 'latin1');
  let sent = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const open = (): void => {
      const sock: net.Socket = secure
        ? tls.connect({ host: u.hostname, port, servername: u.hostname, ...(target.ca ? { ca: target.ca } : {}) })
        : net.connect({ host: u.hostname, port });
      sock.setNoDelay(true);
      let head: Buffer | null = null; // partial response head
      let bodyLeft = -1;
      const next = (): void => {
        if (sent >= total) {
          sock.end();
          return;
        }
        sent++;
        sock.write(request);
      };
      sock.on(secure ? 'secureConnect' : 'connect', next);
      sock.on('data', (d: Buffer) => {
        let off = 0;
        while (off < d.length) {
          if (bodyLeft < 0) {
            const buf: Buffer = head ? Buffer.concat([head, d.subarray(off)]) : d.subarray(off);
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) {
              head = Buffer.from(buf);
              return;
            }
            const m = /\r\ncontent-length: *(\d+)/i.exec(buf.toString('latin1', 0, end + 2));
            if (!m) return reject(new Error('raw client: no Content-Length'));
            bodyLeft = Number(m[1]);
            off = d.length - (buf.length - (end + 4));
            head = null;
          }
          const take = Math.min(bodyLeft, d.length - off);
          bodyLeft -= take;
          off += take;
          if (bodyLeft === 0) {
            bodyLeft = -1;
            done++;
            if (done === total) resolve();
            next();
          }
        }
      });
      sock.on('error', reject);
    };
    for (let i = 0; i < Math.min(concurrency, total); i++) open();
  });
};
