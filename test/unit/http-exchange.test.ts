// The HTTP/1 exchange driven without sockets: its connection's transport is
// a scripted fake whose recv() answers come from a list and whose send()
// records the bytes. The transfer is a real one over an Easy's options (as
// the engine makes it), with a guard that just calls; no multi runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { CURL_POLL } from '../../src/constants.js';
import { internalsOf } from '../../src/easy/internals.js';
import { Transfer } from '../../src/multi/transfer.js';
import { parseUrlForTransfer } from '../../src/multi/url-adapter.js';
import { Connection } from '../../src/conn/connection.js';
import { HttpExchange } from '../../src/proto/http.js';
import type { RecvResult, StreamTransport } from '../../src/transport/stream-transport.js';

const guard = { inCallback: <R>(fn: () => R): R => fn() };

/** recv() answers from a script ('again' once it is used up); send() records. */
class ScriptedTransport {
  readonly script: RecvResult[] = [];
  readonly sent: Buffer[] = [];
  writeBlocked = false;
  #back: Buffer | null = null;

  /** Queue received bytes, one recv() answer per piece. */
  receive(...pieces: (string | Buffer)[]): void {
    for (const p of pieces) this.script.push({ kind: 'data', data: Buffer.from(p) });
  }
  recv(): RecvResult {
    if (this.#back) {
      const data = this.#back;
      this.#back = null;
      return { kind: 'data', data };
    }
    return this.script.shift() ?? { kind: 'again' };
  }
  unrecv(data: Buffer): void {
    this.#back = Buffer.from(data);
  }
  send(data: Buffer | string): { ok: true } {
    this.sent.push(Buffer.from(data));
    return { ok: true };
  }
  get sentText(): string {
    return Buffer.concat(this.sent).toString('latin1');
  }
}

interface Exchange {
  e: Easy;
  t: Transfer;
  ex: HttpExchange;
  tr: ScriptedTransport;
  headers: string[];
  body: Buffer[];
}

/** An exchange for `url` over a scripted transport; `setup` sets options (it may replace the callbacks). */
function exchange(url: string, setup: (e: Easy) => void = () => {}): Exchange {
  const e = new Easy();
  const headers: string[] = [];
  const body: Buffer[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString('latin1')), d.length));
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  setup(e);
  const t = new Transfer(e, internalsOf(e)!.opts, guard);
  const parsed = parseUrlForTransfer(url, 0, null);
  assert.ok('url' in parsed && parsed.url);
  t.url = parsed.url;
  t.effectiveUrl = parsed.url.href;
  const conn = new Connection('http', parsed.url.host, parsed.url.port);
  const tr = new ScriptedTransport();
  conn.transport = tr as unknown as StreamTransport;
  conn.uses = 1;
  t.conn = conn;
  const ex = new HttpExchange(t, conn, guard);
  return { e, t, ex, tr, headers, body };
}

/** step() until the exchange is done or fails (bounded). */
function drive(x: Exchange, maxSteps = 50): number {
  for (let i = 0; i < maxSteps; i++) {
    const code = x.ex.step();
    if (code !== CURLE.OK || x.ex.done) return code;
  }
  return -1;
}

test('a GET: the head goes out, the response comes back in pieces, headers and body reach the callbacks', () => {
  const x = exchange('http://example.test:8080/path?q=1');
  try {
    assert.equal(x.ex.start(), CURLE.OK);
    assert.equal(x.ex.pollWhat(), CURL_POLL.OUT | CURL_POLL.IN);
    x.tr.receive('HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\nX-A: b\r\n\r\nhel', 'lo');
    assert.equal(drive(x), CURLE.OK);
    assert.equal(x.tr.sentText, 'GET /path?q=1 HTTP/1.1\r\nHost: example.test:8080\r\nAccept: */*\r\n\r\n');
    assert.deepEqual(x.headers, ['HTTP/1.1 200 OK\r\n', 'Content-Length: 5\r\n', 'X-A: b\r\n', '\r\n']);
    assert.equal(Buffer.concat(x.body).toString(), 'hello');
    assert.equal(x.t.responseCode, 200);
    assert.equal(x.t.sizeDownload, 5);
    assert.equal(x.ex.done, true);
    assert.equal(x.ex.reusable, true);
    assert.equal(x.ex.pollWhat(), 0);
  } finally {
    x.e.cleanup();
  }
});

test('the same response byte by byte, with nothing to read in between, gives the same result', () => {
  const x = exchange('http://example.test/');
  try {
    x.ex.start();
    const reply = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    let steps = 0;
    for (const ch of reply) {
      x.tr.receive(ch);
      x.tr.script.push({ kind: 'again' });
      assert.equal(x.ex.step(), CURLE.OK);
      steps++;
    }
    assert.equal(x.ex.done, true, `after ${steps} steps`);
    assert.equal(Buffer.concat(x.body).toString(), 'abcde');
    assert.equal(x.headers.length, 3);
  } finally {
    x.e.cleanup();
  }
});

test('a socket that cannot take more (writeBlocked) keeps the head queued and polls OUT until it can', () => {
  const x = exchange('http://example.test/');
  try {
    x.ex.start();
    x.tr.writeBlocked = true;
    assert.equal(x.ex.step(), CURLE.OK);
    assert.equal(x.tr.sent.length, 0);
    assert.ok(x.ex.pollWhat() & CURL_POLL.OUT);
    x.tr.writeBlocked = false;
    assert.equal(x.ex.step(), CURLE.OK);
    assert.match(x.tr.sentText, /^GET \/ HTTP\/1\.1\r\n/);
    assert.equal(x.ex.pollWhat(), CURL_POLL.IN);
  } finally {
    x.e.cleanup();
  }
});

test('an upload of unknown size waits for 100 Continue, then goes out chunked; the final answer ends it', () => {
  const parts = ['first ', 'second'];
  const x = exchange('http://example.test/up', (e) => {
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      const p = parts.shift();
      return p === undefined ? 0 : buf.write(p, 'latin1');
    });
  });
  try {
    assert.equal(x.ex.start(), CURLE.OK);
    assert.equal(x.ex.step(), CURLE.OK);
    const head = x.tr.sentText;
    assert.match(head, /^PUT \/up HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.match(head, /\r\nExpect: 100-continue\r\n\r\n$/);
    assert.ok(x.ex.wakeAt !== null, 'the wait for 100 Continue has a deadline');
    // nothing of the body before the 100
    assert.equal(x.ex.step(), CURLE.OK);
    assert.equal(x.tr.sentText, head);
    x.tr.receive('HTTP/1.1 100 Continue\r\n\r\n');
    assert.equal(x.ex.step(), CURLE.OK); // reads the 100
    x.tr.receive('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    assert.equal(drive(x), CURLE.OK);
    assert.equal(x.tr.sentText.slice(head.length), '6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n');
    assert.equal(x.t.responseCode, 201);
    // the body bytes sent, chunk framing included (libcurl 7.88's writebytecount)
    assert.equal(x.t.sizeUpload, 27);
    assert.deepEqual(x.headers, ['HTTP/1.1 100 Continue\r\n', '\r\n', 'HTTP/1.1 201 Created\r\n', 'Content-Length: 0\r\n', '\r\n']);
  } finally {
    x.e.cleanup();
  }
});

test('a reset from the transport fails the exchange with CURLE_RECV_ERROR and curl\'s text', () => {
  const x = exchange('http://example.test/');
  try {
    x.ex.start();
    x.tr.receive('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    const err = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    x.tr.script.push({ kind: 'error', error: err });
    assert.equal(drive(x), CURLE.RECV_ERROR);
    assert.equal(x.t.errorMessage, 'Recv failure: Connection reset by peer');
    assert.equal(Buffer.concat(x.body).toString(), 'abc');
    assert.equal(x.ex.receivedAnything, true);
  } finally {
    x.e.cleanup();
  }
});

test('a connection closed before any byte is an empty reply; the exchange says nothing came back', () => {
  const x = exchange('http://example.test/');
  try {
    x.ex.start();
    x.tr.script.push({ kind: 'eof' });
    assert.equal(drive(x), CURLE.GOT_NOTHING);
    assert.equal(x.t.errorMessage, 'Empty reply from server');
    assert.equal(x.ex.receivedAnything, false, 'a reused connection could retry');
  } finally {
    x.e.cleanup();
  }
});

test('a paused write callback stops reading; after unpause the held bytes and the rest of the events go out in order', () => {
  let pause = true;
  const x = exchange('http://example.test/', (e) => {
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (pause) {
        pause = false;
        return CURL_WRITEFUNC_PAUSE;
      }
      x.body.push(Buffer.from(d));
      return d.length;
    });
  });
  try {
    x.ex.start();
    x.tr.receive('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n');
    assert.equal(x.ex.step(), CURLE.OK);
    assert.equal(x.t.pauseBits & 1, 1);
    assert.equal(x.ex.done, false);
    assert.equal(x.ex.pollWhat() & CURL_POLL.IN, 0, 'a paused transfer does not poll IN');
    // what the engine does on easy.pause(CURLPAUSE_CONT): clear the bit, flush the writers, resume the exchange
    x.t.pauseBits = 0;
    assert.equal(x.t.writers.unpause(), CURLE.OK);
    assert.equal(x.ex.resume(), CURLE.OK);
    assert.equal(x.ex.done, true);
    assert.equal(Buffer.concat(x.body).toString(), 'onetwo');
  } finally {
    x.e.cleanup();
  }
});

test('a redirect that is followed has its body read but not delivered; the connection stays reusable', () => {
  const x = exchange('http://example.test/old', (e) => e.setopt(CURLOPT.FOLLOWLOCATION, 1));
  try {
    x.ex.start();
    x.tr.receive('HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 4\r\n\r\nmove');
    assert.equal(drive(x), CURLE.OK);
    assert.equal(x.t.followLocation, '/new');
    assert.equal(x.t.redirectUrl, 'http://example.test/new');
    assert.deepEqual(x.body, []);
    assert.equal(x.ex.reusable, true);
  } finally {
    x.e.cleanup();
  }
});
