// The tool over HTTP/2 (issue 13, items 5 and 7): --http2-prior-knowledge,
// --http2 over TLS, --http1.1 forcing, -Z transfers multiplexed on one
// connection (PIPEWAIT unless --parallel-immediate), %{http_version}; and
// differential checks against /usr/bin/curl 7.88.1: the header fields a
// request arrives with and the exit codes of failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { testCerts } from '../helpers/certs.js';
import { startH2Server, answer, type H2Server } from '../helpers/h2-server.js';

const NO_CURL = requirePrograms(['curl', 'curl']);
const NO_OPENSSL = requirePrograms(['openssl', 'openssl']);

/** The header names of the last request, with the client's product name masked. */
function names(srv: H2Server): string {
  return srv.requests.at(-1)!.raw.map(([k, v]) => (k === 'user-agent' ? 'user-agent' : `${k}: ${v}`)).join('\n');
}

test('-Z --http2-prior-knowledge: the transfers multiplex on one connection; %{http_version} says 2', async () => {
  const srv = await startH2Server(answer((h) => `${h[':path']}\n`));
  try {
    const urls = Array.from({ length: 6 }, (_, i) => srv.url(`/z${i}`));
    const r = await tscurl(['-s', '-Z', '--http2-prior-knowledge', '-w', '%{http_version}\n', ...urls]);
    assert.equal(r.code, 0, r.stderr);
    // bodies and write-outs interleave as the streams complete
    for (let i = 0; i < 6; i++) assert.ok(r.stdout.includes(`/z${i}\n`), r.stdout);
    assert.equal(r.stdout.split('\n').filter((l) => l === '2').length, 6);
    assert.equal(srv.sessions, 1);
  } finally {
    await srv.close();
  }
});

test('--http2 over TLS negotiates h2; --http1.1 after it forces HTTP/1.1', { skip: NO_OPENSSL }, async () => {
  const srv = await startH2Server(answer('two'), { tls: true, allowHTTP1: true });
  srv.server.on('request', (req: { httpVersion: string }, res: { end(s: string): void }) => { if (req.httpVersion !== '2.0') res.end('one'); });
  try {
    const ca = testCerts().caFile;
    const a = await tscurl(['-s', '--cacert', ca, '--http2', '-w', ' %{http_version}', srv.url('/')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, 'two 2');
    const b = await tscurl(['-s', '--cacert', ca, '--http2', '--http1.1', '-w', ' %{http_version}', srv.url('/')]);
    assert.equal(b.stdout, 'one 1.1');
  } finally {
    await srv.close();
  }
});

test('differential: the header fields of a request over HTTP/2 are curl 7.88\'s', { skip: NO_CURL }, async () => {
  const srv = await startH2Server(answer('ok'));
  try {
    const cases: string[][] = [
      [],
      ['-d', 'a=b'],
      ['-H', 'X-Custom: 1', '-H', 'Connection: close', '-H', 'Host: other.test', '-H', 'TE: trailers'],
      ['-X', 'PUT', '-H', 'Accept:', '-H', 'Content-Type: text/plain', '--data-binary', 'xyz'],
      ['-I'],
      ['-r', '0-3', '-e', 'http://ref.test/', '-b', 'c=d'],
    ];
    for (const args of cases) {
      const c = await curl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', ...args, srv.url('/d?x=1')]);
      assert.equal(c.code, 0, `curl ${args.join(' ')}`);
      const want = names(srv);
      const t = await tscurl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', ...args, srv.url('/d?x=1')]);
      assert.equal(t.code, 0, `tscurl ${args.join(' ')}: ${t.stderr}`);
      assert.equal(names(srv), want, args.join(' '));
    }
  } finally {
    await srv.close();
  }
});

test('differential: exit codes of HTTP/2 failures are curl 7.88\'s (reset stream, HTTP/1 server, --fail)', { skip: NO_CURL }, async () => {
  const srv = await startH2Server((stream, h) => {
    if (h[':path'] === '/reset') {
      stream.respond({ ':status': 200 });
      stream.write('part');
      setImmediate(() => stream.destroy(new Error('reset')));
      return;
    }
    stream.respond({ ':status': 404 });
    stream.end('missing');
  });
  try {
    for (const args of [[srv.url('/reset')], ['-f', srv.url('/nope')]]) {
      const c = await curl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', ...args]);
      const t = await tscurl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', ...args]);
      assert.equal(t.code, c.code, args.join(' '));
    }
  } finally {
    await srv.close();
  }
});
