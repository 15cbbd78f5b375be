// Small helpers shared by the scenarios: medians, interleaved repetitions,
// child-process CPU through GNU time, and a plain-text table.
import { spawn } from 'node:child_process';

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One measurement of one contender: any named numbers (req/s, MB/s, CPU µs/req, ...). */
export type Sample = Record<string, number>;

export interface Contender {
  name: string;
  run: () => Promise<Sample>;
}

/**
 * Run every contender `reps` times, interleaved (rep 1: A B C, rep 2: B C A,
 * ...), so a noisy neighbour hits all of them alike. Returns per-contender
 * medians of every metric.
 */
export async function interleaved(contenders: Contender[], reps: number, log?: (s: string) => void): Promise<Map<string, Sample>> {
  return medians(await interleavedSamples(contenders, reps, log));
}

/** interleaved()'s runs, every sample kept (in rep order per contender). */
export async function interleavedSamples(contenders: Contender[], reps: number, log?: (s: string) => void): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + rep) % contenders.length]!;
      const s = await c.run();
      samples.get(c.name)!.push(s);
      log?.(`  rep ${rep + 1}/${reps} ${c.name}: ${Object.entries(s).map(([k2, v]) => `${k2}=${fmt(v)}`).join(' ')}`);
    }
  }
  return samples;
}

/** Per-contender medians of every metric. */
export function medians(samples: Map<string, Sample[]>): Map<string, Sample> {
  const out = new Map<string, Sample>();
  for (const [name, list] of samples) {
    const keys = Object.keys(list[0] ?? {});
    const m: Sample = {};
    for (const k of keys) m[k] = median(list.map((x) => x[k]!));
    out.set(name, m);
  }
  return out;
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Print medians as a table, then tscurl's ratio to each peer for every metric. */
export function report(title: string, med: Map<string, Sample>, ours: string, higherIsBetter: Record<string, boolean>): string {
  const lines: string[] = [title];
  const names = [...med.keys()];
  const keys = Object.keys(med.get(names[0]!) ?? {});
  const w = Math.max(...names.map((n) => n.length), 8);
  lines.push(`  ${'client'.padEnd(w)} ${keys.map((k) => k.padStart(14)).join(' ')}`);
  for (const n of names) {
    const m = med.get(n)!;
    lines.push(`  ${n.padEnd(w)} ${keys.map((k) => fmt(m[k]!).padStart(14)).join(' ')}`);
  }
  const o = med.get(ours);
  if (o) {
    for (const n of names) {
      if (n === ours) continue;
      const p = med.get(n)!;
      const parts = keys.filter((k) => k in higherIsBetter).map((k) => `${(o[k]! / p[k]!).toFixed(2)}x ${k}`);
      lines.push(`  ${ours} / ${n}: ${parts.join(', ')}`);
    }
  }
  const text = lines.join('\n');
  console.log(text);
  return text;
}

/**
 * Each contender's cost over `base` as the median of its per-rep ratios (a
 * rep's run of it against the same rep's run of `base`): a load that drifts
 * during the run moves both sides of a pair alike, which a ratio of medians
 * does not cancel. Costs: `higherIsBetter` metrics as base/contender, the
 * others as contender/base, so above 1 is slower than the base either way.
 */
export function pairedCosts(samples: Map<string, Sample[]>, base: string, higherIsBetter: Record<string, boolean>): string[] {
  const b = samples.get(base);
  if (!b) return [];
  const lines: string[] = [];
  for (const [name, list] of samples) {
    if (name === base) continue;
    const parts = Object.entries(higherIsBetter).map(([k, higher]) => {
      const ratios = list.map((x, i) => (higher ? b[i]![k]! / x[k]! : x[k]! / b[i]![k]!));
      return `${median(ratios).toFixed(2)}x by ${k}`;
    });
    lines.push(`  ${name} over ${base}, paired: ${parts.join(', ')}`);
  }
  return lines;
}

export interface ChildRun {
  wallMs: number;
  cpuMs: number; // user + sys of the child (and its children), from GNU time
  /** what the child wrote to stdout ('' when not kept) */
  stdout: string;
  outBytes: number;
  code: number;
}

/**
 * Run a command under /usr/bin/time to get its CPU time (resolution 10 ms).
 * `keepStdout` false: its stdout is drained and only counted (a client that
 * writes megabytes of responses).
 */
export function timedChild(cmd: string, args: string[], keepStdout = true): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '@@TIME@@ %U %S', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let outBytes = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (keepStdout) out += d.toString('latin1');
    });
    child.stderr.setEncoding('latin1').on('data', (d: string) => { err += d; });
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /@@TIME@@ ([\d.]+) ([\d.]+)/.exec(err);
      if (!m) return reject(new Error(`no timing from ${cmd}: ${err.slice(-500)}`));
      resolve({ wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, stdout: out, outBytes, code: code ?? -1 });
    });
  });
}

/** CPU (user+sys) in µs of this process between two calls. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}
