// The engine's head log (easy.keepHeaderBytes(), what curly's plain path
// reads instead of a HEADERFUNCTION): for every transfer it must hold exactly
// the bytes a HEADERFUNCTION gets, line after line — over HTTP/1 heads that
// arrive in one read or cut anywhere (in-place lines are kept as a span of
// the receive buffer and copied later), 1xx heads, trailers, HTTP/2's
// made-up lines and FTP's replies — whether or not a HEADERFUNCTION is set
// beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CURLE, CURLOPT, Easy } from '../../src/index.js';
import { curly } from '../../src/compat/node-libcurl/index.js';
import { parseHeaders } from '../../src/compat/node-libcurl/headers.js';
import { startH2Server, answer } from '../helpers/h2-server.js';
import { startFtpServer } from '../helpers/ftp-server.js';

/** Raw responses by path (each complete: head and body). */
const RESPONSES: Record<string, string> = {
  '/clean': 'HTTP/1.1 200 OK\r\nServer: t\r\nContent-Type: text/plain\r\nX-Empty:\r\nContent-Length: 2\r\n\r\nok',
  '/odd': 'HTTP/1.1 200  Fine  \r\nX:  v \r\nX-Tab:\tv\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok',
  '/lf-only': 'HTTP/1.1 200 OK\nX: v\nContent-Length: 2\n\nok',
  '/continue': 'HTTP/1.1 100 Continue\r\nX: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  '/trailers': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nok\r\n0\r\nX-T: done\r\n\r\n',
  '/long': `HTTP/1.1 200 OK\r\nX-Long: ${'v'.repeat(3000)}\r\n${Array.from({ length: 40 }, (_, i) => `X-${i}: ${i}\r\n`).join('')}Content-Length: 2\r\n\r\nok`,
  // 60 KB of head: cut in 8 KiB writes, each read goes into the transport's recycled slabs, not a Buffer of its own
  '/huge': `HTTP/1.1 200 OK\r\n${Array.from({ length: 600 }, (_, i) => `X-Line-${i}: ${String(i).padStart(4, '0')}${'abcdefghij'.repeat(8)}\r\n`).join('')}Content-Length: 2\r\n\r\nok`,
};

/** Where a response is cut into writes: whole, in three odd places (mid-line, mid-CRLF), byte by byte, or in 8 KiB pieces. */
type Cut = 'whole' | 'thirds' | 'bytes' | 'slabs';
const CUTS: Cut[] = ['whole', 'thirds', 'bytes', 'slabs'];

/** A server writing RESPONSES[path] cut as `?cut=` says, with a pause between the writes (bounded: at most a few hundred). */
async function startCutServer(): Promise<{ base: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = '';
    s.on('data', async (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const line = buf.slice(0, buf.indexOf('\r\n'));
        buf = buf.slice(end + 4);
        const [path, cut] = line.split(' ')[1]!.split('?cut=') as [string, Cut];
        const bytes = Buffer.from(RESPONSES[path]!, 'latin1');
        const pieces = cut === 'whole' ? [bytes]
          : cut === 'thirds' ? [bytes.subarray(0, 7), bytes.subarray(7, 30), bytes.subarray(30, 31), bytes.subarray(31)]
            : cut === 'slabs' ? Array.from({ length: Math.ceil(bytes.length / 8192) }, (_, i) => bytes.subarray(i * 8192, (i + 1) * 8192))
              : Array.from({ length: Math.min(bytes.length, 200) }, (_, i) => bytes.subarray(i, i === 199 ? bytes.length : i + 1));
        for (const p of pieces) {
          s.write(p);
          await new Promise((r) => setTimeout(r, cut === 'bytes' ? 0 : cut === 'slabs' ? 20 : 5));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A handle that gathers what HEADERFUNCTION gets, with or without the head log beside it. */
function handle(withLog: boolean, withCallback: boolean): { easy: Easy; lines: Buffer[] } {
  const easy = new Easy();
  const lines: Buffer[] = [];
  easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  if (withCallback) {
    easy.setopt(CURLOPT.HEADERFUNCTION, (l: Buffer) => {
      lines.push(Buffer.from(l));
      return l.length;
    });
  }
  if (withLog) easy.keepHeaderBytes(true);
  return { easy, lines };
}

test('the head log holds exactly what HEADERFUNCTION gets, however the HTTP/1 response was cut', async () => {
  const srv = await startCutServer();
  const both = handle(true, true);
  const logOnly = handle(true, false);
  const cbOnly = handle(false, true);
  try {
    for (const cut of CUTS) {
      for (const path of Object.keys(RESPONSES)) {
        const url = `${srv.base}${path}?cut=${cut}`;
        for (const h of [both, logOnly, cbOnly]) {
          h.lines.length = 0;
          h.easy.setopt(CURLOPT.URL, url);
          assert.equal(await h.easy.perform(), CURLE.OK, url);
        }
        const expected = Buffer.concat(cbOnly.lines);
        assert.ok(expected.length > 20, url);
        assert.deepEqual(Buffer.concat(both.lines), expected, `${url}: HEADERFUNCTION beside the log`);
        assert.equal(both.easy.headerBytes().toString('latin1'), expected.toString('latin1'), `${url}: log beside HEADERFUNCTION`);
        assert.equal(logOnly.easy.headerBytes().toString('latin1'), expected.toString('latin1'), `${url}: log alone`);
      }
    }
    // a handle without the log has nothing; turning it off empties the next transfer's
    assert.equal(cbOnly.easy.headerBytes().length, 0);
    logOnly.easy.keepHeaderBytes(false);
    assert.equal(await logOnly.easy.perform(), CURLE.OK);
    assert.equal(logOnly.easy.headerBytes().length, 0);
    // reset() forgets it too
    both.easy.reset();
    both.easy.setopt(CURLOPT.URL, `${srv.base}/clean?cut=whole`);
    both.easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    assert.equal(await both.easy.perform(), CURLE.OK);
    assert.equal(both.easy.headerBytes().length, 0);
  } finally {
    for (const h of [both, logOnly, cbOnly]) h.easy.cleanup();
    await srv.close();
  }
});

test('curly over heads cut anywhere: the header array the raw head parses into', async () => {
  const srv = await startCutServer();
  try {
    for (const cut of CUTS) {
      for (const path of Object.keys(RESPONSES)) {
        const raw = RESPONSES[path]!;
        // the head text: every header block up to the final one's blank line, and the trailers
        const finalStart = raw.lastIndexOf('HTTP/1.1 ');
        const headEnd = raw.indexOf(raw.includes('\r\n') ? '\r\n\r\n' : '\n\n', finalStart);
        let head = raw.slice(0, headEnd + (raw.includes('\r\n') ? 4 : 2));
        if (path === '/trailers') head += 'X-T: done\r\n\r\n';
        const r = await curly.get(`${srv.base}${path}?cut=${cut}`, { curlyResponseBodyParser: false });
        assert.equal(String(r.data), 'ok', path);
        assert.deepStrictEqual(r.headers, parseHeaders(Buffer.from(head, 'latin1').toString('utf8')), `${path} ${cut}`);
      }
    }
  } finally {
    await srv.close();
  }
});

test('the head log holds HTTP/2\'s made-up lines and FTP\'s replies as HEADERFUNCTION gets them', async () => {
  const h2 = await startH2Server(answer('h2 body', { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] }));
  const ftp = await startFtpServer({ files: { '/f.txt': 'ftp body' } });
  const both = handle(true, true);
  const logOnly = handle(true, false);
  try {
    for (const [url, setup] of [
      [h2.url('/x'), (e: Easy) => e.setopt(CURLOPT.HTTP_VERSION, 5 /* CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE */)],
      [`ftp://127.0.0.1:${ftp.port}/f.txt`, () => undefined],
    ] as const) {
      for (const h of [both, logOnly]) {
        h.lines.length = 0;
        setup(h.easy);
        h.easy.setopt(CURLOPT.URL, url);
        assert.equal(await h.easy.perform(), CURLE.OK, url);
      }
      const expected = Buffer.concat(both.lines).toString('latin1');
      assert.ok(expected.length > 10, url);
      assert.equal(both.easy.headerBytes().toString('latin1'), expected, url);
      // the other handle made its own transfer: its lines differ only where the server's do (FTP's ports, HTTP/2's date)
      assert.equal(logOnly.easy.headerBytes().toString('latin1').split('\n').length, expected.split('\n').length, url);
    }
  } finally {
    both.easy.cleanup();
    logOnly.easy.cleanup();
    await h2.close();
    await ftp.close();
  }
});
