// --manual and --help [category|all]: the manual is embedded (it works from
// a copy of dist/src alone, as in an installed package); the help
// categories are laid out as curl's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscurl, curl, run } from '../helpers/cli-run.js';
import { CLI_OPTIONS } from '../../src/cli/option-table.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-man-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--manual prints the whole manual: sections and every option with its description', async () => {
  const r = await tscurl(['--manual']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const man = r.stdout;
  for (const h of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'URL', 'OPTIONS', 'EXIT CODES', 'ENVIRONMENT']) assert.match(man, new RegExp(`^${h}$`, 'm'));
  for (const o of CLI_OPTIONS) {
    const title = `${o.short ? `-${o.short}, ` : ''}--${o.long}${o.arg ? ` ${o.arg}` : ''}`;
    assert.ok(man.includes(`\n       ${title}\n`), title);
  }
  assert.match(man, /--trace <file>\n {14}Save a full trace dump of all incoming and outgoing data/);
  const short = await tscurl(['-M']);
  assert.equal(short.stdout, man);
});

test('--manual works from an installed copy with no docs around it', async () => {
  const dist = fileURLToPath(new URL('../../src', import.meta.url));
  const pkg = join(dir, 'node_modules', 'tscurl');
  cpSync(dist, join(pkg, 'dist', 'src'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'tscurl', type: 'module' }));
  // the tldts dependency is not needed for --manual
  const r = await run(process.execPath, [join(pkg, 'dist', 'src', 'cli', 'main.js'), '--manual'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\n {7}curl - transfer a URL\n/);
});

test('--help category lists curl\'s categories; unknown ones get the list', { skip: NO_CURL }, async () => {
  const [o, t] = await Promise.all([tscurl(['--help', 'category']), curl(['--help', 'category'])]);
  assert.equal(o.code, 0);
  const ours = o.stdout.split('\n');
  assert.equal(ours[0], 'Usage: tscurl [options...] <url>');
  // curl 7.88's categories are all there, in the same words (8.x added a few)
  for (const line of t.stdout.split('\n').slice(1)) assert.ok(ours.includes(line), line);
  const bad = await tscurl(['--help', 'nosuch']);
  assert.equal(bad.stdout, `Usage: tscurl [options...] <url>\nInvalid category provided, here is a list of all categories:\n\n${ours.slice(1).join('\n')}`);
});

test('--help all and --help CATEGORY: one row per option, curl\'s columns', async () => {
  const all = await tscurl(['--help', 'all']);
  const rows = all.stdout.split('\n').slice(1, -1);
  assert.equal(rows.length, CLI_OPTIONS.length);
  for (const row of rows) assert.match(row, /^ (-., |    )--[a-z0-9.-]+( <[^>]+>| \S+)? +\S/);
  const http = await tscurl(['--help', 'http']);
  const lines = http.stdout.split('\n');
  assert.equal(lines[1], 'http: HTTP and HTTPS protocol options');
  assert.ok(lines.some((l) => /^ {5}--retry-all-errors/.test(l)) === false);
  assert.ok(lines.some((l) => /^ -f, --fail +Fail fast with no output on HTTP errors$/.test(l)));
  const curlCat = await tscurl(['--help', 'curl']);
  for (const o of ['--retry <num>', '--parallel', '--libcurl <file>', '--fail-early']) assert.ok(curlCat.stdout.includes(o), o);
});
