// Unix domain sockets (path and Linux abstract namespace), local binding
// (INTERFACE, LOCALPORT, LOCALPORTRANGE), TCP keep-alive and the pool's age
// limits, over real sockets on this machine only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl, verboseLines as verbose } from '../helpers/fetch.js';
import { startNginx } from '../helpers/nginx.js';
import { requireProgram } from '../helpers/requires.js';

const NO_NGINX = requireProgram('nginx', 'nginx-light');

/** A node:http server on a Unix socket path (or an abstract name with a leading NUL) answering its Host header. */
async function unixHttpServer(path: string, tag = ''): Promise<{ server: Server; connections: () => number }> {
  let n = 0;
  const server = createServer((req, res) => res.end(`${tag}host=${req.headers.host}`));
  server.on('connection', () => n++);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { server, connections: () => n };
}
const closeServer = (s: Server | NetServer): Promise<void> => new Promise((r) => s.close(() => r()));

test('UNIX_SOCKET_PATH: HTTP over a Unix socket, Host from the URL, the connection reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-unix-'));
  const path = join(dir, 'http.sock');
  const { server, connections } = await unixHttpServer(path);
  const e = new Easy();
  try {
    let body = '';
    e.setopt(CURLOPT.URL, 'http://unix.test/x');
    e.setopt(CURLOPT.UNIX_SOCKET_PATH, path);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
    const lines = verbose(e);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(body, 'host=unix.test');
    assert.equal(e.getinfo(CURLINFO.PRIMARY_IP), path);
    assert.equal(e.getinfo(CURLINFO.PRIMARY_PORT), 0);
    assert.ok(lines.includes(`  Trying ${path}:0...`), lines.join('\n'));
    assert.ok(lines.includes(`Connected to unix.test (${path}) port 80 (#${e.getinfo(CURLINFO.CONN_ID)})`), lines.join('\n'));
    body = '';
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(body, 'host=unix.test');
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0);
    assert.equal(connections(), 1);
    e.cleanup();
    await closeServer(server);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('UNIX_SOCKET_PATH: the path is part of the pool key; a TCP transfer does not reuse it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-unix-'));
  const one = await unixHttpServer(join(dir, 'one.sock'), 'one ');
  const two = await unixHttpServer(join(dir, 'two.sock'), 'two ');
  const tcp = await startRawServer(() => ok('tcp'));
  const e = new Easy();
  try {
    let body = '';
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${tcp.port}/`);
    const run = async (path: string | null): Promise<string> => {
      body = '';
      e.setopt(CURLOPT.UNIX_SOCKET_PATH, path);
      assert.equal(await e.perform(), CURLE.OK);
      return body;
    };
    assert.equal(await run(join(dir, 'one.sock')), `one host=127.0.0.1:${tcp.port}`);
    assert.equal(await run(join(dir, 'two.sock')), `two host=127.0.0.1:${tcp.port}`);
    assert.equal(await run(null), 'tcp');
    assert.equal(await run(join(dir, 'one.sock')), `one host=127.0.0.1:${tcp.port}`);
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0, 'the first socket\'s connection was pooled and reused');
    assert.equal(one.connections() + two.connections() + tcp.connections, 3);
    e.cleanup();
    for (const s of [one.server, two.server]) await closeServer(s);
  } finally {
    await tcp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ABSTRACT_UNIX_SOCKET: Linux abstract namespace; it and UNIX_SOCKET_PATH are one setting', async () => {
  const name = `tscurl-test-${process.pid}-${Date.now()}`;
  const { server } = await unixHttpServer(`\0${name}`);
  const e = new Easy();
  try {
    let body = '';
    e.setopt(CURLOPT.URL, 'http://abstract.test/');
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
    e.setopt(CURLOPT.UNIX_SOCKET_PATH, '/nonexistent/never.sock');
    e.setopt(CURLOPT.ABSTRACT_UNIX_SOCKET, name); // replaces the path
    const lines = verbose(e);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(body, 'host=abstract.test');
    assert.ok(lines.includes('  Trying :0...'), 'libcurl prints the sockaddr path, empty for an abstract name');
    e.setopt(CURLOPT.UNIX_SOCKET_PATH, '/nonexistent/never.sock'); // and the path replaces the abstract name
    assert.equal(await e.perform(), CURLE.COULDNT_CONNECT);
  } finally {
    e.cleanup();
    await closeServer(server);
  }
});

test('UNIX_SOCKET_PATH: a missing socket is CURLE_COULDNT_CONNECT named by the URL host', async () => {
  const path = join(tmpdir(), `tscurl-missing-${process.pid}.sock`);
  let lines: string[] = [];
  const r = await fetchUrl('http://nosock.test/', (e) => {
    e.setopt(CURLOPT.UNIX_SOCKET_PATH, path);
    lines = verbose(e);
  });
  assert.equal(r.code, CURLE.COULDNT_CONNECT);
  assert.match(r.easy.errorBuffer, /^Failed to connect to nosock\.test port 80 after \d+ ms: Couldn't connect to server$/);
  assert.ok(lines.includes(`Immediate connect fail for ${path}: No such file or directory`), lines.join('\n'));
  r.easy.cleanup();
});

test('UNIX_SOCKET_PATH: nginx listening on a Unix socket', { skip: NO_NGINX }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-ngx-unix-'));
  const path = join(dir, 'nginx.sock');
  const ngx = await startNginx({ serverExtra: `listen unix:${path};` });
  try {
    writeFileSync(join(ngx.root, 'hello.txt'), 'hello over a unix socket\n');
    const e = new Easy();
    try {
      let body = '';
      e.setopt(CURLOPT.URL, 'http://localhost/hello.txt');
      e.setopt(CURLOPT.UNIX_SOCKET_PATH, path);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
      for (let i = 0; i < 3; i++) {
        body = '';
        assert.equal(await e.perform(), CURLE.OK);
        assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 200);
        assert.equal(body, 'hello over a unix socket\n');
      }
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0, 'keep-alive over the Unix socket');
    } finally {
      e.cleanup();
    }
  } finally {
    await ngx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A TCP listener that only holds a port busy. */
async function holdPort(): Promise<{ port: number; server: NetServer }> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

test('LOCALPORT: a busy port is CURLE_INTERFACE_FAILED; LOCALPORTRANGE moves on to the next', async () => {
  const srv = await startRawServer(() => ok('b'));
  try {
    const busy = await holdPort();
    try {
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.LOCALPORT, busy.port));
      assert.equal(r.code, CURLE.INTERFACE_FAILED);
      assert.equal(r.easy.errorBuffer, 'bind failed with errno 98: Address already in use');
      let lines: string[] = [];
      const ranged = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.LOCALPORT, busy.port);
        e.setopt(CURLOPT.LOCALPORTRANGE, 20);
        lines = verbose(e);
      });
      assert.equal(ranged.code, CURLE.OK);
      const local = ranged.easy.getinfo(CURLINFO.LOCAL_PORT) as number;
      assert.ok(local > busy.port && local < busy.port + 20, `local port ${local}`);
      assert.ok(lines.includes(`Bind to local port ${busy.port} failed, trying next`));
      assert.ok(lines.includes(`Local port: ${local}`));
      assert.equal(new Easy().setopt(CURLOPT.LOCALPORT, 65536), CURLE.BAD_FUNCTION_ARGUMENT);
      for (const x of [r, ranged]) x.easy.cleanup();
    } finally {
      await new Promise<void>((res) => busy.server.close(() => res()));
    }
  } finally {
    await srv.close();
  }
});

test('INTERFACE: host!ADDRESS and if!NAME bind the source address; unknown ones fail with 45', async () => {
  let peer = '';
  const server = createServer((req, res) => res.end(String(req.socket.remoteAddress)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}/`;
    let lines: string[] = [];
    const two = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.INTERFACE, 'host!127.0.0.2');
      lines = verbose(e);
    });
    assert.equal(two.code, CURLE.OK);
    peer = two.body;
    assert.equal(peer, '127.0.0.2', 'the server saw the bound source address');
    assert.equal(two.easy.getinfo(CURLINFO.LOCAL_IP), '127.0.0.2');
    assert.ok(lines.includes("Name '127.0.0.2' family 2 resolved to '127.0.0.2' family 2"));
    assert.ok(lines.includes('Local port: 0'));
    const bare = await fetchUrl(url, (e) => e.setopt(CURLOPT.INTERFACE, '127.0.0.3'));
    assert.equal(bare.body, '127.0.0.3');
    const lo = await fetchUrl(url, (e) => e.setopt(CURLOPT.INTERFACE, 'if!lo'));
    assert.equal(lo.code, CURLE.OK);
    assert.equal(lo.body, '127.0.0.1');
    const noIf = await fetchUrl(url, (e) => e.setopt(CURLOPT.INTERFACE, 'if!nosuchif0'));
    assert.equal(noIf.code, CURLE.INTERFACE_FAILED);
    assert.equal(noIf.easy.errorBuffer, "Couldn't bind to interface 'nosuchif0'");
    const wrongFamily = await fetchUrl(url, (e) => e.setopt(CURLOPT.INTERFACE, 'host!::1'));
    assert.equal(wrongFamily.code, CURLE.INTERFACE_FAILED);
    assert.equal(wrongFamily.easy.errorBuffer, "Couldn't bind to '::1'");
    for (const x of [two, bare, lo, noIf, wrongFamily]) x.easy.cleanup();
  } finally {
    await closeServer(server);
  }
});

/** The kernel's view of our socket: /proc/net/tcp's "tr" (2 = keep-alive timer armed) and when it fires (1/100 s). */
function tcpTimer(localPort: number): { tr: number; when: number } | undefined {
  const hex = localPort.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hex}`) && f[3] === '01') {
      const [tr, when] = f[5]!.split(':');
      return { tr: parseInt(tr!, 16), when: parseInt(when!, 16) };
    }
  }
  return undefined;
}

test('TCP_KEEPALIVE and TCP_KEEPIDLE arm the kernel keep-alive timer', async () => {
  const srv = await startRawServer(() => ok('k'));
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    const on = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.TCP_KEEPALIVE, 1);
      e.setopt(CURLOPT.TCP_KEEPIDLE, 300);
    });
    const off = await fetchUrl(url);
    assert.equal(on.code, CURLE.OK);
    // both connections stay open in their handles' pools: read the kernel's timers for them; while a
    // segment is still unacknowledged (a loaded machine) the kernel shows the retransmit timer (1) instead
    let a = tcpTimer(on.easy.getinfo(CURLINFO.LOCAL_PORT) as number);
    for (let i = 0; i < 40 && a?.tr === 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      a = tcpTimer(on.easy.getinfo(CURLINFO.LOCAL_PORT) as number);
    }
    const b = tcpTimer(off.easy.getinfo(CURLINFO.LOCAL_PORT) as number);
    assert.ok(a && b, 'both sockets are established');
    assert.equal(a.tr, 2, 'keep-alive timer pending');
    assert.ok(a.when > 200 * 100 && a.when <= 300 * 100, `fires in about 300 s (${a.when / 100} s)`);
    assert.notEqual(b.tr, 2, 'no keep-alive timer without TCP_KEEPALIVE');
    for (const x of [on, off]) x.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('MAXAGE_CONN: an idle connection older than the limit is closed instead of reused', async () => {
  const srv = await startRawServer(() => ok('m'));
  try {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      const lines = verbose(e);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 1, 'the default (118 s) keeps it');
      e.setopt(CURLOPT.MAXAGE_CONN, 0);
      await new Promise((r) => setTimeout(r, 1100)); // idle for over a second
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 2);
      assert.ok(lines.some((l) => /^Too old connection \(\d+ seconds idle\), disconnect it$/.test(l)), lines.join('\n'));
      e.setopt(CURLOPT.MAXAGE_CONN, 118);
      e.setopt(CURLOPT.MAXLIFETIME_CONN, 1);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 2, 'young enough');
      await new Promise((r) => setTimeout(r, 2100)); // the connection is now over a second old
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.connections, 3);
      assert.ok(lines.some((l) => /^Too old connection \(\d+ seconds since creation\), disconnect it$/.test(l)), lines.join('\n'));
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});
