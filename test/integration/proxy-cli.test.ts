// The CLI's proxy flags over loopback: -x, -U, -p, --proxy-digest /
// --proxy-anyauth, --noproxy, --proxy-header, --suppress-connect-headers,
// --proxy1.0, -w %{http_connect} and the exit code of a refused CONNECT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startProxyServer, proxyAuthRequired } from '../helpers/proxy-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Asynchronous: the servers live in this process. An empty environment: no proxy variables leak in. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'latin1', timeout: 20_000, env }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ status: err ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
    });
  });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('-x -U: a forwarded request with Proxy-Authorization and Proxy-Connection', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nfwd' }));
  try {
    const r = await runCli(['-s', '-x', `127.0.0.1:${proxy.port}`, '-U', 'a:b', '-A', 'ua', '--proxy-header', 'X-P: 1', 'http://o.example/p']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'fwd');
    assert.equal(proxy.requests[0]!.head, `GET http://o.example/p HTTP/1.1\r\nHost: o.example\r\nProxy-Authorization: Basic ${b64('a:b')}\r\n` +
      'User-Agent: ua\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\nX-P: 1\r\n\r\n');
  } finally {
    await proxy.close();
  }
});

test('-p --proxy-anyauth: 407 then Basic in the CONNECT, -i shows the CONNECT responses, -w %{http_connect}', async () => {
  const origin = await startRawServer(() => ok('tun'));
  const proxy = await startProxyServer((q) => q.headers.get('proxy-authorization') ? { tunnel: true } : proxyAuthRequired('Basic realm="x"'));
  try {
    const r = await runCli(['-s', '-i', '-p', '-x', `127.0.0.1:${proxy.port}`, '-U', 'a:b', '--proxy-anyauth',
      '-w', '%{http_connect} %{http_code}\n', `http://o.example:${origin.port}/`]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout,
      'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\nContent-Length: 6\r\n\r\n' +
      'HTTP/1.1 200 Connection established\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntun200 200\n');
    const s = await runCli(['-s', '-i', '-p', '--suppress-connect-headers', '-x', `127.0.0.1:${proxy.port}`, '-U', 'a:b', '--proxy-basic',
      `http://o.example:${origin.port}/`]);
    assert.equal(s.stdout, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntun');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a refused CONNECT: exit 7 and curl\'s message; --proxy1.0 sends an HTTP/1.0 CONNECT', async () => {
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n' }));
  try {
    const r = await runCli(['-sS', '--proxy1.0', `127.0.0.1:${proxy.port}`, '-p', '-w', '%{http_code} %{http_connect}\n', 'http://o.example/']);
    assert.equal(r.status, 7);
    assert.equal(r.stdout, '000 405\n');
    assert.equal(r.stderr, 'tscurl: (7) CONNECT tunnel failed, response 405\n');
    assert.match(proxy.requests[0]!.head, /^CONNECT o\.example:80 HTTP\/1\.0\r\n/);
  } finally {
    await proxy.close();
  }
});

test('--noproxy and the environment: http_proxy is used by the library, --noproxy and -x "" bypass it', async () => {
  const origin = await startRawServer(() => ok('direct'));
  const proxy = await startProxyServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied' }));
  try {
    const url = `http://127.0.0.1:${origin.port}/`;
    const env = { http_proxy: `http://127.0.0.1:${proxy.port}` };
    assert.equal((await runCli(['-s', url], env)).stdout, 'proxied');
    assert.equal((await runCli(['-s', '--noproxy', '127.0.0.1', url], env)).stdout, 'direct');
    assert.equal((await runCli(['-s', '-x', '', url], env)).stdout, 'direct');
    assert.equal((await runCli(['-s', url], { HTTP_PROXY: `127.0.0.1:${proxy.port}` })).stdout, 'direct');
    assert.equal((await runCli(['-s', '-x', `127.0.0.1:${proxy.port}`, '--noproxy', '*', url])).stdout, 'direct');
  } finally {
    await proxy.close();
    await origin.close();
  }
});
