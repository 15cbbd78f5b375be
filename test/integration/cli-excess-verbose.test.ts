// The whole -v stderr (and --trace-ascii) of tscurl against /usr/bin/curl
// 7.88 on the same loopback servers, for what the thirteenth session fixed:
//
// 1. bytes past a Content-Length body in the read that ends the head: the
//    whole read traced, "Excess found in a read: ...", the connection closed;
// 2. bytes after a response without a body (204, 304, HEAD, Content-Length:
//    0): "Excess found: ... (zero-length body)". curl 7.88 then keeps the
//    connection and reads what follows as the next response; tscurl closes
//    it (a deliberate difference: its last line says "Closing connection 0"
//    where curl's says "left intact", and a second URL connects again);
// 3. the progress meter's last line, before the lines about the connection
//    (libcurl prints it when each request is done), with -#, and the
//    parallel meter of -Z (its header after the first perform's lines, also
//    with -s, as curl 7.88 shows it);
// 4. a proxy CONNECT: "allocate connect buffer", what a header means said
//    after the header, and how a refusal's body is read or not;
// and, found on the way, bodies that end with the connection: "no chunk, no
// close, no size", the empty read traced when no body came ("[0 bytes
// data]"), an overflowing Content-Length.
//
// Timings show in the meters only: their lines are masked (and runs of them
// merged). A piece the server writes after a pause is a read of its own
// unless a loaded machine merges it: a run whose outputs differ is tried
// again a bounded number of times, a real difference stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl, normalise, type CliRun } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { startScriptServer, type ScriptConn, type ScriptServer } from '../helpers/script-server.js';
import { startProxyServer, type ProxyAnswer, type ProxyRequest, type ProxyServer } from '../helpers/proxy-server.js';
import { refusedPort } from '../helpers/ports.js';

const NO_CURL = requireProgram('curl', 'curl');
const ATTEMPTS = 4;
const GAP_MS = 80;

const CLOSE = '<close>';
const SMUGGLED = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nBAD';
const BIG = 'x'.repeat(200_000);

/** Path -> the pieces of the reply, written GAP_MS apart. */
const REPLIES: Record<string, string[]> = {
  '/excess': ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA'],
  '/excess-later': ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na', 'bcEXTRA'],
  '/204': [`HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n${SMUGGLED}`],
  '/304': [`HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n${SMUGGLED}`],
  '/head': ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'],
  '/zero': ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nzz'],
  '/redirect-excess': ['HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 2\r\n\r\nxxEXTRA'],
  // the excess goes on in a later write: curl 7.88 reads that part as its next reply
  '/204-split': ['HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n', 'Content-Length: 3\r\n\r\nBAD'],
  '/moved': ['HTTP/1.1 302 Found\r\nLocation: /big\r\nContent-Length: 2\r\n\r\nxx'],
  '/big': [`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n${BIG}`],
  '/ok': ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood'],
  // bodies that end with the connection (CLOSE: the server closes there)
  '/until-close': ['HTTP/1.1 200 OK\r\nX-A: b\r\n\r\nbody', CLOSE],
  '/empty-close': ['HTTP/1.1 200 OK\r\n\r\n', CLOSE],
  '/http10-empty': ['HTTP/1.0 200 OK\r\n\r\n', CLOSE],
  '/cut-length': ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', CLOSE],
  '/overflow': ['HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhi', CLOSE],
};

/** Answers every request on a connection (keep-alive) with its REPLIES pieces. */
async function answer(c: ScriptConn): Promise<void> {
  for (let n = 1; n <= 4; n++) {
    if (!(await c.waitFor((b) => b.toString('latin1').split('\r\n\r\n').length > n))) return;
    const head = c.received().toString('latin1').split('\r\n\r\n')[n - 1]!;
    const path = /^[A-Z]+ ([^\s?]+)/.exec(head.trimStart())?.[1] ?? '/';
    const pieces = REPLIES[path] ?? REPLIES['/ok']!;
    for (let i = 0; i < pieces.length; i++) {
      if (pieces[i] === CLOSE) return c.end();
      if (i > 0) await new Promise((r) => setTimeout(r, GAP_MS));
      c.write(pieces[i]!);
    }
  }
}

let srv: ScriptServer;
before(async () => {
  srv = await startScriptServer(answer);
});
after(async () => {
  await srv.close();
});

const url = (path: string): string => `http://127.0.0.1:${srv.port}${path}`;

/** What differs by nature: the bundle's pointer, the connect time, the meters' numbers, the size of each read of a big body. */
function plain(s: string, reads = false): string {
  let out = normalise(s)
    .replace(/^((== Info: |\* )Found bundle for host: )0x[0-9a-f]+/gm, '$10xPTR')
    .replace(/after \d+ ms/g, 'after N ms')
    .replace(/\r(?!\n)[^\r\n*]*/g, '\r[meter]')
    .replace(/(\r\[meter\])+/g, '\r[meter]')
    .replace(/\r\n/g, '\n');
  if (reads) out = out.replace(/^(\{ \[)\d+( bytes data\]\n)+/gm, '$1N bytes data]\n');
  return out;
}

/** A failed CONNECT: tscurl exits 7 as curl 8 does (and curl's own test 94 expects), curl 7.88 with 56. */
const TUNNEL_FAILED = { ours: 7, theirs: 56 };

/** Both tools' `pick` for `args`, tried again while they differ; returns [ours, curl's] after `fix` on curl's. */
async function both(args: string[], pick: (r: CliRun) => string, fix = (s: string): string => s, reads = false, codes?: { ours: number; theirs: number }): Promise<[string, string, CliRun]> {
  let ours = '';
  let theirs = '';
  let run: CliRun | null = null;
  for (let i = 0; i < ATTEMPTS; i++) {
    const [o, t] = await Promise.all([tscurl(args), curl(args)]);
    if (codes) assert.deepEqual([o.code, t.code], [codes.ours, codes.theirs], o.stderr);
    else assert.equal(o.code, t.code, o.stderr);
    run = o;
    ours = plain(pick(o), reads);
    theirs = fix(plain(pick(t), reads));
    if (ours === theirs) break;
  }
  return [ours, theirs, run!];
}

async function same(args: string[], pick: (r: CliRun) => string, fix?: (s: string) => string, reads = false, codes?: { ours: number; theirs: number }): Promise<string> {
  const [ours, theirs] = await both(args, pick, fix, reads, codes);
  assert.equal(ours, theirs, args.join(' '));
  return ours;
}

const stderr = (r: CliRun): string => r.stderr;
const stdout = (r: CliRun): string => r.stdout;
const A = ['-A', 'excess-test'];
/** tscurl closes the connection that had excess on it where curl 7.88 keeps it (CHANGELOG). */
const closes = (s: string): string => s.replace(/^\* Connection #0 to host 127\.0\.0\.1 left intact\n/m, '* Closing connection 0\n');

test('excess past a Content-Length body in the head\'s read: the whole read traced, "Excess found in a read", closed (-v, --trace-ascii)', { skip: NO_CURL }, async () => {
  const v = await same(['-sv', ...A, url('/excess')], stderr);
  assert.match(v, /^\{ \[8 bytes data\]\n\* Excess found in a read: excess = 5, size = 3, maxdownload = 3, bytecount = 0\n\* Closing connection 0\n$/m);
  const ascii = await same(['-s', ...A, '--trace-ascii', '-', url('/excess')], stdout);
  assert.match(ascii, /<= Recv data, 8 bytes \(0x8\)\n0000: abcEXTRA\n/);
  // the body itself is the 3 bytes
  assert.ok(ascii.includes('\nabc== Info: Closing connection 0\n'));
});

test('excess in a later read is not read by curl 7.88 (it keeps the connection): the body traced alone, tscurl closes', { skip: NO_CURL }, async () => {
  const v = await same(['-sv', ...A, url('/excess-later')], stderr, closes);
  assert.doesNotMatch(v, /Excess found/);
});

for (const [path, extra, excess] of [['/204', [], 41], ['/304', [], 41], ['/head', ['-I'], 5], ['/zero', [], 2]] as const) {
  test(`a response without a body followed by bytes (${path}): "Excess found: ... (zero-length body)", and tscurl closes`, { skip: NO_CURL }, async () => {
    const v = await same(['-sv', ...A, ...extra, `${url(path)}?q=1`], stderr, closes);
    assert.match(v, new RegExp(`^\\* Excess found: excess = ${excess} url = ${path} \\(zero-length body\\)\\n\\* Closing connection 0\\n`, 'm'));
  });
}

test('two URLs after a 204 with a body: curl 7.88 reuses the connection, tscurl connects again; the second reply is the server\'s', { skip: NO_CURL }, async () => {
  const args = ['-sv', ...A, url('/204'), url('/ok')];
  const [ours, theirs, run] = await both(args, stderr);
  // the same up to the end of the first transfer, but for the deliberate difference
  const first = (s: string): string => s.slice(0, s.indexOf('(zero-length body)\n') + 19);
  assert.equal(first(ours), first(theirs));
  assert.match(theirs, /\(zero-length body\)\n\* Connection #0 to host 127\.0\.0\.1 left intact\n/);
  assert.match(ours, /\(zero-length body\)\n\* Closing connection 0\n\* Hostname 127\.0\.0\.1 was found in DNS cache\n/);
  assert.equal(run.stdout, 'good');
  // the rest of the bytes of the 204's body come after a pause: curl 7.88 would read them as the second reply
  const split = await tscurl(['-s', ...A, url('/204-split'), url('/ok')]);
  assert.equal(split.code, 0, split.stderr);
  assert.equal(split.stdout, 'good');
});

test('-L: the ignored redirect body with excess is traced whole after "Ignoring the response-body", without "Excess found"', { skip: NO_CURL }, async () => {
  const [ours, theirs] = await both(['-sv', '-L', ...A, url('/redirect-excess')], stderr);
  const upTo = (s: string): string => s.slice(0, s.indexOf('* Issue another request'));
  assert.equal(closes(upTo(theirs)), upTo(ours));
  assert.match(ours, /\* Ignoring the response-body\n\{ \[7 bytes data\]\n\* Closing connection 0\n/);
});

test('the meter\'s last line comes before the line about the connection, per request (-L) and after a failure, as curl\'s', { skip: NO_CURL }, async () => {
  const big = await same(['-v', ...A, '-o', '/dev/null', url('/big')], stderr, undefined, true);
  assert.match(big, /\{ \[N bytes data\]\n\r\[meter\]\n\* Connection #0 to host 127\.0\.0\.1 left intact\n$/);
  const follow = await same(['-v', ...A, '-L', '-o', '/dev/null', url('/moved')], stderr, undefined, true);
  assert.equal(follow.split('\r[meter]\n* Connection #0 to host 127.0.0.1 left intact\n').length, 3, follow);
  // a closed port: the last line, then "Closing connection 0", then the error
  const port = await refusedPort();
  const refused = await same(['-v', ...A, `http://127.0.0.1:${port}/`], stderr);
  assert.match(refused, /\r\[meter\]\n\* Closing connection 0\ntscurl: \(7\) /);
});

test('the -# bar\'s last state before "left intact", its newline after, as curl\'s', { skip: NO_CURL }, async () => {
  const bar = await same(['-#', '-v', ...A, '-o', '/dev/null', url('/big'), '-o', '/dev/null', url('/big')], stderr, undefined, true);
  assert.equal(bar.split('\r[meter]* Connection #0 to host 127.0.0.1 left intact\n\n').length, 3, bar);
});

test('-Z: the parallel meter\'s header after the first perform\'s lines, its last line at the end; with -s too', { skip: NO_CURL }, async () => {
  const two = ['-o', '/dev/null', url('/big'), '-o', '/dev/null', url('/big')];
  const v = await same(['-Z', '-v', ...A, ...two], stderr, undefined, true);
  assert.match(v, /^\*   Trying 127\.0\.0\.1:\d+\.\.\.\n(.*\n)*DL% UL%  Dled/);
  const s = await same(['-Z', '-s', ...A, ...two], stderr);
  assert.match(s, /^DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n\r\[meter\]\n$/);
  await same(['-Z', '-s', '-v', ...A, ...two], stderr, undefined, true);
  // --no-progress-meter hides it
  const quiet = await tscurl(['-Z', '--no-progress-meter', ...A, ...two]);
  assert.equal(quiet.stderr, '');
});

test('bodies that end with the connection: "no chunk, no close, no size", "[0 bytes data]" when none came, an overflowing Content-Length', { skip: NO_CURL }, async () => {
  const v = await same(['-sv', ...A, url('/until-close')], stderr);
  assert.match(v, /^< X-A: b\n\* no chunk, no close, no size\. Assume close to signal end\n< \n\{ \[4 bytes data\]\n/m);
  const empty = await same(['-sv', ...A, url('/empty-close')], stderr);
  assert.match(empty, /^< \n\{ \[0 bytes data\]\n\* Closing connection 0\n$/m);
  const ascii = await same(['-s', ...A, '--trace-ascii', '-', url('/empty-close')], stdout);
  assert.match(ascii, /^<= Recv data, 0 bytes \(0x0\)\n/m);
  const old = await same(['-sv', ...A, url('/http10-empty')], stderr);
  assert.doesNotMatch(old, /no chunk/);
  assert.match(old, /\{ \[0 bytes data\]\n/);
  const cutShort = await same(['-sv', ...A, url('/cut-length')], stderr);
  assert.match(cutShort, /^\{ \[0 bytes data\]\n\* transfer closed with 5 bytes remaining to read\n/m);
  const overflow = await same(['-sv', ...A, url('/overflow')], stderr);
  assert.match(overflow, /^< HTTP\/1\.1 200 OK\n\* Overflow Content-Length: value\n< Content-Length: 9+\n< \n/m);
});

// ---- CONNECT through a proxy ------------------------------------------------

const CHUNKED_407 = 'HTTP/1.1 407 Proxy Auth Required\r\nProxy-Authenticate: Basic realm="p"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';

async function withProxy(handler: (req: ProxyRequest) => ProxyAnswer, body: (proxy: string) => Promise<void>): Promise<void> {
  const p: ProxyServer = await startProxyServer(handler);
  try {
    await body(`http://127.0.0.1:${p.port}`);
  } finally {
    await p.close();
  }
}

/** The origin behind the tunnel: any host name is the script server. */
const origin = (path: string): string => `http://origin.test:${srv.port}${path}`;

test('CONNECT answered 407 with a chunked body: "allocate connect buffer", "CONNECT responded chunked" after its header, the body ignored (-v, --trace-ascii)', { skip: NO_CURL }, async () => {
  await withProxy(() => ({ data: CHUNKED_407 }), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, origin('/ok')], stderr, undefined, false, TUNNEL_FAILED);
    assert.match(v, /^\* Connected to .*\n\* allocate connect buffer\n\* Establish HTTP proxy tunnel to origin\.test:\d+\n/m);
    assert.match(v, /^< Transfer-Encoding: chunked\n\* CONNECT responded chunked\n< \n\* Ignore chunked response-body\n\* chunk reading DONE\n\* CONNECT tunnel failed, response 407\n/m);
    await same(['-s', ...A, '--trace-ascii', '-', '-p', '-x', proxy, origin('/ok')], stdout, undefined, false, TUNNEL_FAILED);
  });
});

test('CONNECT refusals: a 407\'s Content-Length body ignored, a 403\'s not read, a 407 after failed credentials not read', { skip: NO_CURL }, async () => {
  await withProxy(() => ({ data: 'HTTP/1.1 407 Proxy Auth Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 5\r\n\r\nhello' }), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, origin('/ok')], stderr, undefined, false, TUNNEL_FAILED);
    assert.match(v, /^< \n\* Ignore 5 bytes of response-body\n\* CONNECT tunnel failed, response 407\n/m);
  });
  await withProxy(() => ({ data: 'HTTP/1.1 403 Nope\r\nContent-Length: 5\r\n\r\nhello' }), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, origin('/ok')], stderr, undefined, false, TUNNEL_FAILED);
    assert.match(v, /^< \n\* CONNECT tunnel failed, response 403\n/m);
  });
  // --proxy-anyauth: the first 407 is answered on the same connection, the second is an authentication problem
  await withProxy(() => ({ data: CHUNKED_407 }), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, '--proxy-anyauth', '-U', 'u:p', origin('/ok')], stderr, undefined, false, TUNNEL_FAILED);
    assert.equal(v.split('* allocate connect buffer\n').length, 2, v);
    assert.match(v, /Authentication problem\. Ignoring this\.\n< Transfer-Encoding: chunked\n\* CONNECT responded chunked\n< \n\* CONNECT tunnel failed, response 407\n/);
  });
});

test('CONNECT 200 with Content-Length and Transfer-Encoding, and a 407 that closes before a retry on a new connection', { skip: NO_CURL }, async () => {
  await withProxy(() => ({ tunnel: true, statusLine: 'HTTP/1.1 200 OK', extraHeaders: 'Content-Length: 0\r\nTransfer-Encoding: chunked\r\n' }), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, origin('/ok')], stderr);
    assert.match(v, /^< Content-Length: 0\n\* Ignoring Content-Length in CONNECT 200 response\n< Transfer-Encoding: chunked\n\* Ignoring Transfer-Encoding in CONNECT 200 response\n/m);
  });
  const closing: ProxyAnswer = { data: 'HTTP/1.1 407 Proxy Auth Required\r\nProxy-Authenticate: Basic realm="p"\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello', close: true };
  await withProxy((req) => (req.headers.has('proxy-authorization') ? { tunnel: true } : closing), async (proxy) => {
    const v = await same(['-sv', ...A, '-p', '-x', proxy, '--proxy-anyauth', '-U', 'u:p', origin('/ok')], stderr);
    // one tunnel state for both connections: no second "allocate connect buffer"
    assert.equal(v.split('* allocate connect buffer\n').length, 2, v);
    assert.match(v, /\* Ignore 5 bytes of response-body\n\* Connect me again please\n/);
  });
});
