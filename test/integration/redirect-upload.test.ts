// An HTTP PUT that a 307 sends on to a URL of another protocol: the HTTP
// request read the whole upload, so the next request must start it over
// (libcurl rewinds its reader before each request that sends it) and
// store all of it, as /usr/bin/curl 7.88.1 does. FTP (curl's test 1055),
// file://, SFTP and SCP (logged in by an ssh-agent: curl 7.88 does not
// carry --key over a redirect to another port), TFTP. Before, file:// and
// SFTP stored an empty file and exited 0, SCP failed with 26. Through the
// library, a READFUNCTION without SEEKFUNCTION cannot be started over:
// CURLE_SEND_FAIL_REWIND, and nothing is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CURLE, CURLOPT, Easy } from '../../src/index.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { requirePrograms } from '../helpers/requires.js';
import { startSshd } from '../helpers/sshd.js';
import { startTftpdHpa } from '../helpers/tftp-server.js';

const NO_SSH = requirePrograms(['curl', 'curl'], ['sshd', 'openssh-server'], ['ssh-agent', 'openssh-client'], ['ssh-add', 'openssh-client']);
const NO_TFTP = requirePrograms(['curl', 'curl'], ['in.tftpd', 'tftpd-hpa']);

const BODY = 'Weird\n     file\n         to\n   upload\n';

/** An HTTP server that reads each PUT's body whole, then redirects it to `location`. */
async function redirector(location: string | (() => string), bodies: string[]): Promise<Server> {
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(307, { Location: typeof location === 'string' ? location : location(), 'Content-Length': '0', Connection: 'close' });
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

/**
 * `-L -T` to the redirector, by tscurl and by curl, each to its own target
 * file: both must store the whole body there and exit 0.
 */
async function bothStoreIt(target: (client: string) => { url: string; file: string }, env: Record<string, string> = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-redir-up-'));
  let location = '';
  const bodies: string[] = [];
  const http = await redirector(() => location, bodies);
  try {
    const file = join(dir, 'up.txt');
    writeFileSync(file, BODY);
    const port = (http.address() as AddressInfo).port;
    for (const [name, client] of [['tscurl', tscurl], ['curl', curl]] as const) {
      const t = target(name);
      location = t.url;
      const r = await client(['-sS', '-L', '--proto-redir', 'all', '-T', file, `http://127.0.0.1:${port}/put`], { env });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(existsSync(t.file) ? readFileSync(t.file, 'latin1') : null, BODY, `${name} stored the whole body at ${t.url}`);
    }
    assert.deepEqual(bodies, [BODY, BODY], 'each HTTP PUT sent the file');
  } finally {
    http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('-L -T: a PUT redirected to file:// writes the whole file again, as curl 7.88', async () => {
  const out = mkdtempSync(join(tmpdir(), 'tscurl-redir-file-'));
  try {
    await bothStoreIt((c) => ({ url: `file://${out}/${c}.txt`, file: join(out, `${c}.txt`) }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('-L -T: a PUT redirected to sftp:// and to scp:// uploads the whole file again, as curl 7.88', { skip: NO_SSH }, async () => {
  const s = await startSshd();
  const sock = join(s.dir, 'agent.sock');
  const started = execFileSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
  try {
    execFileSync('ssh-add', ['-q', s.key], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    const env = { SSH_AUTH_SOCK: sock };
    await bothStoreIt((c) => ({ url: `sftp://${s.user}@127.0.0.1:${s.port}/~/sftp-${c}.txt`, file: join(s.home, `sftp-${c}.txt`) }), env);
    // scp's "~/" is the user's own home, not sftp's: a path in the server's temp dir
    await bothStoreIt((c) => ({ url: `scp://${s.user}@127.0.0.1:${s.port}${s.home}/scp-${c}.txt`, file: join(s.home, `scp-${c}.txt`) }), env);
  } finally {
    process.kill(Number(/SSH_AGENT_PID=(\d+)/.exec(started)?.[1]));
    await s.stop();
  }
});

test('-L -T: a PUT redirected to tftp:// sends the whole file again, as curl 7.88', { skip: NO_TFTP }, async () => {
  const tftpd = await startTftpdHpa({ create: true });
  try {
    await bothStoreIt((c) => ({ url: tftpd.url(`/${c}.txt`), file: join(tftpd.root, `${c}.txt`) }));
  } finally {
    await tftpd.stop();
  }
});

test('the library: a READFUNCTION body without SEEKFUNCTION cannot start over at file://: CURLE_SEND_FAIL_REWIND, the file not made', async () => {
  const out = mkdtempSync(join(tmpdir(), 'tscurl-redir-norewind-'));
  const bodies: string[] = [];
  const target = join(out, 'up.txt');
  const http = await redirector(`file://${target}`, bodies);
  try {
    const e = new Easy();
    let sent = false;
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${(http.address() as AddressInfo).port}/put`);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => (sent ? 0 : (sent = true, buf.write(BODY, 'latin1'))));
    e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    e.setopt(CURLOPT.REDIR_PROTOCOLS_STR, 'http,file');
    const code = await e.perform();
    assert.equal(code, CURLE.SEND_FAIL_REWIND, e.errorBuffer);
    assert.deepEqual(bodies, [BODY]);
    assert.equal(existsSync(target), false, 'no file was made');
    e.cleanup();
  } finally {
    http.close();
    rmSync(out, { recursive: true, force: true });
  }
});
