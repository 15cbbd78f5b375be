// Connection reuse and -v against /usr/bin/curl 7.88.1, the whole stderr:
// serial reuse ("Found bundle for host: %p [serially]", "Can not multiplex,
// even if we wanted to", "Re-using existing connection"), a redirect and an
// authentication round on the same connection, and -Z, where the tool sets
// CURLOPT_PIPEWAIT and libcurl 7.88 takes a plain http:// transfer as one that
// could multiplex (HTTP_VERSION defaults to 2TLS): the 2nd and later wait
// ("Server doesn't support multiplex yet, wait", "No connections available.")
// until the first is done, then one reuses its connection and the others
// open their own, one after another ("Transfer was pending, now try
// another"). --parallel-immediate and --http1.1 do not wait. Over TLS the
// waiting ends when ALPN tells (nginx: h2, multiplexed on one connection;
// http/1.1, a connection each).
//
// The server holds the requests that must all be in flight (hold-server.ts):
// no timing orders the events. What stays racy in curl itself is the order
// in which simultaneous answers are read: the output is compared exactly up
// to the first held answer (or the end of the queue's wake-ups), the rest as
// a sorted set of lines. Normalised: pointers, dates, the User-Agent, the
// tool's name, the TLS handshake lines tscurl does not print, connect times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { holdServerPerFile } from '../helpers/hold-server.js';
import { startNginx } from '../helpers/nginx.js';
import { testCerts } from '../helpers/certs.js';
import { startProxyServer } from '../helpers/proxy-server.js';

const NO_CURL = requirePrograms(['curl', 'curl']);
const NO_NGINX = requirePrograms(['curl', 'curl'], ['nginx', 'nginx-light'], ['openssl', 'openssl']);

const hold = holdServerPerFile();

/** Lines curl 7.88 prints about TLS records and settings that tscurl does not (tls-cli.test.ts compares those). */
const TLS_ONLY = /^\* TLSv1\.\d \((IN|OUT)\)|^[{}] \[\d+ bytes data\]$|^\*  CApath:|^\* SSL connection using|^\* old SSL session ID is stale|^\* SSL re-using session ID/;

function normalise(s: string, tls: boolean): string[] {
  return s
    .replace(/^curl: /gm, 'tscurl: ')
    .replace(/0x[0-9a-f]+/g, '0xPTR')
    .replace(/^(< [Dd]ate:|< last-modified:|< etag:) .*$/gm, '$1 X')
    .replace(/(User-Agent: |user-agent: |h2h3 \[user-agent: )(curl|tscurl)\/[0-9.]+/g, '$1UA')
    .replace(/ after \d+ ms/g, ' after N ms')
    .split('\n')
    .filter((l) => !tls || !TLS_ONLY.test(l));
}

/**
 * Where the racy part starts: the first held answer, or the line after the
 * last "Transfer was pending, now try another" (and its "Trying"), which
 * comes first. -1: nothing racy.
 */
function racyFrom(lines: string[], held: RegExp): number {
  let cut = lines.findIndex((l) => held.test(l));
  let woke = lines.lastIndexOf('* Transfer was pending, now try another');
  if (woke >= 0) {
    woke++;
    if (lines[woke]?.startsWith('*   Trying')) woke++;
    if (cut < 0 || woke < cut) cut = woke;
  }
  return cut;
}

/** Runs both with `args` (stderr only: bodies go to /dev/null) and compares as the top says. */
async function sameAsCurl(args: string[], o: { tls?: boolean; held?: RegExp } = {}): Promise<string[]> {
  const all = ['--no-progress-meter', '-v', ...args];
  const ours = await tscurl(all);
  const theirs = await curl(all);
  const what = args.join(' ');
  assert.equal(ours.code, theirs.code, `${what}: exit code (stderr ${ours.stderr})`);
  const a = normalise(ours.stderr, o.tls ?? false);
  const b = normalise(theirs.stderr, o.tls ?? false);
  const cut = racyFrom(b, o.held ?? /^< HTTP\/1\.1 200 Held/);
  if (cut < 0) {
    assert.deepEqual(a, b, what);
    return a;
  }
  assert.deepEqual(a.slice(0, cut), b.slice(0, cut), `${what}: up to the racy part`);
  assert.deepEqual(a.slice(cut).sort(), b.slice(cut).sort(), `${what}: the racy part, sorted`);
  return a;
}

/** -o /dev/null for each URL. */
function toNull(urls: string[]): string[] {
  return urls.flatMap((u) => [u, '-o', '/dev/null']);
}

const count = (lines: string[], s: string): number => lines.filter((l) => l === s).length;

test('serial transfers: the second finds the bundle, cannot multiplex and reuses the connection, as curl -v says', { skip: NO_CURL }, async () => {
  const lines = await sameAsCurl(toNull([`${hold.base}/s1`, `${hold.base}/s2`]));
  assert.ok(lines.includes('* Found bundle for host: 0xPTR [serially]'), lines.join('\n'));
  assert.ok(lines.includes('* Can not multiplex, even if we wanted to'));
  assert.ok(lines.includes(`* Re-using existing connection #0 with host 127.0.0.1`));
  // --http1.1: the request could not multiplex anyway: no word about it
  const h1 = await sameAsCurl(['--http1.1', ...toNull([`${hold.base}/s3`, `${hold.base}/s4`])]);
  assert.equal(count(h1, '* Can not multiplex, even if we wanted to'), 0);
});

test('the meter of the next transfer starts after the lines about finding its connection, as curl\'s', { skip: NO_CURL }, async () => {
  // the meter lines themselves (timing) are dropped; where the header comes is kept
  const header = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
    '                                 Dload  Upload   Total   Spent    Left  Speed\n';
  const shape = (s: string): string[] => normalise(s.split(header).join('[meter header]\n').replace(/\r[ 0-9]{3} [^\r\n]{74}/g, ''), false).filter((l) => l !== '');
  const args = ['-v', ...toNull([`${hold.base}/m1`, `${hold.base}/m2`])];
  const [ours, theirs] = [await tscurl(args), await curl(args)];
  const a = shape(ours.stderr);
  const b = shape(theirs.stderr);
  assert.deepEqual(a.filter((l) => !l.startsWith('* Connection #0 to host')), b.filter((l) => !l.startsWith('* Connection #0 to host')));
  const second = a.lastIndexOf('[meter header]');
  assert.ok(a.indexOf('* Re-using existing connection #0 with host 127.0.0.1') < second, a.join('\n'));
  assert.ok(a.indexOf('*   Trying 127.0.0.1:' + hold.port + '...') > a.indexOf('[meter header]'));
});

test('a redirect and an authentication round look for the connection again, as curl -v says', { skip: NO_CURL }, async () => {
  const r = await sameAsCurl(['-L', ...toNull([`${hold.base}/redirect/r1`])]);
  assert.equal(count(r, '* Found bundle for host: 0xPTR [serially]'), 1);
  const a = await sameAsCurl(['--anyauth', '-u', 'user:pw', ...toNull([`${hold.base}/auth/a1`])]);
  assert.equal(count(a, '* Re-using existing connection #0 with host 127.0.0.1'), 1);
});

test('through a proxy: a forwarding proxy\'s connections are one bundle, a tunnel\'s belong to the origin', { skip: NO_CURL }, async () => {
  const proxy = await startProxyServer((req) => (req.method === 'CONNECT'
    ? { tunnel: true }
    : { data: `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n` }));
  try {
    const x = ['-x', `http://127.0.0.1:${proxy.port}`];
    // two origins (127.0.0.1 and localhost) through the forwarding proxy: the proxy's bundle, its connection reused
    const fwd = await sameAsCurl([...x, ...toNull([`${hold.base}/f1`, `http://localhost:${hold.port}/f2`])]);
    assert.equal(count(fwd, '* Found bundle for host: 0xPTR [serially]'), 1);
    assert.equal(count(fwd, `* Re-using existing connection #0 with proxy 127.0.0.1`), 1);
    // the same through tunnels: a bundle per origin, none found for the second
    const ours = await tscurl(['--no-progress-meter', '-v', '-p', ...x, ...toNull([`${hold.base}/p1`, `http://localhost:${hold.port}/p2`])]);
    const theirs = await curl(['--no-progress-meter', '-v', '-p', ...x, ...toNull([`${hold.base}/p1`, `http://localhost:${hold.port}/p2`])]);
    // (curl 7.88's cf-h1-proxy also says "allocate connect buffer" before each tunnel; tscurl does not)
    const lines = (s: string): string[] => normalise(s, false).filter((l) => l !== '* allocate connect buffer');
    assert.deepEqual(lines(ours.stderr), lines(theirs.stderr));
    assert.equal(count(lines(ours.stderr), '* Found bundle for host: 0xPTR [serially]'), 0);
  } finally {
    await proxy.close();
  }
});

test('-Z with 2 URLs: the second waits for the first, then reuses its connection', { skip: NO_CURL }, async () => {
  const before = hold.connections;
  const lines = await sameAsCurl(['-Z', ...toNull([`${hold.base}/z2a`, `${hold.base}/z2b`])]);
  assert.deepEqual(lines.filter((l) => l.startsWith('* ') && !l.startsWith('* Connected') && !l.startsWith('*   Trying')).slice(0, 4), [
    '* Found bundle for host: 0xPTR [serially]',
    "* Server doesn't support multiplex yet, wait",
    '* No connections available.',
    '* Connection #0 to host 127.0.0.1 left intact',
  ]);
  assert.ok(lines.includes('* Transfer was pending, now try another'));
  // one connection for both, in each run
  assert.equal(hold.connections - before, 2);
});

test('-Z with 3 and 5 URLs: one waiting transfer reuses the connection, the others open their own, one after another', { skip: NO_CURL }, async () => {
  for (const n of [3, 5]) {
    const before = hold.connections;
    const urls = [`${hold.base}/z${n}-0`, ...Array.from({ length: n - 1 }, (_, i) => `${hold.base}/z${n}-${i + 1}?hold=${n - 1}`)];
    const lines = await sameAsCurl(['-Z', ...toNull(urls)]);
    assert.equal(count(lines, "* Server doesn't support multiplex yet, wait"), n - 1);
    assert.equal(count(lines, '* Transfer was pending, now try another'), n - 1);
    assert.equal(count(lines, '* Re-using existing connection #0 with host 127.0.0.1'), 1);
    // curl opens n - 1 connections for n URLs, tscurl as many
    assert.equal(hold.connections - before, 2 * (n - 1));
  }
});

test('-Z --parallel-max 2: the one added when the first is done opens its own', { skip: NO_CURL }, async () => {
  const urls = [`${hold.base}/pm0`, `${hold.base}/pm1?hold=2`, `${hold.base}/pm2?hold=2`];
  const lines = await sameAsCurl(['-Z', '--parallel-max', '2', ...toNull(urls)]);
  assert.equal(count(lines, "* Server doesn't support multiplex yet, wait"), 1);
});

test('-Z --parallel-immediate and -Z --http1.1: nobody waits, each opens its own connection', { skip: NO_CURL }, async () => {
  const urls = (tag: string): string[] => [0, 1, 2].map((i) => `${hold.base}/${tag}${i}?hold=3`);
  const imm = await sameAsCurl(['-Z', '--parallel-immediate', ...toNull(urls('pi'))]);
  assert.equal(count(imm, "* Server doesn't support multiplex (yet)"), 2);
  assert.equal(count(imm, '* No connections available.'), 0);
  const h1 = await sameAsCurl(['-Z', '--http1.1', ...toNull(urls('h1'))]);
  assert.equal(count(h1, '* Found bundle for host: 0xPTR [serially]'), 2);
  assert.equal(count(h1, '* No connections available.'), 0);
});

test('HTTPS through nginx: ALPN h2 ends the wait and the transfers multiplex; ALPN http/1.1 sends each to its own connection', { skip: NO_NGINX }, async () => {
  const certs = testCerts();
  for (const http2 of [true, false]) {
    const nginx = await startNginx({
      tls: { cert: certs.server.cert, key: certs.server.key },
      http2,
      // every request is held by the server behind nginx until all are in
      serverExtra: `location / { proxy_pass http://127.0.0.1:${hold.port}; }`,
    });
    try {
      const n = 4;
      const urls = Array.from({ length: n }, (_, i) => nginx.tlsUrl(`/t${http2 ? 2 : 1}-${i}?hold=${n}`));
      const lines = await sameAsCurl(['--cacert', certs.caFile, '-Z', ...toNull(urls)], { tls: true, held: /^< HTTP\// });
      assert.equal(count(lines, '* Transfer was pending, now try another'), n - 1);
      if (http2) {
        assert.equal(count(lines, '* Multiplexed connection found'), n - 1);
        assert.equal(lines.filter((l) => l.startsWith('* Connected to')).length, 1);
      } else {
        assert.equal(count(lines, '* Can not multiplex, even if we wanted to'), n - 1);
        assert.equal(lines.filter((l) => l.startsWith('* Connected to')).length, n);
      }
    } finally {
      await nginx.stop();
    }
  }
});
