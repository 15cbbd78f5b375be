// The compat layers (src/compat/*) are clients of tscurl: they import the
// public API (src/index.ts), each other and Node built-ins, nothing of the
// library's insides, so they stay what an application could have written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const COMPAT = join(SRC, 'compat');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('src/compat imports only src/index.ts, other compat modules and node: built-ins', () => {
  const found = files(COMPAT);
  assert.ok(found.length >= 10, `${found.length} compat files`);
  const bad: string[] = [];
  for (const file of found) {
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('node:')) continue;
      const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).split(sep).join('/') : spec;
      if (target === 'index.js' || target.startsWith('compat/')) continue;
      bad.push(`${relative(SRC, file)} -> ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});
