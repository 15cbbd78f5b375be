// The tscurl CLI's -v trace through SOCKS proxies against /usr/bin/curl
// 7.88.1: the same command line against the same loopback HTTP server through
// the same loopback SOCKS server (test/helpers/socks-server.ts), for every
// flavour (--socks4, --socks4a, --socks5, --socks5-hostname and the
// socks4:// socks4a:// socks5:// socks5h:// proxy schemes), host names and
// address literals as the target, and the ways a handshake fails. The whole
// stderr is compared, and the exit code and stdout.
//
// What curl 7.88's socks.c says: "SOCKS4 communication to HOST:PORT" (for
// SOCKS4a too), "SOCKS4 connect to IPv4 ADDR (locally resolved)", "SOCKS4a
// request granted."; for SOCKS5 no "communication to" line, "SOCKS5 connect
// to IPv4 ADDR:PORT (locally resolved)" (IPv6 without brackets) also for an
// address literal, "SOCKS5 connect to HOST:PORT (remotely resolved)" for
// SOCKS5h whatever the host is, then "SOCKS5 request granted.".
//
// Around the handshake: "SOCKSx: connecting to HTTP proxy HOST port PORT"
// first when an HTTP proxy is behind the SOCKS one (--preproxy), "Hostname
// NAME was found in DNS cache" when the target's lookup (SOCKS4, SOCKS5) hits
// the cache (--resolve, or a name looked up by an earlier transfer: "localhost"
// is cached too), and "Connected to PROXY (IP) port P (#N)" a second time
// once the handshake is through (socks.c's cf connect calls
// Curl_verboseconnect).
//
// Made comparable: the tool name in curl's error line, and the "after N ms"
// of a refused connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { curl, tscurlBundle } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSocksServer, type SocksOptions } from '../helpers/socks-server.js';
import { refusedPort } from '../helpers/ports.js';
import { startDnsServer } from '../helpers/dns-server.js';

const NO_CURL = requirePrograms(['curl', 'curl']);

/** One run's stderr made comparable with the other tool's. */
function comparable(stderr: string): string {
  return stderr
    .replace(/^curl: /gm, 'tscurl: ')
    .replace(/ after \d+ ms:/g, ' after N ms:');
}

/** Runs both tools on `args` (PROXY and HTTP stand for the servers' ports): same exit code, stdout, stderr. */
async function sameVerbose(args: readonly string[], ports: { socks: number; http: number }, code: number): Promise<void> {
  const full = ['-sS', '-v', '-A', 'sweep', ...args.map((a) => a.replace('PROXY', String(ports.socks)).replace('HTTP', String(ports.http)))];
  const ours = await tscurlBundle(full);
  const theirs = await curl(full);
  const what = args.join(' ');
  assert.equal(theirs.code, code, `${what}: curl's exit code (stderr ${theirs.stderr})`);
  assert.equal(ours.code, theirs.code, `${what}: exit code (stderr ${ours.stderr})`);
  assert.equal(ours.stdout, theirs.stdout, `${what}: stdout`);
  assert.deepEqual(comparable(ours.stderr).split('\n'), comparable(theirs.stderr).split('\n'), `${what}: stderr`);
}

/** A loopback HTTP server whose answer is the same for both tools (no Date header). */
async function startHttp(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.sendDate = false;
    res.setHeader('Content-Type', 'text/plain');
    res.end('through\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function withServers(o: SocksOptions, body: (ports: { socks: number; http: number }) => Promise<void>): Promise<void> {
  const http = await startHttp();
  try {
    const socks = await startSocksServer(o);
    try {
      await body({ socks: socks.port, http: http.port });
    } finally {
      await socks.close();
    }
  } finally {
    http.server.closeAllConnections();
    await new Promise<void>((resolve) => http.server.close(() => resolve()));
  }
}

test('-v through each SOCKS flavour, by option and by proxy scheme, to a host name: as curl 7.88', { skip: NO_CURL }, async () => {
  await withServers({}, async (p) => {
    for (const opt of ['--socks4', '--socks4a', '--socks5', '--socks5-hostname']) {
      await sameVerbose([opt, '127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 0);
    }
    for (const scheme of ['socks4', 'socks4a', 'socks5', 'socks5h']) {
      await sameVerbose(['-x', `${scheme}://localhost:PROXY`, 'http://localhost:HTTP/'], p, 0);
    }
  });
});

test('-v through SOCKS to address literals: locally resolved with the family named, remotely resolved as sent', { skip: NO_CURL }, async () => {
  await withServers({}, async (p) => {
    for (const opt of ['--socks4', '--socks4a', '--socks5', '--socks5-hostname']) {
      await sameVerbose([opt, '127.0.0.1:PROXY', 'http://127.0.0.1:HTTP/'], p, 0);
    }
    // the SOCKS server connects to 127.0.0.1 whatever it is asked for, so [::1] works through it
    for (const opt of ['--socks4a', '--socks5', '--socks5-hostname']) {
      await sameVerbose([opt, '127.0.0.1:PROXY', 'http://[::1]:HTTP/'], p, 0);
    }
    // SOCKS4 carries IPv4 only: CURLE_PROXY
    await sameVerbose(['--socks4', '127.0.0.1:PROXY', 'http://[::1]:HTTP/'], p, 97);
  });
});

test('-v through SOCKS to an HTTP proxy (--preproxy): "connecting to HTTP proxy" first, as curl 7.88', { skip: NO_CURL }, async () => {
  // the HTTP server answers the proxy request itself: origin.test is never looked up
  await withServers({}, async (p) => {
    for (const scheme of ['socks4', 'socks4a', 'socks5', 'socks5h']) {
      await sameVerbose(['--preproxy', `${scheme}://127.0.0.1:PROXY`, '-x', 'http://localhost:HTTP', 'http://origin.test/'], p, 0);
    }
  });
});

test('-v through SOCKS when the target name is in the DNS cache: the cache line, as curl 7.88', { skip: NO_CURL }, async () => {
  await withServers({}, async (p) => {
    for (const opt of ['--socks4', '--socks4a', '--socks5', '--socks5-hostname']) {
      await sameVerbose([opt, '127.0.0.1:PROXY', '--resolve', 'target.test:HTTP:127.0.0.1', 'http://target.test:HTTP/'], p, 0);
    }
    // a second connection (the server closes the first): the proxy's and the target's names were
    // cached by the first transfer's lookups, "localhost" as any name
    await sameVerbose(['-x', 'socks5://localhost:PROXY', '-H', 'Connection: close', 'http://localhost:HTTP/', 'http://localhost:HTTP/2'], p, 0);
  });
});

test('a SOCKS4 target lookup that does not answer at once: "SOCKS4 non-blocking resolve of", after "communication to"', async () => {
  // curl 7.88 needs a real DNS name for this (it has no --dns-servers): tscurl alone, its lookups sent
  // to a loopback DNS server
  const dns = await startDnsServer({ 'target.test': { a: ['127.0.0.1'] } });
  try {
    await withServers({}, async (p) => {
      const r = await tscurlBundle(['-sS', '-v', '--dns-servers', dns.address, '--socks4', `127.0.0.1:${p.socks}`, `http://target.test:${p.http}/`]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('* SOCKS'));
      assert.deepEqual(lines, [
        `* SOCKS4 communication to target.test:${p.http}`,
        '* SOCKS4 non-blocking resolve of target.test',
        '* SOCKS4 connect to IPv4 127.0.0.1 (locally resolved)',
        '* SOCKS4 request granted.',
      ]);
    });
  } finally {
    await dns.close();
  }
});

test('-v through SOCKS5 with a login: as curl 7.88, accepted and rejected', { skip: NO_CURL }, async () => {
  await withServers({ login: { user: 'u', password: 'p' } }, async (p) => {
    await sameVerbose(['--socks5', 'u:p@127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 0);
    await sameVerbose(['-x', 'socks5h://u:p@127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 0);
    await sameVerbose(['--socks5', 'u:wrong@127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
    // no login offered to a server that demands one
    await sameVerbose(['--socks5', '127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
  });
});

test('-v when the SOCKS server refuses the request, or the proxy port is closed: exit code and message as curl 7.88', { skip: NO_CURL }, async () => {
  await withServers({ refuse: 5 }, async (p) => {
    await sameVerbose(['--socks5', '127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
    await sameVerbose(['-x', 'socks5h://127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
  });
  await withServers({ refuse: 91 }, async (p) => {
    await sameVerbose(['--socks4', '127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
    await sameVerbose(['-x', 'socks4a://127.0.0.1:PROXY', 'http://localhost:HTTP/'], p, 97);
  });
  const closed = await refusedPort();
  await sameVerbose(['--socks5', `127.0.0.1:${closed}`, 'http://localhost:HTTP/'], { socks: closed, http: closed }, 7);
});

test('a target name that does not resolve, through SOCKS4 and SOCKS5: CURLE_PROXY with the resolver\'s message, as curl 7.88', async () => {
  // curl 7.88 (threaded resolver) says "Could not resolve host: NAME" here; it has no --dns-servers, so
  // tscurl alone is asked, its lookups sent to a loopback DNS server that answers NXDOMAIN
  const dns = await startDnsServer({});
  try {
    await withServers({}, async (p) => {
      for (const opt of ['--socks4', '--socks5']) {
        const r = await tscurlBundle(['-sS', '--dns-servers', dns.address, opt, `127.0.0.1:${p.socks}`, `http://nowhere.test:${p.http}/`]);
        assert.equal(r.code, 97, `${opt}: exit code (stderr ${r.stderr})`);
        assert.equal(r.stderr, 'tscurl: (97) Could not resolve host: nowhere.test\n', opt);
      }
      assert.ok(dns.queries.some((q) => q.startsWith('nowhere.test/')), 'the name was looked up');
    });
  } finally {
    await dns.close();
  }
});
