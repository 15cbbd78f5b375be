// npm run bench [-- [--quick] [a b c d e f]]  (or BENCH_SCENARIOS=a,c BENCH_QUICK=1)
//
// tscurl beside its peers, every scenario in one run, interleaved, several
// repetitions; medians and tscurl's ratios are printed (bench/README.md):
//   a  keep-alive GETs of a 16-byte body at concurrency 1, 50, 256 (nginx)
//   b  one large download, body counted and dropped (nginx, sendfile)
//   c  (a) at concurrency 50 over HTTPS/1.1 (nginx, test CA)
//   d  the CLI started once per request: tscurl vs curl vs `node -e 0`
//   e  100 and 10,000 concurrent slow transfers through socketAction
//   f  the convenience layers at concurrency 50: request(), fetch on CurlDispatcher and the
//      node-libcurl drop-in's curly.get, beside the Multi they run on, undici's request()
//      and fetch(), and node-libcurl itself where its native addon loads (nginx)
//   g  (a) as 50 concurrent streams on one HTTP/2 connection over TLS (nginx http2)
//   h  (b) over HTTP/2 with TLS, beside tscurl's own HTTP/1.1 over TLS
// Nothing is installed: a missing tool is named with its Debian package and
// the run stops with a non-zero status.
import { existsSync, readFileSync, writeFileSync, truncateSync, openSync, closeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { NGINX_BIN, startNginx, type Nginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { interleaved, interleavedSamples, medians, pairedCosts, report, timedChild, cpuSince, median, fmt, type Contender, type Sample } from './stats.js';
import { tscurlPoll, tscurlSocket, undiciPool, nodeHttp, rawSocket, type KeepAliveClient, type Target } from './keepalive-clients.js';
import { tscurlH2, undiciH2, tscurlDownloadVersion } from './h2-clients.js';
import { promiseFloor, tscurlRequest, tscurlRequestText, tscurlFetch, undiciRequestClient, undiciFetchClient } from './convenience-clients.js';
import { curlyGet, nodeLibcurlCurly } from './compat-clients.js';
import { tscurlDownload, undiciDownload, nodeHttpDownload, rawDownload, rawDownload1M, type DownloadClient } from './download-clients.js';
import { startWsServer, wsContenders } from './ws-clients.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const picked = [...argv.filter((a) => /^[a-hw]$/.test(a)), ...(process.env.BENCH_SCENARIOS ?? '').split(/[ ,]+/).filter(Boolean)];
const SCENARIOS = new Set(picked.length ? picked : ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'w']);
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 2 : 3));
const TOTAL = Number(process.env.BENCH_TOTAL ?? (QUICK ? 4000 : 20_000));
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? (QUICK ? 64 : 256));
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? (QUICK ? 5 : 20));
const SCALE_SIZES = (process.env.BENCH_SCALE ?? (QUICK ? '100,2000' : '100,10000')).split(',').map(Number);
const here = dirname(fileURLToPath(import.meta.url));
/** the `tscurl` bin: the bundled CLI with its code cache (scripts/bundle-cli.mjs) */
const CLI = join(here, '..', 'src', 'cli', 'tscurl.cjs');
/** the same CLI as plain ES modules, for comparison */
const CLI_ESM = join(here, '..', 'src', 'cli', 'main.js');

const log = process.env.BENCH_VERBOSE ? (s: string) => console.log(s) : undefined;
const summary: string[] = [];

function need(path: string, pkg: string): void {
  if (existsSync(path)) return;
  console.error(`bench: ${path} is missing. Install it first: apt-get install ${pkg}`);
  process.exit(1);
}

function commandOutput(cmd: string, args: string[]): string {
  // some tools (nginx -v) print their version on stderr
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]!.trim();
}

function versions(): string {
  let undici = '?';
  try {
    undici = (createRequire(import.meta.url)('undici/package.json') as { version: string }).version;
  } catch { /* shown as ? */ }
  const curl = commandOutput('/usr/bin/curl', ['--version']).split(' ').slice(0, 2).join(' ');
  const nginx = commandOutput(NGINX_BIN, ['-v']).replace('nginx version: ', '');
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return `node ${process.version}, undici ${undici}, ${curl}, ${nginx}, ${availableParallelism()} cores, load ${load}`;
}

// ---- (a) and (c): keep-alive GETs ---------------------------------------------

function inProcess(name: string, client: KeepAliveClient, target: Target, total: number, c: number): Contender {
  return {
    name,
    run: async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await client(target, total, c);
      const ms = performance.now() - t0;
      return { 'req/s': (total / ms) * 1000, 'CPU us/req': cpuSince(cpu0) / total };
    },
  };
}

function curlParallel(target: Target, total: number, c: number): Contender {
  const args = ['-s', '-Z', '--parallel-immediate', '--parallel-max', String(c), '-o', '/dev/null'];
  if (target.caFile) args.push('--cacert', target.caFile);
  args.push(`${target.url}?[1-${total}]`);
  return {
    name: 'curl -Z',
    run: async () => {
      const r = await timedChild('/usr/bin/curl', args);
      if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
      return { 'req/s': (total / r.wallMs) * 1000, 'CPU us/req': (r.cpuMs * 1000) / total };
    },
  };
}

async function keepAlive(title: string, target: Target, c: number, clients: [string, KeepAliveClient][], paired = false): Promise<void> {
  // warm-up: JIT, connections, TLS contexts
  for (const [, client] of clients) await client(target, Math.min(2000, TOTAL), c);
  const contenders = [
    ...clients.map(([n, cl]) => inProcess(n, cl, target, TOTAL, c)),
    curlParallel(target, TOTAL, c),
  ];
  const samples = await interleavedSamples(contenders, REPS, log);
  const higher = { 'req/s': true, 'CPU us/req': false };
  let text = report(`${title}: ${TOTAL} GETs, concurrency ${c}, medians of ${REPS}`, medians(samples), 'tscurl perform/poll', higher);
  if (paired) {
    const lines = pairedCosts(samples, 'tscurl perform/poll', higher);
    console.log(lines.join('\n'));
    text += `\n${lines.join('\n')}`;
  }
  summary.push(text);
}

async function scenarioA(nginx: Nginx): Promise<void> {
  const target = { url: nginx.url('/16b') };
  for (const c of (process.env.BENCH_CONCURRENCY ?? '1,50,256').split(',').map(Number)) {
    await keepAlive('(a) HTTP/1.1 keep-alive, 16-byte body', target, c, [
      ['tscurl perform/poll', tscurlPoll],
      ['tscurl socketAction', tscurlSocket],
      ['undici Pool', undiciPool],
      ['node:http Agent', nodeHttp],
      ['raw socket', rawSocket],
    ]);
  }
}

async function scenarioC(nginx: Nginx, caFile: string, ca: Buffer): Promise<void> {
  const target = { url: nginx.tlsUrl('/16b'), ca, caFile };
  await keepAlive('(c) HTTPS/1.1 keep-alive, 16-byte body', target, 50, [
    ['tscurl perform/poll', tscurlPoll],
    ['undici Pool', undiciPool],
    ['node:https Agent', nodeHttp],
    ['raw TLS socket', rawSocket],
  ]);
}

async function scenarioF(nginx: Nginx): Promise<void> {
  // the layers may cost at most 15% over the Multi they run on (issue 16): read the ratios to 'tscurl perform/poll';
  // 'a Promise per request' is what any Promise API on it pays before doing anything (the floor of the layers)
  const clients: [string, KeepAliveClient][] = [
    ['tscurl perform/poll', tscurlPoll],
    ['perform/poll, a Promise per request', promiseFloor],
    ['tscurl request() + text()', tscurlRequestText],
    ['tscurl request(), body stream', tscurlRequest],
    ['fetch on CurlDispatcher', tscurlFetch],
    ['tscurl/node-libcurl curly.get', curlyGet],
    ['undici.request', undiciRequestClient],
    ['undici fetch', undiciFetchClient],
  ];
  // node-libcurl 4/5 beside its drop-in, where its native addon loads (it cannot be installed on this project's machines)
  const nlc = nodeLibcurlCurly();
  if ('client' in nlc) clients.push(['node-libcurl curly.get', nlc.client]);
  else summary.push(`(f) ${nlc.missing}`);
  await keepAlive('(f) convenience layers, HTTP/1.1 keep-alive, 16-byte body', { url: nginx.url('/16b') }, 50, clients, true);
}

// ---- (b): one large download ----------------------------------------------------

async function scenarioB(nginx: Nginx): Promise<void> {
  const size = BIG_MIB * 1024 * 1024;
  const file = join(nginx.root, 'big.bin');
  closeSync(openSync(file, 'w'));
  truncateSync(file, size); // sparse: nginx's sendfile serves it from the page cache
  const url = nginx.url('/big.bin');
  const inProc = (name: string, client: DownloadClient): Contender => ({
    name,
    run: async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await client(url);
      const ms = performance.now() - t0;
      if (n !== size) throw new Error(`${name}: got ${n} bytes, expected ${size}`);
      return { 'MiB/s': BIG_MIB / (ms / 1000), 'CPU ms/GiB': (cpuSince(cpu0) / 1000) * (1024 / BIG_MIB) };
    },
  });
  const clients: [string, DownloadClient][] = [
    ['tscurl', tscurlDownload], ['undici request', undiciDownload], ['node:http', nodeHttpDownload], ['raw socket', rawDownload],
    ['raw socket, 1 MiB reads', rawDownload1M],
  ];
  for (const [, c] of clients) await c(url); // warm-up
  const contenders = [
    ...clients.map(([n, c]) => inProc(n, c)),
    {
      name: 'curl -o /dev/null',
      run: async () => {
        const r = await timedChild('/usr/bin/curl', ['-s', '-o', '/dev/null', url]);
        if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
        return { 'MiB/s': BIG_MIB / (r.wallMs / 1000), 'CPU ms/GiB': r.cpuMs * (1024 / BIG_MIB) };
      },
    },
  ];
  const med = await interleaved(contenders, REPS, log);
  summary.push(report(`(b) one ${BIG_MIB} MiB download, body counted, medians of ${REPS} (in one process, after a warm-up download)`, med, 'tscurl',
    { 'MiB/s': true, 'CPU ms/GiB': false }));

  // cold: every download in a fresh process, as a program fetching one file sees it
  const once = (name: string, client: string): Contender => ({
    name,
    run: async () => {
      const r = await childJson(process.execPath, [join(here, 'download-once.js'), client, url]);
      if (r.bytes !== size) throw new Error(`${name}: got ${r.bytes} bytes, expected ${size}`);
      return { 'MiB/s': BIG_MIB / (r.ms! / 1000), 'CPU ms/GiB': r.cpuMs! * (1024 / BIG_MIB) };
    },
  });
  const cold = await interleaved([once('tscurl', 'tscurl'), once('undici request', 'undici'), once('node:http', 'node:http'),
    once('raw socket', 'raw'), once('raw socket, 1 MiB reads', 'raw-1m')], Math.max(REPS, 5), log);
  summary.push(report(`(b cold) the same download, each in a fresh process (module loading not timed), medians of ${Math.max(REPS, 5)}`, cold, 'tscurl',
    { 'MiB/s': true, 'CPU ms/GiB': false }));
}

// ---- (g) and (h): HTTP/2 over TLS -------------------------------------------------

/** curl -Z over HTTP/2: curl waits for the connection to multiplex on (no --parallel-immediate). */
function curlParallelH2(target: Target, total: number, c: number): Contender {
  const args = ['-s', '-Z', '--http2', '--parallel-max', String(c), '-o', '/dev/null', '--cacert', target.caFile!, `${target.url}?[1-${total}]`];
  return {
    name: 'curl -Z --http2',
    run: async () => {
      const r = await timedChild('/usr/bin/curl', args);
      if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
      return { 'req/s': (total / r.wallMs) * 1000, 'CPU us/req': (r.cpuMs * 1000) / total };
    },
  };
}

async function scenarioH2Gets(nginx: Nginx, caFile: string, ca: Buffer): Promise<void> {
  const target = { url: nginx.tlsUrl('/16b'), ca, caFile };
  const c = 50;
  await tscurlH2(target, Math.min(2000, TOTAL), c); // warm-up
  await undiciH2(target, Math.min(2000, TOTAL), c);
  const med = await interleaved([
    inProcess('tscurl HTTP/2', tscurlH2, target, TOTAL, c),
    inProcess('undici allowH2', undiciH2, target, TOTAL, c),
    curlParallelH2(target, TOTAL, c),
  ], REPS, log);
  summary.push(report(`(g) HTTP/2 over TLS, ${TOTAL} GETs of 16 bytes as ${c} streams on one connection, medians of ${REPS}`, med,
    'tscurl HTTP/2', { 'req/s': true, 'CPU us/req': false }));
}

async function scenarioH2Download(nginx: Nginx, caFile: string): Promise<void> {
  const size = BIG_MIB * 1024 * 1024;
  const file = join(nginx.root, 'big.bin');
  if (!existsSync(file)) {
    closeSync(openSync(file, 'w'));
    truncateSync(file, size);
  }
  const url = nginx.tlsUrl('/big.bin');
  const one = (name: string, version: number): Contender => ({
    name,
    run: async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await tscurlDownloadVersion(url, caFile, version);
      const ms = performance.now() - t0;
      if (n !== size) throw new Error(`${name}: got ${n} bytes, expected ${size}`);
      return { 'MiB/s': BIG_MIB / (ms / 1000), 'CPU ms/GiB': (cpuSince(cpu0) / 1000) * (1024 / BIG_MIB) };
    },
  });
  await tscurlDownloadVersion(url, caFile, 4); // warm-up
  const med = await interleaved([one('tscurl HTTP/2', 4), one('tscurl HTTP/1.1', 2)], REPS, log);
  summary.push(report(`(h) one ${BIG_MIB} MiB download over TLS: HTTP/2 beside HTTP/1.1, medians of ${REPS}`, med, 'tscurl HTTP/2',
    { 'MiB/s': true, 'CPU ms/GiB': false }));
}

/** Run a node script that prints one JSON line; resolve with it. */
function childJson(cmd: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      try {
        resolve(JSON.parse(out) as Record<string, number>);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

// ---- (d): the CLI once per request ------------------------------------------------

function shellBatch(name: string, command: string, runs: number): Contender {
  // bash's `times` prints the children's user and system CPU (second line)
  const script = `for i in $(seq ${runs}); do ${command} || exit 1; done; times`;
  return {
    name,
    run: () => new Promise<Sample>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.once('close', (code) => {
        const wall = performance.now() - t0;
        if (code !== 0) return reject(new Error(`${name} failed (${code})`));
        const line = out.trim().split('\n').at(-1)!;
        const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
        if (secs.length !== 2) return reject(new Error(`cannot read times: ${out}`));
        resolve({ 'CPU ms/run': ((secs[0]! + secs[1]!) * 1000) / runs, 'wall ms/run': wall / runs });
      });
    }),
  };
}

async function scenarioD(nginx: Nginx): Promise<void> {
  const url = nginx.url('/16b');
  const node = process.execPath;
  const contenders = [
    shellBatch('tscurl -s -o /dev/null', `${node} ${CLI} -s -o /dev/null ${url}`, CLI_RUNS),
    shellBatch('tscurl (ES modules)', `${node} ${CLI_ESM} -s -o /dev/null ${url}`, CLI_RUNS),
    shellBatch('curl -s -o /dev/null', `/usr/bin/curl -s -o /dev/null ${url}`, CLI_RUNS),
    shellBatch('node -e 0', `${node} -e 0`, CLI_RUNS),
  ];
  for (const c of contenders) await c.run(); // warm the page cache
  const med = await interleaved(contenders, REPS, log);
  summary.push(report(`(d) CLI started once per request, ${CLI_RUNS} runs x ${REPS} batches (medians)`, med,
    'tscurl -s -o /dev/null', { 'CPU ms/run': false, 'wall ms/run': false }));
}

// ---- (e): scale -------------------------------------------------------------------

function scaleRun(mode: string, n: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'scale-client.js'), mode, String(n)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`scale-client ${mode} ${n} exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Sample);
    });
  });
}

async function scenarioE(): Promise<void> {
  const reps = Math.max(1, Math.min(REPS, 2));
  const rows = new Map<number, { t: Sample; raw: Sample }>();
  for (const n of SCALE_SIZES) {
    const ts: Sample[] = [];
    const raws: Sample[] = [];
    for (let r = 0; r < reps; r++) {
      ts.push(await scaleRun('tscurl', n));
      raws.push(await scaleRun('raw', n));
      log?.(`  ${n}: ${JSON.stringify(ts.at(-1))} raw ${JSON.stringify(raws.at(-1))}`);
    }
    const m = (xs: Sample[]): Sample => Object.fromEntries(Object.keys(xs[0]!).map((k) => [k, median(xs.map((x) => x[k]!))]));
    rows.set(n, { t: m(ts), raw: m(raws) });
  }
  const lines = [`(e) concurrent slow transfers through socketAction + SocketWatcher, medians of ${reps}`,
    '  transfers  CPU us/event (all / setup / answers)  events   bytes/transfer  raw socket  beyond socket'];
  for (const [n, { t, raw }] of rows) {
    lines.push(`  ${String(n).padStart(9)}  ${fmt(t.cpuUsPerEvent!).padStart(8)} / ${fmt(t.setupCpuUsPerEvent!).padStart(6)} / ${fmt(t.answerCpuUsPerEvent!).padStart(6)}` +
      `        ${fmt(t.events!).padStart(7)}  ${fmt(t.bytesPerTransfer!).padStart(14)}  ${fmt(raw.bytesPerTransfer!).padStart(10)}  ${fmt(t.bytesPerTransfer! - raw.bytesPerTransfer!).padStart(12)}`);
  }
  const [small, large] = [rows.get(SCALE_SIZES[0]!)!, rows.get(SCALE_SIZES.at(-1)!)!];
  lines.push(`  CPU per event at ${SCALE_SIZES.at(-1)} / at ${SCALE_SIZES[0]}: ${(large.t.cpuUsPerEvent! / small.t.cpuUsPerEvent!).toFixed(2)}x ` +
    `(answers only: ${(large.t.answerCpuUsPerEvent! / small.t.answerCpuUsPerEvent!).toFixed(2)}x)`);
  const text = lines.join('\n');
  console.log(text);
  summary.push(text);
}

// ---- (w): WebSocket messages through CurlDispatcher ---------------------------------

async function scenarioW(): Promise<void> {
  const srv = await startWsServer();
  try {
    const messages = QUICK ? 100 : 400;
    const contenders = wsContenders(srv.port, messages);
    // warm-up: JIT, the ws module
    for (const c of contenders) await c.run();
    const samples = await interleavedSamples(contenders, REPS, log);
    summary.push(report(`(w) undici WebSocket, ${messages} binary messages of 1 MiB from a ws server (its own process), medians of ${REPS}`,
      medians(samples), 'undici WebSocket on CurlDispatcher', { 'MiB/s': true, 'CPU ms/MiB': false }));
  } finally {
    srv.stop();
  }
}

// ---- main -------------------------------------------------------------------------

async function main(): Promise<void> {
  need(NGINX_BIN, 'nginx-light');
  need('/usr/bin/curl', 'curl');
  need('/usr/bin/time', 'time');
  if (SCENARIOS.has('d')) need(CLI, '(nothing: run `npm run build`, which bundles the CLI)');
  if (['c', 'g', 'h'].some((x) => SCENARIOS.has(x))) need('/usr/bin/openssl', 'openssl');
  console.log(`tscurl bench${QUICK ? ' (quick)' : ''}: scenarios ${[...SCENARIOS].join(' ')}; ${versions()}`);
  let nginx: Nginx | null = null;
  let certs: ReturnType<typeof testCerts> | null = null;
  let nginxH2: Nginx | null = null;
  if (['c', 'g', 'h'].some((x) => SCENARIOS.has(x))) certs = testCerts();
  if (['g', 'h'].some((x) => SCENARIOS.has(x))) {
    // nginx with http2 on its TLS port (and h2c on the plain one): HTTP/2 by ALPN
    nginxH2 = await startNginx({ tls: { cert: certs!.server.cert, key: certs!.server.key }, http2: true });
    writeFileSync(join(nginxH2.root, '16b'), '0123456789abcdef');
  }
  if (['a', 'b', 'c', 'd', 'f'].some((s) => SCENARIOS.has(s))) {
    const tlsCerts = SCENARIOS.has('c') ? certs : null;
    nginx = await startNginx(tlsCerts ? { tls: { cert: tlsCerts.server.cert, key: tlsCerts.server.key } } : {});
    writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
  }
  try {
    if (SCENARIOS.has('a')) await scenarioA(nginx!);
    if (SCENARIOS.has('b')) await scenarioB(nginx!);
    if (SCENARIOS.has('c')) await scenarioC(nginx!, certs!.caFile, readFileSync(certs!.caFile));
    if (SCENARIOS.has('d')) await scenarioD(nginx!);
    if (SCENARIOS.has('f')) await scenarioF(nginx!);
    if (SCENARIOS.has('g')) await scenarioH2Gets(nginxH2!, certs!.caFile, readFileSync(certs!.caFile));
    if (SCENARIOS.has('h')) await scenarioH2Download(nginxH2!, certs!.caFile);
  } finally {
    await nginx?.stop();
    await nginxH2?.stop();
  }
  if (SCENARIOS.has('e')) await scenarioE();
  if (SCENARIOS.has('w')) await scenarioW();
  console.log('\n==== summary ====\n' + summary.join('\n\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
