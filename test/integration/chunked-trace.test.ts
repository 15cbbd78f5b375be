// A chunked HTTP/1 body in the trace, through DEBUGFUNCTION: curl 7.88 traces
// each network read's body part as CURLINFO_DATA_IN before de-chunking it
// (transfer.c readwrite_data), so the application sees the chunk-size lines,
// CRLFs, the last chunk, the trailers and the final CRLF, cut the way the
// reads were; the trailers are not HEADER_IN. The server here writes the
// next piece only once the client traced the previous one, so every piece
// is a read of its own. A write callback that pauses in the middle of a read
// must not make a read traced twice or lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURLINFO_TYPE } from '../../src/index.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { pausedWrite } from '../helpers/paused-write.js';
import { DRIVES } from '../helpers/paused-upload.js';

const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

interface Seen {
  rc: number;
  body: string;
  /** DATA_IN pieces, latin1 */
  dataIn: string[];
  headerIn: string[];
  text: string[];
  /** the trace in order, as "TYPE:bytes" */
  order: string[];
  headerLines: string[];
}

/** The requests in what a connection received so far (GET only: a head is the whole request). */
function requestCount(got: Buffer): number {
  return got.toString('latin1').split('\r\n\r\n').length - 1;
}

/**
 * Answer each request on the connection with `replies(n)`'s pieces, writing
 * a piece only when `next()` resolves for it (the first piece at once).
 */
function lockStep(replies: (n: number) => string[], next: () => Promise<void>) {
  return async (c: ScriptConn): Promise<void> => {
    for (let n = 0; n < 5; n++) {
      if (!(await c.waitFor((b) => requestCount(b) > n))) return;
      const pieces = replies(n);
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0) await next();
        c.write(pieces[i]!);
      }
    }
  };
}

/** Run a transfer with VERBOSE and a DEBUGFUNCTION; every DATA_IN releases the server's next piece. */
async function traced(pieces: (n: number) => string[], setup: (e: Easy) => void = () => {}): Promise<Seen> {
  const seen: Seen = { rc: -1, body: '', dataIn: [], headerIn: [], text: [], order: [], headerLines: [] };
  let release: (() => void) | null = null;
  const next = (): Promise<void> => new Promise<void>((resolve) => (release = resolve));
  const srv = await startScriptServer(lockStep(pieces, next));
  const e = new Easy();
  try {
    const body: Buffer[] = [];
    e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
    e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
    e.setopt(CURLOPT.VERBOSE, 1);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (seen.headerLines.push(d.toString('latin1')), d.length));
    e.setopt(CURLOPT.DEBUGFUNCTION, (_e: unknown, type: number, d: Buffer) => {
      const s = d.toString('latin1');
      if (type === CURLINFO_TYPE.DATA_IN) {
        seen.dataIn.push(s);
        seen.order.push(`DATA:${s}`);
        const r = release;
        release = null;
        r?.();
      } else if (type === CURLINFO_TYPE.HEADER_IN) {
        seen.headerIn.push(s);
        seen.order.push(`HEADER:${s}`);
      } else if (type === CURLINFO_TYPE.TEXT) {
        seen.text.push(s);
        seen.order.push(`TEXT:${s}`);
      }
      return 0;
    });
    setup(e);
    seen.rc = await e.perform();
    seen.body = Buffer.concat(body).toString('latin1');
    return seen;
  } finally {
    e.cleanup();
    await srv.close();
  }
}

test('DATA_IN of a chunked body: the raw bytes of each read, framing and trailers included; trailers not HEADER_IN', async () => {
  const pieces = [CHUNKED_HEAD + '6\r\nhel', 'lo \r\n6\r', '\nworld\n\r\n0\r\n', 'X-T: yes\r\n\r\n'];
  const s = await traced(() => pieces);
  assert.equal(s.rc, CURLE.OK);
  assert.equal(s.body, 'hello world\n');
  // the read with the head: only its body part
  assert.deepEqual(s.dataIn, ['6\r\nhel', ...pieces.slice(1)]);
  assert.deepEqual(s.headerIn, ['HTTP/1.1 200 OK\r\n', 'Transfer-Encoding: chunked\r\n', '\r\n']);
  // HEADERFUNCTION still gets the trailer
  assert.equal(s.headerLines.at(-1), 'X-T: yes\r\n');
  // the head's trace comes first, the body's after its blank line
  assert.equal(s.order.indexOf('HEADER:\r\n') + 1, s.order.indexOf('DATA:6\r\nhel'));
});

test('DATA_IN of a chunked body with HTTP_TRANSFER_DECODING off: one trace per read, as with decoding', async () => {
  const pieces = [CHUNKED_HEAD + '6\r\nhello \r\n6\r\nwor', 'ld\n\r\n0\r\n\r\n'];
  const s = await traced(() => pieces, (e) => e.setopt(CURLOPT.HTTP_TRANSFER_DECODING, 0));
  assert.equal(s.rc, CURLE.OK);
  assert.equal(s.body, '6\r\nhello \r\n6\r\nworld\n\r\n0\r\n\r\n');
  assert.deepEqual(s.dataIn, ['6\r\nhello \r\n6\r\nwor', 'ld\n\r\n0\r\n\r\n']);
});

test('DATA_IN of an ignored chunked redirect body: raw, after "Ignoring the response-body"; bytes after the last chunk are traced too', async () => {
  const replies = (n: number): string[] =>
    n === 0
      ? ['HTTP/1.1 302 Found\r\nLocation: /next\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nmoved\r\n', '0\r\n\r\n']
      : [CHUNKED_HEAD + '2\r\nok\r\n0\r\n\r\nEXTRA'];
  const s = await traced(replies, (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1));
  assert.equal(s.rc, CURLE.OK);
  assert.equal(s.body, 'ok');
  assert.deepEqual(s.dataIn, ['5\r\nmoved\r\n', '0\r\n\r\n', '2\r\nok\r\n0\r\n\r\nEXTRA']);
  const note = s.order.indexOf('TEXT:Ignoring the response-body\n');
  assert.ok(note > 0 && s.order[note + 1] === 'DATA:5\r\nmoved\r\n', s.order.join('|'));
  // 7.88's words for the bytes after the last chunk (its format prints "u" after the number)
  assert.ok(s.text.includes('Leftovers after chunking:  5u bytes\n'), s.text.join(''));
});

test('DATA_IN of a Content-Length body stays the body bytes as read', async () => {
  const s = await traced(() => ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello', ' world']);
  assert.equal(s.rc, CURLE.OK);
  assert.equal(s.body, 'hello world');
  assert.deepEqual(s.dataIn, ['hello', ' world']);
});

// many chunks in few reads: the pauses come in the middle of reads
const [MANY_CHUNKS, MANY_DECODED] = (() => {
  let raw = '';
  let decoded = '';
  for (let i = 0; i < 400; i++) {
    const data = String.fromCharCode(97 + (i % 26)).repeat(500 + i);
    raw += `${data.length.toString(16)};n=${i}\r\n${data}\r\n`;
    decoded += data;
  }
  return [raw + '0\r\nX-Done: 1\r\n\r\n', decoded];
})();

for (const drive of DRIVES) {
  for (const decoding of [1, 0]) {
    test(`a paused write callback in a chunked body (${drive}, transfer decoding ${decoding}): every read traced once, the body whole`, async () => {
      const srv = await startScriptServer(async (c) => {
        if (await c.waitForText('\r\n\r\n')) c.write(CHUNKED_HEAD + MANY_CHUNKS);
      });
      const e = new Easy();
      try {
        const dataIn: Buffer[] = [];
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
        e.setopt(CURLOPT.HTTP_TRANSFER_DECODING, decoding);
        e.setopt(CURLOPT.VERBOSE, 1);
        e.setopt(CURLOPT.DEBUGFUNCTION, (_e: unknown, type: number, d: Buffer) => {
          if (type === CURLINFO_TYPE.DATA_IN) dataIn.push(Buffer.from(d));
          return 0;
        });
        const want = decoding ? MANY_DECODED : MANY_CHUNKS;
        const r = await pausedWrite(e, drive, want.length / 2);
        assert.equal(r.rc, CURLE.OK, r.errorBuffer ?? '');
        assert.equal(r.pauses, 2);
        assert.equal(r.callsWhilePaused, 0);
        assert.equal(r.body.toString('latin1'), want);
        assert.equal(Buffer.concat(dataIn).toString('latin1'), MANY_CHUNKS);
      } finally {
        e.cleanup();
        await srv.close();
      }
    });
  }
}
