// FTPS CCC (Clear Command Channel, FTP_SSL_CCC) end to end against the test
// FTP server (test/helpers/ftp-server.ts with `ccc`), which records whether
// each command came in TLS or in the clear and whether the client sent a
// close_notify: after the login the control connection's TLS is shut down
// (CURLFTPSSL_CCC_PASSIVE waits for the server's close_notify and answers
// none, _ACTIVE sends its own first) and the commands go on in the clear on
// the same socket; the data connections keep PROT P's TLS; a pooled
// connection is reused in the clear only by a transfer that asked for CCC;
// the server's refusal, end, reset and silence end as curl 7.88's do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLM } from '../../src/index.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { startFtpServer, type CccMode, type FtpTestServer } from '../helpers/ftp-server.js';
import { testCerts } from '../helpers/certs.js';
import { requireProgram } from '../helpers/requires.js';
import { startAppLoop, socketSequence } from '../helpers/app-loop.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

const CCC = { NONE: 0, PASSIVE: 1, ACTIVE: 2 } as const;
const USESSL_ALL = 3;

/** Explicit FTPS (AUTH TLS, PROT P) trusting the test CA, with FTP_SSL_CCC = `ccc`. */
function ftps(e: Easy, ccc: number): void {
  e.setopt(CURLOPT.USE_SSL, USESSL_ALL);
  e.setopt(CURLOPT.CAINFO, testCerts().caFile);
  e.setopt(CURLOPT.FTP_SSL_CCC, ccc);
  // a client that lost a reply fails within seconds instead of libcurl's 120
  e.setopt(CURLOPT.SERVER_RESPONSE_TIMEOUT, 10);
}

/** The commands as the server got them: "TLS <line>" or "clear <line>". */
function wire(srv: FtpTestServer): string[] {
  return srv.commands.map((l, i) => `${srv.secure[i] ? 'TLS' : 'clear'} ${l}`);
}

/** AUTH (the server refuses SSL, takes TLS), the login in TLS, CCC in TLS. */
const LOGIN_TO_CCC = ['clear AUTH SSL', 'clear AUTH TLS', 'TLS USER anonymous', 'TLS PASS ftp@example.com', 'TLS PBSZ 0', 'TLS PROT P', 'TLS CCC'];

async function server(ccc: CccMode, implicit = false): Promise<FtpTestServer> {
  return startFtpServer({ tls: testCerts().server, ccc, implicit, files: { '/dir/f.txt': 'cleared channel\n' } });
}

/** Each CCC mode against the server that suits it: passive waits for the server's close_notify, active sends one first. */
const MODES: { name: string; ccc: number; server: CccMode; clientCloseNotify: number }[] = [
  { name: 'passive', ccc: CCC.PASSIVE, server: 'server-first', clientCloseNotify: 0 },
  { name: 'active', ccc: CCC.ACTIVE, server: 'client-first', clientCloseNotify: 1 },
];

for (const m of MODES) {
  test(`CCC ${m.name}: a download, then an upload, go on in the clear after the login; the data connections stay TLS`, { skip: NO_OPENSSL }, async () => {
    const srv = await server(m.server);
    try {
      const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => ftps(e, m.ccc));
      assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
      assert.equal(r.body, 'cleared channel\n');
      assert.deepEqual(wire(srv), [...LOGIN_TO_CCC, 'clear PWD', 'clear CWD dir', 'clear EPSV', 'clear TYPE I', 'clear SIZE f.txt', 'clear RETR f.txt']);
      // passive mode answers the server's close_notify with none; active mode sent one first
      assert.equal(srv.clientCloseNotify, m.clientCloseNotify);
      assert.equal(srv.dataTls, 1);
      r.easy.cleanup();
      await srv.waitCommand('QUIT');
      assert.equal(wire(srv).at(-1), 'clear QUIT');

      srv.commands.length = 0;
      srv.secure.length = 0;
      const up = new Easy();
      try {
        ftps(up, m.ccc);
        up.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/dir/up.bin`);
        up.setopt(CURLOPT.UPLOAD, 1);
        const body = Buffer.alloc(300_000, 'after CCC ');
        up.setopt(CURLOPT.READDATA, body);
        assert.equal(await up.perform(), CURLE.OK, up.errorBuffer);
        assert.ok(srv.files.get('/dir/up.bin')?.equals(body));
        assert.deepEqual(wire(srv), [...LOGIN_TO_CCC, 'clear PWD', 'clear CWD dir', 'clear EPSV', 'clear TYPE I', 'clear STOR up.bin']);
        assert.equal(srv.dataTls, 2);
      } finally {
        up.cleanup();
      }
    } finally {
      await srv.close();
    }
  });

  test(`CCC ${m.name}: the server's close_notify and its next reply in one packet: the reply is not lost in the TLS layer`, { skip: NO_OPENSSL }, async () => {
    // 'eager': the 200, the close_notify and (in the clear) the 257 to the PWD that follows leave in one write
    const srv = await server('eager');
    try {
      const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => ftps(e, m.ccc));
      assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
      assert.equal(r.body, 'cleared channel\n');
      assert.deepEqual(wire(srv), [...LOGIN_TO_CCC, 'clear PWD', 'clear CWD dir', 'clear EPSV', 'clear TYPE I', 'clear SIZE f.txt', 'clear RETR f.txt']);
      assert.equal(srv.clientCloseNotify, m.clientCloseNotify);
    } finally {
      await srv.close();
    }
  });
}

test('CCC: the trace says how TLS ended, as curl 7.88 with OpenSSL', { skip: NO_OPENSSL }, async () => {
  const srv = await server('server-first');
  try {
    let lines: string[] = [];
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => {
      ftps(e, CCC.PASSIVE);
      lines = verboseLines(e);
    });
    assert.equal(r.code, CURLE.OK);
    assert.ok(lines.includes('SSL_get_shutdown() returned SSL_RECEIVED_SHUTDOWN'), lines.join('\n'));
  } finally {
    await srv.close();
  }
});

test('CCC: the cleared connection is reused in the clear by the same options, never by a transfer without CCC', { skip: NO_OPENSSL }, async () => {
  const srv = await server('server-first');
  const e = new Easy();
  try {
    ftps(e, CCC.PASSIVE);
    e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/dir/f.txt`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    const first = srv.commands.length;
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(srv.controlConnections, 1);
    // the same directory: no CWD; the same type: no TYPE
    assert.deepEqual(wire(srv).slice(first), ['clear EPSV', 'clear SIZE f.txt', 'clear RETR f.txt']);
    assert.equal(srv.dataTls, 2);

    // FTP_SSL_CCC none wants a control connection in TLS: a new one, which stays TLS
    e.setopt(CURLOPT.FTP_SSL_CCC, CCC.NONE);
    const second = srv.commands.length;
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(srv.controlConnections, 2);
    assert.deepEqual(wire(srv).slice(second), [
      'clear AUTH SSL', 'clear AUTH TLS', 'TLS USER anonymous', 'TLS PASS ftp@example.com', 'TLS PBSZ 0', 'TLS PROT P', 'TLS PWD',
      'TLS CWD dir', 'TLS EPSV', 'TLS TYPE I', 'TLS SIZE f.txt', 'TLS RETR f.txt',
    ]);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CCC with implicit FTPS (ftps://): the TLS from the first byte comes off after the login', { skip: NO_OPENSSL }, async () => {
  const srv = await server('client-first', true);
  try {
    const r = await fetchUrl(`ftps://127.0.0.1:${srv.port}/dir/f.txt`, (e) => {
      e.setopt(CURLOPT.CAINFO, testCerts().caFile);
      e.setopt(CURLOPT.FTP_SSL_CCC, CCC.ACTIVE);
    });
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'cleared channel\n');
    assert.deepEqual(wire(srv), [...LOGIN_TO_CCC.slice(2), 'clear PWD', 'clear CWD dir', 'clear EPSV', 'clear TYPE I', 'clear SIZE f.txt', 'clear RETR f.txt']);
    assert.equal(srv.clientCloseNotify, 1);
    assert.equal(srv.dataTls, 1);
  } finally {
    await srv.close();
  }
});

test('CCC under the multi-socket API: the same control socket before and after, the same callback sequence as without CCC', { skip: NO_OPENSSL }, async () => {
  const sequences: string[][] = [];
  for (const ccc of [CCC.NONE, CCC.PASSIVE]) {
    const srv = await server('server-first');
    const multi = new Multi();
    const loop = startAppLoop(multi);
    const easy = new Easy();
    try {
      ftps(easy, ccc);
      easy.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/dir/f.txt`);
      easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      assert.equal(multi.addHandle(easy), CURLM.OK);
      await loop.finished;
      assert.equal(loop.done[0]?.result, CURLE.OK);
      assert.equal(wire(srv).includes('clear PWD'), ccc !== CCC.NONE);
      assert.equal(loop.wrongSocketp, 0);
      sequences.push(socketSequence(loop.events, ['control', 'data']));
      multi.removeHandle(easy);
    } finally {
      easy.cleanup();
      multi.cleanup();
      loop.stop();
      await srv.close();
    }
  }
  assert.deepEqual(sequences[1], sequences[0]);
  // one control socket throughout (a new number after CCC would show up as a third socket)
  assert.deepEqual(sequences[1], [
    'control OUT', // connecting
    'control IN', // the greeting, AUTH
    'control OUT', // the TLS handshake of AUTH TLS
    'control IN', // the login, CCC and its TLS shutdown, and every reply after it in the clear
    // EPSV: the data connection connects, has its TLS handshake (PROT P), then the body comes
    'data OUT', 'data IN', 'data OUT', 'data IN',
    'data REMOVE', // EOF: closed
    'control REMOVE', // the 226: the control connection goes to the pool unwatched
  ]);
});

test('CCC refused with a 5xx: the login goes on in TLS, as libcurl', { skip: NO_OPENSSL }, async () => {
  const srv = await server('server-first');
  srv.replies.set('CCC', '533 CCC not permitted');
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => ftps(e, CCC.PASSIVE));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'cleared channel\n');
    assert.deepEqual(wire(srv), [...LOGIN_TO_CCC, 'TLS PWD', 'TLS CWD dir', 'TLS EPSV', 'TLS TYPE I', 'TLS SIZE f.txt', 'TLS RETR f.txt']);
  } finally {
    await srv.close();
  }
});

test('CCC: a server that ends the connection (or resets it) instead of a close_notify: CURLE_RECV_ERROR with the failed read', { skip: NO_OPENSSL }, async () => {
  for (const [mode, errno] of [['close', 0], ['reset', 104]] as const) {
    const srv = await server(mode);
    try {
      const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => ftps(e, CCC.PASSIVE));
      assert.equal(r.code, CURLE.RECV_ERROR, mode);
      assert.equal(r.easy.errorBuffer, `OpenSSL SSL_read on shutdown: SSL_ERROR_SYSCALL, errno ${errno}`);
      assert.deepEqual(wire(srv), LOGIN_TO_CCC);
    } finally {
      await srv.close();
    }
  }
});

test('CCC: data in TLS after the 200 instead of the close_notify fails with CURLE_SSL_SHUTDOWN_FAILED', { skip: NO_OPENSSL }, async () => {
  const srv = await server('silent');
  // the 200 and one more line, both in TLS
  srv.raw.set('CCC', (s) => void s.write('200 Clearing the command channel\r\n200 and more\r\n'));
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/f.txt`, (e) => ftps(e, CCC.PASSIVE));
    assert.equal(r.code, CURLE.SSL_SHUTDOWN_FAILED);
    assert.equal(r.easy.errorBuffer, 'Failed to clear the command channel (CCC)');
  } finally {
    await srv.close();
  }
});

test('CCC: a server that never sends its close_notify does not hang the transfer past its timeout, nor spin while it waits', { skip: NO_OPENSSL, timeout: 30_000 }, async () => {
  const srv = await server('silent');
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const easy = new Easy();
  try {
    ftps(easy, CCC.PASSIVE);
    easy.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/dir/f.txt`);
    // the wait for the close_notify is the shutdown's own (10 s), not the response timeout, which passes first here
    easy.setopt(CURLOPT.SERVER_RESPONSE_TIMEOUT_MS, 50);
    easy.setopt(CURLOPT.TIMEOUT_MS, 600);
    assert.equal(multi.addHandle(easy), CURLM.OK);
    await loop.finished;
    assert.equal(loop.done[0]?.result, CURLE.OPERATION_TIMEDOUT);
    assert.deepEqual(wire(srv), LOGIN_TO_CCC);
    // a deadline in the past would have the timer re-armed at 0 ms over and over
    const timers = loop.events.filter((e) => e.kind === 'timer').length;
    assert.ok(timers < 40, `${timers} timer callbacks`);
    multi.removeHandle(easy);
  } finally {
    easy.cleanup();
    multi.cleanup();
    loop.stop();
    await srv.close();
  }
});
