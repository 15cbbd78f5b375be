// CPU per request of the convenience layers beside the Multi they run on
// (issue 16: they may cost at most 15% over it). The server is a node:http
// server in a child process, so only the client's own CPU is measured
// (process.cpuUsage(): user+sys of this process per request; wall time on a
// shared machine is noise).
//
//   node dist/bench/conv-probe.js [layers] [n=5000] [reps=3] [c=50]
//     layers: any of multi,floor,request,rstream,curly,fetch,ufetch (default: all, interleaved per rep;
//     request reads the body with text(), rstream iterates res.body as bench (f) does; ufetch is
//     undici's own fetch, the peer of fetch on CurlDispatcher)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/conv-probe.js request n=20000 reps=1
//   node dist/bench/profile-top.js /tmp/prof/*.cpuprofile 40
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Agent, fetch as undiciFetch } from 'undici';
import { CURLMOPT, MultiRunner, request } from '../src/index.js';
import { CurlDispatcher } from '../src/dispatcher/index.js';
import { curly } from '../src/compat/node-libcurl/index.js';
import { tscurlPoll } from './keepalive-clients.js';
import { promiseFloor, workers } from './convenience-clients.js';

const RAW = { curlyResponseBodyParser: false as const };
type Client = (url: string, n: number, c: number) => Promise<void>;


const CLIENTS: Record<string, Client> = {
  multi: (url, n, c) => tscurlPoll({ url }, n, c),
  // the Multi with a Promise per request awaited by the same workers: what any Promise API pays first
  floor: (url, n, c) => promiseFloor({ url }, n, c),
  request: async (url, n, c) => {
    const runner = new MultiRunner();
    runner.multi.setopt(CURLMOPT.MAXCONNECTS, c);
    await workers(n, c, async () => {
      const res = await request(url, { runner });
      if (res.status !== 200) throw new Error(`request() status ${res.status}`);
      await res.text();
    });
    runner.close();
  },
  // request() read as bench (f) reads it: iterating the body stream
  rstream: async (url, n, c) => {
    const runner = new MultiRunner();
    runner.multi.setopt(CURLMOPT.MAXCONNECTS, c);
    await workers(n, c, async () => {
      const res = await request(url, { runner });
      if (res.status !== 200) throw new Error(`request() status ${res.status}`);
      for await (const _ of res.body) void _;
    });
    runner.close();
  },
  curly: (url, n, c) => workers(n, c, async () => {
    const { statusCode } = await curly.get(url);
    if (statusCode !== 200) throw new Error(`curly status ${statusCode}`);
  }),
  curlyraw: (url, n, c) => workers(n, c, async () => {
    const { statusCode } = await curly.get(url, RAW);
    if (statusCode !== 200) throw new Error(`curly status ${statusCode}`);
  }),
  fetch: async (url, n, c) => {
    const runner = new MultiRunner();
    runner.multi.setopt(CURLMOPT.MAXCONNECTS, c);
    const dispatcher = new CurlDispatcher({ runner });
    await workers(n, c, async () => {
      const res = await undiciFetch(url, { dispatcher });
      if (res.status !== 200) throw new Error(`fetch status ${res.status}`);
      await res.arrayBuffer();
    });
    await dispatcher.close();
    runner.close();
  },
  // undici's own fetch, the peer CurlDispatcher's fetch is compared with in the bench
  ufetch: async (url, n, c) => {
    const dispatcher = new Agent({ connections: c, pipelining: 1 });
    await workers(n, c, async () => {
      const res = await undiciFetch(url, { dispatcher });
      if (res.status !== 200) throw new Error(`fetch status ${res.status}`);
      await res.arrayBuffer();
    });
    await dispatcher.close();
  },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const kv = (k: string, d: number): number => Number(args.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1) ?? d);
  const n = kv('n', 5000);
  const reps = kv('reps', 3);
  const c = kv('c', 50);
  const named = args.filter((a) => !a.includes('=')).flatMap((a) => a.split(','));
  const layers = named.length ? named : Object.keys(CLIENTS);
  for (const l of layers) if (!CLIENTS[l]) throw new Error(`unknown layer ${l}`);
  const server: ChildProcess = fork(new URL(import.meta.url).pathname, ['server'], { stdio: 'inherit', execArgv: [] });
  try {
    const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
    const url = `http://127.0.0.1:${port}/16b`;
    const results = new Map<string, number[]>(layers.map((l) => [l, []]));
    for (const l of layers) await CLIENTS[l]!(url, Math.min(n, 5000), c); // warm-up: JIT, connections
    for (let r = 0; r < reps; r++) {
      const order = layers.map((_, i) => layers[(i + r) % layers.length]!);
      for (const l of order) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await CLIENTS[l]!(url, n, c);
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const us = (cpu.user + cpu.system) / n;
        results.get(l)!.push(us);
        console.log(`rep ${r + 1} ${l.padEnd(8)} ${us.toFixed(1).padStart(6)} µs CPU/req  ${((n / wall) * 1000).toFixed(0).padStart(6)} req/s`);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = results.has('multi') ? median(results.get('multi')!) : null;
    const baseMin = results.has('multi') ? Math.min(...results.get('multi')!) : null;
    for (const [l, xs] of results) {
      const m = median(xs);
      const lo = Math.min(...xs);
      // each rep's ratio to the Multi of the same rep, then their median: a load that drifts over the run
      // (another process on the machine) moves both sides of a pair alike
      const paired = results.has('multi') ? median(xs.map((x, i) => x / results.get('multi')![i]!)) : null;
      const ratios = base ? `  ${(m / base).toFixed(2)}x multi (min ${(lo / baseMin!).toFixed(2)}x, paired ${paired!.toFixed(2)}x)` : '';
      console.log(`median ${l.padEnd(8)} ${m.toFixed(1).padStart(6)} µs/req, min ${lo.toFixed(1).padStart(6)}${ratios}  [${xs.map((x) => x.toFixed(1)).join(' ')}]`);
    }
  } finally {
    server.disconnect();
    server.kill();
  }
}

if (process.argv[2] === 'server') {
  const body = Buffer.from('0123456789abcdef');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
