// An HTTP PUT that a redirect sends on to an FTP URL (curl's test 1055):
// the HTTP request read the whole upload file, so the FTP STOR must start
// it over and store all of it, then end the session with QUIT, as
// /usr/bin/curl 7.88.1 does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { tscurl } from '../helpers/cli-run.js';
import { startFtpServer } from '../helpers/ftp-server.js';

const BODY = 'Weird\n     file\n         to\n   upload\n';

/** An HTTP server that reads each PUT's body whole, then redirects it to `location`. */
async function redirector(location: string, bodies: string[]): Promise<Server> {
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(307, { Location: location, 'Content-Length': '0', Connection: 'close' });
      res.end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

test('-L -T: a PUT redirected to ftp:// uploads the whole file again over FTP, then QUIT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-redir-up-'));
  const ftp = await startFtpServer({ files: { '/d/old.txt': 'x' } });
  const bodies: string[] = [];
  const http = await redirector(`ftp://127.0.0.1:${ftp.port}/d/up.txt`, bodies);
  try {
    const file = join(dir, 'up.txt');
    writeFileSync(file, BODY);
    const port = (http.address() as AddressInfo).port;
    const r = await tscurl(['-sS', '-L', '-T', file, `http://127.0.0.1:${port}/put`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(bodies, [BODY], 'the HTTP PUT sent the file');
    assert.equal(ftp.files.get('/d/up.txt')?.toString('latin1'), BODY, 'the FTP STOR sent it whole again');
    await ftp.waitCommand('QUIT');
    const cmds = ftp.commands;
    assert.equal(cmds[cmds.length - 1], 'QUIT');
    assert.ok(cmds.includes('STOR up.txt'), cmds.join(' | '));
  } finally {
    http.close();
    await ftp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
