// --libcurl FILE: the generated program, with its import pointed at the
// built library, runs under node and fetches the same bytes as the tool;
// it also type-checks as TypeScript against the library's declarations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, run } from '../helpers/cli-run.js';

const INDEX_JS = fileURLToPath(new URL('../../src/index.js', import.meta.url));
let server: RawServer;
let base = '';
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-libcurl-'));
  server = await startRawServer((req) => {
    const body = Buffer.concat([Buffer.from(`${req.method} ${req.target} h=${req.headers.get('x-a') ?? '-'} body=`), req.body, Buffer.from('\n')]);
    return { data: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]) };
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The generated source with its import pointing at the built library. */
function localise(src: string, target: string): string {
  assert.match(src, /^import \{ Easy, CURLOPT \} from 'tscurl';$/m);
  return src.replace("from 'tscurl'", `from '${target}'`);
}

test('--libcurl writes a program that performs the same transfers', async () => {
  const file = join(dir, 'gen.mjs');
  const args = ['-s', '--libcurl', file, '-H', 'X-A: 1', '-d', 'k=v&x=\u00e9', '-m', '5', `${base}/one`, '--next', `${base}/two`];
  const tool = await tscurl(args);
  assert.equal(tool.code, 0, tool.stderr);
  const src = readFileSync(file, 'utf8');
  // every option the tool set, with its name, in order
  const one = src.indexOf('CURLOPT.URL, "' + base + '/one"');
  assert.ok(one > 0 && src.indexOf('CURLOPT.URL, "' + base + '/two"') > one);
  assert.match(src, /hnd\.setopt\(CURLOPT\.TIMEOUT_MS, 5000\);/);
  assert.match(src, /hnd\.setopt\(CURLOPT\.HTTPHEADER, \[\n {4}"X-A: 1",\n {2}\]\);/);
  assert.match(src, /CURLOPT_WRITEFUNCTION was set to a function/);
  assert.equal(src.match(/ret = await hnd\.perform\(\);/g)?.length, 2);
  assert.equal(src.match(/hnd = new Easy\(\);/g)?.length, 2);
  writeFileSync(file, localise(src, pathToFileURL(INDEX_JS).href));
  const prog = await run(process.execPath, [file]);
  assert.equal(prog.code, 0, prog.stderr);
  // the same bytes the tool printed: the POST (UTF-8 é), then a plain GET after --next
  assert.equal(prog.stdout, tool.stdout);
  assert.equal(prog.stdout, 'POST /one h=1 body=k=v&x=\u00c3\u00a9\nGET /two h=- body=\n');
});

test('--libcurl - prints the program; it type-checks as TypeScript', async () => {
  const tool = await tscurl(['-s', '--libcurl', '-', '-o', join(dir, 'out'), `${base}/ts`]);
  assert.equal(tool.code, 0);
  const tsFile = join(dir, 'gen.mts');
  writeFileSync(tsFile, localise(tool.stdout, INDEX_JS.replace(/\.js$/, '.js')));
  const program = ts.createProgram([tsFile], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], skipLibCheck: true,
    typeRoots: [fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))],
  });
  const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diags, []);
});

test('the tool asks for a 100 KiB receive buffer, or the --limit-rate rate when smaller, as curl does', async () => {
  const plain = await tscurl(['-s', '--libcurl', '-', '-o', join(dir, 'out'), `${base}/buf`]);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /hnd\.setopt\(CURLOPT\.BUFFERSIZE, 102400\);\n\s*hnd\.setopt\(CURLOPT\.URL,/);
  const limited = await tscurl(['-s', '--limit-rate', '2000', '--libcurl', '-', '-o', join(dir, 'out'), `${base}/buf`]);
  assert.equal(limited.code, 0);
  assert.match(limited.stdout, /hnd\.setopt\(CURLOPT\.BUFFERSIZE, 2000\);/);
  const fast = await tscurl(['-s', '--limit-rate', '1M', '--libcurl', '-', '-o', join(dir, 'out'), `${base}/buf`]);
  assert.match(fast.stdout, /hnd\.setopt\(CURLOPT\.BUFFERSIZE, 102400\);/);
});
