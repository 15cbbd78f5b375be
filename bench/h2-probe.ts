// CPU per request of scenario (g) alone: N GETs of a 16-byte body as 50
// streams on one HTTP/2 connection over TLS against nginx, for tscurl's Multi
// (as bench/h2-clients.ts drives it), undici's allowH2 and `curl -Z --http2`.
// CPU time, not wall time: the machine's cores are shared, and CPU per
// request is what the code costs. For a profile of tscurl alone:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/h2-probe.js tscurl 3000 5
//   node dist/bench/profile-top.js /tmp/prof/*.cpuprofile 40
// Floors beside them: `session` is tscurl's own HTTP/2 session (src/h2/)
// alone on a StreamTransport over the TLS socket, without the multi and the
// HTTP code; `node` is node:http2 alone on a TLS socket (what undici's allowH2
// uses, without undici), `bridge` the same over a Duplex on the TLS socket
// (the shape tscurl's session had before src/h2/ replaced node:http2).
// `h1` is tscurl's same Multi loop over HTTP/1.1 keep-alive connections (50,
// one request at a time each) on the same nginx over TLS: HTTP/2 should cost
// no more per request beyond its codec (`session`).
// Usage: node dist/bench/h2-probe.js [tscurl,h1,undici,curl,session,node,bridge] [N=3000] [reps=3]
import { readFileSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import { Duplex } from 'node:stream';
import { join } from 'node:path';
import { startNginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { tscurlH2, undiciH2 } from './h2-clients.js';
import { timedChild, cpuSince } from './stats.js';
import type { Target } from './keepalive-clients.js';
import { StreamTransport } from '../src/transport/stream-transport.js';
import { H2Session, type H2Stream } from '../src/h2/session.js';
import { CURL_CSELECT } from '../src/constants.js';

const which = (process.argv[2] ?? 'tscurl,undici').split(',');
const total = Number(process.argv[3] ?? 3000);
const reps = Number(process.argv[4] ?? 3);
const CONCURRENCY = 50;

/** CPU of the main thread alone, in µs (Linux; 10 ms ticks): what the JavaScript costs without V8's GC and compiler threads. */
function mainThreadUs(): number {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}
const mainShare: Record<string, number[]> = {};

async function inProcess(run: (t: Target, n: number, c: number) => Promise<void>, target: Target, name = ''): Promise<number> {
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadUs();
  await run(target, total, CONCURRENCY);
  (mainShare[name] ??= []).push((mainThreadUs() - main0) / total);
  return cpuSince(cpu0) / total;
}

async function curl(target: Target): Promise<number> {
  const args = ['-s', '-Z', '--http2', '--parallel-max', String(CONCURRENCY), '-o', '/dev/null', '--cacert', target.caFile!, `${target.url}?[1-${total}]`];
  const r = await timedChild('/usr/bin/curl', args);
  if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
  return (r.cpuMs * 1000) / total;
}

/** node:http2 with nothing around it: `total` GETs, `CONCURRENCY` streams at a time, on the TLS socket or over a Duplex. */
async function bareH2(target: Target, bridge: boolean): Promise<void> {
  const u = new URL(target.url);
  let session: http2.ClientHttp2Session;
  if (!bridge) session = http2.connect(u.origin, { ca: target.ca });
  else {
    const sock = tls.connect({ host: u.hostname, port: Number(u.port), ca: target.ca, ALPNProtocols: ['h2'], servername: u.hostname });
    await new Promise((r) => sock.once('secureConnect', r));
    const d = new Duplex({
      read: () => { sock.resume(); },
      write: (chunk: Buffer, _e, cb) => { sock.write(chunk); cb(); },
    });
    sock.on('data', (c: Buffer) => { if (!d.push(c)) sock.pause(); });
    session = http2.connect(u.origin, { createConnection: () => d });
  }
  let started = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const one = (): void => {
      started++;
      const req = session.request({ ':path': u.pathname, ':method': 'GET' });
      req.on('data', () => {});
      req.on('error', reject);
      req.on('end', () => {
        done++;
        if (started < total) one();
        else if (done === total) resolve();
      });
    };
    for (let i = 0; i < CONCURRENCY; i++) one();
  });
  session.destroy();
}

/** tscurl's H2Session with nothing around it: `total` GETs, `CONCURRENCY` streams at a time, driven by the transport's readiness. */
async function ourSession(target: Target): Promise<void> {
  const u = new URL(target.url);
  const sock = tls.connect({ host: u.hostname, port: Number(u.port), ca: target.ca, ALPNProtocols: ['h2'], servername: u.hostname });
  await new Promise((r) => sock.once('secureConnect', r));
  const tr = new StreamTransport(sock, true);
  const session = new H2Session(tr, { enablePush: false });
  const headers: [string, string][] = [[':method', 'GET'], [':path', u.pathname], [':scheme', 'https'], [':authority', u.host]];
  const priority = { weight: 16, parent: 0, exclusive: false };
  const owner = {};
  const live = new Set<H2Stream>();
  let started = 0;
  let done = 0;
  const open = (): void => {
    started++;
    const st = session.open(headers, true, priority, owner);
    if ('code' in st) throw new Error(st.message);
    live.add(st);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let queued = false;
      const drive = (): void => {
        queued = false;
        for (const st of live) {
          for (;;) {
            const r = st.recv();
            if (r.kind === 'again') break;
            if (r.kind === 'error') return reject(r.error);
            if (r.kind === 'eof') {
              live.delete(st);
              done++;
              if (started < total) open();
              break;
            }
          }
        }
        if (done === total) resolve();
        else if (tr.readiness() & CURL_CSELECT.IN) wake();
      };
      const wake = (): void => {
        if (!queued) {
          queued = true;
          setImmediate(drive);
        }
      };
      tr.addObserver({ readinessChanged: wake });
      for (let i = 0; i < CONCURRENCY; i++) open();
    });
  } finally {
    session.destroy();
    tr.close();
  }
}

const certs = testCerts();
const nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key }, http2: true });
writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
const target: Target = { url: nginx.tlsUrl('/16b'), caFile: certs.caFile, ca: readFileSync(certs.caFile) };
try {
  const runs: Record<string, () => Promise<number>> = {
    tscurl: () => inProcess(tscurlH2, target, 'tscurl'),
    h1: () => inProcess((t, n, c) => tscurlH2(t, n, c, 2), target, 'h1'),
    undici: () => inProcess(undiciH2, target, 'undici'),
    curl: () => curl(target),
    session: () => inProcess(ourSession, target, 'session'),
    node: () => inProcess((t) => bareH2(t, false), target, 'node'),
    bridge: () => inProcess((t) => bareH2(t, true), target, 'bridge'),
  };
  for (let i = 0; i < 2; i++) for (const w of which) if (w !== 'curl') await runs[w]!(); // warm-up (JIT)
  const got: Record<string, number[]> = {};
  for (let r = 0; r < reps; r++) {
    for (const w of which) (got[w] ??= []).push(await runs[w]!());
  }
  for (const w of which) {
    const v = got[w]!.slice().sort((a, b) => a - b);
    // other processes' load only adds: the minimum is the steadiest figure on a shared machine
    const m = (mainShare[w] ?? []).slice(-reps).sort((a, b) => a - b);
    const main = m.length > 0 ? `; main thread min ${m[0]!.toFixed(1)} median ${m[m.length >> 1]!.toFixed(1)}` : '';
    console.log(`${w.padEnd(7)} CPU us/req: min ${v[0]!.toFixed(1)} median ${v[v.length >> 1]!.toFixed(1)}${main}  (${got[w]!.map((x) => x.toFixed(1)).join(' ')})`);
  }
} finally {
  await nginx.stop();
}
