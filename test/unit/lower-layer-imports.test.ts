// The lower folders stay protocol-independent (issue 11): the authentication
// and cookie engines take plain arguments, and nothing they import, directly
// or through other modules, is the multi engine (where Transfer lives), a
// protocol handler, or the API handles that reach both. The glue that needs a
// transfer is the HTTP handler's (src/proto/http-auth.ts, http-cookies.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/unit/x.test.js -> the repository's src/
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Relative module specifiers of a TypeScript file (type-only imports too: they are the same dependency). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\('(\.[^']+)'\)/g)) out.push(m[1]!);
  return out;
}

/** Every src file reachable from `start` through relative imports. */
function reachable(start: string): Map<string, string> {
  const seen = new Map<string, string>(); // file -> the file that imported it
  const stack = [start];
  seen.set(start, '');
  while (stack.length > 0) {
    const f = stack.pop()!;
    for (const spec of importsOf(f)) {
      const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target) || seen.has(target)) continue;
      seen.set(target, f);
      stack.push(target);
    }
  }
  return seen;
}

const FORBIDDEN = ['multi/', 'proto/', 'easy/', 'cli/'];

for (const folder of ['auth', 'cookies']) {
  test(`src/${folder}/ reaches no engine, handler or API module`, () => {
    const files = readdirSync(join(SRC, folder)).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0);
    for (const f of files) {
      for (const [dep, via] of reachable(join(SRC, folder, f))) {
        const rel = relative(SRC, dep);
        assert.ok(!FORBIDDEN.some((p) => rel.startsWith(p)), `${folder}/${f} reaches ${rel} (imported by ${relative(SRC, via)})`);
      }
    }
  });
}
