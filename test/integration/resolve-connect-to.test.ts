// CURLOPT_RESOLVE and CURLOPT_CONNECT_TO over real loopback sockets. Names
// under .test never resolve: every lookup that is not answered by a RESOLVE
// entry goes to the loopback DNS helper (DNS_SERVERS), which says NXDOMAIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Share, CURLSHOPT, CURL_LOCK_DATA, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { fetchUrl, verboseLines as verbose } from '../helpers/fetch.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';

async function withDns<T>(fn: (dns: DnsServer) => Promise<T>): Promise<T> {
  const dns = await startDnsServer({});
  try {
    return await fn(dns);
  } finally {
    await dns.close();
  }
}

test('RESOLVE: a name answered from the DNS cache, the Host header stays the name', async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer((r) => ok(r.headers.get('host') ?? '-'));
    try {
      let lines: string[] = [];
      const r = await fetchUrl(`http://resolve.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.RESOLVE, [`resolve.test:${srv.port}:127.0.0.1`]);
        lines = verbose(e);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, `resolve.test:${srv.port}`);
      assert.equal(r.easy.getinfo(CURLINFO.PRIMARY_IP), '127.0.0.1');
      assert.deepEqual(dns.queries, [], 'no DNS query was made');
      assert.ok(lines.includes(`Added resolve.test:${srv.port}:127.0.0.1 to DNS cache`), lines.join('\n'));
      assert.ok(lines.includes('Hostname resolve.test was found in DNS cache'));
      assert.ok(lines.includes(`Connected to resolve.test (127.0.0.1) port ${srv.port} (#${r.easy.getinfo(CURLINFO.CONN_ID)})`), lines.join('\n'));
      r.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
});

test('RESOLVE: several addresses, IPv6 in brackets, tried in order', async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer(() => ok('v6'), '::1');
    try {
      let lines: string[] = [];
      const r = await fetchUrl(`http://multi.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.RESOLVE, [`multi.test:${srv.port}:[::1],127.0.0.1`]);
        lines = verbose(e);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.easy.getinfo(CURLINFO.PRIMARY_IP), '::1');
      assert.ok(lines.includes(`Added multi.test:${srv.port}:[::1],127.0.0.1 to DNS cache`));
      assert.ok(lines.includes(`  Trying [::1]:${srv.port}...`));
      r.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
});

test("RESOLVE: permanent entries outlive DNS_CACHE_TIMEOUT, '+' entries time out like lookups", async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer(() => ok('p'));
    try {
      const perm = await fetchUrl(`http://perm.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.DNS_CACHE_TIMEOUT, 0);
        e.setopt(CURLOPT.RESOLVE, [`perm.test:${srv.port}:127.0.0.1`]);
      });
      assert.equal(perm.code, CURLE.OK);
      let lines: string[] = [];
      const timed = await fetchUrl(`http://plus.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.DNS_CACHE_TIMEOUT, 0);
        e.setopt(CURLOPT.RESOLVE, [`+plus.test:${srv.port}:127.0.0.1`]);
        lines = verbose(e);
      });
      assert.ok(lines.includes(`Added plus.test:${srv.port}:127.0.0.1 to DNS cache (non-permanent)`));
      assert.equal(timed.code, CURLE.COULDNT_RESOLVE_HOST, 'with a cache timeout of 0 the entry is stale at once');
      assert.ok(dns.queries.some((q) => q.startsWith('plus.test/')));
      for (const x of [perm, timed]) x.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
});

test("RESOLVE: '-host:port' removes an entry; a list is loaded once per setopt", async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer(() => ok('r'));
    try {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://gone.test:${srv.port}/`);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.FORBID_REUSE, 1);
        const lines = verbose(e);
        e.setopt(CURLOPT.RESOLVE, [`gone.test:${srv.port}:127.0.0.1`]);
        assert.equal(await e.perform(), CURLE.OK);
        assert.equal(await e.perform(), CURLE.OK, 'the entry stays in the handle\'s cache');
        assert.equal(lines.filter((l) => l.startsWith('Added gone.test')).length, 1, 'not loaded again without a setopt');
        e.setopt(CURLOPT.RESOLVE, [`-gone.test:${srv.port}`]);
        assert.equal(await e.perform(), CURLE.COULDNT_RESOLVE_HOST);
        assert.equal(e.errorBuffer, 'Could not resolve host: gone.test');
      } finally {
        e.cleanup();
      }
    } finally {
      await srv.close();
    }
  });
});

test("RESOLVE: '*' matches any name on that port, after exact entries", async () => {
  await withDns(async (dns) => {
    const a = await startRawServer(() => ok('wild'));
    const b = await startRawServer(() => ok('exact'));
    try {
      const setup = (e: Easy): void => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.RESOLVE, [`*:${a.port}:127.0.0.1`, `exact.test:${a.port}:127.0.0.2`]);
      };
      const wild = await fetchUrl(`http://anything.test:${a.port}/`, setup);
      assert.equal(wild.code, CURLE.OK);
      assert.equal(wild.body, 'wild');
      // the exact entry wins over the wildcard: 127.0.0.2 is loopback too, and nothing listens there
      const exact = await fetchUrl(`http://exact.test:${a.port}/`, setup);
      assert.equal(exact.code, CURLE.COULDNT_CONNECT);
      const otherPort = await fetchUrl(`http://anything.test:${b.port}/`, setup);
      assert.equal(otherPort.code, CURLE.COULDNT_RESOLVE_HOST, 'the wildcard is for its port only');
      for (const x of [wild, exact, otherPort]) x.easy.cleanup();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test('RESOLVE: a malformed entry fails the transfer with CURLE_SETOPT_OPTION_SYNTAX', async () => {
  for (const bad of ['bad.test:80:not-an-ip', 'bad.test:x:127.0.0.1', 'bad.test:80', 'bad.test:99999:127.0.0.1']) {
    const r = await fetchUrl('http://bad.test/', (e) => e.setopt(CURLOPT.RESOLVE, [bad]));
    assert.equal(r.code, CURLE.SETOPT_OPTION_SYNTAX, bad);
    assert.equal(r.easy.errorBuffer, `Couldn't parse CURLOPT_RESOLVE entry '${bad}'`);
    r.easy.cleanup();
  }
});

test('RESOLVE: IPRESOLVE filters the entry; one without the wanted family is dropped', async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer(() => ok('f'));
    try {
      let lines: string[] = [];
      const r = await fetchUrl(`http://fam.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.IPRESOLVE, 2);
        e.setopt(CURLOPT.RESOLVE, [`fam.test:${srv.port}:127.0.0.1`]);
        lines = verbose(e);
      });
      assert.equal(r.code, CURLE.COULDNT_RESOLVE_HOST);
      assert.ok(lines.includes("Hostname in DNS cache doesn't have needed family, zapped"));
      r.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
});

test('RESOLVE: entries live in the shared DNS cache (CURL_LOCK_DATA_DNS)', async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer(() => ok('s'));
    try {
      const share = new Share();
      share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.DNS);
      const a = await fetchUrl(`http://shared.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.SHARE, share);
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.RESOLVE, [`shared.test:${srv.port}:127.0.0.1`]);
      });
      const b = await fetchUrl(`http://shared.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.SHARE, share);
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
      });
      const c = await fetchUrl(`http://shared.test:${srv.port}/`, (e) => e.setopt(CURLOPT.DNS_SERVERS, dns.address));
      assert.equal(a.code, CURLE.OK);
      assert.equal(b.code, CURLE.OK, 'the other handle sees the entry through the share');
      assert.equal(c.code, CURLE.COULDNT_RESOLVE_HOST, 'a handle without the share does not');
      for (const x of [a, b, c]) x.easy.cleanup();
      assert.equal(share.cleanup(), 0);
    } finally {
      await srv.close();
    }
  });
});

test('CONNECT_TO: the socket goes elsewhere, the request still names the URL host', async () => {
  const srv = await startRawServer((r) => ok(r.headers.get('host') ?? '-'));
  try {
    let lines: string[] = [];
    const r = await fetchUrl('http://connect.test/path', (e) => {
      e.setopt(CURLOPT.CONNECT_TO, ['other.test:80:ignored:1', `connect.test:80:127.0.0.1:${srv.port}`]);
      lines = verbose(e);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'connect.test');
    assert.equal(r.easy.getinfo(CURLINFO.PRIMARY_PORT), srv.port);
    assert.ok(lines.includes('Connecting to hostname: 127.0.0.1'));
    assert.ok(lines.includes(`Connecting to port: ${srv.port}`));
    assert.ok(lines.includes(`Connected to connect.test (127.0.0.1) port ${srv.port} (#${r.easy.getinfo(CURLINFO.CONN_ID)})`), lines.join('\n'));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CONNECT_TO: empty parts match any host and port and keep the request\'s', async () => {
  const srv = await startRawServer(() => ok('any'));
  try {
    await withDns(async (dns) => {
      // any host, any port -> 127.0.0.1 on the request's own port
      const r = await fetchUrl(`http://whatever.test:${srv.port}/`, (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.CONNECT_TO, ['::127.0.0.1:']);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'any');
      // the request's host, another port; a matching entry naming nothing is skipped
      const p = await fetchUrl('http://127.0.0.1:1/', (e) => e.setopt(CURLOPT.CONNECT_TO, ['127.0.0.1:1::', `:1::${srv.port}`]));
      assert.equal(p.code, CURLE.OK);
      for (const x of [r, p]) x.easy.cleanup();
    });
  } finally {
    await srv.close();
  }
});

test('CONNECT_TO: a connection made for it is not reused by a plain transfer to the same URL', async () => {
  const plain = await startRawServer(() => ok('plain'));
  const moved = await startRawServer(() => ok('moved'));
  try {
    const e = new Easy();
    try {
      let body = '';
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${plain.port}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((body += d.toString()), d.length));
      e.setopt(CURLOPT.CONNECT_TO, [`::127.0.0.1:${moved.port}`]);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(body, 'moved');
      body = '';
      e.setopt(CURLOPT.CONNECT_TO, null);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(body, 'plain', 'the plain transfer went to the URL\'s server');
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1);
      body = '';
      e.setopt(CURLOPT.CONNECT_TO, [`::127.0.0.1:${moved.port}`]);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(body, 'moved');
      assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0, 'the connect-to connection is reused for connect-to');
      assert.equal(moved.connections, 1);
      assert.equal(plain.connections, 1);
    } finally {
      e.cleanup();
    }
  } finally {
    await plain.close();
    await moved.close();
  }
});

test('CONNECT_TO: an IPv6 target in brackets; a bad port is CURLE_SETOPT_OPTION_SYNTAX', async () => {
  const srv = await startRawServer(() => ok('six'), '::1');
  try {
    const r = await fetchUrl('http://v6.test/', (e) => e.setopt(CURLOPT.CONNECT_TO, [`v6.test:80:[::1]:${srv.port}`]));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.easy.getinfo(CURLINFO.PRIMARY_IP), '::1');
    const bad = await fetchUrl('http://v6.test/', (e) => e.setopt(CURLOPT.CONNECT_TO, ['v6.test:80:127.0.0.1:http']));
    assert.equal(bad.code, CURLE.SETOPT_OPTION_SYNTAX);
    assert.equal(bad.easy.errorBuffer, 'No valid port number in connect to host string (http)');
    for (const x of [r, bad]) x.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('RESOLVE and CONNECT_TO together: the connect-to name is looked up in the cache', async () => {
  await withDns(async (dns) => {
    const srv = await startRawServer((r) => ok(r.headers.get('host') ?? '-'));
    try {
      const r = await fetchUrl('http://front.test/', (e) => {
        e.setopt(CURLOPT.DNS_SERVERS, dns.address);
        e.setopt(CURLOPT.CONNECT_TO, [`front.test:80:back.test:${srv.port}`]);
        e.setopt(CURLOPT.RESOLVE, [`back.test:${srv.port}:127.0.0.1`]);
      });
      assert.equal(r.code, CURLE.OK);
      assert.equal(r.body, 'front.test');
      r.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
});

test('IPRESOLVE: localhost on a server listening on ::1 only', async () => {
  const srv = await startRawServer(() => ok('six'), '::1');
  try {
    const url = `http://localhost:${srv.port}/`;
    const v6 = await fetchUrl(url, (e) => e.setopt(CURLOPT.IPRESOLVE, 2));
    assert.equal(v6.code, CURLE.OK);
    assert.equal(v6.easy.getinfo(CURLINFO.PRIMARY_IP), '::1');
    let lines: string[] = [];
    const v4 = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.IPRESOLVE, 1);
      lines = verbose(e);
    });
    assert.equal(v4.code, CURLE.COULDNT_CONNECT, 'only 127.0.0.1 is tried');
    assert.deepEqual(lines.filter((l) => l.startsWith('  Trying')), [`  Trying 127.0.0.1:${srv.port}...`]);
    assert.ok(lines.includes(`connect to 127.0.0.1 port ${srv.port} failed: Connection refused`), lines.join('\n'));
    assert.ok(lines.includes(`Closing connection ${v4.easy.getinfo(CURLINFO.CONN_ID)}`), lines.join('\n'));
    // an address literal of the other family: curl 7.88 takes it as resolved, tries nothing, and fails to
    // connect with no message of its own (not a resolve error), with a proxy as without
    const literal = await fetchUrl(`http://[::1]:${srv.port}/`, (e) => e.setopt(CURLOPT.IPRESOLVE, 1));
    assert.equal(literal.code, CURLE.COULDNT_CONNECT);
    assert.equal(literal.easy.errorBuffer, '');
    assert.equal(literal.easy.getinfo(CURLINFO.NUM_CONNECTS), 0);
    const v4Literal = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.IPRESOLVE, 2));
    assert.equal(v4Literal.code, CURLE.COULDNT_CONNECT);
    const viaProxy = await fetchUrl('http://example.invalid/', (e) => {
      e.setopt(CURLOPT.PROXY, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.IPRESOLVE, 2);
    });
    assert.equal(viaProxy.code, CURLE.COULDNT_CONNECT);
    for (const x of [v6, v4, literal, v4Literal, viaProxy]) x.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('MAX_HOST_CONNECTIONS counts the host a CONNECT_TO connection really goes to', async () => {
  const { Multi, CURLMOPT } = await import('../../src/index.js');
  const srv = await startRawServer(() => ({ ...ok('h'), delayMs: 20 }));
  const multi = new Multi();
  try {
    multi.setopt(CURLMOPT.MAX_HOST_CONNECTIONS, 1);
    const easies = ['a.test', 'b.test', 'c.test'].map((name) => {
      const e = new Easy();
      e.setopt(CURLOPT.URL, `http://${name}/`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.CONNECT_TO, [`::127.0.0.1:${srv.port}`]);
      multi.addHandle(e);
      return e;
    });
    try {
      let peak = 0;
      for (let i = 0; i < 200; i++) {
        const { runningHandles } = multi.perform();
        peak = Math.max(peak, multi.connectionCount);
        if (runningHandles === 0) break;
        await multi.poll(100);
      }
      const results: number[] = [];
      for (let m = multi.infoRead(); m; m = multi.infoRead()) results.push(m.result);
      assert.deepEqual(results, [0, 0, 0]);
      assert.equal(peak, 1, 'three names, one real host: one connection at a time');
    } finally {
      for (const e of easies) {
        multi.removeHandle(e);
        e.cleanup();
      }
    }
  } finally {
    multi.cleanup();
    await srv.close();
  }
});

test('the tool with --ipv6 and an IPv4 literal (or --ipv4 and an IPv6 one), direct or as the proxy: as curl 7.88', { skip: requirePrograms(['curl', 'curl']) }, async () => {
  const srv = await startRawServer(() => ok('x'));
  try {
    for (const args of [
      ['-6', `http://127.0.0.1:${srv.port}/`],
      ['-4', `http://[::1]:${srv.port}/`],
      ['-6', '-x', `http://127.0.0.1:${srv.port}/`, 'http://example.invalid/'],
    ]) {
      const full = ['-sS', '-v', '-w', '%{num_connects} [%{errormsg}]\n', ...args];
      const ours = await tscurl(full);
      const theirs = await curl(full);
      assert.equal(ours.code, 7, ours.stderr);
      assert.equal(ours.code, theirs.code);
      assert.equal(ours.stdout, theirs.stdout);
      assert.equal(ours.stderr, theirs.stderr.replace(/^curl: /m, 'tscurl: '));
    }
  } finally {
    await srv.close();
  }
});
