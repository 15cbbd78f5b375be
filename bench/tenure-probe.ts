// Which per-request objects does V8 allocate straight in the old generation?
//   node --allow-natives-syntax dist/bench/tenure-probe.js [count]
// V8 "pretenures" an allocation site (an object or array literal) once most of
// its objects survived a scavenge; from then on they are born old, die old,
// and only a full collection frees them, and whatever young objects they were
// given (pushed elements, field values) survives with them until then
// (`node --trace-gc`: the heap after each scavenge keeps growing until a
// Mark-Compact). This runs keep-alive GETs at concurrency 50 against the
// suite's nginx (perform/poll), then checks every finished transfer: for each
// object reachable from it through public properties and first seen in this
// request, whether it is still in the young generation. Counts per path,
// most old first. Private (#) fields are out of its reach.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx } from '../test/helpers/nginx.js';
import { tscurlPoll } from './keepalive-clients.js';
import { internalsOf } from '../src/easy/internals.js';

let inYoung: (o: object) => boolean;
try {
  inYoung = new Function('o', 'return %InYoungGeneration(o)') as (o: object) => boolean;
} catch {
  console.error('run with: node --allow-natives-syntax dist/bench/tenure-probe.js [count]');
  process.exit(2);
}

const count = Number(process.argv[2] ?? 5000);
/** long-lived objects a transfer points at: not per request */
const SKIP = new Set(['easy', 'opts', 'conn', 'transport', 'socket']);
const seen = new WeakSet<object>();
const stats = new Map<string, { old: number; young: number }>();

function walk(o: unknown, path: string, depth: number): void {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return;
  if (seen.has(o)) return; // seen in an earlier request (or this one): not per-request, or counted
  seen.add(o);
  const s = stats.get(path) ?? { old: 0, young: 0 };
  stats.set(path, s);
  if (inYoung(o)) s.young++;
  else s.old++;
  if (depth >= 4 || typeof o === 'function' || ArrayBuffer.isView(o)) return;
  if (o instanceof Map || o instanceof Set) {
    let i = 0;
    for (const v of o.values()) if (i++ < 4) walk(v, `${path}{}`, depth + 1);
    return;
  }
  if (Array.isArray(o)) {
    for (let i = 0; i < Math.min(o.length, 4); i++) walk(o[i], `${path}[]`, depth + 1);
    return;
  }
  for (const k of Object.keys(o)) if (!SKIP.has(k)) walk((o as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
}

const nginx = await startNginx({});
try {
  writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
  const url = nginx.url('/16b');
  await tscurlPoll({ url }, 20_000, 50); // warm up: let V8 make its decisions
  await tscurlPoll({ url }, count, 50, (easy) => walk(internalsOf(easy)?.transfer, 'transfer', 0));
  console.log('   old  young  path (objects first seen in a request; old = allocated in the old generation)');
  const rows = [...stats].filter(([, s]) => s.old + s.young >= count / 10).sort((a, b) => b[1].old - a[1].old);
  for (const [p, s] of rows) console.log(`${String(s.old).padStart(6)} ${String(s.young).padStart(6)}  ${p}`);
} finally {
  await nginx.stop();
}
