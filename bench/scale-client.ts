// Scenario (e), one size, in a process of its own (run with --expose-gc):
//   node --expose-gc dist/bench/scale-client.js tscurl|raw N
// Starts the slow server, opens N concurrent transfers to it, measures memory
// while all N sit idle waiting for their answers (heapUsed + external after
// GC, minus the same before), then lets them finish. tscurl is driven through
// socketAction() + SocketWatcher as an application would; CPU per socket
// event = this process's CPU / socketAction() calls. "raw" does the same with
// bare net sockets, to tell what the socket itself costs.
// Prints one JSON line on stdout.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Easy, CURLOPT } from '../src/index.js';
import { socketLoop } from '../test/helpers/socket-loop.js';

const mode = process.argv[2] ?? 'tscurl';
let N = Number(process.argv[3] ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function openFileLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

function mem(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

interface Server {
  port: number;
  held: Promise<number>;
  stop(): void;
}

async function startSlowServer(expect: number): Promise<Server> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [join(here, 'slow-server.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, EXPECT: String(expect) },
  });
  const rl = createInterface({ input: child.stdout! });
  let heldResolve: (n: number) => void = () => {};
  const held = new Promise<number>((r) => { heldResolve = r; });
  const port = await new Promise<number>((resolve) => {
    rl.on('line', (line) => {
      const [k, v] = line.split(' ');
      if (k === 'port') resolve(Number(v));
      if (k === 'held') heldResolve(Number(v));
    });
  });
  return { port, held, stop: () => child.stdin!.end() };
}

async function runTscurl(url: string): Promise<Record<string, number>> {
  let failures = 0;
  let bytes = 0;
  const loop = socketLoop((_easy, result) => { if (result !== 0) failures++; });
  const sink = (d: Buffer): number => {
    bytes += d.length;
    return d.length;
  };
  const base = mem();
  const cpu0 = process.cpuUsage();
  const handles: Easy[] = [];
  for (let i = 0; i < N; i++) {
    const e = new Easy();
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.WRITEFUNCTION, sink);
    handles.push(e);
    loop.multi.addHandle(e);
  }
  const server = current!;
  await server.held;
  const cpu1 = process.cpuUsage(cpu0);
  const calls1 = loop.calls;
  const idle = mem();
  const cpu2start = process.cpuUsage();
  await loop.doneAfter(N);
  const cpu2 = process.cpuUsage(cpu2start);
  const calls2 = loop.calls - calls1;
  loop.close();
  for (const e of handles) e.cleanup();
  if (failures) throw new Error(`${failures} transfers failed`);
  if (bytes !== 16 * N) throw new Error(`got ${bytes} body bytes, expected ${16 * N}`);
  return {
    bytesPerTransfer: (idle - base) / N,
    setupCpuUsPerEvent: (cpu1.user + cpu1.system) / calls1,
    answerCpuUsPerEvent: (cpu2.user + cpu2.system) / calls2,
    cpuUsPerEvent: (cpu1.user + cpu1.system + cpu2.user + cpu2.system) / (calls1 + calls2),
    events: calls1 + calls2,
  };
}

async function runRaw(port: number): Promise<Record<string, number>> {
  const base = mem();
  const request = Buffer.from(`GET /slow HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const socks: net.Socket[] = [];
  let done = 0;
  let finish: () => void = () => {};
  const all = new Promise<void>((r) => { finish = r; });
  for (let i = 0; i < N; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => s.write(request));
    s.on('data', () => {
      if (++done === N) finish();
    });
    s.on('error', (e) => { throw e; });
    socks.push(s);
  }
  await current!.held;
  const idle = mem();
  await all;
  for (const s of socks) s.destroy();
  return { bytesPerTransfer: (idle - base) / N };
}

let current: Server | null = null;

async function main(): Promise<void> {
  const limit = openFileLimit();
  if (limit < N + 256) {
    console.error(`scale: ${N} transfers need more than ${N + 256} open files; this process may open ${limit}. ` +
      `Raise it (as root: ulimit -n 65536; npm run bench does this when it may).`);
    process.exit(2);
  }
  // a warm-up round first, so that JIT compilation is not charged to the
  // small size's events (and both sizes are measured with optimised code)
  const WARM = 200;
  const measuredN = N;
  N = WARM;
  current = await startSlowServer(WARM);
  if (mode === 'raw') await runRaw(current.port);
  else await runTscurl(`http://127.0.0.1:${current.port}/slow`);
  current.stop();
  N = measuredN;
  current = await startSlowServer(N);
  const url = `http://127.0.0.1:${current.port}/slow`;
  const r = mode === 'raw' ? await runRaw(current.port) : await runTscurl(url);
  current.stop();
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
