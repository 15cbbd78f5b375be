// In-process clients for the HTTP/2 scenarios (f) and (g): `total` GETs as
// `concurrency` concurrent streams on one HTTP/2 connection over TLS, and one
// large download over HTTP/2.
import { Client } from 'undici';
import { Multi, Easy, CURLOPT, CURLMSG, CURLMOPT } from '../src/index.js';
import type { Target } from './keepalive-clients.js';

/** CURL_HTTP_VERSION_2TLS: HTTP/2 by ALPN (also libcurl's default for https) */
const HTTP_2TLS = 4;

/**
 * tscurl: a Multi driven by perform()/poll(), handles re-added as they
 * finish, every stream on one connection (PIPEWAIT). With `version` 2
 * (HTTP/1.1) the same loop over `concurrency` keep-alive connections: what
 * a request costs without HTTP/2 (bench/h2-probe.ts's `h1` row).
 */
export async function tscurlH2(target: Target, total: number, concurrency: number, version = HTTP_2TLS): Promise<void> {
  const multi = new Multi();
  multi.setopt(CURLMOPT.MAX_HOST_CONNECTIONS, version === HTTP_2TLS ? 1 : concurrency);
  multi.setopt(CURLMOPT.MAX_CONCURRENT_STREAMS, concurrency);
  let started = 0;
  let finished = 0;
  const sink = (d: Buffer): number => d.length;
  const handles: Easy[] = [];
  for (let i = 0; i < Math.min(concurrency, total); i++) {
    const e = new Easy();
    e.setopt(CURLOPT.URL, target.url);
    e.setopt(CURLOPT.WRITEFUNCTION, sink);
    e.setopt(CURLOPT.HTTP_VERSION, version);
    e.setopt(CURLOPT.PIPEWAIT, 1);
    if (target.caFile) e.setopt(CURLOPT.CAINFO, target.caFile);
    handles.push(e);
    multi.addHandle(e);
    started++;
  }
  while (finished < total) {
    multi.perform();
    for (let m = multi.infoRead(); m; m = multi.infoRead()) {
      if (m.msg !== CURLMSG.DONE) continue;
      if (m.result !== 0) throw new Error(`tscurl HTTP/2 transfer failed: ${m.result}`);
      finished++;
      multi.removeHandle(m.easy);
      if (started < total) {
        started++;
        multi.addHandle(m.easy);
      }
    }
    if (finished < total) await multi.poll(1000);
  }
  multi.cleanup();
  for (const e of handles) e.cleanup();
}

/** undici: one Client with allowH2, `concurrency` requests in flight as streams. */
export async function undiciH2(target: Target, total: number, concurrency: number): Promise<void> {
  const u = new URL(target.url);
  const client = new Client(u.origin, {
    allowH2: true,
    maxConcurrentStreams: concurrency,
    pipelining: concurrency,
    ...(target.ca ? { connect: { ca: target.ca } } : {}),
  });
  let next = 0;
  const path = u.pathname + u.search;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      const { statusCode, body } = await client.request({ path, method: 'GET' });
      if (statusCode !== 200) throw new Error(`undici status ${statusCode}`);
      for await (const _ of body) void _;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await client.close();
}

/** One download with HTTP_VERSION `version` (2: HTTP/1.1, 4: HTTP/2 over TLS); the body bytes counted. */
export async function tscurlDownloadVersion(url: string, caFile: string, version: number): Promise<number> {
  let n = 0;
  const e = new Easy();
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.CAINFO, caFile);
  e.setopt(CURLOPT.HTTP_VERSION, version);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    n += d.length;
    return d.length;
  });
  const rc = await e.perform();
  e.cleanup();
  if (rc !== 0) throw new Error(`tscurl download failed: ${rc}`);
  return n;
}
