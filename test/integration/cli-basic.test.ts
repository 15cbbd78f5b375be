// Runs dist/src/cli/main.js and /usr/bin/curl against the same raw loopback
// server and compares stdout, stderr (curl: -> tscurl:) and exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireProgram } from '../helpers/requires.js';
import { refusedPort } from '../helpers/ports.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CURL = '/usr/bin/curl';
const NO_CURL = requireProgram('curl', 'curl');
let server: net.Server;
let base = '';
let dir = '';

/** A tiny HTTP/1.1 responder: one request per connection, exact bytes. */
function respond(c: net.Socket, head: string, body: Buffer): void {
  const [reqLine, ...hdrs] = head.split('\r\n');
  const [method, path] = reqLine!.split(' ') as [string, string];
  const h = (n: string): string => hdrs.find((l) => l.toLowerCase().startsWith(n + ':'))?.slice(n.length + 1).trim() ?? '';
  let status = '200 OK';
  let content: Buffer;
  if (path.startsWith('/echo')) content = Buffer.from(`${method} ${path}\nua=${h('user-agent')} xt=${h('x-t')} ct=${h('content-type')}\n${body.toString()}\n`);
  else if (path.startsWith('/loop')) {
    // a redirect to itself, forever: only the redirect limit ends it
    c.end(`HTTP/1.1 302 Found\r\nLocation: ${path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    return;
  } else if (path === '/404') {
    status = '404 Not Found';
    content = Buffer.from('nope\n');
  } else content = Buffer.from(`hello ${path}\n`);
  const headers = `HTTP/1.1 ${status}\r\nContent-Length: ${content.length}\r\nX-A: 1\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n`;
  c.end(method === 'HEAD' ? headers : Buffer.concat([Buffer.from(headers), content]));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tscurl-cli-'));
  server = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    let done = false;
    c.on('error', () => {});
    c.on('data', (d) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      done = true;
      respond(c, head, buf.subarray(end + 4, end + 4 + len));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  // an empty HOME so no personal .curlrc takes part
  const env = { PATH: process.env.PATH ?? '', HOME: dir };
  const file = cmd === 'tscurl' ? process.execPath : cmd;
  const argv = cmd === 'tscurl' ? [MAIN, ...args] : args;
  return new Promise((resolve) => {
    execFile(file, argv, { env, timeout: 20000, encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function same(args: string[], opts: { stderr?: boolean } = {}): Promise<Run> {
  const mine = await run('tscurl', args);
  const ref = await run(CURL, args);
  assert.equal(mine.stdout, ref.stdout, `stdout for ${args.join(' ')}`);
  assert.equal(mine.code, ref.code, `exit code for ${args.join(' ')}`);
  if (opts.stderr !== false) assert.equal(mine.stderr, ref.stderr.replace(/\bcurl\b/g, 'tscurl'), `stderr for ${args.join(' ')}`);
  return mine;
}

test('GET body to stdout, -s', { skip: NO_CURL }, async () => {
  const r = await same(['-s', `${base}/a`]);
  assert.equal(r.stdout, 'hello /a\n');
});

test('-i includes headers; -I sends HEAD and shows headers', { skip: NO_CURL }, async () => {
  await same(['-s', '-i', `${base}/i`]);
  const r = await same(['-s', '-I', `${base}/h`]);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
});

test('-o writes the file; -D dumps headers', async () => {
  const out = join(dir, 'o.txt');
  const hdr = join(dir, 'h.txt');
  const r = await run('tscurl', ['-s', '-o', out, '-D', hdr, `${base}/file`]);
  assert.equal(r.code, 0);
  assert.equal(readFileSync(out, 'latin1'), 'hello /file\n');
  assert.match(readFileSync(hdr, 'latin1'), /^HTTP\/1\.1 200 OK\r\nContent-Length: 12\r\n.*\r\n\r\n$/s);
});

test('-d joins with & and POSTs; -H and -A reach the server', { skip: NO_CURL }, async () => {
  await same(['-s', '-d', 'a=1', '-d', 'b=2', '-H', 'X-T: y', '-A', 'ua/1', `${base}/echo`]);
  await same(['-s', '-X', 'PUT', '-A', 'ua/2', `${base}/echo/put`]);
  await same(['-s', '-G', '-d', 'q=1', '-d', 'r=2', '-A', 'ua/3', `${base}/echo/get`]);
  await same(['-s', '--json', '{"k":1}', '-A', 'ua/4', `${base}/echo/json`]);
  await same(['-s', '--data-urlencode', 'n=a b&c', '-A', 'ua/5', `${base}/echo/enc`]);
});

test('-w variables', { skip: NO_CURL }, async () => {
  await same(['-s', '-o', '/dev/null', '-w', '%{http_code} %{response_code} %{content_type} %header{x-a} %{size_download} %{exitcode} %{urlnum} %{method}\\n', `${base}/w`]);
});

test('globbing expands URLs in order', { skip: NO_CURL }, async () => {
  const r = await same(['-s', `${base}/g[1-3]{x,y}`]);
  assert.equal(r.stdout.split('\n').length, 7);
  await same(['-s', '-g', `${base}/[x]`]);
});

test('bad glob: curl message and exit 3', { skip: NO_CURL }, async () => {
  await same([`${base}/[1-`]);
});

test('-f fails with 22 on 404', { skip: NO_CURL }, async () => {
  await same(['-sS', '-f', `${base}/404`], { stderr: false });
  const r = await run('tscurl', ['-sS', '-f', `${base}/404`]);
  assert.equal(r.stderr, 'tscurl: (22) The requested URL returned error: 404\n');
});

test("-L stops after 50 redirects unless --max-redirs: the tool's default, not libcurl's", { skip: NO_CURL }, async () => {
  const r = await same(['-sS', '-L', `${base}/loop`]);
  assert.equal(r.code, 47);
  assert.equal(r.stderr, 'tscurl: (47) Maximum (50) redirects followed\n');
  await same(['-sS', '-L', '--max-redirs', '2', `${base}/loop`]);
});

test('connection refused: exit 7, silent unless -S', { skip: NO_CURL }, async () => {
  const port = await refusedPort();
  await same(['-s', `http://127.0.0.1:${port}/`]);
  const r = await run('tscurl', ['-sS', `http://127.0.0.1:${port}/`]);
  assert.equal(r.code, 7);
  assert.match(r.stderr, new RegExp(`^tscurl: \\(7\\) Failed to connect to 127\\.0\\.0\\.1 port ${port} after \\d+ ms: `));
});

test('-s, -S and --no-progress-meter apply to every --next group, wherever they stand (curl keeps them global)', { skip: NO_CURL }, async () => {
  const dead = `http://127.0.0.1:${await refusedPort()}/`;
  const ms = (r: Run): Run => ({ ...r, stderr: r.stderr.replace(/after \d+ ms/g, 'after N ms') });
  for (const args of [
    ['-s', dead, '--next', dead],
    [dead, '--next', '-s', dead],
    ['-s', dead, '--next', '-S', dead],
    ['-S', dead, '--next', '-s', dead],
    [`${base}/a`, '--next', '--no-progress-meter', `${base}/b`],
  ]) {
    const mine = ms(await run('tscurl', args));
    const ref = ms(await run(CURL, args));
    assert.equal(mine.stdout, ref.stdout, args.join(' '));
    assert.equal(mine.stderr, ref.stderr.replace(/\bcurl\b/g, 'tscurl'), args.join(' '));
    assert.equal(mine.code, ref.code, args.join(' '));
  }
});

test('parameter errors match curl', { skip: NO_CURL }, async () => {
  await same(['--foo']);
  await same(['--h']);
  await same(['-o']);
  await same(['--no-data', 'x']);
  await same(['-s']);
  await same(['-K', join(dir, 'missing.cfg')]);
  await same([]);
  await same(['-']);
});

test('exit code is the last transfer\'s; extra -o warns', { skip: NO_CURL }, async () => {
  await same(['-s', 'http://127.0.0.1:1/', `${base}/last`]);
  await same(['-s', `${base}/first`, 'http://127.0.0.1:1/']);
  await same(['-s', '-w', '%{onerror}err %{exitcode}\\n', 'http://127.0.0.1:1/', `${base}/x`]);
  const out = join(dir, 'extra.txt');
  await same(['--no-progress-meter', '-o', out, '-o', join(dir, 'unused.txt'), `${base}/extra`]);
});

test('options the tool cannot honour yet fail loudly with exit 4', async () => {
  const r = await run('tscurl', ['--negotiate', `${base}/`]);
  assert.equal(r.code, 4);
  assert.equal(r.stderr, "tscurl: option --negotiate: the installed libcurl version doesn't support this\ntscurl: try 'tscurl --help' or 'tscurl --manual' for more information\n");
});

test('config file, --next and variables', { skip: NO_CURL }, async () => {
  const cfg = join(dir, 'c.cfg');
  writeFileSync(cfg, `# comment\nsilent\nuser-agent = "ua/cfg"\nurl: "${base}/echo/cfg"\n`);
  await same(['-K', cfg]);
  await same(['-s', '-A', 'ua/n', `${base}/echo/one`, '--next', '-s', '-d', 'x=1', '-A', 'ua/m', `${base}/echo/two`]);
  const r = await run('tscurl', ['-s', '--variable', 'p=varpath', '--expand-url', `${base}/{{p}}`]);
  assert.equal(r.stdout, 'hello /varpath\n');
});

test('--version and --help', async () => {
  const v = await run('tscurl', ['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^tscurl \d+\.\d+\.\d+ \(/);
  const h = await run('tscurl', ['--help']);
  assert.match(h.stdout, /^Usage: tscurl \[options\.\.\.\] <url>\n/);
});
