// CPU per GiB of scenario (h) alone: one large download over TLS from the
// nginx test/helpers/nginx.ts starts (the same config for both), over HTTP/2
// and over HTTP/1.1, as bench/run.ts's scenario h drives tscurl. CPU time,
// not wall time: the machine's cores are shared, and CPU per GiB is what the
// code costs. For a profile of one side:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/h2-download-probe.js h2 64 3
//   node dist/bench/profile-top.js /tmp/prof/*.cpuprofile 40
// Usage: node dist/bench/h2-download-probe.js [h2,h1] [MiB=64] [reps=3]
import { closeSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { tscurlDownloadVersion } from './h2-clients.js';
import { cpuSince } from './stats.js';

const which = (process.argv[2] ?? 'h2,h1').split(',');
const mib = Number(process.argv[3] ?? 64);
const reps = Number(process.argv[4] ?? 3);
const VERSION: Record<string, number> = { h2: 4 /* CURL_HTTP_VERSION_2TLS */, h1: 2 /* CURL_HTTP_VERSION_1_1 */ };

/**
 * CPU of the main thread alone, in ms (Linux): the JavaScript without V8's GC
 * and compiler threads. schedstat's first field is the thread's time on a CPU
 * in ns (stat's utime/stime count 10 ms ticks: too coarse for one download).
 */
function mainThreadMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
}

const certs = testCerts();
const nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key }, http2: true });
const size = mib * 1024 * 1024;
const file = join(nginx.root, 'big.bin');
closeSync(openSync(file, 'w'));
truncateSync(file, size);
const url = nginx.tlsUrl('/big.bin');
try {
  const once = async (w: string): Promise<[number, number]> => {
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadMs();
    const n = await tscurlDownloadVersion(url, certs.caFile, VERSION[w]!);
    if (n !== size) throw new Error(`${w}: got ${n} bytes, expected ${size}`);
    const perGiB = 1024 / mib;
    return [(cpuSince(cpu0) / 1000) * perGiB, (mainThreadMs() - main0) * perGiB];
  };
  for (const w of which) await once(w); // warm-up (JIT)
  const got: Record<string, number[]> = {};
  const main: Record<string, number[]> = {};
  for (let r = 0; r < reps; r++) {
    for (const w of which) {
      const [cpu, m] = await once(w);
      (got[w] ??= []).push(cpu);
      (main[w] ??= []).push(m);
    }
  }
  for (const w of which) {
    const v = got[w]!.slice().sort((a, b) => a - b);
    const m = main[w]!.slice().sort((a, b) => a - b);
    // other processes' load only adds: the minimum is the steadiest figure on a shared machine
    console.log(`${w} CPU ms/GiB: min ${v[0]!.toFixed(0)} median ${v[v.length >> 1]!.toFixed(0)}; main thread min ${m[0]!.toFixed(0)} median ${m[m.length >> 1]!.toFixed(0)}  (${got[w]!.map((x) => x.toFixed(0)).join(' ')})`);
  }
} finally {
  await nginx.stop();
}
