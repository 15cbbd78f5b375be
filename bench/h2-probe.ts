// CPU per request of scenario (g) alone: N GETs of a 16-byte body as 50
// streams on one HTTP/2 connection over TLS against nginx, for tscurl's Multi
// (as bench/h2-clients.ts drives it), undici's allowH2 and `curl -Z --http2`.
// CPU time, not wall time: the machine's cores are shared, and CPU per
// request is what the code costs. For a profile of tscurl alone:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/h2-probe.js tscurl 3000 5
//   node dist/bench/profile-top.js /tmp/prof/*.cpuprofile 40
// Usage: node dist/bench/h2-probe.js [tscurl,undici,curl] [N=3000] [reps=3]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { tscurlH2, undiciH2 } from './h2-clients.js';
import { timedChild, cpuSince } from './stats.js';
import type { Target } from './keepalive-clients.js';

const which = (process.argv[2] ?? 'tscurl,undici').split(',');
const total = Number(process.argv[3] ?? 3000);
const reps = Number(process.argv[4] ?? 3);
const CONCURRENCY = 50;

async function inProcess(run: (t: Target, n: number, c: number) => Promise<void>, target: Target): Promise<number> {
  const cpu0 = process.cpuUsage();
  await run(target, total, CONCURRENCY);
  return cpuSince(cpu0) / total;
}

async function curl(target: Target): Promise<number> {
  const args = ['-s', '-Z', '--http2', '--parallel-max', String(CONCURRENCY), '-o', '/dev/null', '--cacert', target.caFile!, `${target.url}?[1-${total}]`];
  const r = await timedChild('/usr/bin/curl', args);
  if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
  return (r.cpuMs * 1000) / total;
}

const certs = testCerts();
const nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key }, http2: true });
writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
const target: Target = { url: nginx.tlsUrl('/16b'), caFile: certs.caFile, ca: readFileSync(certs.caFile) };
try {
  const runs: Record<string, () => Promise<number>> = {
    tscurl: () => inProcess(tscurlH2, target),
    undici: () => inProcess(undiciH2, target),
    curl: () => curl(target),
  };
  for (let i = 0; i < 2; i++) for (const w of which) if (w !== 'curl') await runs[w]!(); // warm-up (JIT)
  const got: Record<string, number[]> = {};
  for (let r = 0; r < reps; r++) {
    for (const w of which) (got[w] ??= []).push(await runs[w]!());
  }
  for (const w of which) {
    const v = got[w]!.slice().sort((a, b) => a - b);
    // other processes' load only adds: the minimum is the steadiest figure on a shared machine
    console.log(`${w.padEnd(7)} CPU us/req: min ${v[0]!.toFixed(1)} median ${v[v.length >> 1]!.toFixed(1)}  (${got[w]!.map((x) => x.toFixed(1)).join(' ')})`);
  }
} finally {
  await nginx.stop();
}
