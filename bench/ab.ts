// Old code against new code, interleaved in one process (the machine is shared:
// only ratios from one run mean anything).
//   cp -r dist /tmp/base/dist && ln -s $PWD/node_modules /tmp/base/   # before a change
//   node dist/bench/ab.js /tmp/base a socket b c [reps=N] [total=N] [mib=N] [conc=N]
// Each scenario runs the baseline's tscurl client and this build's, alternating
// (A B, B A, ...), and prints medians of wall rate and CPU per unit plus the
// new/old ratios. Scenarios: a = keep-alive GETs c=50 perform/poll, socket =
// the same through socketAction, b = one large download, c = (a) over HTTPS.
import { writeFileSync, openSync, closeSync, truncateSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startNginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { interleaved, cpuSince, fmt, type Contender } from './stats.js';
import * as keepNew from './keepalive-clients.js';
import * as dlNew from './download-clients.js';

const [baseDir, ...rest] = process.argv.slice(2);
if (!baseDir) {
  console.error('usage: node dist/bench/ab.js BASE_DIR [a] [socket] [b] [c] [reps=N] [total=N] [mib=N]');
  process.exit(2);
}
const arg = (k: string, d: number): number => Number(rest.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1) ?? d);
const REPS = arg('reps', 5);
const TOTAL = arg('total', 20_000);
const MIB = arg('mib', 256);
const CONC = arg('conc', 50);
const picked = rest.filter((a) => !a.includes('='));
const scenarios = picked.length ? picked : ['a', 'socket', 'b', 'c'];

const baseBench = pathToFileURL(join(resolve(baseDir), 'dist', 'bench')).href;
const keepOld = (await import(`${baseBench}/keepalive-clients.js`)) as typeof keepNew;
const dlOld = (await import(`${baseBench}/download-clients.js`)) as typeof dlNew;

const certs = testCerts();
const nginx = await startNginx({ tls: { cert: certs.server.cert, key: certs.server.key } });
writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
const big = join(nginx.root, 'big.bin');
closeSync(openSync(big, 'w'));
truncateSync(big, MIB * 1024 * 1024);

function keepAlive(name: string, client: keepNew.KeepAliveClient, target: keepNew.Target): Contender {
  return {
    name,
    run: async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await client(target, TOTAL, CONC);
      const ms = performance.now() - t0;
      return { 'req/s': (TOTAL / ms) * 1000, 'CPU us/req': cpuSince(cpu0) / TOTAL };
    },
  };
}

function download(name: string, client: dlNew.DownloadClient): Contender {
  return {
    name,
    run: async () => {
      const gc0 = gcCount();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await client(nginx.url('/big.bin'));
      const ms = performance.now() - t0;
      const mib = n / 1024 / 1024;
      return { 'MiB/s': (mib / ms) * 1000, 'CPU ms/GiB': cpuSince(cpu0) / 1000 / (mib / 1024), GCs: gcCount() - gc0 };
    },
  };
}

// counted with a PerformanceObserver on 'gc' entries
let gcs = 0;
const { PerformanceObserver } = await import('node:perf_hooks');
new PerformanceObserver((list) => { gcs += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
const gcCount = (): number => gcs;

const http = { url: nginx.url('/16b') };
const https = { url: nginx.tlsUrl('/16b'), caFile: certs.caFile, ca: readFileSync(certs.caFile) };
try {
  for (const s of scenarios) {
    let pair: Contender[];
    if (s === 'a') pair = [keepAlive('old', keepOld.tscurlPoll, http), keepAlive('new', keepNew.tscurlPoll, http)];
    else if (s === 'socket') pair = [keepAlive('old', keepOld.tscurlSocket, http), keepAlive('new', keepNew.tscurlSocket, http)];
    else if (s === 'c') pair = [keepAlive('old', keepOld.tscurlPoll, https), keepAlive('new', keepNew.tscurlPoll, https)];
    else if (s === 'b') pair = [download('old', dlOld.tscurlDownload), download('new', dlNew.tscurlDownload)];
    else if (s === 'raw-b') pair = [download('raw', dlNew.rawDownload), download('new', dlNew.tscurlDownload)];
    else if (s === 'poll-socket') pair = [keepAlive('poll', keepNew.tscurlPoll, http), keepAlive('new', keepNew.tscurlSocket, http)];
    else if (s === 'undici-a') pair = [keepAlive('undici', keepNew.undiciPool, http), keepAlive('new', keepNew.tscurlPoll, http)];
    else if (s === 'undici-c') pair = [keepAlive('undici', keepNew.undiciPool, https), keepAlive('new', keepNew.tscurlPoll, https)];
    else throw new Error(`unknown scenario ${s}`);
    // one warm-up of each, not counted
    for (const c of pair) await c.run();
    const m = await interleaved(pair, REPS, process.env.BENCH_VERBOSE ? console.log : undefined);
    const o = m.get(pair[0]!.name)!;
    const n = m.get('new')!;
    const line = Object.keys(n).map((k) => `${k} ${fmt(o[k]!)} -> ${fmt(n[k]!)} (${(n[k]! / o[k]!).toFixed(2)}x)`).join('; ');
    console.log(`${s} [${pair[0]!.name} -> new]: ${line}`);
  }
} finally {
  await nginx.stop();
}
