// HTTP authentication end to end over loopback: the Authorization bytes next
// to what /usr/bin/curl (7.88.1) sends for the same options, 401 negotiation,
// Digest verified by the server, failed logins, .netrc, AWS SigV4, and
// credentials that stay with their origin across redirects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLOPT, CURLE, CURLINFO, CURLAUTH, CURL_NETRC, Easy } from '../../src/index.js';
import { startRawServer, ok, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { requireProgram } from '../helpers/requires.js';
import { startFtpServer } from '../helpers/ftp-server.js';

const CURL = '/usr/bin/curl';
const NO_CURL = requireProgram('curl', 'curl');

/** Run curl asynchronously: the test servers live in this process's event loop. */
function curl(args: string[]): Promise<void> {
  // exit codes are not what these tests compare
  return new Promise((resolve) => execFile(CURL, ['-s', '-o', '/dev/null', ...args], { timeout: 10_000 }, () => resolve()));
}

const unauthorized = (challenge: string): { data: string } =>
  ({ data: `HTTP/1.1 401 Unauthorized\r\n${challenge}\r\nContent-Length: 6\r\n\r\ndenied` });

/** Digest check on the server side: recompute the response from the parameters the client sent. */
function digestValid(auth: string, method: string, password: string): boolean {
  const p = new Map<string, string>();
  for (const m of auth.replace(/^Digest /, '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    p.set(m[1]!, (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  const algo = p.get('algorithm') ?? 'MD5';
  const H = (s: string): string => createHash(algo.startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex');
  let ha1 = H(`${p.get('username')}:${p.get('realm')}:${password}`);
  if (algo.endsWith('-sess')) ha1 = H(`${ha1}:${p.get('nonce')}:${p.get('cnonce')}`);
  const ha2 = H(`${method}:${p.get('uri')}`);
  const expect = p.has('qop')
    ? H(`${ha1}:${p.get('nonce')}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`)
    : H(`${ha1}:${p.get('nonce')}:${ha2}`);
  return expect === p.get('response');
}

/** A server that wants Digest (and offers Basic) and checks the Digest response. */
async function digestServer(challenge: string, password = 'pa:ss') {
  return startRawServer((r) => {
    const a = r.headers.get('authorization');
    if (a?.startsWith('Digest ') && digestValid(a, r.method, password)) return ok('welcome');
    return unauthorized(challenge);
  });
}

const authOf = (reqs: ReceivedRequest[]): (string | undefined)[] => reqs.map((r) => r.headers.get('authorization'));

test('Basic: sent at once, right after Host, the same bytes as curl', { skip: NO_CURL }, async () => {
  const srv = await startRawServer(() => ok('hi'));
  try {
    const url = `http://127.0.0.1:${srv.port}/b`;
    await curl(['-u', 'us\u00e9r:pa:ss', url]);
    const r = await fetchUrl(url, (e) => e.setopt(CURLOPT.USERPWD, 'us\u00e9r:pa:ss'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(srv.requests.length, 2);
    const [theirs, ours] = srv.requests;
    assert.equal(ours!.headers.get('authorization'), theirs!.headers.get('authorization'));
    assert.match(ours!.head, /^GET \/b HTTP\/1\.1\r\nHost: [^\r]+\r\nAuthorization: Basic /);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.BASIC);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('credentials from the URL, and USERNAME/PASSWORD overriding them', async () => {
  const srv = await startRawServer(() => ok('hi'));
  try {
    await fetchUrl(`http://al%3Aice:s%40cret@127.0.0.1:${srv.port}/`);
    await fetchUrl(`http://alice:secret@127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.PASSWORD, 'other'));
    await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => e.setopt(CURLOPT.USERPWD, 'bob'));
    const dec = authOf(srv.requests).map((a) => Buffer.from(a!.slice(6), 'base64').toString());
    assert.deepEqual(dec, ['al:ice:s@cret', 'alice:other', 'bob:']);
  } finally {
    await srv.close();
  }
});

test('Digest only: no credentials until the 401, then a response the server verifies; same header as curl without qop', { skip: NO_CURL }, async () => {
  const srv = await digestServer('WWW-Authenticate: Digest realm="test realm", nonce="fixed-nonce"');
  try {
    const url = `http://127.0.0.1:${srv.port}/dir/x?q=1`;
    await curl(['--digest', '-u', 'user:pa:ss', url]);
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.DIGEST);
      e.setopt(CURLOPT.USERPWD, 'user:pa:ss');
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'welcome', 'the 401 body is not delivered');
    const a = authOf(srv.requests);
    assert.equal(a.length, 4);
    assert.equal(a[0], undefined);
    assert.equal(a[2], undefined);
    assert.equal(a[3], a[1], 'without qop the Digest header is deterministic: byte-equal to curl');
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_AVAIL), CURLAUTH.DIGEST);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.DIGEST);
  } finally {
    await srv.close();
  }
});

test('Digest with qop=auth, SHA-256, opaque: verified by the server, same parameters as curl', { skip: NO_CURL }, async () => {
  const chal = 'WWW-Authenticate: Digest realm="r", nonce="n0nce", qop="auth,auth-int", opaque="op", algorithm=SHA-256';
  const srv = await digestServer(chal);
  try {
    const url = `http://127.0.0.1:${srv.port}/p`;
    await curl(['--digest', '-u', 'user:pa:ss', url]);
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.DIGEST);
      e.setopt(CURLOPT.USERPWD, 'user:pa:ss');
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    const [, theirs, , ours] = authOf(srv.requests);
    // cnonce is random in both; everything else lines up parameter by parameter
    const shape = (h: string): string => h.replace(/cnonce="[^"]*"/, 'cnonce=X').replace(/response="[^"]*"/, 'response=X');
    assert.equal(shape(ours!), shape(theirs!));
    assert.ok(digestValid(ours!, 'GET', 'pa:ss'));
  } finally {
    await srv.close();
  }
});

test('ANY: probe without credentials, then the best offered scheme (Digest over Basic)', async () => {
  const srv = await digestServer('WWW-Authenticate: Basic realm="b"\r\nWWW-Authenticate: Digest realm="r", nonce="n"');
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/any`, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.ANY);
      e.setopt(CURLOPT.USERPWD, 'user:pa:ss');
    });
    assert.equal(r.code, CURLE.OK);
    const a = authOf(srv.requests);
    assert.equal(a[0], undefined);
    assert.match(a[1]!, /^Digest username="user"/);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_AVAIL), CURLAUTH.BASIC | CURLAUTH.DIGEST);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.DIGEST);
  } finally {
    await srv.close();
  }
});

test('Digest POST: an empty-bodied probe first, then the body with credentials (as curl)', async () => {
  const srv = await digestServer('WWW-Authenticate: Digest realm="r", nonce="n"');
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/post`, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.DIGEST);
      e.setopt(CURLOPT.USERPWD, 'user:pa:ss');
      e.setopt(CURLOPT.POSTFIELDS, 'hello');
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(srv.requests.map((q) => [q.method, q.headers.get('content-length'), q.body.toString()]),
      [['POST', '0', ''], ['POST', '5', 'hello']]);
  } finally {
    await srv.close();
  }
});

test('wrong credentials: the 401 is the result; FAILONERROR makes it error 22', async () => {
  const srv = await digestServer('WWW-Authenticate: Digest realm="r", nonce="n"', 'right');
  try {
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.DIGEST);
      e.setopt(CURLOPT.USERPWD, 'user:wrong');
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 401);
    assert.equal(r.body, 'denied');
    assert.equal(srv.requests.length, 2, 'one retry, no more');
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.USERPWD, 'user:wrong');
      e.setopt(CURLOPT.FAILONERROR, 1);
    });
    assert.equal(f.code, CURLE.HTTP_RETURNED_ERROR);
  } finally {
    await srv.close();
  }
});

test('Bearer with CURLAUTH_BEARER; Negotiate or NTLM_WB alone is not built in', async () => {
  const srv = await startRawServer(() => ok('hi'));
  try {
    await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.XOAUTH2_BEARER, 'tok.en');
      assert.equal(e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER), CURLE.OK);
    });
    assert.equal(srv.requests[0]!.headers.get('authorization'), 'Bearer tok.en');
    const e = new Easy();
    try {
      assert.equal(e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.NEGOTIATE), CURLE.NOT_BUILT_IN);
      assert.equal(e.setopt(CURLOPT.PROXYAUTH, CURLAUTH.NTLM_WB), CURLE.NOT_BUILT_IN);
      assert.equal(e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.NTLM), CURLE.OK);
      assert.equal(e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.ANY), CURLE.OK);
      assert.equal(e.setopt(CURLOPT.NETRC, 3), CURLE.BAD_FUNCTION_ARGUMENT);
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('.netrc: credentials for the host from NETRC_FILE; the URL user selects its password; syntax errors fail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-netrc-'));
  const file = join(dir, 'netrc');
  writeFileSync(file, 'machine other.example login x password y\nmachine 127.0.0.1 login alice password "s p"\nmachine 127.0.0.1 login bob password bobpw\n');
  const srv = await startRawServer(() => ok('hi'));
  try {
    const base = `127.0.0.1:${srv.port}/`;
    const netrc = (level: number) => (e: Easy): void => {
      e.setopt(CURLOPT.NETRC, level);
      e.setopt(CURLOPT.NETRC_FILE, file);
    };
    await fetchUrl(`http://${base}`, netrc(CURL_NETRC.REQUIRED));
    await fetchUrl(`http://bob@${base}`, netrc(CURL_NETRC.OPTIONAL));
    await fetchUrl(`http://bob:urlpw@${base}`, netrc(CURL_NETRC.OPTIONAL));
    await fetchUrl(`http://bob:urlpw@${base}`, netrc(CURL_NETRC.REQUIRED));
    await fetchUrl(`http://${base}`, netrc(CURL_NETRC.IGNORED));
    const dec = authOf(srv.requests).map((a) => a && Buffer.from(a.slice(6), 'base64').toString());
    assert.deepEqual(dec, ['alice:s p', 'bob:bobpw', 'bob:urlpw', 'bob:bobpw', undefined]);
    writeFileSync(file, 'machine 127.0.0.1 login "broken\n');
    const bad = await fetchUrl(`http://${base}`, netrc(CURL_NETRC.REQUIRED));
    assert.equal(bad.code, CURLE.READ_ERROR);
  } finally {
    await srv.close();
  }
});

test('.netrc: several entries for one host, the URL user picks its password the way curl 7.88.1 does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-netrc-'));
  const file = join(dir, 'netrc');
  // curl test 478: our login without a password, then an entry with passwords before our login
  writeFileSync(file, 'machine 127.0.0.1\npassword weird\npassword firstone\nlogin daniel\n\nmachine 127.0.0.1\n\n' +
    'machine 127.0.0.1\nlogin debbie\n\nmachine 127.0.0.1\npassword weird\npassword "second\\r"\nlogin debbie\n');
  const srv = await startRawServer(() => ok('hi'));
  const url = `http://debbie@127.0.0.1:${srv.port}/`;
  try {
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.NETRC, CURL_NETRC.REQUIRED);
      e.setopt(CURLOPT.NETRC_FILE, file);
    });
    assert.equal(r.code, CURLE.OK);
    r.easy.cleanup();
    const decoded = (): (string | undefined)[] => authOf(srv.requests).map((a) => a && Buffer.from(a.slice(6), 'base64').toString());
    assert.deepEqual(decoded(), ['debbie:second\r']);
    if (NO_CURL) return t.skip(NO_CURL);
    await curl(['--netrc-file', file, url]);
    assert.deepEqual(decoded(), ['debbie:second\r', 'debbie:second\r']);
  } finally {
    await srv.close();
  }
});

test('AWS SigV4: same Authorization as curl for a fixed X-Amz-Date', { skip: NO_CURL }, async () => {
  const srv = await startRawServer(() => ok(''));
  try {
    const url = `http://127.0.0.1:${srv.port}/path/obj?a=1&b=2`;
    const headers = ['X-Amz-Date: 20240229T235959Z', 'X-Extra:  spaced   out '];
    await curl(['--aws-sigv4', 'aws:amz:eu-central-1:execute-api', '-u', 'AKID:SECRET', '-H', headers[0]!, '-H', headers[1]!, '-d', 'payload', url]);
    const r = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.AWS_SIGV4, 'aws:amz:eu-central-1:execute-api');
      e.setopt(CURLOPT.USERPWD, 'AKID:SECRET');
      e.setopt(CURLOPT.HTTPHEADER, headers);
      e.setopt(CURLOPT.POSTFIELDS, 'payload');
    });
    assert.equal(r.code, CURLE.OK);
    const [theirs, ours] = authOf(srv.requests);
    assert.match(ours!, /^AWS4-HMAC-SHA256 Credential=AKID\/20240229\/eu-central-1\/execute-api\/aws4_request/);
    assert.equal(ours, theirs);
    assert.equal(r.easy.getinfo(CURLINFO.HTTPAUTH_USED), CURLAUTH.AWS_SIGV4);
  } finally {
    await srv.close();
  }
});

test('credentials never follow a redirect to another origin, unless UNRESTRICTED_AUTH', async () => {
  const other = await startRawServer(() => ok('other'));
  const first = await startRawServer(() => ({ data: `HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:${other.port}/x\r\nContent-Length: 0\r\n\r\n` }));
  try {
    for (const unrestricted of [0, 1]) {
      for (const setup of [
        (e: Easy) => e.setopt(CURLOPT.USERPWD, 'u:p'),
        (e: Easy) => { e.setopt(CURLOPT.USERPWD, 'u:p'); e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.ANY); },
        (e: Easy) => { e.setopt(CURLOPT.XOAUTH2_BEARER, 't'); e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.BEARER); },
      ]) {
        const r = await fetchUrl(`http://127.0.0.1:${first.port}/`, (e) => {
          e.setopt(CURLOPT.FOLLOWLOCATION, 1);
          e.setopt(CURLOPT.UNRESTRICTED_AUTH, unrestricted);
          setup(e);
        });
        assert.equal(r.body, 'other');
      }
    }
    const sent = authOf(other.requests);
    assert.deepEqual(sent.slice(0, 3), [undefined, undefined, undefined]);
    assert.deepEqual(sent.slice(3), ['Basic dTpw', undefined, 'Bearer t'], 'ANY only probes, so nothing to send without a 401');
  } finally {
    await first.close();
    await other.close();
  }
});

test('Digest: a \'"\' in the path is escaped in the uri parameter, so the path cannot add parameters (curl 8, its test 64)', async () => {
  let uriSeen: string | undefined;
  const srv = await startRawServer((r) => {
    const a = r.headers.get('authorization');
    if (a?.startsWith('Digest ')) {
      const params = [...a.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)];
      uriSeen = params.find((m) => m[1] === 'uri')?.[2]?.replace(/\\(.)/g, '$1');
      // one of each: a path that could close the quoted uri would add its own "response"
      if (params.filter((m) => m[1] === 'response').length === 1 && digestValid(a, r.method, 'pw')) return ok('welcome');
    }
    return unauthorized('WWW-Authenticate: Digest realm="r", nonce="n"');
  });
  try {
    const path = '/a",response="00000000000000000000000000000000",x="';
    const r = await fetchUrl(`http://127.0.0.1:${srv.port}${path}`, (e) => {
      e.setopt(CURLOPT.HTTPAUTH, CURLAUTH.DIGEST);
      e.setopt(CURLOPT.USERPWD, 'user:pw');
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'welcome');
    assert.equal(uriSeen, srv.requests.at(-1)!.target, 'the uri parameter is the request target');
    assert.equal(srv.requests.at(-1)!.target, path, 'the path goes out as given');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('.netrc: a NUL byte ends its line as in curl, so no NUL reaches the server in PASS (curl, its test 793)', async () => {
  const srv = await startFtpServer({ files: { '/f': 'data' } });
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-netrc-nul-'));
  const file = join(dir, 'netrc');
  writeFileSync(file, 'machine 127.0.0.1 login username "password"\0 hello\n');
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.NETRC, CURL_NETRC.OPTIONAL);
      e.setopt(CURLOPT.NETRC_FILE, file);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'data');
    assert.deepEqual(srv.commands.slice(0, 2), ['USER username', 'PASS ']);
    assert.ok(!srv.commands.some((c) => c.includes('\0')));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});
