// A server that gives the go-ahead for TLS (FTP's 234 to AUTH TLS, SMTP's
// 220 to STARTTLS) and then never takes part in the handshake: the wait is
// bounded by the transfer's connect timeout, as curl's "SSL connection
// timeout" (28). It used to stall for good under the multi-socket API (the
// response deadline passed during the handshake and left a wake-up time in
// the past that was never announced again) and to hang with perform().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Multi, Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startAppLoop } from '../helpers/app-loop.js';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

/** A control-connection server that answers the TLS request and then stays silent. */
async function silentAfterGoAhead(greeting: string, answers: (line: string) => string | null): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.write(greeting);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const a = answers(line);
        if (a !== null) s.write(a);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

const FTP = (): Promise<{ port: number; server: Server; sockets: Socket[] }> =>
  silentAfterGoAhead('220 hello\r\n', (l) => (/^AUTH /.test(l) ? '234 go ahead\r\n' : null));
const SMTP = (): Promise<{ port: number; server: Server; sockets: Socket[] }> =>
  silentAfterGoAhead('220 smtp ready\r\n', (l) => (/^EHLO/.test(l) ? '250-hi\r\n250 STARTTLS\r\n' : /^STARTTLS/.test(l) ? '220 go ahead\r\n' : null));

function close(s: { server: Server; sockets: Socket[] }): void {
  for (const c of s.sockets) c.destroy();
  s.server.close();
}

for (const [proto, start] of [['ftp', FTP], ['smtp', SMTP]] as const) {
  test(`${proto}: a silent TLS handshake after the go-ahead ends with the connect timeout under socketAction (no stall)`, async () => {
    const srv = await start();
    const multi = new Multi();
    const loop = startAppLoop(multi, { record: false });
    const e = new Easy();
    try {
      e.setopt(CURLOPT.URL, `${proto}://127.0.0.1:${srv.port}/f`);
      e.setopt(CURLOPT.USE_SSL, 3); // CURLUSESSL_ALL
      if (proto === 'smtp') {
        e.setopt(CURLOPT.MAIL_RCPT, ['a@example.com']);
        e.setopt(CURLOPT.UPLOAD, 1);
        e.setopt(CURLOPT.READFUNCTION, () => 0);
      }
      // a response timeout shorter than the connect timeout: it used to pass first and stall the transfer
      e.setopt(CURLOPT.SERVER_RESPONSE_TIMEOUT, 1);
      e.setopt(CURLOPT.CONNECTTIMEOUT_MS, 1500);
      multi.addHandle(e);
      // a backstop for the test only: the transfer itself has no TIMEOUT_MS
      let guard: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((r) => (guard = setTimeout(() => r('stalled'), 15_000)));
      const outcome = await Promise.race([loop.finished.then(() => 'finished' as const), stalled]);
      clearTimeout(guard);
      assert.equal(outcome, 'finished');
      assert.equal(loop.done[0]?.result, CURLE.OPERATION_TIMEDOUT);
      assert.equal(e.errorBuffer, 'SSL connection timeout');
    } finally {
      loop.stop();
      multi.removeHandle(e);
      e.cleanup();
      multi.cleanup();
      close(srv);
    }
  });
}

test('ftp via the CLI: --connect-timeout bounds the TLS handshake after AUTH TLS, as curl\'s "SSL connection timeout"', async () => {
  const srv = await FTP();
  try {
    const args = ['-sS', '--ssl-reqd', '--connect-timeout', '1', `ftp://127.0.0.1:${srv.port}/f`];
    const ours = await tscurl(args, { timeoutMs: 15_000 });
    assert.equal(ours.code, 28, ours.stderr);
    assert.equal(ours.stderr, 'tscurl: (28) SSL connection timeout\n');
    if (!NO_CURL) {
      const theirs = await curl(args, { timeoutMs: 15_000 });
      assert.equal(theirs.code, 28);
      assert.equal(ours.stderr, theirs.stderr.replace(/\bcurl\b/g, 'tscurl'));
    }
  } finally {
    close(srv);
  }
});
