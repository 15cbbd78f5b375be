// CURLOPT_CONNECTTIMEOUT in each phase of a connection, compared with
// /usr/bin/curl 7.88.1 against a server that accepts and keeps silent.
//
// The login: the connect timeout covers a protocol's login, as libcurl's
// covers PROTOCONNECT: FTP's greeting up to PWD, the mail protocols'
// greeting and login, LDAP's bind, SMB's negotiate and session setup end
// with 28 "Operation timed out after N milliseconds with 0 bytes received".
// Before, the deadline ended with the TCP connect and tscurl waited for as
// long as the server did. A transfer that logged in in time and then runs
// past the connect timeout is not cut.
//
// The filters: a TLS handshake (origin or HTTPS proxy) says "SSL connection
// timeout" and an HTTP CONNECT "Proxy CONNECT aborted due to timeout", the
// checks of libcurl's filters; SOCKS and the total timeout (-m) say the
// multi's "Connection timed out after N milliseconds". LOW_SPEED_* (-Y/-y) start
// once logged in, as libcurl checks them in PERFORMING only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLineServer } from '../helpers/line-server.js';
import { startFtpServer } from '../helpers/ftp-server.js';
import { tscurl, curl, normalise } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { startAppLoop } from '../helpers/app-loop.js';
import { Easy, Multi, CURLOPT, CURLE, CURL_SOCKET_TIMEOUT } from '../../src/index.js';

const NO_CURL = requireProgram('curl', 'curl');
const ms = (s: string): string => normalise(s).replace(/after \d+ milliseconds/g, 'after N milliseconds');

test('a server that accepts and keeps silent: FTP, IMAP, POP3, SMTP, LDAP and SMB time out at --connect-timeout, as curl 7.88', { skip: NO_CURL }, async () => {
  const silent = await startLineServer('', () => null);
  try {
    const base = `127.0.0.1:${silent.port}`;
    const urls = [`ftp://${base}/f`, `imap://${base}/`, `pop3://${base}/`, `smtp://${base}/`, `ldap://${base}/`, `smb://${base}/share/f`];
    const args = (u: string): string[] => ['-sS', '-u', 'a:b', '--connect-timeout', '2', u];
    const runs = await Promise.all(urls.map((u) => Promise.all([tscurl(args(u)), curl(args(u))])));
    runs.forEach(([ours, theirs], i) => {
      assert.equal(theirs.code, 28, `curl ${urls[i]}: ${theirs.stderr}`);
      assert.equal(ours.code, 28, `${urls[i]}: ${ours.stderr}`);
      assert.match(ours.stderr, /^tscurl: \(28\) Operation timed out after \d+ milliseconds with 0 bytes received\n$/);
      assert.equal(ms(ours.stderr), ms(theirs.stderr), urls[i]);
    });
  } finally {
    await silent.close();
  }
});

test('an FTP server that greets and then keeps silent at PASS: still the connect phase', { skip: NO_CURL }, async () => {
  const srv = await startLineServer('220 hello\r\n', (line) => (line.startsWith('USER') ? '331 password please\r\n' : null));
  try {
    const args = ['-sS', '-u', 'a:b', '--connect-timeout', '2', `ftp://127.0.0.1:${srv.port}/f`];
    const [ours, theirs] = await Promise.all([tscurl(args), curl(args)]);
    assert.equal(theirs.code, 28, theirs.stderr);
    assert.equal(ours.code, 28, ours.stderr);
    assert.equal(ms(ours.stderr), ms(theirs.stderr));
  } finally {
    await srv.close();
  }
});

test('logged in within the connect timeout: a download that runs past it is not cut (FTP, POP3)', async () => {
  const body = Buffer.alloc(48 * 1024, 'x');
  const ftp = await startFtpServer({ files: { '/f': body } });
  const text = 'y'.repeat(48 * 1024);
  const pop3 = await startLineServer('+OK ready\r\n', (line) => {
    if (line.startsWith('CAPA')) return '+OK\r\nUSER\r\n.\r\n';
    if (line.startsWith('RETR')) return `+OK\r\n${text}\r\n.\r\n`;
    if (line.startsWith('QUIT')) return '+OK bye\r\n';
    return '+OK\r\n';
  });
  try {
    // 16 KiB/s: three seconds of data after a login of a few milliseconds
    const slow = ['-sS', '--connect-timeout', '2', '--limit-rate', '16k'];
    const [f, p] = await Promise.all([
      tscurl([...slow, `ftp://127.0.0.1:${ftp.port}/f`]),
      tscurl([...slow, '-u', 'a:b', `pop3://127.0.0.1:${pop3.port}/1`]),
    ]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, body.toString('latin1'));
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, `${text}\r\n`);
  } finally {
    await ftp.close();
    await pop3.close();
  }
});

test('through Multi.socketAction: the login\'s deadline is a timer the application is asked for; the transfer ends with CURLE_OPERATION_TIMEDOUT', { timeout: 20_000 }, async () => {
  const silent = await startLineServer('', () => null);
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const easy = new Easy();
  try {
    easy.setopt(CURLOPT.URL, `imap://127.0.0.1:${silent.port}/INBOX`);
    easy.setopt(CURLOPT.USERPWD, 'a:b');
    easy.setopt(CURLOPT.CONNECTTIMEOUT_MS, 1500);
    multi.addHandle(easy);
    multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
    await loop.finished;
    assert.equal(loop.done[0]!.result, CURLE.OPERATION_TIMEDOUT);
    assert.match(easy.errorBuffer, /^Operation timed out after \d+ milliseconds with 0 bytes received$/);
    // the connection was made at once: the wait that ended it was a timer of the login
    assert.ok(loop.events.some((ev) => ev.kind === 'timer' && ev.ms > 0));
  } finally {
    loop.stop();
    multi.removeHandle(easy);
    easy.cleanup();
    multi.cleanup();
    await silent.close();
  }
});

test('a silent peer in the connection filters: the TLS handshake, an HTTPS proxy, a CONNECT, SOCKS and -m say what curl 7.88 says', { skip: NO_CURL }, async () => {
  const silent = await startLineServer('', () => null);
  try {
    const peer = `127.0.0.1:${silent.port}`;
    const cases = [
      ['--connect-timeout', '2', `https://${peer}/`],
      ['--connect-timeout', '2', `ftps://${peer}/`],
      ['--connect-timeout', '2', '-x', `http://${peer}`, 'https://example.test/'],
      ['--connect-timeout', '2', '-x', `https://${peer}`, 'http://example.test/'],
      ['--connect-timeout', '2', '-p', '-x', `http://${peer}`, 'ftp://example.test/f'],
      ['--connect-timeout', '2', '-x', `socks5h://${peer}`, 'http://example.test/'],
      ['-m', '1', `https://${peer}/`],
    ];
    const runs = await Promise.all(cases.map((c) => Promise.all([tscurl(['-sS', ...c]), curl(['-sS', ...c])])));
    runs.forEach(([ours, theirs], i) => {
      const what = cases[i]!.join(' ');
      assert.equal(theirs.code, 28, `curl ${what}: ${theirs.stderr}`);
      assert.equal(ours.code, 28, `${what}: ${ours.stderr}`);
      assert.equal(ms(ours.stderr), ms(theirs.stderr), what);
    });
    assert.match(runs[0]![0].stderr, /SSL connection timeout/);
    assert.match(runs[2]![0].stderr, /Proxy CONNECT aborted due to timeout/);
  } finally {
    await silent.close();
  }
});

test('-Y/-y (LOW_SPEED_*) do not apply to a login, as libcurl checks them only in PERFORMING; an HTTP request waiting for its answer is too slow', { skip: NO_CURL }, async () => {
  const silent = await startLineServer('', () => null);
  try {
    const peer = `127.0.0.1:${silent.port}`;
    const slow = ['-sS', '-u', 'a:b', '-Y', '100', '-y', '1', '--connect-timeout', '3'];
    const urls = [`ftp://${peer}/f`, `imap://${peer}/`, `http://${peer}/`];
    const runs = await Promise.all(urls.map((u) => Promise.all([tscurl([...slow, u]), curl([...slow, u])])));
    runs.forEach(([ours, theirs], i) => {
      assert.equal(theirs.code, 28, `curl ${urls[i]}: ${theirs.stderr}`);
      assert.equal(ours.code, 28, `${urls[i]}: ${ours.stderr}`);
      assert.equal(ms(ours.stderr), ms(theirs.stderr), urls[i]);
    });
    assert.match(runs[0]![0].stderr, /Operation timed out after \d+ milliseconds with 0 bytes received/);
    assert.match(runs[2]![0].stderr, /Operation too slow\. Less than 100 bytes\/sec transferred the last 1 seconds/);
  } finally {
    await silent.close();
  }
});
