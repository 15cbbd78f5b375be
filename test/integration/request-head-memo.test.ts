// A handle that sends the same GET again reuses the request head it built
// (src/proto/http-request.ts, HeadMemo). These tests prove the remembered head
// is the one the general path builds, and that everything that may change
// between requests without an option changing still shows: the cookie
// engine's Cookie line, credentials from a .netrc edited in between, the
// HTTP version the server answered with; and that changing an option or the
// URL builds the head anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO_TYPE } from '../../src/index.js';
import { withRawServer, ok, type Handler, type RawServer } from '../helpers/raw-http-server.js';

const withServer = (handler: Handler, fn: (srv: RawServer) => Promise<void>): Promise<void> => withRawServer(fn, handler);

/** Perform `e` once; returns the request head it sent, as the debug callback saw it. */
async function once(e: Easy): Promise<string> {
  let out = '';
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, data: Buffer) => {
    if (type === CURLINFO_TYPE.HEADER_OUT) out += data.toString('latin1');
    return 0;
  });
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  assert.equal(await e.perform(), CURLE.OK);
  return out;
}

test('a repeated GET sends the same bytes as a fresh handle with the same options', async () => {
  await withServer(() => ok('x'), async (s) => {
    const url = `http://127.0.0.1:${s.port}/path?q=1`;
    const setup = (e: Easy): void => {
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.USERAGENT, 'memo/1');
      e.setopt(CURLOPT.HTTPHEADER, ['X-One: 1', 'Accept:', 'X-Empty;']);
      e.setopt(CURLOPT.ACCEPT_ENCODING, '');
      e.setopt(CURLOPT.RANGE, '0-9');
    };
    const a = new Easy();
    setup(a);
    const first = await once(a);
    const second = await once(a); // from the memo (only DEBUGFUNCTION/VERBOSE were set again: a new generation)
    const third = await once(a);
    const fresh = new Easy();
    try {
      setup(fresh);
      const reference = await once(fresh);
      assert.equal(first, reference);
      assert.equal(second, reference);
      assert.equal(third, reference);
      // and what reached the server is what the debug callback saw
      assert.equal(s.requests.length, 4);
      for (const r of s.requests) assert.equal(r.head, reference);
    } finally {
      a.cleanup();
      fresh.cleanup();
    }
  });
});

test('a memoized head still carries the cookies the previous response set', async () => {
  let n = 0;
  await withServer(() => ok('c', n++ === 0 ? 'Set-Cookie: sid=abc; Path=/\r\n' : ''), async (s) => {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${s.port}/`);
      e.setopt(CURLOPT.COOKIEFILE, '');
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(s.requests[0]!.headers.get('cookie'), undefined);
      assert.equal(s.requests[1]!.headers.get('cookie'), 'sid=abc');
      assert.equal(s.requests[2]!.headers.get('cookie'), 'sid=abc');
      // the Cookie line sits where the general path puts it: after Accept, before the application's headers
      assert.match(s.requests[2]!.head, /\r\nAccept: \*\/\*\r\nCookie: sid=abc\r\n\r\n$/);
    } finally {
      e.cleanup();
    }
  });
});

test('credentials that appear in .netrc between two requests are sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-memo-'));
  try {
    const netrc = join(dir, 'netrc');
    writeFileSync(netrc, 'machine other.example login x password y\n');
    await withServer(() => ok('n'), async (s) => {
      const e = new Easy();
      try {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${s.port}/`);
        e.setopt(CURLOPT.NETRC, 1);
        e.setopt(CURLOPT.NETRC_FILE, netrc);
        e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
        assert.equal(await e.perform(), CURLE.OK);
        writeFileSync(netrc, 'machine 127.0.0.1 login user password pass\n');
        assert.equal(await e.perform(), CURLE.OK);
        assert.equal(s.requests[0]!.headers.get('authorization'), undefined);
        assert.equal(s.requests[1]!.headers.get('authorization'), `Basic ${Buffer.from('user:pass').toString('base64')}`);
      } finally {
        e.cleanup();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed option or URL builds the head again; an HTTP/1.0 answer makes the next request on the connection HTTP/1.0', async () => {
  let n = 0;
  await withServer(() => {
    n++;
    // the second response is HTTP/1.0 with keep-alive: the connection stays and remembers the version
    return n === 2 ? { data: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nz' } : ok('y');
  }, async (s) => {
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${s.port}/a`);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(await e.perform(), CURLE.OK); // answered with HTTP/1.0
      assert.equal(await e.perform(), CURLE.OK); // so this one asks with HTTP/1.0
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${s.port}/b`);
      assert.equal(await e.perform(), CURLE.OK);
      e.setopt(CURLOPT.USERAGENT, 'changed/2');
      assert.equal(await e.perform(), CURLE.OK);
      const lines = s.requests.map((r) => r.head.split('\r\n')[0]);
      // the third answer was HTTP/1.1 again: the connection's version follows its last response
      assert.deepEqual(lines, ['GET /a HTTP/1.1', 'GET /a HTTP/1.1', 'GET /a HTTP/1.0', 'GET /b HTTP/1.1', 'GET /b HTTP/1.1']);
      assert.equal(s.requests[3]!.headers.get('user-agent'), undefined);
      assert.equal(s.requests[4]!.headers.get('user-agent'), 'changed/2');
    } finally {
      e.cleanup();
    }
  });
});
