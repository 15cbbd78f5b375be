// The clients compared by the benchmark. Each runs `total` GETs with
// `concurrency` in flight over keep-alive and resolves when all are done.
import http from 'node:http';
import { Pool } from 'undici';
import { Multi, Easy, CURLOPT, CURLMSG, CURLMOPT } from '../src/index.js';

export type Client = (url: string, total: number, concurrency: number) => Promise<void>;

export const tscurlMulti: Client = async (url, total, concurrency) => {
  const multi = new Multi();
  multi.setopt(CURLMOPT.MAXCONNECTS, concurrency);
  let started = 0;
  let finished = 0;
  const sink = (d: Buffer): number => d.length;
  const handles: Easy[] = [];
  for (let i = 0; i < Math.min(concurrency, total); i++) {
    const e = new Easy();
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.WRITEFUNCTION, sink);
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

export const undiciPool: Client = async (url, total, concurrency) => {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: concurrency, pipelining: 1 });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const { statusCode, body } = await pool.request({ path: u.pathname, method: 'GET' });
      if (statusCode !== 200) throw new Error(`undici status ${statusCode}`);
      for await (const _ of body) void _;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
};

export const nodeHttp: Client = async (url, total, concurrency) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      http.get(url, { agent }, (res) => {
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
