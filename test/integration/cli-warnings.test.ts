// The tool's parse-time warnings and `-w @file` as curl 7.88.1 prints and
// reads them, each compared with /usr/bin/curl on the same command line:
// warnings are cut at 79 columns with "Warning: " on each line; "-w @file"
// goes through file2string(), which drops every CR/LF (and the rest of a line
// after a lone CR) and warns "Failed to read F" with no newline when it got
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { tscurl, assertSameAsCurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { formatFromFile } from '../../src/cli/args.js';

const NO_CURL = requireProgram('curl', 'curl');
let server: RawServer;
let url = '';
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-warn-'));
  server = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }));
  url = `http://127.0.0.1:${server.port}/x`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sameAsCurl = (args: string[]): Promise<void> => assertSameAsCurl(args, { cwd: dir });

test('-w @file: line ends dropped as file2string() drops them', { skip: NO_CURL }, async () => {
  writeFileSync(join(dir, 'lines'), '%{http_code}\nnext\n');
  writeFileSync(join(dir, 'crlf'), 'a\r\nb\rlost\nc');
  // a line longer than fgets()'s 255 bytes is read in pieces, each cut at its own CR
  writeFileSync(join(dir, 'long'), 'x'.repeat(300) + '\ry'.repeat(2) + '\n%{http_code}');
  for (const f of ['lines', 'crlf', 'long']) await sameAsCurl(['-s', '-o', '/dev/null', '-w', `@${f}`, url]);
});

test('-w @file that gives nothing: "Failed to read" with no newline, the transfer goes on', { skip: NO_CURL }, async () => {
  writeFileSync(join(dir, 'empty'), '');
  for (const f of ['empty', 'missing']) await sameAsCurl(['--no-progress-meter', '-o', '/dev/null', '-w', `@${f}`, url]);
  const r = await tscurl(['--no-progress-meter', '-o', '/dev/null', '-w', '@missing', url], { cwd: dir });
  assert.equal(r.stderr, 'Warning: Failed to read missing');
});

test('long parse-time warnings are cut at 79 columns as warnf() cuts them', { skip: NO_CURL }, async () => {
  const long = join(dir, 'a/rather/long/path/to/a/file/that/is/not/there.txt');
  await sameAsCurl(['--no-progress-meter', '-o', '/dev/null', '-d', `@${long}`, '-H', `@${long}`, url]);
});

test('formatFromFile keeps multi-byte text whole across fgets() pieces', () => {
  const text = 'é'.repeat(200); // 400 bytes: the 255-byte cut falls inside a character
  assert.equal(formatFromFile(Buffer.from(text + '\n')), text);
});
