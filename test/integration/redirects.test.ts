// Redirects as libcurl follows them (Curl_follow): Location resolved by curl's
// URL rules, MAXREDIRS, method rules, protocol limits, and credentials that
// never travel to another origin unless UNRESTRICTED_AUTH says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startRawServer, ok, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

function redirect(code: number, location: string, body = 'moved'): { data: string } {
  return { data: `HTTP/1.1 ${code} Redirect\r\nLocation: ${location}\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
}

async function fetch(url: string, setup?: (e: Easy) => void): Promise<{ code: number; body: string; e: Easy }> {
  const r = await fetchUrl(url, setup);
  return { code: r.code, body: r.body, e: r.easy };
}

test('a chain of redirects is followed; only the final body is delivered', async () => {
  const srv = await startRawServer((r) => {
    if (r.target === '/a') return redirect(301, '/b/c');
    if (r.target === '/b/c') return redirect(302, '../d?x=1 y'); // relative, with a space to encode
    return ok(`final ${r.target}`);
  });
  try {
    const { code, body, e } = await fetch(`http://127.0.0.1:${srv.port}/a`, (x) => x.setopt(CURLOPT.FOLLOWLOCATION, 1));
    assert.equal(code, CURLE.OK);
    assert.equal(body, 'final /d?x=1+y');
    assert.equal(e.getinfo(CURLINFO.REDIRECT_COUNT), 2);
    assert.equal(e.getinfo(CURLINFO.EFFECTIVE_URL), `http://127.0.0.1:${srv.port}/d?x=1+y`);
    assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.ok(e.getinfo(CURLINFO.REDIRECT_TIME_T) > 0);
    assert.equal(srv.connections, 1, 'the redirects reused the connection');
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('without FOLLOWLOCATION the 3xx is the result and REDIRECT_URL tells where it points', async () => {
  const srv = await startRawServer(() => redirect(302, 'other/place'));
  try {
    const { code, body, e } = await fetch(`http://127.0.0.1:${srv.port}/dir/file`);
    assert.equal(code, CURLE.OK);
    assert.equal(body, 'moved');
    assert.equal(e.getinfo(CURLINFO.RESPONSE_CODE), 302);
    assert.equal(e.getinfo(CURLINFO.REDIRECT_URL), `http://127.0.0.1:${srv.port}/dir/other/place`);
    assert.equal(e.getinfo(CURLINFO.REDIRECT_COUNT), 0);
    e.cleanup();
  } finally {
    await srv.close();
  }
});

test('MAXREDIRS ends a redirect loop with CURLE_TOO_MANY_REDIRECTS', async () => {
  const srv = await startRawServer(() => redirect(302, '/loop'));
  try {
    const r = await fetch(`http://127.0.0.1:${srv.port}/loop`, (x) => {
      x.setopt(CURLOPT.FOLLOWLOCATION, 1);
      x.setopt(CURLOPT.MAXREDIRS, 3);
    });
    assert.equal(r.code, CURLE.TOO_MANY_REDIRECTS);
    assert.equal(r.e.errorBuffer, 'Maximum (3) redirects followed');
    assert.equal(srv.requests.length, 4);
    r.e.cleanup();
    // the default (30) ends an endless loop too
    const d = await fetch(`http://127.0.0.1:${srv.port}/loop`, (x) => x.setopt(CURLOPT.FOLLOWLOCATION, 1));
    assert.equal(d.code, CURLE.TOO_MANY_REDIRECTS);
    d.e.cleanup();
  } finally {
    await srv.close();
  }
});

test('POST after 301/302/303 becomes GET unless POSTREDIR keeps it; 307 keeps POST and body', async () => {
  const seen: ReceivedRequest[] = [];
  const srv = await startRawServer((r) => {
    seen.push(r);
    const m = /^\/(\d{3})$/.exec(r.target);
    if (m) return redirect(Number(m[1]), '/final');
    return ok(`${r.method}:${r.body.toString()}`);
  });
  try {
    const post = (code: number, postredir = 0): Promise<{ code: number; body: string; e: Easy }> =>
      fetch(`http://127.0.0.1:${srv.port}/${code}`, (x) => {
        x.setopt(CURLOPT.FOLLOWLOCATION, 1);
        x.setopt(CURLOPT.POSTFIELDS, 'data=1');
        if (postredir) x.setopt(CURLOPT.POSTREDIR, postredir);
      });
    assert.equal((await post(301)).body, 'GET:');
    assert.equal((await post(302)).body, 'GET:');
    assert.equal((await post(303)).body, 'GET:');
    assert.equal((await post(307)).body, 'POST:data=1');
    assert.equal((await post(308)).body, 'POST:data=1');
    assert.equal((await post(302, 2)).body, 'POST:data=1');
    assert.equal((await post(301, 7)).body, 'POST:data=1');
  } finally {
    await srv.close();
  }
});

test('credentials in custom headers never follow to another origin unless UNRESTRICTED_AUTH', async () => {
  const other = await startRawServer((r) => ok(`auth=${r.headers.get('authorization') ?? '-'} cookie=${r.headers.get('cookie') ?? '-'}`));
  const first = await startRawServer(() => redirect(302, `http://127.0.0.1:${other.port}/landing`));
  try {
    const headers = ['Authorization: Bearer secret', 'Cookie: session=1'];
    const leak = await fetch(`http://127.0.0.1:${first.port}/`, (x) => {
      x.setopt(CURLOPT.FOLLOWLOCATION, 1);
      x.setopt(CURLOPT.HTTPHEADER, headers);
    });
    assert.equal(leak.body, 'auth=- cookie=-');
    assert.equal(first.requests[0]!.headers.get('authorization'), 'Bearer secret');
    const allowed = await fetch(`http://127.0.0.1:${first.port}/`, (x) => {
      x.setopt(CURLOPT.FOLLOWLOCATION, 1);
      x.setopt(CURLOPT.HTTPHEADER, headers);
      x.setopt(CURLOPT.UNRESTRICTED_AUTH, 1);
    });
    assert.equal(allowed.body, 'auth=Bearer secret cookie=session=1');
  } finally {
    await first.close();
    await other.close();
  }
});

test('AUTOREFERER sends the previous URL without credentials or fragment', async () => {
  const srv = await startRawServer((r) => (r.target === '/start' ? redirect(301, '/next') : ok(r.headers.get('referer') ?? '-')));
  try {
    const { body } = await fetch(`http://user:pw@127.0.0.1:${srv.port}/start#frag`, (x) => {
      x.setopt(CURLOPT.FOLLOWLOCATION, 1);
      x.setopt(CURLOPT.AUTOREFERER, 1);
    });
    assert.equal(body, `http://127.0.0.1:${srv.port}/start`);
  } finally {
    await srv.close();
  }
});

test('redirects to schemes that are not allowed fail with CURLE_UNSUPPORTED_PROTOCOL', async () => {
  // (ftp:// is followed since FTP is built: libcurl's default REDIR_PROTOCOLS are http, https, ftp, ftps)
  const srv = await startRawServer((r) => (r.target === '/dict' ? redirect(302, 'dict://127.0.0.1/x') : redirect(302, 'gopher://127.0.0.1/')));
  try {
    const a = await fetch(`http://127.0.0.1:${srv.port}/dict`, (x) => x.setopt(CURLOPT.FOLLOWLOCATION, 1));
    assert.equal(a.code, CURLE.UNSUPPORTED_PROTOCOL);
    const b = await fetch(`http://127.0.0.1:${srv.port}/g`, (x) => x.setopt(CURLOPT.FOLLOWLOCATION, 1));
    assert.equal(b.code, CURLE.UNSUPPORTED_PROTOCOL);
    assert.match(b.e.errorBuffer, /gopher/);
    const c = await fetch(`http://127.0.0.1:${srv.port}/x`, (x) => {
      x.setopt(CURLOPT.FOLLOWLOCATION, 1);
      x.setopt(CURLOPT.REDIR_PROTOCOLS_STR, 'https');
    });
    assert.equal(c.code, CURLE.UNSUPPORTED_PROTOCOL);
  } finally {
    await srv.close();
  }
});

test('a Location the URL parser refuses fails with its curl_url_strerror text, as Curl_follow', async () => {
  const srv = await startRawServer((r) => (r.target === '/v6' ? redirect(302, 'http://[bad/') : redirect(302, 'foo://x/')));
  try {
    const follow = (x: Easy): void => void x.setopt(CURLOPT.FOLLOWLOCATION, 1);
    const v6 = await fetch(`http://127.0.0.1:${srv.port}/v6`, follow);
    assert.equal(v6.code, CURLE.URL_MALFORMAT);
    assert.equal(v6.e.errorBuffer, 'The redirect target URL could not be parsed: Bad IPv6 address');
    v6.e.cleanup();
    const scheme = await fetch(`http://127.0.0.1:${srv.port}/scheme`, follow);
    assert.equal(scheme.code, CURLE.UNSUPPORTED_PROTOCOL);
    assert.equal(scheme.e.errorBuffer, 'The redirect target URL could not be parsed: Unsupported URL scheme');
    scheme.e.cleanup();
  } finally {
    await srv.close();
  }
});
