// Summarise a .cpuprofile (node --cpu-prof): self time per function, and the
// same folded per source file, top N. Usage: node dist/bench/profile-top.js FILE [N]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
const prof = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? 40);
const total = prof.nodes.reduce((s, n) => s + n.hitCount, 0);
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of prof.nodes) {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/.*\/dist\//, '').replace(/^node:/, 'node:') || '(native)';
  const key = `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount);
  byFile.set(file, (byFile.get(file) ?? 0) + n.hitCount);
}
const show = (m: Map<string, number>, n: number): void => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
// inclusive ("total") time: each sample counts once for every distinct function on its stack
const parent = new Map<number, Node>();
const byId = new Map<number, Node>(prof.nodes.map((n) => [n.id, n]));
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n);
const keyOf = (n: Node): string => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/.*\/dist\//, '') || '(native)';
  return `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}`;
};
const inclusive = new Map<string, number>();
for (const n of prof.nodes) {
  if (!n.hitCount) continue;
  const seen = new Set<string>();
  for (let p: Node | undefined = n; p; p = parent.get(p.id)) {
    const k = keyOf(p);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + n.hitCount);
  }
}
void byId;
console.log(`samples: ${total}\n-- self time by function`);
show(byFn, top);
console.log('-- total (inclusive) time by function, tscurl code');
show(new Map([...inclusive].filter(([k]) => k.includes(' src/'))), top);
console.log('-- self time by file');
show(byFile, 25);
