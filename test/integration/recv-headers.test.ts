// Response headers over a real socket, read in place (a whole header block in
// one read, the common case) or line by line (reads that end right after a
// line, before the byte that says whether the next line folds) or byte by
// byte: HEADERFUNCTION lines, VERBOSE's received header lines, the header
// API, CURLINFO_HEADER_SIZE / CONTENT_TYPE, cookies and the body must be
// the same every way, and the same with or without callbacks watching —
// including a callback that turns VERBOSE on in the middle of the headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { Easy, CURLOPT, CURLE, CURLH, CURLINFO, CURLINFO_TYPE, type CurlHeader } from '../../src/index.js';

const HEAD =
  'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nServer: test/1.0\r\nDate: Mon, 01 Dec 2025 04:30:41 GMT\r\nContent-Type: text/plain; charset=latin1\r\n' +
  'X-Folded: one\r\n  two\r\n\tthree\r\nSet-Cookie: a=b; Path=/\r\nx-lower: v\r\nCONNECTION: keep-alive\r\nX-Empty:\r\n' +
  'X-Latin1: caf\xe9\r\nX-Dup: 1\r\nx-dup: 2\r\nTransfer-Encoding: chunked\r\n\r\n';
/** the trailer line: a header for HEADERFUNCTION, not HEADER_IN in the trace */
const TRAILER = 'X-Trailer: t\r\n';
const BODY = '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
const RESPONSE = Buffer.from(HEAD + BODY, 'latin1');

type Mode = 'whole' | 'lines' | 'bytes';

/** The response in the pieces a mode writes. */
function pieces(mode: Mode): Buffer[] {
  if (mode === 'whole') return [RESPONSE];
  if (mode === 'bytes') return [...RESPONSE].map((b) => Buffer.from([b]));
  const out: Buffer[] = [];
  let prev = 0;
  for (let i = RESPONSE.indexOf(0x0a); i >= 0; i = RESPONSE.indexOf(0x0a, i + 1)) {
    out.push(RESPONSE.subarray(prev, i + 1));
    prev = i + 1;
  }
  if (prev < RESPONSE.length) out.push(RESPONSE.subarray(prev));
  return out;
}

let server: Server;
let port = 0;

before(async () => {
  // the request path picks the mode; every connection stays open (keep-alive)
  server = createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', async (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const mode = (/^GET \/(\w+)/.exec(buf)?.[1] ?? 'whole') as Mode;
      buf = buf.slice(end + 4);
      const list = pieces(mode);
      for (const p of list) {
        if (sock.destroyed) return;
        sock.write(p);
        // separate reads: wait for the next turn of the loop (bounded: one wait per piece)
        if (list.length > 1) await new Promise((r) => setTimeout(r, mode === 'bytes' ? 0 : 2));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

interface Seen {
  code: number;
  body: string;
  headerLines: string[];
  debugLines: string[];
  api: string[];
  headerSize: unknown;
  contentType: unknown;
  cookies: unknown;
}

/** Every header the API has for the transfer, walked with nextheader() and looked up with header(). */
function headerApi(e: Easy): string[] {
  const out: string[] = [];
  const all = CURLH.HEADER | CURLH['1XX'] | CURLH.TRAILER;
  let h: CurlHeader | null = null;
  for (let i = 0; i < 100 && (h = e.nextheader(all, -1, h)); i++) {
    out.push(`${h.name}=${h.value} ${h.index}/${h.amount} ${h.origin & 0xff}`);
    const again = e.header(h.name.toUpperCase(), h.index, h.origin & all, -1);
    out.push(`  ${again.code} ${again.header?.value}`);
  }
  return out;
}

async function fetch(e: Easy, mode: Mode, watch: { headers: boolean; verbose: boolean; verboseAfter?: string }): Promise<Seen> {
  const body: Buffer[] = [];
  const headerLines: string[] = [];
  const debugLines: string[] = [];
  e.setopt(CURLOPT.URL, `http://127.0.0.1:${port}/${mode}`);
  e.setopt(CURLOPT.TIMEOUT_MS, 20_000);
  e.setopt(CURLOPT.COOKIEFILE, '');
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  e.setopt(CURLOPT.VERBOSE, watch.verbose ? 1 : 0);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: unknown, type: number, d: Buffer) => {
    if (type === CURLINFO_TYPE.HEADER_IN) debugLines.push(d.toString('latin1'));
    return 0;
  });
  e.setopt(CURLOPT.HEADERFUNCTION, watch.headers || watch.verboseAfter
    ? (d: Buffer) => {
      const line = d.toString('latin1');
      headerLines.push(line);
      if (watch.verboseAfter && line.startsWith(watch.verboseAfter)) e.setopt(CURLOPT.VERBOSE, 1);
      return d.length;
    }
    : null);
  const code = await e.perform();
  return {
    code,
    body: Buffer.concat(body).toString('latin1'),
    headerLines,
    debugLines,
    api: headerApi(e),
    headerSize: e.getinfo(CURLINFO.HEADER_SIZE),
    contentType: e.getinfo(CURLINFO.CONTENT_TYPE),
    cookies: e.getinfo(CURLINFO.COOKIELIST),
  };
}

test('received headers: whole, line by line and byte by byte give the same lines, header API and sizes', async () => {
  const e = new Easy();
  try {
    const runs: Record<string, Seen> = {};
    for (const mode of ['whole', 'lines', 'bytes', 'whole'] as const) {
      for (const watch of [{ headers: true, verbose: true }, { headers: false, verbose: false }, { headers: true, verbose: false }]) {
        const key = `${mode} ${JSON.stringify(watch)}`;
        const seen = await fetch(e, mode, watch);
        assert.equal(seen.code, CURLE.OK, key);
        runs[key] = seen;
      }
    }
    const ref = runs[`whole ${JSON.stringify({ headers: true, verbose: true })}`]!;
    // what the application sees is the response's header bytes, line for line (a folded header is one delivery)
    const head = ref.headerLines.join('');
    assert.equal(head, HEAD + 'X-Trailer: t\r\n'); // the trailer section's end is not delivered
    assert.ok(ref.headerLines.includes('X-Folded: one\r\n  two\r\n\tthree\r\n'));
    // the trace has every line but the blank one ending the 103 (curl 7.88 traces a 1xx's end only to the header callback)
    // and the trailer (7.88 traces it inside the chunked body, as DATA_IN)
    const blank103 = ref.headerLines.indexOf('\r\n');
    assert.ok(blank103 > 0 && ref.headerLines[blank103 - 1] === 'Link: </a.css>\r\n');
    assert.deepEqual(ref.debugLines, ref.headerLines.filter((l, i) => i !== blank103 && l !== TRAILER));
    assert.equal(ref.body, 'hello, world');
    assert.equal(ref.headerSize, Buffer.byteLength(HEAD, 'latin1') + 'X-Trailer: t\r\n'.length);
    assert.equal(ref.contentType, 'text/plain; charset=latin1');
    assert.match(JSON.stringify(ref.cookies), /\\ta\\tb/);
    assert.ok(ref.api.some((l) => l === 'X-Folded=one two three 0/1 1'), ref.api.join('\n'));
    assert.ok(ref.api.some((l) => l === 'x-dup=2 1/2 1'), ref.api.join('\n'));
    assert.ok(ref.api.some((l) => l.startsWith('X-Latin1=caf\xe9 ')), ref.api.join('\n'));
    for (const [key, seen] of Object.entries(runs)) {
      const watched = key.includes('"headers":true');
      const verbose = key.includes('"verbose":true');
      assert.deepEqual(seen.headerLines, watched ? ref.headerLines : [], key);
      assert.deepEqual(seen.debugLines, verbose ? ref.debugLines : [], key);
      assert.deepEqual({ ...seen, headerLines: [], debugLines: [] }, { ...ref, headerLines: [], debugLines: [] }, key);
    }
    // one connection for all of them: the header-block fast path keeps the connection reusable
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 0);
  } finally {
    e.cleanup();
  }
});

test('received headers: VERBOSE turned on by the header callback shows the lines after it', async () => {
  for (const mode of ['whole', 'lines', 'bytes'] as const) {
    const e = new Easy();
    try {
      const seen = await fetch(e, mode, { headers: false, verbose: false, verboseAfter: 'X-Empty:' });
      assert.equal(seen.code, CURLE.OK);
      const at = seen.headerLines.indexOf('X-Empty:\r\n');
      assert.ok(at > 0);
      assert.deepEqual(seen.debugLines, seen.headerLines.slice(at + 1).filter((l) => l !== TRAILER), mode);
    } finally {
      e.cleanup();
    }
  }
});
