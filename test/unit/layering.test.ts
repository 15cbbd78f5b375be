// The layering of src/ (docs/architecture.md), checked on the sources: the
// lower folders import nothing from the multi engine, the protocol handlers,
// the Easy handle or the CLI (type-only imports and import() types count:
// "Transfer is not imported below the handlers"), and no hand-written file
// grows past 600 lines. Imports are read with TypeScript's own pre-processor,
// which skips comments and strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// dist/test/unit/ -> the repository's src/
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** The folders below the protocol handlers (test/unit/lower-layer-imports.test.ts also follows auth/ and cookies/ transitively). */
const LOWER = ['transport', 'cf', 'conn', 'http1', 'h2', 'url', 'dns', 'vtls', 'util', 'cw', 'cr', 'ws', 'proxy', 'auth', 'cookies', 'hsts', 'altsvc'];
/** Lower folders allowed to reach above for now (none since the HTTP per-transfer state moved into src/proto/). */
const NOT_YET = new Set<string>([]);

/** Where a lower folder must not reach (paths relative to src/, '/' separated). */
function forbidden(target: string): boolean {
  return target.startsWith('multi/') || target.startsWith('proto/') || target.startsWith('cli/') || target === 'easy/easy.ts';
}

/** Generated tables may be long. */
const LONG_ALLOWED = new Set([
  'easy/option-table.ts', 'easy/info-table.ts', 'cli/manual-data.ts', 'multi/mopt-table.ts', 'codes-table.ts',
]);
const MAX_LINES = 600;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (file: string): string => relative(SRC, file).split(sep).join('/');

/** The src/-relative .ts files a source imports (relative specifiers only; node:* and packages are not layers). */
function importsOf(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => rel(resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** "from -> to" for every import of a lower folder that reaches above it. */
function violations(files: { file: string; text: string }[], skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const from = rel(file);
    const folder = from.split('/')[0]!;
    if (!LOWER.includes(folder) || skip.has(folder)) continue;
    for (const to of importsOf(file, text)) if (forbidden(to)) out.push(`${from} -> ${to}`);
  }
  return out;
}

const files = sourceFiles(SRC).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

test('the checker sees the sources and every kind of import', () => {
  assert.ok(files.length > 150, `${files.length} files under ${SRC}`);
  // a known import, to be sure paths resolve as expected
  const http = files.find((f) => rel(f.file) === 'proto/http.ts')!;
  assert.ok(importsOf(http.file, http.text).includes('http1/response-parser.ts'));
  // a made-up lower file with each form: type-only, re-export, import() type, dynamic import; none in comments or strings
  const fake = {
    file: join(SRC, 'cw', 'fake.ts'),
    text: [
      "import type { Transfer } from '../multi/transfer.js';",
      "export { HTTP_HANDLER } from '../proto/http-handler.js';",
      "let e: import('../easy/easy.js').Easy;",
      "const m = await import('../cli/main.js');",
      "// import { x } from '../multi/engine.js';",
      "const s = \"import { y } from '../proto/http.js'\";",
      "import { CURLOPT } from '../easy/option-table.js';",
    ].join('\n'),
  };
  assert.deepEqual(violations([fake], new Set()), [
    'cw/fake.ts -> multi/transfer.ts',
    'cw/fake.ts -> proto/http-handler.ts',
    'cw/fake.ts -> easy/easy.ts',
    'cw/fake.ts -> cli/main.ts',
  ]);
});

test('the lower folders import nothing from the engine, the protocol handlers, the Easy handle or the CLI', () => {
  assert.deepEqual(violations(files, NOT_YET), []);
});

test(`no hand-written source file is over ${MAX_LINES} lines`, () => {
  const long = files
    .filter(({ file }) => !LONG_ALLOWED.has(rel(file)))
    .map(({ file, text }) => ({ name: rel(file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${f.name}: ${f.lines} lines`);
  assert.deepEqual(long, []);
});

test('the HPACK codec (src/h2/hpack*.ts) imports nothing but itself, codes.ts and util/', () => {
  const hpack = files.filter(({ file }) => /^h2\/hpack[^/]*\.ts$/.test(rel(file)));
  assert.ok(hpack.length >= 3);
  const out = hpack.flatMap(({ file, text }) =>
    importsOf(file, text)
      .filter((to) => !/^h2\/hpack[^/]*\.ts$/.test(to) && to !== 'codes.ts' && !to.startsWith('util/'))
      .map((to) => `${rel(file)} -> ${to}`));
  assert.deepEqual(out, []);
});
