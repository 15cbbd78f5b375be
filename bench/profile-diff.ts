// Where does a layer spend beyond its base? Two .cpuprofile files (node
// --cpu-prof) of runs of N requests each: self time per request by function,
// both runs side by side, sorted by the difference; then the same by file.
// (idle) is left out: only time on the CPU counts.
//
//   node dist/bench/profile-diff.js BASE.cpuprofile N LAYER.cpuprofile N [top]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** µs of self time per request, by function and by file. */
function selfTime(file: string, requests: number): { byFn: Map<string, number>; byFile: Map<string, number>; total: number } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = nodes.get(prof.samples[i]!)!;
    // a sample's time is the delta to the next sample
    const dt = prof.timeDeltas[i + 1] ?? 0;
    const f = n.callFrame;
    if (f.functionName === '(idle)') continue;
    const src = f.url.replace(/^file:\/\/.*\/dist\//, '') || '(native)';
    const key = `${f.functionName || '(anon)'} ${src}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + dt / requests);
    byFile.set(src, (byFile.get(src) ?? 0) + dt / requests);
    total += dt / requests;
  }
  return { byFn, byFile, total };
}

const [baseFile, baseN, layerFile, layerN, topArg] = process.argv.slice(2);
const base = selfTime(baseFile!, Number(baseN));
const layer = selfTime(layerFile!, Number(layerN));
const top = Number(topArg ?? 40);

function show(title: string, a: Map<string, number>, b: Map<string, number>, n: number): void {
  console.log(`-- ${title}: base µs/req, layer µs/req, difference`);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((k) => [k, a.get(k) ?? 0, b.get(k) ?? 0] as const).sort((x, y) => y[2] - y[1] - (x[2] - x[1]));
  for (const [k, x, y] of rows.slice(0, n)) {
    console.log(`${x.toFixed(2).padStart(7)} ${y.toFixed(2).padStart(7)} ${(y - x >= 0 ? '+' : '') + (y - x).toFixed(2).padStart(6)}  ${k}`);
  }
}

console.log(`on-CPU per request: base ${base.total.toFixed(1)} µs, layer ${layer.total.toFixed(1)} µs`);
show('self time by function', base.byFn, layer.byFn, top);
show('self time by file', base.byFile, layer.byFile, 30);
