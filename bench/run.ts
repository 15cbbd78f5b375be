// npm run bench: tscurl beside its peers, in one run, interleaved, several
// repetitions; prints medians of req/s and client CPU per request, and ratios.
// Scenario (issue 2): 20,000 GETs of a 16-byte body at concurrency 50 over
// keep-alive against a server in a separate process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { tscurlMulti, undiciPool, nodeHttp, type Client } from './clients.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REPS = Number(process.env.BENCH_REPS ?? 3);

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [join(here, 'server.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { url: `http://127.0.0.1:${port}/bench`, stop: () => child.stdin!.end() };
}

interface Sample {
  reqPerSec: number;
  cpuUsPerReq: number;
}

async function measure(client: Client, url: string): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await client(url, TOTAL, CONCURRENCY);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { reqPerSec: (TOTAL / ms) * 1000, cpuUsPerReq: (cpu.user + cpu.system) / TOTAL };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main(): Promise<void> {
  const server = await startServer();
  const clients: [string, Client][] = [['tscurl multi', tscurlMulti], ['undici Pool', undiciPool], ['node:http Agent', nodeHttp]];
  const samples = new Map<string, Sample[]>(clients.map(([n]) => [n, []]));
  // warm-up: JIT and connections
  for (const [, c] of clients) await c(server.url, 2000, CONCURRENCY);
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, c] of clients) samples.get(name)!.push(await measure(c, server.url));
  }
  server.stop();
  console.log(`${TOTAL} GETs, 16-byte body, concurrency ${CONCURRENCY}, keep-alive, ${REPS} reps (medians), node ${process.version}`);
  console.log('client            req/s    CPU us/req');
  const med = new Map<string, Sample>();
  for (const [name] of clients) {
    const s = samples.get(name)!;
    const m = { reqPerSec: median(s.map((x) => x.reqPerSec)), cpuUsPerReq: median(s.map((x) => x.cpuUsPerReq)) };
    med.set(name, m);
    console.log(`${name.padEnd(16)} ${m.reqPerSec.toFixed(0).padStart(7)} ${m.cpuUsPerReq.toFixed(1).padStart(10)}`);
  }
  const t = med.get('tscurl multi')!;
  for (const [name] of clients.slice(1)) {
    const p = med.get(name)!;
    console.log(`tscurl / ${name}: ${(t.reqPerSec / p.reqPerSec).toFixed(2)}x req/s, ${(t.cpuUsPerReq / p.cpuUsPerReq).toFixed(2)}x CPU per request`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
