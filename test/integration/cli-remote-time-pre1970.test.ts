// -R (--remote-time) with a Last-Modified before 1970 (curl's test 762): the
// saved file gets that negative time, as curl 8 does; 7.88 left it at "now".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { tscurl } from '../helpers/cli-run.js';

async function withServer(lastModified: string, fn: (port: number) => Promise<void>): Promise<void> {
  const srv = createServer((_req, res) => {
    res.writeHead(200, { 'Last-Modified': lastModified, 'Content-Length': '6' });
    res.end('12345\n');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    await fn((srv.address() as AddressInfo).port);
  } finally {
    srv.close();
  }
}

for (const [date, secs] of [
  ['Wed, 09 Oct 1940 16:45:49 +0100', -922349651],
  ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
  ['Tue, 13 Jun 2000 12:10:00 GMT', 960898200],
] as const) {
  test(`-R sets the file's time from Last-Modified: ${date}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tscurl-rtime-'));
    try {
      await withServer(date, async (port) => {
        const out = join(dir, 'out');
        const r = await tscurl(['-sS', '-R', '-o', out, `http://127.0.0.1:${port}/f`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(Math.round(statSync(out).mtimeMs / 1000), secs);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
