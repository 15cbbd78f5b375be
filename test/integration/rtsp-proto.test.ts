// RTSP end to end against a scripted RTSP server on loopback: the request
// heads libcurl 7.88 sends (the tool's compared with /usr/bin/curl's), a
// session on one handle and one connection (SETUP, PLAY, interleaved RTP
// through INTERLEAVEFUNCTION, RECEIVE, DESCRIBE, getinfo's RTSP ids), and
// the bad cases: CSeq and Session mismatches, refused requests, no answer,
// a reset, an empty reply, a flood of headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, CURLINFO, CURLPROTO, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { RTSPREQ, rtspd, ok, rtp, type RtspReq } from '../helpers/rtsp-server.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');
test('RTSP: OPTIONS by default to "*" with CSeq 1; the tool sends what curl 7.88.1 sends', async () => {
  const srv = await startScriptServer(rtspd((r) => ok(r, 'Public: OPTIONS, DESCRIBE\r\n')));
  try {
    const url = `rtsp://127.0.0.1:${srv.port}/media`;
    const r = await fetchUrl(url);
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
    assert.equal(r.easy.getinfo(CURLINFO.PROTOCOL), CURLPROTO.RTSP);
    assert.equal(r.body, '');
    r.easy.cleanup();
    const cli = await tscurl(['-s', '-i', url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n');
    await srv.allClosed();
    const heads = srv.conns.map((c) => c.received().toString('latin1'));
    assert.equal(heads[0], 'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n');
    assert.equal(heads[1], 'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: tscurl/0.1.0\r\n\r\n');
    if (NO_CURL) return;
    const c = await curl(['-s', '-i', url]);
    assert.equal(c.stdout, cli.stdout);
    await srv.allClosed();
    assert.equal(srv.conns[2]!.received().toString('latin1'), heads[1]!.replace('tscurl/0.1.0', 'curl/7.88.1'));
  } finally {
    await srv.close();
  }
});

test('RTSP: a session on one handle and one connection: SETUP, PLAY with RTP after it, DESCRIBE (the RTP first), getinfo', async () => {
  const srv = await startScriptServer(rtspd((r, c, n) => {
    if (n === 0) return ok(r, 'Session: 4711;timeout=60\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n');
    // the PLAY answer, and RTP right behind it in the same write
    if (n === 1) return Buffer.concat([Buffer.from(ok(r, 'Session: 4711\r\n')), rtp(0, 'first'), rtp(1, 'rtcp')]);
    if (n === 2) return ok(r, 'Session: 4711\r\nContent-Type: application/sdp\r\n', 'v=0\r\ns=test\r\n');
    return null;
  }));
  const e = new Easy();
  try {
    const packets: Buffer[] = [];
    const body: Buffer[] = [];
    e.setopt(CURLOPT.URL, `rtsp://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.INTERLEAVEFUNCTION, (d: Buffer, ud: unknown) => {
      assert.equal(ud, 'rtp-sink');
      packets.push(Buffer.from(d));
      return d.length;
    });
    e.setopt(CURLOPT.INTERLEAVEDATA, 'rtp-sink');
    e.setopt(CURLOPT.RTSP_STREAM_URI, `rtsp://127.0.0.1:${srv.port}/media/track1`);
    e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.SETUP);
    e.setopt(CURLOPT.RTSP_TRANSPORT, 'RTP/AVP/TCP;interleaved=0-1');
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(e.getinfo(CURLINFO.RTSP_SESSION_ID), '4711');
    assert.equal(e.getinfo(CURLINFO.RTSP_CLIENT_CSEQ), 2);
    assert.equal(e.getinfo(CURLINFO.RTSP_CSEQ_RECV), 1);
    assert.equal(e.getinfo(CURLINFO.RTSP_SERVER_CSEQ), 1);
    e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.PLAY);
    e.setopt(CURLOPT.RANGE, 'npt=0.000-');
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    e.setopt(CURLOPT.RANGE, null);
    // the RTP that came with PLAY's answer waited with the connection: it goes out before DESCRIBE's answer
    assert.deepEqual(packets, []);
    e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.DESCRIBE);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.deepEqual(packets, [rtp(0, 'first'), rtp(1, 'rtcp')]);
    assert.equal(Buffer.concat(body).toString(), 'v=0\r\ns=test\r\n');
    assert.equal(e.getinfo(CURLINFO.CONTENT_TYPE), 'application/sdp');
    assert.equal(e.getinfo(CURLINFO.RTSP_CSEQ_RECV), 3);
    e.cleanup();
    await srv.allClosed();
    assert.equal(srv.conns.length, 1, 'one connection for the session');
    const sent = srv.conns[0]!.received().toString('latin1');
    const uri = `rtsp://127.0.0.1:${srv.port}/media/track1`;
    assert.equal(sent,
      `SETUP ${uri} RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n\r\n` +
      `PLAY ${uri} RTSP/1.0\r\nCSeq: 2\r\nSession: 4711\r\nRange: npt=0.000-\r\n\r\n` +
      `DESCRIBE ${uri} RTSP/1.0\r\nCSeq: 3\r\nSession: 4711\r\nAccept: application/sdp\r\n\r\n`);
  } finally {
    await srv.close();
  }
});

test('RTSP: RECEIVE sends nothing and hands interleaved packets over until the server closes', async () => {
  const srv = await startScriptServer(async (c) => {
    c.end(Buffer.concat([rtp(0, 'a'.repeat(300)), rtp(0, 'b'), rtp(1, '')]));
  });
  try {
    const packets: Buffer[] = [];
    const r = await fetchUrl(`rtsp://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.RECEIVE);
      e.setopt(CURLOPT.INTERLEAVEFUNCTION, (d: Buffer) => (packets.push(Buffer.from(d)), d.length));
    });
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.deepEqual(packets, [rtp(0, 'a'.repeat(300)), rtp(0, 'b'), rtp(1, '')]);
    r.easy.cleanup();
    // an interleave callback that takes less than the packet: CURLE_WRITE_ERROR
    const w = await fetchUrl(`rtsp://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.RECEIVE);
      e.setopt(CURLOPT.INTERLEAVEFUNCTION, () => 0);
    });
    assert.equal(w.code, CURLE.WRITE_ERROR);
    assert.equal(w.easy.errorBuffer, 'Cannot write a RTP packet');
    w.easy.cleanup();
    await srv.allClosed();
    for (const c of srv.conns) assert.equal(c.received().length, 0);
  } finally {
    await srv.close();
  }
});

test('RTSP: ANNOUNCE and GET_PARAMETER with a body carry Content-Length and libcurl\'s Content-Type; an empty GET_PARAMETER is a heartbeat', async () => {
  const srv = await startScriptServer(rtspd((r) => ok(r, '', r.method === 'GET_PARAMETER' && r.body.length ? 'volume: 7\r\n' : '')));
  try {
    const url = `rtsp://127.0.0.1:${srv.port}/`;
    const a = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.ANNOUNCE);
      e.setopt(CURLOPT.POSTFIELDS, 'v=0\r\n');
    });
    assert.equal(a.code, CURLE.OK, a.easy.errorBuffer);
    a.easy.cleanup();
    const g = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.GET_PARAMETER);
      e.setopt(CURLOPT.RTSP_SESSION_ID, 's1');
      e.setopt(CURLOPT.POSTFIELDS, 'volume\r\n');
    });
    assert.equal(g.code, CURLE.OK, g.easy.errorBuffer);
    assert.equal(g.body, 'volume: 7\r\n');
    g.easy.cleanup();
    const h = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.GET_PARAMETER);
      e.setopt(CURLOPT.RTSP_SESSION_ID, 's1');
    });
    assert.equal(h.code, CURLE.OK, h.easy.errorBuffer);
    h.easy.cleanup();
    await srv.allClosed();
    const sent = srv.conns.map((c) => c.received().toString('latin1'));
    assert.equal(sent[0], 'ANNOUNCE * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 5\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n');
    assert.equal(sent[1], 'GET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nSession: s1\r\nContent-Length: 8\r\nContent-Type: text/parameters\r\n\r\nvolume\r\n');
    assert.equal(sent[2], 'GET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nSession: s1\r\n\r\n');
  } finally {
    await srv.close();
  }
});

test('RTSP: CSeq and Session mismatches are CURLE_RTSP_CSEQ_ERROR and CURLE_RTSP_SESSION_ERROR with curl 7.88.1\'s messages (compared)', async () => {
  const cases: Array<{ reply: (r: RtspReq) => string; setup?: (e: Easy) => void; code: number; message: string }> = [
    { reply: () => 'RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n', code: CURLE.RTSP_CSEQ_ERROR, message: 'The CSeq of this request 1 did not match the response 7' },
    { reply: () => 'RTSP/1.0 200 OK\r\n\r\n', code: CURLE.RTSP_CSEQ_ERROR, message: 'The CSeq of this request 1 did not match the response 0' },
    { reply: () => 'RTSP/1.0 200 OK\r\nCSeq: x\r\n\r\n', code: CURLE.RTSP_CSEQ_ERROR, message: 'Unable to read the CSeq header: [CSeq: x\r\n]' },
    {
      reply: (r) => ok(r, 'Session: other;timeout=5\r\n'), setup: (e) => e.setopt(CURLOPT.RTSP_SESSION_ID, 'mine'),
      code: CURLE.RTSP_SESSION_ERROR, message: 'Got RTSP Session ID Line [other;timeout=5\r\n], but wanted ID [mine]',
    },
    { reply: () => 'HTTP/1.1 200 OK\r\n\r\n', code: CURLE.UNSUPPORTED_PROTOCOL, message: 'Received HTTP/0.9 when not allowed' },
  ];
  for (const k of cases) {
    const srv = await startScriptServer(rtspd((r) => k.reply(r)));
    try {
      const r = await fetchUrl(`rtsp://127.0.0.1:${srv.port}/`, k.setup);
      assert.equal(r.code, k.code, k.message);
      assert.equal(r.easy.errorBuffer, k.message);
      r.easy.cleanup();
      await srv.allClosed();
    } finally {
      await srv.close();
    }
  }
});

test('RTSP: requests libcurl refuses to send, refused before a byte goes out', async () => {
  const srv = await startScriptServer(rtspd((r) => ok(r)));
  try {
    const cases: Array<{ setup: (e: Easy) => void; code: number; message: string }> = [
      { setup: (e) => e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.SETUP), code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Refusing to issue an RTSP SETUP without a Transport: header.' },
      { setup: (e) => e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.GET_PARAMETER), code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Refusing to issue an RTSP request [GET_PARAMETER] without a session ID.' },
      { setup: (e) => e.setopt(CURLOPT.HTTPHEADER, ['CSeq: 5']), code: CURLE.RTSP_CSEQ_ERROR, message: 'CSeq cannot be set as a custom header.' },
      { setup: (e) => e.setopt(CURLOPT.RTSPHEADER, ['Session: 5']), code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Session ID cannot be set as a custom header.' },
      { setup: (e) => e.setopt(CURLOPT.RTSP_REQUEST, 0), code: CURLE.BAD_FUNCTION_ARGUMENT, message: 'Got invalid RTSP request' },
    ];
    for (const k of cases) {
      const r = await fetchUrl(`rtsp://127.0.0.1:${srv.port}/`, k.setup);
      assert.equal(r.code, k.code, k.message);
      assert.equal(r.easy.errorBuffer, k.message);
      r.easy.cleanup();
    }
    await srv.allClosed();
    for (const c of srv.conns) assert.equal(c.received().length, 0);
  } finally {
    await srv.close();
  }
});

test('RTSP: no answer, a reset, an empty reply, a cut body, a flood of headers: each a CURLcode, the connection closed', async () => {
  const cases: Array<{ script: (c: ScriptConn) => void | Promise<void>; setup?: (e: Easy) => void; code: number }> = [
    { script: () => {}, setup: (e) => e.setopt(CURLOPT.TIMEOUT_MS, 300), code: CURLE.OPERATION_TIMEDOUT },
    { script: rtspd((_r, c) => (c.reset(), 'silent')), code: CURLE.RECV_ERROR },
    { script: rtspd(() => null), code: CURLE.GOT_NOTHING },
    {
      script: async (c) => {
        if (await c.waitForText('\r\n\r\n')) c.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 6\r\n\r\nabc');
      },
      code: CURLE.PARTIAL_FILE,
    },
    {
      script: async (c) => {
        if (await c.waitForText('\r\n\r\n')) {
          c.write('RTSP/1.0 200 OK\r\nCSeq: 1\r\n');
          await c.flood('X-Flood: 0123456789012345678901234567890123456789\r\n', 1 << 20);
        }
      },
      code: CURLE.RECV_ERROR,
    },
  ];
  for (const k of cases) {
    const srv = await startScriptServer(k.script);
    try {
      const r = await fetchUrl(`rtsp://127.0.0.1:${srv.port}/`, (e) => {
        // OPTIONS drops its body: DESCRIBE wants it, so a cut body shows
        e.setopt(CURLOPT.RTSP_REQUEST, RTSPREQ.DESCRIBE);
        e.setopt(CURLOPT.TIMEOUT_MS, 5000);
        k.setup?.(e);
      });
      assert.equal(r.code, k.code, r.easy.errorBuffer);
      r.easy.cleanup();
      await srv.allClosed();
    } finally {
      await srv.close();
    }
  }
});

test('RTSP: for bad and odd replies the tool exits and says what curl 7.88.1 does', { skip: NO_CURL }, async () => {
  const replies: Record<string, string | null> = {
    empty: null,
    http: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    badcseq: 'RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n',
    nocseq: 'RTSP/1.0 200 OK\r\n\r\n',
    garbcseq: 'RTSP/1.0 200 OK\r\nCSeq: x\r\n\r\n',
    blanksession: 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: \r\n\r\n',
    notfound: 'RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n',
    // OPTIONS reads no body: a cut one does not matter
    cut: 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 9\r\n\r\nabc',
  };
  for (const [name, reply] of Object.entries(replies)) {
    const srv = await startScriptServer(async (c) => {
      if (await c.waitForText('\r\n\r\n')) c.end(reply ?? undefined);
    });
    try {
      const url = `rtsp://127.0.0.1:${srv.port}/`;
      const a = await tscurl(['-sS', url]);
      const b = await curl(['-sS', url]);
      assert.deepEqual([a.code, a.stderr.replace(/^tscurl:/, 'curl:'), a.stdout], [b.code, b.stderr, b.stdout], name);
    } finally {
      await srv.close();
    }
  }
});
