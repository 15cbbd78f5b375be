// The tool's serial transfers: N URLs from one -K config file, one process,
// beside /usr/bin/curl with the same file. Reports each client's wall and
// CPU time (user+sys of the child, GNU time) per run and per URL, over
// interleaved rounds (other work on the 2 cores moves wall time; CPU less).
//
//   node dist/bench/serial-cli.js [n=8000] [rounds=5] [server=nginx|node] [mode=files|devnull|stdout]
//        [NAME=path/to/tscurl.cjs ...]
//
// mode files:   url = / output = pairs, every body to its own file in a temp dir
// mode devnull: url = / output = /dev/null pairs
// mode stdout:  plain url = lines, bodies to stdout (a pipe the bench drains)
// Without NAME=... it runs dist/src/cli/tscurl.cjs as "tscurl". Several
// builds (a before and an after worktree) can run in one interleaved set.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNginx, type Nginx } from '../test/helpers/nginx.js';
import { median, fmt, timedChild, type ChildRun } from './stats.js';

const kv = new Map<string, string>();
const builds: [string, string][] = [];
for (const a of process.argv.slice(2)) {
  const eq = a.indexOf('=');
  if (eq < 0) throw new Error(`argument without '=': ${a}`);
  const k = a.slice(0, eq);
  const v = a.slice(eq + 1);
  if (['n', 'rounds', 'server', 'mode'].includes(k)) kv.set(k, v);
  else builds.push([k, resolve(v)]);
}
const N = Number(kv.get('n') ?? 8000);
const ROUNDS = Number(kv.get('rounds') ?? 5);
const SERVER = kv.get('server') ?? 'nginx';
const MODE = kv.get('mode') ?? 'files';
if (builds.length === 0) builds.push(['tscurl', resolve('dist/src/cli/tscurl.cjs')]);

/** A keep-alive node:http server in its own process (its CPU is not the client's). */
async function startNodeServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const code = `
    const http = require('node:http');
    const body = Buffer.from('0123456789abcdef');
    const s = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
    s.maxRequestsPerSocket = 0;
    s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    child.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim())));
    child.once('exit', () => rej(new Error('node server exited')));
  });
  return {
    url: `http://127.0.0.1:${port}/f`,
    stop: async () => {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** One client run under GNU time; stdout is drained and counted. */
const timed = (cmd: string, args: string[]): Promise<ChildRun> => timedChild(cmd, args, false);

const dir = mkdtempSync(join(tmpdir(), 'serial-cli-'));
let nginx: Nginx | undefined;
let nodeServer: { url: string; stop(): Promise<void> } | undefined;
try {
  let url: string;
  if (SERVER === 'nginx') {
    nginx = await startNginx();
    writeFileSync(join(nginx.root, 'f'), '0123456789abcdef');
    url = nginx.url('/f');
  } else {
    nodeServer = await startNodeServer();
    url = nodeServer.url;
  }
  const outDir = join(dir, 'out');
  mkdirSync(outDir);
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(`url = "${url}?${i}"`);
    if (MODE === 'files') lines.push(`output = "${join(outDir, `f${i}`)}"`);
    else if (MODE === 'devnull') lines.push('output = "/dev/null"');
  }
  const cfg = join(dir, 'urls.cfg');
  writeFileSync(cfg, lines.join('\n') + '\n');
  const clients: [string, string, string[]][] = [
    ['curl', '/usr/bin/curl', ['-s', '-K', cfg]],
    ...builds.map(([name, path]): [string, string, string[]] => [name, process.execPath, [path, '-s', '-K', cfg]]),
  ];
  console.log(`serial transfers: ${N} URLs from -K, server ${SERVER}, mode ${MODE}, ${ROUNDS} rounds`);
  const samples = new Map<string, ChildRun[]>(clients.map(([n]) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < clients.length; k++) {
      const [name, cmd, args] = clients[(k + r) % clients.length]!;
      const run = await timed(cmd, args);
      if (run.code !== 0) throw new Error(`${name} exited ${run.code}`);
      const wantOut = MODE === 'stdout' ? 16 * N : 0;
      if (run.outBytes !== wantOut) throw new Error(`${name} wrote ${run.outBytes} bytes to stdout, expected ${wantOut}`);
      samples.get(name)!.push(run);
      console.log(`  round ${r + 1} ${name.padEnd(10)} wall ${fmt(run.wallMs).padStart(6)} ms  cpu ${fmt(run.cpuMs).padStart(6)} ms`);
    }
  }
  const curlCpu = median(samples.get('curl')!.map((s) => s.cpuMs));
  const curlWall = median(samples.get('curl')!.map((s) => s.wallMs));
  console.log(`medians over ${ROUNDS} rounds (per URL: µs)`);
  for (const [name, runs] of samples) {
    const wall = median(runs.map((s) => s.wallMs));
    const cpu = median(runs.map((s) => s.cpuMs));
    console.log(`  ${name.padEnd(10)} wall ${fmt(wall).padStart(6)} ms (${fmt((wall * 1000) / N).padStart(5)} µs/URL, ${(wall / curlWall).toFixed(2)}x curl)` +
      `  cpu ${fmt(cpu).padStart(6)} ms (${fmt((cpu * 1000) / N).padStart(5)} µs/URL, ${(cpu / curlCpu).toFixed(2)}x curl)`);
  }
} finally {
  await nginx?.stop();
  await nodeServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}
