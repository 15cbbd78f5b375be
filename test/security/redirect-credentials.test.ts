// Credentials and redirects (curl's advisories as a checklist):
//   CVE-2018-1000007  custom Authorization header sent to the redirect's host
//   CVE-2022-27774    credentials to another port/scheme of the same host
//   CVE-2022-27776    Authorization/Cookie headers to another port of the same host
//   CVE-2021-22876    AUTOREFERER leaking user:password in Referer
//   CVE-2024-11053    .netrc: the first host's password sent to the redirect target
//   CVE-2025-0167     .netrc: same, through a "default" entry without login/password
//   CVE-2020-8169 / CVE-2016-8624  user:password and '#' must not move the host
// Every case has a positive control (same origin, or UNRESTRICTED_AUTH), so a
// test that never sends credentials at all could not pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURL_NETRC, CURLAUTH, openSocketCount } from '../../src/index.js';
import { startRawServer, ok, type RawServer } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { tscurl } from '../helpers/cli-run.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { startProxyServer } from '../helpers/proxy-server.js';

const redirect = (location: string): { data: string } => ({
  data: `HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`,
});

/** A server that answers every request with 200 and remembers the request heads. */
const landing = (): Promise<RawServer> => startRawServer(() => ok('landed'));
/** A server that redirects /start to `to()` and answers the rest with 200. */
const bouncer = (to: () => string): Promise<RawServer> =>
  startRawServer((r) => (r.target.startsWith('/start') ? redirect(to()) : ok('same origin')));

function decodeBasic(h: string | undefined): string | undefined {
  if (!h?.startsWith('Basic ')) return h;
  return Buffer.from(h.slice(6), 'base64').toString('latin1');
}

async function follow(url: string, setup: (e: Easy) => void): Promise<number> {
  const r = await fetchUrl(url, (e) => {
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    setup(e);
  });
  r.easy.cleanup();
  return r.code;
}

test('CVE-2022-27774/27776, CVE-2018-1000007: no credentials to another port of the same host', async () => {
  const other = await landing();
  const first = await bouncer(() => `http://127.0.0.1:${other.port}/landing`);
  try {
    const setups: Record<string, (e: Easy) => void> = {
      userpwd: (e) => e.setopt(CURLOPT.USERPWD, 'user:secret'),
      urlcreds: () => {},
      bearer: (e) => {
        e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER);
        e.setopt(CURLOPT.XOAUTH2_BEARER, 'secret-token');
      },
      headers: (e) => e.setopt(CURLOPT.HTTPHEADER, ['Authorization: Basic c2VjcmV0', 'Cookie: session=secret']),
    };
    for (const [name, setup] of Object.entries(setups)) {
      const url = name === 'urlcreds' ? `http://user:secret@127.0.0.1:${first.port}/start` : `http://127.0.0.1:${first.port}/start`;
      assert.equal(await follow(url, setup), CURLE.OK, name);
      const sentFirst = first.requests.at(-1)!;
      const sentOther = other.requests.at(-1)!;
      assert.ok(sentFirst.headers.has('authorization'), `${name}: the first host gets the credentials`);
      assert.equal(sentOther.headers.get('authorization'), undefined, `${name}: no Authorization on the other port`);
      assert.equal(sentOther.headers.get('cookie'), undefined, `${name}: no custom Cookie on the other port`);
      assert.doesNotMatch(sentOther.head, /secret/, name);
      // UNRESTRICTED_AUTH is the application saying "send them anyway"
      assert.equal(await follow(url, (e) => (setup(e), e.setopt(CURLOPT.UNRESTRICTED_AUTH, 1))), CURLE.OK);
      assert.ok(other.requests.at(-1)!.headers.has('authorization'), `${name}: UNRESTRICTED_AUTH sends them`);
    }
  } finally {
    await first.close();
    await other.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('same origin after a redirect keeps the credentials (control)', async () => {
  let port = 0;
  const srv = await bouncer(() => `http://127.0.0.1:${port}/next`);
  try {
    port = srv.port;
    assert.equal(await follow(`http://127.0.0.1:${port}/start`, (e) => e.setopt(CURLOPT.USERPWD, 'user:secret')), CURLE.OK);
    assert.equal(decodeBasic(srv.requests[1]!.headers.get('authorization')), 'user:secret');
  } finally {
    await srv.close();
  }
});

test('a redirect whose URL brings other credentials: used on the same origin, never sent to another one', async () => {
  let port = 0;
  const same = await bouncer(() => `http://user:pass@127.0.0.1:${port}/next`);
  port = same.port;
  const other = await landing();
  const away = await bouncer(() => `http://user:pass@127.0.0.1:${other.port}/landing`);
  try {
    // curl test 899: the Location's credentials replace the first URL's
    assert.equal(await follow(`http://first:secret@127.0.0.1:${port}/start`, () => {}), CURLE.OK);
    assert.deepEqual(same.requests.map((r) => decodeBasic(r.headers.get('authorization'))), ['first:secret', 'user:pass']);
    // no credentials in the Location: the first URL's stay
    let plainPort = 0;
    const plain = await bouncer(() => `http://127.0.0.1:${plainPort}/next`);
    try {
      plainPort = plain.port;
      assert.equal(await follow(`http://first:secret@127.0.0.1:${plainPort}/start`, () => {}), CURLE.OK);
      assert.deepEqual(plain.requests.map((r) => decodeBasic(r.headers.get('authorization'))), ['first:secret', 'first:secret']);
    } finally {
      await plain.close();
    }
    // another origin: not even the credentials its own URL names, unless UNRESTRICTED_AUTH
    assert.equal(await follow(`http://first:secret@127.0.0.1:${away.port}/start`, () => {}), CURLE.OK);
    assert.equal(other.requests.at(-1)!.headers.get('authorization'), undefined);
    assert.equal(await follow(`http://first:secret@127.0.0.1:${away.port}/start`, (e) => e.setopt(CURLOPT.UNRESTRICTED_AUTH, 1)), CURLE.OK);
    assert.equal(decodeBasic(other.requests.at(-1)!.headers.get('authorization')), 'user:pass');
  } finally {
    await same.close();
    await other.close();
    await away.close();
  }
});

test('CVE-2022-27774: a redirect to another scheme on the same host loses the credentials', async () => {
  // Same host and port, other scheme: the https attempt fails (the server speaks
  // plain HTTP), but what matters is what was written before it failed. A plain
  // listener records the raw bytes of the TLS attempt: no credentials are in it.
  let port = 0;
  const srv = await bouncer(() => `https://127.0.0.1:${port}/tls`);
  try {
    port = srv.port;
    const code = await follow(`http://user:secret@127.0.0.1:${port}/start`, (e) => {
      e.setopt(CURLOPT.SSL_VERIFYPEER, 0);
      // the plain server never answers a ClientHello: this case is designed to stall
      e.setopt(CURLOPT.TIMEOUT_MS, 1500);
    });
    assert.notEqual(code, CURLE.OK);
    assert.equal(srv.requests.length, 1, 'only the plain request was parsed');
  } finally {
    await srv.close();
  }
});

test('CVE-2021-22876: AUTOREFERER strips user:password, also on a cross-origin redirect (API and CLI)', async () => {
  const other = await landing();
  const first = await bouncer(() => `http://127.0.0.1:${other.port}/landing`);
  try {
    assert.equal(await follow(`http://user:secret@127.0.0.1:${first.port}/start?q=1#frag`, (e) => e.setopt(CURLOPT.AUTOREFERER, 1)), CURLE.OK);
    assert.equal(other.requests.at(-1)!.headers.get('referer'), `http://127.0.0.1:${first.port}/start?q=1`);
    // curl's -e ';auto' is AUTOREFERER without an initial Referer; 'x;auto' starts with Referer: x
    const cli = await tscurl(['-s', '-L', '-e', ';auto', `http://user:secret@127.0.0.1:${first.port}/start`]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(first.requests.at(-1)!.headers.get('referer'), undefined);
    assert.equal(other.requests.at(-1)!.headers.get('referer'), `http://127.0.0.1:${first.port}/start`);
    const cli2 = await tscurl(['-s', '-L', '-e', 'http://origin.example/;auto', `http://127.0.0.1:${first.port}/start`]);
    assert.equal(cli2.code, 0, cli2.stderr);
    assert.equal(first.requests.at(-1)!.headers.get('referer'), 'http://origin.example/');
    assert.equal(other.requests.at(-1)!.headers.get('referer'), `http://127.0.0.1:${first.port}/start`);
  } finally {
    await first.close();
    await other.close();
  }
});

function netrcFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'tscurl-netrc-')), 'netrc');
  writeFileSync(f, text);
  return f;
}

/**
 * Redirect from host A (name a.test) to host B (name b.test) with a .netrc;
 * both names resolve to 127.0.0.1 through CURLOPT_RESOLVE. Returns what B got.
 */
async function netrcRedirect(netrc: string, extra?: (e: Easy) => void): Promise<{ a?: string; b?: string }> {
  const b = await landing();
  const a = await bouncer(() => `http://b.test:${b.port}/landing`);
  try {
    const file = netrcFile(netrc.replaceAll('PORT_A', String(a.port)));
    const code = await follow(`http://a.test:${a.port}/start`, (e) => {
      e.setopt(CURLOPT.RESOLVE, [`a.test:${a.port}:127.0.0.1`, `b.test:${b.port}:127.0.0.1`]);
      e.setopt(CURLOPT.NETRC, CURL_NETRC.OPTIONAL);
      e.setopt(CURLOPT.NETRC_FILE, file);
      extra?.(e);
    });
    assert.equal(code, CURLE.OK);
    const out: { a?: string; b?: string } = {};
    const sa = decodeBasic(a.requests.at(-1)!.headers.get('authorization'));
    const sb = decodeBasic(b.requests.at(-1)!.headers.get('authorization'));
    if (sa !== undefined) out.a = sa;
    if (sb !== undefined) out.b = sb;
    return out;
  } finally {
    await a.close();
    await b.close();
  }
}

test('CVE-2024-11053: .netrc entry for the redirect target without a password does not get the first password', async () => {
  // B's entry has a login only
  const r1 = await netrcRedirect('machine a.test login alice password secret\nmachine b.test login bob\n');
  assert.equal(r1.a, 'alice:secret');
  assert.notEqual(r1.b?.includes('secret'), true, `B got ${r1.b}`);
  // B's entry has neither
  const r2 = await netrcRedirect('machine a.test login alice password secret\nmachine b.test\n');
  assert.equal(r2.a, 'alice:secret');
  assert.notEqual(r2.b?.includes('secret'), true, `B got ${r2.b}`);
  // control: B's own complete entry is B's to use (a netrc lookup is per host)
  const r3 = await netrcRedirect('machine a.test login alice password secret\nmachine b.test login bob password bobpw\n');
  assert.equal(r3.b, 'bob:bobpw');
});

test('CVE-2025-0167: a "default" .netrc entry without login/password does not carry the first password', async () => {
  const r = await netrcRedirect('machine a.test login alice password secret\ndefault\n');
  assert.equal(r.a, 'alice:secret');
  assert.notEqual(r.b?.includes('secret'), true, `B got ${r.b}`);
  // a URL user with a password found for A must not go to B either
  const u = await netrcRedirect('machine a.test login alice password secret\n', (e) => e.setopt(CURLOPT.USERNAME, 'alice'));
  assert.notEqual(u.b?.includes('secret'), true, `B got ${u.b}`);
});

test('CVE-2020-8169 / CVE-2016-8624: "@" in the password and "#@" after the host do not change the host', async () => {
  const srv = await landing();
  // the last '@' before the host ends the userinfo: password "p@ss"
  try {
    const r = await fetchUrl(`http://user:p%40ss@127.0.0.1:${srv.port}/x`);
    assert.equal(r.code, CURLE.OK);
    assert.equal(decodeBasic(srv.requests.at(-1)!.headers.get('authorization')), 'user:p@ss');
    r.easy.cleanup();
    // a raw '@' in the password: the first '@' ends the userinfo (as curl 7.88), the
    // rest "ss@127.0.0.1" is no host name: refused before any lookup or connect
    const before = srv.requests.length;
    const raw = await fetchUrl(`http://user:p@ss@127.0.0.1:${srv.port}/y`);
    assert.equal(raw.code, CURLE.URL_MALFORMAT, raw.easy.errorBuffer);
    assert.equal(srv.requests.length, before);
    raw.easy.cleanup();
    // a fragment holding "@evil" is not userinfo: the request goes to 127.0.0.1
    const frag = await fetchUrl(`http://127.0.0.1:${srv.port}#@evil.invalid/`);
    assert.equal(frag.code, CURLE.OK, frag.easy.errorBuffer);
    assert.equal(srv.requests.at(-1)!.headers.get('authorization'), undefined);
    frag.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CVE-2014-8150: CR/LF in a URL cannot inject request lines', async () => {
  const srv = await landing();
  try {
    for (const bad of ['/a\r\nX-Injected: 1', '/a%0d%0aX-Injected:%201']) {
      const r = await fetchUrl(`http://127.0.0.1:${srv.port}${bad}`);
      // a raw CR/LF is refused; the encoded form stays encoded on the wire
      if (r.code === CURLE.OK) assert.doesNotMatch(srv.requests.at(-1)!.head, /^X-Injected/m);
      else assert.equal(r.code, CURLE.URL_MALFORMAT);
      r.easy.cleanup();
    }
    assert.ok(srv.requests.every((q) => !q.headers.has('x-injected')));
  } finally {
    await srv.close();
  }
});

test('CVE-2022-27774: USERPWD does not follow a redirect to ftp:// (the FTP login is the URL\'s, else anonymous)', async () => {
  const ftp = await startFtpServer({ files: { '/f.txt': 'ftp data\n' } });
  let target = `ftp://127.0.0.1:${ftp.port}/f.txt`;
  const first = await bouncer(() => target);
  try {
    const logins = async (setup: (e: Easy) => void): Promise<string[]> => {
      const before = ftp.commands.length;
      assert.equal(await follow(`http://127.0.0.1:${first.port}/start`, (e) => {
        e.setopt(CURLOPT.USERPWD, 'user:secret');
        setup(e);
      }), CURLE.OK);
      return ftp.commands.slice(before).filter((c) => /^(USER|PASS) /.test(c));
    };
    assert.deepEqual(await logins(() => {}), ['USER anonymous', 'PASS ftp@example.com']);
    // the new URL's own credentials are used
    target = `ftp://v:w@127.0.0.1:${ftp.port}/f.txt`;
    assert.deepEqual(await logins(() => {}), ['USER v', 'PASS w']);
    // positive control: UNRESTRICTED_AUTH lets them follow
    target = `ftp://127.0.0.1:${ftp.port}/f.txt`;
    assert.deepEqual(await logins((e) => e.setopt(CURLOPT.UNRESTRICTED_AUTH, 1)), ['USER user', 'PASS secret']);
    // the same for the tool: --location vs --location-trusted
    const cli = await tscurl(['-s', '-L', '-u', 'user:secret', `http://127.0.0.1:${first.port}/start`]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(ftp.commands.includes('USER anonymous'));
    assert.equal(ftp.commands.filter((c) => c === 'PASS secret').length, 1);
  } finally {
    await first.close();
    await ftp.close();
  }
});

test('a custom Authorization written with blanks before the colon stays with the first host too (curl 8, its test 2113)', async () => {
  const other = await landing();
  const first = await bouncer(() => `http://127.0.0.1:${other.port}/landing`);
  try {
    for (const line of ['Authorization : s3cr3t', 'Authorization\t: s3cr3t', 'Cookie  : s=s3cr3t']) {
      assert.equal(await follow(`http://127.0.0.1:${first.port}/start`, (e) => e.setopt(CURLOPT.HTTPHEADER, [line])), CURLE.OK);
      assert.match(first.requests.at(-1)!.head, new RegExp(`\r\n${line}\r\n`), 'sent as written to the first host');
      assert.doesNotMatch(other.requests.at(-1)!.head, /s3cr3t/, `${JSON.stringify(line)} went to the other host`);
    }
  } finally {
    await first.close();
    await other.close();
  }
});

test('the bearer token does not follow a redirect to a host .netrc has credentials for (curl 8, its test 2006)', async () => {
  const bearer = (e: Easy): void => {
    e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER);
    e.setopt(CURLOPT.XOAUTH2_BEARER, 'SECRET_TOKEN');
  };
  const b = await landing();
  const a = await bouncer(() => `http://b.test:${b.port}/landing`);
  try {
    for (const netrc of ['default login testuser password testpass\n', `machine b.test login bob password bobpw\n`]) {
      const file = netrcFile(netrc);
      const code = await follow(`http://a.test:${a.port}/start`, (e) => {
        e.setopt(CURLOPT.RESOLVE, [`a.test:${a.port}:127.0.0.1`, `b.test:${b.port}:127.0.0.1`]);
        e.setopt(CURLOPT.NETRC, CURL_NETRC.OPTIONAL);
        e.setopt(CURLOPT.NETRC_FILE, file);
        bearer(e);
      });
      assert.equal(code, CURLE.OK);
      assert.equal(a.requests.at(-1)!.headers.get('authorization'), 'Bearer SECRET_TOKEN');
      assert.doesNotMatch(b.requests.at(-1)!.head, /SECRET_TOKEN/, netrc);
    }
  } finally {
    await a.close();
    await b.close();
  }
});

test('credentials in http_proxy\'s URL do not go to https_proxy after a redirect to https:// (curl 8, its test 2011)', async () => {
  // the forwarding proxy answers the first request with a redirect to https://; the second
  // proxy gets the CONNECT for it and refuses it: what matters is what it was sent
  const forwarding = await startProxyServer(() => redirect('https://another.test/next'));
  const tunnelling = await startProxyServer(() => ({ data: 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', close: true }));
  try {
    const env = { http_proxy: `http://user:secret@127.0.0.1:${forwarding.port}`, https_proxy: `http://127.0.0.1:${tunnelling.port}` };
    const r = await tscurl(['-s', '--location-trusted', 'http://somewhere.test/'], { env });
    assert.equal(r.code, 7, r.stderr); // "CONNECT tunnel failed, response 403"
    assert.equal(decodeBasic(forwarding.requests[0]!.headers.get('proxy-authorization')), 'user:secret');
    assert.equal(tunnelling.requests[0]!.method, 'CONNECT');
    assert.equal(tunnelling.requests[0]!.headers.get('proxy-authorization'), undefined, tunnelling.requests[0]!.head);
    // control: --proxy-user names credentials for whichever proxy is used, as CURLOPT_PROXYUSERPWD
    const u = await tscurl(['-s', '-L', '--proxy-user', 'opt:pw', 'http://somewhere.test/'], { env });
    assert.equal(u.code, 7, u.stderr);
    assert.equal(decodeBasic(tunnelling.requests[1]!.headers.get('proxy-authorization')), 'opt:pw');
  } finally {
    await forwarding.close();
    await tunnelling.close();
  }
});
