// Hostile servers and hostile input for DICT, TELNET, MQTT and RTSP: nothing
// a URL, an option or a server sends can smuggle a command or header into
// what tscurl sends, make it allocate what a length field claims, or make
// it answer forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT, CURLINFO, Easy } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer } from '../helpers/script-server.js';

const b = (...x: number[]): Buffer => Buffer.from(x);

test('DICT: CR/LF in the path cannot add a command; blanks and quotes in a word are escaped', async () => {
  const srv = await startScriptServer(async (c) => {
    if (await c.waitForText('QUIT\r\n')) c.end('221 bye\r\n');
  });
  try {
    const bad = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x%0d%0aSHOW%20SERVER`);
    assert.equal(bad.code, CURLE.URL_MALFORMAT);
    bad.easy.cleanup();
    const word = await fetchUrl(`dict://127.0.0.1:${srv.port}/d:x%20SHOW%22:db`);
    assert.equal(word.code, CURLE.OK);
    word.easy.cleanup();
    await srv.allClosed();
    const sent = srv.conns.map((c) => c.received().toString('latin1')).filter((s) => s.length > 0);
    assert.equal(sent.length, 1);
    assert.match(sent[0]!, /\r\nDEFINE db x\\ SHOW\\"\r\nQUIT\r\n$/);
  } finally {
    await srv.close();
  }
});

test('TELNET: a server repeating DO and WILL for every option gets at most one answer per ask (no amplification)', async () => {
  const asks: number[] = [];
  for (let round = 0; round < 3; round++) for (let o = 0; o < 256; o++) asks.push(255, o % 2 ? 253 : 251, o);
  const srv = await startScriptServer(async (c) => {
    c.end(Buffer.from(asks));
  });
  try {
    const r = await fetchUrl(`telnet://127.0.0.1:${srv.port}`);
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.bytes.length, 0);
    r.easy.cleanup();
    await srv.allClosed();
    const sent = srv.conns[0]!.received();
    // RFC 1143: a refused DO/WILL is refused again each time, an agreed one is not answered again;
    // beyond that only negotiate()'s own four asks (BINARY and SGA, both ways) and NAWS's subnegotiation
    assert.ok(sent.length <= asks.length + 4 * 3 + 9, `${sent.length} bytes for ${asks.length}`);
    const agreed = sent.toString('latin1').split(String.fromCharCode(255, 251, 31)).length - 1;
    assert.equal(agreed, 1, 'WILL NAWS once: an agreed option is not answered again');
  } finally {
    await srv.close();
  }
});

test('MQTT: a PUBLISH claiming the maximum length is streamed as it comes, not allocated; its end is CURLE_PARTIAL_FILE', async () => {
  const srv = await startScriptServer(async (c) => {
    if (!(await c.waitFor((g) => g.length >= 2 && g.length >= 2 + g[1]!))) return;
    c.write(b(0x20, 2, 0, 0));
    if (!(await c.waitFor((g) => g.includes(0x82)))) return;
    c.end(Buffer.concat([b(0x90, 3, 0, 1, 0), b(0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 0x41), Buffer.from('0123456789')]));
  });
  try {
    const r = await fetchUrl(`mqtt://127.0.0.1:${srv.port}/A`);
    assert.equal(r.code, CURLE.PARTIAL_FILE);
    assert.deepEqual(r.bytes, Buffer.concat([b(0, 1, 0x41), Buffer.from('0123456789')]));
    assert.equal(r.easy.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T), 268435455);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('RTSP: a Session ID learned from a server cannot carry header lines into the next request', async () => {
  const srv = await startScriptServer(async (c) => {
    let n = 0;
    // bounded: two requests
    while (n < 2 && (await c.waitFor((g) => g.toString('latin1').split('\r\n\r\n').length - 1 > n))) {
      n++;
      c.write(`RTSP/1.0 200 OK\r\nCSeq: ${n}\r\nSession: abc\tX-Evil: 1;timeout=5\r\n\r\n`);
    }
  });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.URL, `rtsp://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.RTSP_REQUEST, 4);
    e.setopt(CURLOPT.RTSP_TRANSPORT, 'RTP/AVP/TCP');
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    assert.equal(e.getinfo(CURLINFO.RTSP_SESSION_ID), 'abc');
    // the second answer's Session line is compared with the learned ID, only up to the blank
    e.setopt(CURLOPT.RTSP_REQUEST, 1);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    e.cleanup();
    await srv.allClosed();
    const sent = srv.conns[0]!.received().toString('latin1');
    assert.match(sent, /\r\nCSeq: 2\r\nSession: abc\r\n\r\n$/);
    assert.doesNotMatch(sent, /X-Evil/);
  } finally {
    await srv.close();
  }
});

test('RTSP: an interleaved packet cut by the close is dropped; a header line past the limit is CURLE_TOO_LARGE', async () => {
  const cut = await startScriptServer((c) => c.end(Buffer.concat([b(0x24, 0, 0xff, 0xff), Buffer.alloc(1000, 1)])));
  const long = await startScriptServer(async (c) => {
    if (await c.waitForText('\r\n\r\n')) {
      c.write('RTSP/1.0 200 OK\r\nX-Long: ');
      await c.flood('a', 200 * 1024);
    }
  });
  try {
    let calls = 0;
    const r = await fetchUrl(`rtsp://127.0.0.1:${cut.port}/`, (e) => {
      e.setopt(CURLOPT.RTSP_REQUEST, 11);
      e.setopt(CURLOPT.INTERLEAVEFUNCTION, (d: Buffer) => (calls++, d.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(calls, 0);
    r.easy.cleanup();
    const l = await fetchUrl(`rtsp://127.0.0.1:${long.port}/`);
    assert.equal(l.code, CURLE.TOO_LARGE);
    l.easy.cleanup();
    await cut.allClosed();
    await long.allClosed();
  } finally {
    await cut.close();
    await long.close();
  }
});
