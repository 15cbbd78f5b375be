// --expand-* as curl's varexpand(): a {{name}} that is too long (128 bytes
// or more) or not made of [A-Za-z0-9_] is sent as written, with a warning,
// as is the rest after an unclosed {{; an argument in which nothing was
// replaced goes out exactly as given (curl's cases 429 and 448).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

test('--expand-data: names too long or malformed stay literal, an unclosed {{ ends the expansion', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  const url = `http://127.0.0.1:${srv.port}/v`;
  const sent = (): string => srv.requests.at(-1)!.body.toString('latin1');
  try {
    const long = 'F'.repeat(129);
    const a = await tscurlBundle([url, '--variable', 'v=val', '--expand-data', `{{${long}}}`]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(sent(), `{{${long}}}`);
    assert.match(a.stderr, /^Warning: bad variable name length/);
    const max = 'A'.repeat(128);
    const b = await tscurlBundle([url, '-s', '--variable', 'v=val', '--expand-data', `1{{v}}2{{nope}}3{{${max}}}4{{broken`]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(sent(), `1val23{{${max}}}4{{broken`);
    const c = await tscurlBundle([url, '--variable', 'v=val', '--expand-data', '{{v}}{{bad-name}}']);
    assert.equal(sent(), 'val{{bad-name}}');
    assert.match(c.stderr, /^Warning: bad variable name: bad-name$/m);
    // nothing replaced: the argument as given, backslash and all
    await tscurlBundle([url, '-s', '--expand-data', 'a\\{{v}}']);
    assert.equal(sent(), 'a\\{{v}}');
    await tscurlBundle([url, '-s', '--variable', 'v=val', '--expand-data', 'a\\{{v}}{{v}}']);
    assert.equal(sent(), 'a{{v}}val');
  } finally {
    await srv.close();
  }
});
