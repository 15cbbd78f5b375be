// FTP servers that refuse, lie or misbehave (the test FTP server with its
// replies replaced): every reply libcurl treats as an error ends the
// transfer with libcurl's CURLcode, a 227 pointing at another host is not
// followed unless asked, a reply of a million lines or a line of a megabyte
// fails cleanly, a data connection that closes early is a partial file, a
// server that never connects back or never answers runs into its timeout.
// Nothing hangs: every transfer here has TIMEOUT_MS as a backstop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { CURLOPT, CURLE, CURLINFO, type Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startFtpServer, type FtpTestServer } from '../helpers/ftp-server.js';

async function run(srv: FtpTestServer, path: string, setup?: (e: Easy) => void): Promise<{ code: number; body: string; responseCode: number }> {
  const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}${path}`, (e) => {
    e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    setup?.(e);
  });
  const responseCode = r.easy.getinfo(CURLINFO.RESPONSE_CODE) as number;
  r.easy.cleanup();
  return { code: r.code, body: r.body, responseCode };
}

async function withServer(fn: (srv: FtpTestServer) => Promise<void>, files: Record<string, string> = { '/f': '0123456789' }): Promise<void> {
  const srv = await startFtpServer({ files });
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

const CASES: { name: string; code: number; setup: (s: FtpTestServer) => void; path?: string; opts?: (e: Easy) => void }[] = [
  { name: 'a greeting other than 220', code: CURLE.WEIRD_SERVER_REPLY, setup: () => {}, opts: () => {} },
  { name: 'USER refused', code: CURLE.LOGIN_DENIED, setup: (s) => s.replies.set('USER', '530 go away') },
  { name: 'PASS refused', code: CURLE.LOGIN_DENIED, setup: (s) => s.replies.set('PASS', '530 Login incorrect.') },
  { name: 'ACCT asked for, none given', code: CURLE.LOGIN_DENIED, setup: (s) => s.replies.set('PASS', '332 need account') },
  { name: 'CWD refused', code: CURLE.REMOTE_ACCESS_DENIED, setup: () => {}, path: '/nodir/f' },
  { name: 'EPSV and PASV refused', code: CURLE.FTP_WEIRD_PASV_REPLY, setup: (s) => { s.replies.set('EPSV', '500 no'); s.replies.set('PASV', '500 no'); } },
  { name: 'a 229 without a port', code: CURLE.FTP_WEIRD_PASV_REPLY, setup: (s) => s.replies.set('EPSV', '229 Entering Extended Passive Mode (|||x|)') },
  { name: 'a 227 without an address', code: CURLE.FTP_WEIRD_227_FORMAT, setup: (s) => { s.replies.set('EPSV', '500 no'); s.replies.set('PASV', '227 Entering Passive Mode (nothing here)'); } },
  { name: 'TYPE refused', code: CURLE.FTP_COULDNT_SET_TYPE, setup: (s) => s.replies.set('TYPE', '504 no such type') },
  { name: 'RETR 550', code: CURLE.REMOTE_FILE_NOT_FOUND, setup: () => {}, path: '/missing' },
  { name: 'RETR 450', code: CURLE.FTP_COULDNT_RETR_FILE, setup: (s) => s.replies.set('RETR', '450 busy') },
  { name: 'REST refused', code: CURLE.FTP_COULDNT_USE_REST, setup: (s) => s.replies.set('REST', '502 no REST'), opts: (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 3) },
  { name: 'a resume past the end', code: CURLE.BAD_DOWNLOAD_RESUME, setup: () => {}, opts: (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 99) },
  { name: 'PRET refused', code: CURLE.FTP_PRET_FAILED, setup: (s) => s.replies.set('PRET', '500 what'), opts: (e) => e.setopt(CURLOPT.FTP_USE_PRET, 1) },
  { name: 'EPRT and PORT refused', code: CURLE.FTP_PORT_FAILED, setup: (s) => { s.replies.set('EPRT', '500 no'); s.replies.set('PORT', '500 no'); }, opts: (e) => e.setopt(CURLOPT.FTPPORT, '127.0.0.1') },
  { name: 'a QUOTE command refused', code: CURLE.QUOTE_ERROR, setup: () => {}, opts: (e) => e.setopt(CURLOPT.QUOTE, ['SITE NOPE']) },
  { name: 'STOR refused', code: CURLE.UPLOAD_FAILED, setup: (s) => s.replies.set('STOR', '553 Could not create file.'), opts: (e) => { e.setopt(CURLOPT.UPLOAD, 1); e.setopt(CURLOPT.READDATA, Buffer.from('x')); } },
  { name: 'the data connection closing early', code: CURLE.PARTIAL_FILE, setup: (s) => { s.shortData = 4; } },
  { name: 'a reply that never ends (a million lines)', code: CURLE.WEIRD_SERVER_REPLY, setup: (s) => s.raw.set('PWD', (sock: Socket) => floodLines(sock)) },
  { name: 'a reply line of a megabyte', code: CURLE.WEIRD_SERVER_REPLY, setup: (s) => s.raw.set('PWD', (sock: Socket) => { sock.write('257 "' + 'x'.repeat(1 << 20)); }) },
  { name: 'the control connection closing mid-transfer setup', code: CURLE.RECV_ERROR, setup: (s) => s.raw.set('SIZE', (sock: Socket) => { sock.end('213-partial'); }) },
];

/** A multi-line reply of a million lines, written as the client reads it (stops when it is gone). */
function floodLines(sock: Socket): void {
  const chunk = Buffer.from('257-xxxxxxxxxxxxxxxx\r\n'.repeat(1000));
  let n = 0;
  const more = (): void => {
    // bounded: a thousand chunks of a thousand lines
    while (n < 1000 && !sock.destroyed) {
      n++;
      if (!sock.write(chunk)) return void sock.once('drain', more);
    }
  };
  more();
}

for (const c of CASES) {
  test(`${c.name}: CURLcode ${c.code}`, async () => {
    await withServer(async (srv) => {
      c.setup(srv);
      if (c.name.startsWith('a greeting')) {
        const odd = await startFtpServer({ greeting: '500 not today' });
        try {
          const r = await run(odd, '/f');
          assert.equal(r.code, c.code);
          assert.equal(r.responseCode, 500);
        } finally {
          await odd.close();
        }
        return;
      }
      const r = await run(srv, c.path ?? '/f', c.opts);
      assert.equal(r.code, c.code, `${c.name}: got ${r.code}`);
    });
  });
}

test('replies curl 8 refuses: a NUL byte in a reply line, a PWD path whose quote never closes or that holds a CR (CURLE_WEIRD_SERVER_REPLY, nothing sent after)', async () => {
  const cases: [string, (srv: FtpTestServer) => void, string][] = [
    ['a NUL in the 230', (srv) => srv.replies.set('PASS', '230 logged\x00 in'), 'PASS'],
    ['an unclosed quote', (srv) => srv.replies.set('PWD', '257 "Only one'), 'PWD'],
    ['a CR in the path', (srv) => srv.raw.set('PWD', (sock: Socket) => { sock.write('257 "/\r"\r\n'); }), 'PWD'],
  ];
  for (const [name, setup, last] of cases) {
    await withServer(async (srv) => {
      setup(srv);
      const trace: string[] = [];
      const r = await run(srv, '/f', (e) => {
        e.setopt(CURLOPT.VERBOSE, 1);
        e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => (trace.push(`${type}:${d.toString('latin1')}`), 0));
      });
      assert.equal(r.code, CURLE.WEIRD_SERVER_REPLY, `${name}: got ${r.code}`);
      assert.equal(srv.commands.at(-1)?.split(' ')[0], last, `${name}: ${srv.commands.join(' ')}`);
      // the refused line is neither traced nor handed on as a header
      if (name.includes('NUL')) assert.ok(!trace.some((l) => l.includes('\x00')), trace.join(''));
    });
  }
  // PWD replies curl 7.88 takes: no quoted name (it says it could not figure out the path and goes on),
  // an empty name (SYST follows), a tab or another control character but CR in the name
  for (const [reply, entry] of [['257 no quotes here', null], ['257 "" empty', ''], ['257 "/a\tb" tab', '/a\tb'], ['257 "/x\x01y" ctl', '/x\x01y']] as const) {
    await withServer(async (srv) => {
      srv.replies.set('PWD', reply);
      const text: string[] = [];
      const r = await run(srv, '/f', (e) => {
        e.setopt(CURLOPT.VERBOSE, 1);
        e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => (type === 0 && text.push(d.toString('latin1')), 0));
      });
      assert.equal(r.code, CURLE.OK, reply);
      assert.equal(r.body, '0123456789');
      if (entry === null) assert.ok(text.includes('Failed to figure out path\n'), text.join(''));
      else assert.ok(text.includes(`Entry path is '${entry}'\n`), text.join(''));
    });
  }
});

test('a 227 naming another host is not followed (FTP_SKIP_PASV_IP is on by default); with it off, it is', async () => {
  await withServer(async (srv) => {
    // the server's real 227 points at 127.0.0.1; make it say 127.0.0.2, where nothing listens
    srv.replies.set('EPSV', '500 no');
    srv.raw.set('PASV', (sock: Socket) => {
      const replies = srv.replies;
      replies.delete('PASV');
      sock.write('227 Entering Passive Mode (127,0,0,2,1,2)\r\n');
    });
    const r = await run(srv, '/f');
    // skipped: the data connection went to the control connection's address, where nothing listens on that port either
    assert.notEqual(r.code, CURLE.OK);
    assert.equal(srv.commands.filter((x) => x === 'PASV').length, 1);
    const verbose: string[] = [];
    const again = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => (type === 0 && verbose.push(d.toString()), 0));
    });
    again.easy.cleanup();
    assert.ok(verbose.some((l) => l.startsWith('Skip 127.0.0.2 for data connection, re-use 127.0.0.1 instead')), verbose.join(''));
    const off = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
      e.setopt(CURLOPT.FTP_SKIP_PASV_IP, 0);
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number, d: Buffer) => (type === 0 && verbose.push(d.toString()), 0));
    });
    off.easy.cleanup();
    assert.equal(off.code, CURLE.COULDNT_CONNECT);
    assert.ok(verbose.some((l) => l.startsWith('Connecting to 127.0.0.2 (127.0.0.2) port 258')), verbose.join(''));
  });
});

test('a server that never connects back in active mode: CURLE_FTP_ACCEPT_TIMEOUT after ACCEPTTIMEOUT_MS', async () => {
  await withServer(async (srv) => {
    srv.raw.set('RETR', (sock: Socket) => { sock.write('150 here it comes, or not\r\n'); });
    const r = await run(srv, '/f', (e) => {
      e.setopt(CURLOPT.FTPPORT, '127.0.0.1');
      e.setopt(CURLOPT.ACCEPTTIMEOUT_MS, 100);
    });
    assert.equal(r.code, CURLE.FTP_ACCEPT_TIMEOUT);
  });
});

test('a server that refuses to connect back says so on the control connection: CURLE_FTP_ACCEPT_FAILED', async () => {
  await withServer(async (srv) => {
    srv.raw.set('RETR', (sock: Socket) => { sock.write('150 here it comes\r\n425 Failed to establish connection.\r\n'); });
    const r = await run(srv, '/f', (e) => e.setopt(CURLOPT.FTPPORT, '127.0.0.1'));
    assert.equal(r.code, CURLE.FTP_ACCEPT_FAILED);
  });
});

test('a server that stops answering: SERVER_RESPONSE_TIMEOUT ends the wait with CURLE_OPERATION_TIMEDOUT', async () => {
  await withServer(async (srv) => {
    srv.raw.set('PWD', () => {});
    const r = await run(srv, '/f', (e) => e.setopt(CURLOPT.SERVER_RESPONSE_TIMEOUT_MS, 150));
    assert.equal(r.code, CURLE.OPERATION_TIMEDOUT);
  });
});

test('a RETR 550 leaves the control connection in step: the next transfer reuses it (curl test 1096)', async () => {
  await withServer(async (srv) => {
    const { Easy: E } = await import('../../src/index.js');
    const e = new E();
    try {
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/missing`);
      assert.equal(await e.perform(), CURLE.REMOTE_FILE_NOT_FOUND);
      e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/f`);
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(srv.controlConnections, 1);
    } finally {
      e.cleanup();
    }
  });
});
