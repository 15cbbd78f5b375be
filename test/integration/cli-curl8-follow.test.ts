// curl 8.16's --follow through the bundled tool: redirects are followed and
// a -X method is dropped where the response code changes the method
// (CURLFOLLOW_OBEYCODE), where -L keeps it on every request. -L and --follow
// are one setting: the later one wins, with curl's warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer, ok, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

async function withServer(fn: (url: (code: number) => string, seen: () => string[]) => Promise<void>): Promise<void> {
  const got: ReceivedRequest[] = [];
  const srv = await startRawServer((r) => {
    got.push(r);
    const m = /^\/(\d{3})$/.exec(r.target);
    return m ? { data: `HTTP/1.1 ${m[1]} Moved\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n` } : ok('final\n');
  });
  try {
    await fn((code) => `http://127.0.0.1:${srv.port}/${code}`, () => got.splice(0).map((q) => `${q.method} ${q.target} ${q.body.toString()}`.trimEnd()));
  } finally {
    await srv.close();
  }
}

test('--follow: a custom POST becomes GET on 302 and 303, stays on 307; a custom DELETE becomes GET on 303', async () => {
  await withServer(async (url, seen) => {
    for (const [code, second] of [[302, 'GET /final'], [303, 'GET /final'], [307, 'IGLOO /final moo']] as const) {
      const r = await tscurlBundle([url(code), '-s', '-X', 'IGLOO', '-d', 'moo', '--follow']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'final\n');
      assert.deepEqual(seen(), [`IGLOO /${code} moo`, second], `${code}`);
    }
    const del = await tscurlBundle([url(303), '-s', '-X', 'DELETE', '--follow']);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(seen(), ['DELETE /303', 'GET /final']);
    // -L keeps the custom method on every request (CURLFOLLOW_ALL)
    const loc = await tscurlBundle([url(303), '-s', '-X', 'DELETE', '-L']);
    assert.equal(loc.code, 0, loc.stderr);
    assert.deepEqual(seen(), ['DELETE /303', 'DELETE /final']);
  });
});

test('--follow and -L: the later one wins with a warning (muted by -s); --no-follow follows nothing', async () => {
  await withServer(async (url, seen) => {
    const a = await tscurlBundle([url(302), '--no-progress-meter', '-X', 'IGLOO', '-d', 'moo', '--location', '--follow']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stderr, 'Warning: --follow overrides --location\n');
    assert.deepEqual(seen(), ['IGLOO /302 moo', 'GET /final']);
    const b = await tscurlBundle([url(302), '--no-progress-meter', '-X', 'IGLOO', '-d', 'moo', '--follow', '-L']);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stderr, 'Warning: --location overrides --follow\n');
    assert.deepEqual(seen(), ['IGLOO /302 moo', 'IGLOO /final']);
    const quiet = await tscurlBundle([url(302), '-s', '-L', '--follow']);
    assert.equal(quiet.stderr, '');
    seen();
    const off = await tscurlBundle([url(302), '-s', '--follow', '--no-follow']);
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(seen(), ['GET /302']);
  });
});
