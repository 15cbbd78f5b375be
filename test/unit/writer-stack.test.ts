// The client writer stack fed bytes directly (no engine, no socket): a fake
// transfer (the ClientWriterHost interface) with a real option store, and a
// callback guard that just calls. What the phases do to headers and body,
// in libcurl's order, and the pause buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { Easy, CURLOPT, CURLE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { internalsOf } from '../../src/easy/internals.js';
import { ClientWriterStack } from '../../src/cw/writer-stack.js';
import { CLIENTWRITE, PAUSED, type ClientWriterHost } from '../../src/cw/client-write.js';
import type { OptionStore } from '../../src/easy/option-store.js';

const guard = { inCallback: <R>(fn: () => R): R => fn() };

interface FakeTransfer extends ClientWriterHost {
  failures: { code: number; message: string }[];
}

function fakeTransfer(opts: OptionStore): FakeTransfer {
  const failures: { code: number; message: string }[] = [];
  return {
    opts, easy: null, pauseBits: 0, sizeDownload: 0, sizeDelivered: 0, failures, headLog: null,
    fail(code, message) {
      failures.push({ code, message });
    },
  };
}

/** An easy handle's options, a fake transfer over them and its writer stack; `setup` sets options. */
function stackWith(setup: (e: Easy) => void): { e: Easy; t: FakeTransfer; w: ClientWriterStack } {
  const e = new Easy();
  setup(e);
  const t = fakeTransfer(internalsOf(e)!.opts);
  return { e, t, w: new ClientWriterStack(t, guard) };
}

test('body bytes reach WRITEFUNCTION in pieces of at most BUFFERSIZE, counted on the way', () => {
  const got: number[] = [];
  const { e, t, w } = stackWith((e) => {
    e.setopt(CURLOPT.BUFFERSIZE, 1024);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (got.push(d.length), d.length));
  });
  try {
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.alloc(2500, 1)), CURLE.OK);
    assert.deepEqual(got, [1024, 1024, 452]);
    assert.equal(t.sizeDownload, 2500);
    assert.equal(t.sizeDelivered, 2500);
  } finally {
    e.cleanup();
  }
});

test('header lines go to HEADERFUNCTION; with CURLOPT_HEADER a HEADER joins the body stream, an INFO does not', () => {
  const headers: string[] = [];
  const body: string[] = [];
  const { e, t, w } = stackWith((e) => {
    e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString()), d.length));
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(d.toString()), d.length));
    e.setopt(CURLOPT.HEADER, 1);
  });
  try {
    assert.equal(w.wantsHeaders, true);
    assert.equal(w.write(CLIENTWRITE.HEADER | CLIENTWRITE.STATUS, Buffer.from('HTTP/1.1 200 OK\r\n')), CURLE.OK);
    assert.equal(w.write(CLIENTWRITE.INFO, Buffer.from('Content-Length: 3\r\n')), CURLE.OK);
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('abc')), CURLE.OK);
    assert.deepEqual(headers, ['HTTP/1.1 200 OK\r\n', 'Content-Length: 3\r\n']);
    assert.deepEqual(body, ['HTTP/1.1 200 OK\r\n', 'abc']);
    // header bytes are not body bytes
    assert.equal(t.sizeDownload, 3);
  } finally {
    e.cleanup();
  }
});

test('with no header callback, HEADERDATA nor CURLOPT_HEADER, nobody wants header lines', () => {
  const { e, w } = stackWith(() => {});
  try {
    assert.equal(w.wantsHeaders, false);
  } finally {
    e.cleanup();
  }
});

test('a write callback that takes less, or throws, fails the transfer with CURLE_WRITE_ERROR', () => {
  const { e, t, w } = stackWith((e) => e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length - 1));
  try {
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('abc')), CURLE.WRITE_ERROR);
    assert.deepEqual(t.failures, [{ code: CURLE.WRITE_ERROR, message: 'Failure writing output to destination' }]);
    e.setopt(CURLOPT.WRITEFUNCTION, () => {
      throw new Error('disk full');
    });
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('abc')), CURLE.WRITE_ERROR);
    assert.equal(t.failures[1]!.message, 'CURLOPT_WRITEFUNCTION callback threw Error: disk full');
  } finally {
    e.cleanup();
  }
});

test('MAXFILESIZE counts the bytes before content decoding; decoded bytes are what the application gets', () => {
  const plain = Buffer.alloc(100_000, 0x61);
  const gz = zlib.gzipSync(plain);
  const out: Buffer[] = [];
  const { e, t, w } = stackWith((e) => e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (out.push(Buffer.from(d)), d.length)));
  try {
    assert.equal(w.addContentCodings('gzip').code, CURLE.OK);
    for (let i = 0; i < gz.length; i += 100) assert.equal(w.write(CLIENTWRITE.BODY, gz.subarray(i, i + 100)), CURLE.OK);
    assert.ok(Buffer.concat(out).equals(plain));
    assert.equal(t.sizeDownload, gz.length);
    assert.equal(t.sizeDelivered, plain.length);
    // a new response: the decoders are gone, a limit below the next write fails it
    w.resetResponse();
    e.setopt(CURLOPT.MAXFILESIZE, gz.length + 10);
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.alloc(11)), CURLE.FILESIZE_EXCEEDED);
    assert.match(t.failures[0]!.message, /^Exceeded the maximum allowed file size \(\d+\) with \d+ bytes$/);
  } finally {
    e.cleanup();
  }
});

test('an ignored body is neither counted nor delivered (nor decoded), until the response is reset', () => {
  const out: string[] = [];
  const { e, t, w } = stackWith((e) => e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (out.push(d.toString()), d.length)));
  try {
    w.addContentCodings('gzip');
    w.ignoreBody = true;
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('redirect body, not gzip')), CURLE.OK);
    assert.deepEqual(out, []);
    assert.equal(t.sizeDownload, 0);
    assert.deepEqual(t.failures, []);
    w.resetResponse();
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('real')), CURLE.OK);
    assert.deepEqual(out, ['real']);
  } finally {
    e.cleanup();
  }
});

test('a pause holds the piece and all after it; unpause delivers them in order, not before the bits are cleared', () => {
  const out: string[] = [];
  let pauseNext = true;
  const { e, t, w } = stackWith((e) => {
    e.setopt(CURLOPT.BUFFERSIZE, 1024);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      if (pauseNext) {
        pauseNext = false;
        return CURL_WRITEFUNC_PAUSE;
      }
      out.push(d.toString());
      return d.length;
    });
  });
  try {
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('one')), PAUSED);
    assert.equal(t.pauseBits & 1, 1);
    // while paused, later writes are held too (a protocol may still have some in hand)
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('two')), PAUSED);
    assert.equal(w.heldBytes, 6);
    assert.equal(w.unpause(), PAUSED, 'still paused: nothing goes out');
    assert.deepEqual(out, []);
    t.pauseBits = 0;
    assert.equal(w.unpause(), CURLE.OK);
    assert.deepEqual(out, ['one', 'two']);
    assert.equal(w.holding, false);
    assert.equal(t.sizeDelivered, 6);
  } finally {
    e.cleanup();
  }
});

test('pausing inside WRITEFUNCTION (easy.pause sets CURLPAUSE_RECV) stops after the piece; the rest is held, or the stop is remembered', () => {
  const got: string[] = [];
  let t!: FakeTransfer;
  const { e, t: ft, w } = stackWith((e) => {
    e.setopt(CURLOPT.BUFFERSIZE, 1024);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
      got.push(d.toString('latin1', 0, 1) + d.length);
      if (got.length === 1 || got.length === 4) t.pauseBits |= 1; // what easy.pause(CURLPAUSE.RECV) does
      return d.length;
    });
  });
  t = ft;
  try {
    const data = Buffer.concat([Buffer.alloc(1024, 'a'), Buffer.alloc(1024, 'b'), Buffer.alloc(10, 'c')]);
    assert.equal(w.write(CLIENTWRITE.BODY, data), PAUSED);
    assert.deepEqual(got, ['a1024'], 'nothing after the piece that paused');
    assert.equal(w.heldBytes, 1034);
    t.pauseBits = 0;
    assert.equal(w.unpause(), CURLE.OK);
    assert.deepEqual(got, ['a1024', 'b1024', 'c10']);
    assert.equal(w.holding, false);
    // paused on a piece that was the whole write: nothing to hold, but the protocol must be resumed
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.alloc(5, 'd')), PAUSED);
    assert.equal(w.heldBytes, 0);
    assert.equal(w.holding, true);
    t.pauseBits = 0;
    assert.equal(w.unpause(), CURLE.OK);
    assert.equal(w.holding, false);
    assert.equal(t.sizeDelivered, 2063);
  } finally {
    e.cleanup();
  }
});

test('a pause inside content decoding stops the decoder; unpause lets it go on from where it stopped', () => {
  const plain = Buffer.alloc(300_000);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 31) & 0xff;
  const gz = zlib.gzipSync(plain);
  const out: Buffer[] = [];
  let calls = 0;
  const { e, t, w } = stackWith((e) => e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    // every 5th call pauses (the piece comes again after unpause)
    if (++calls % 5 === 0) return CURL_WRITEFUNC_PAUSE;
    out.push(Buffer.from(d));
    return d.length;
  }));
  try {
    w.addContentCodings('gzip');
    let r = w.write(CLIENTWRITE.BODY, gz);
    for (let i = 0; i < 10_000 && r === PAUSED; i++) {
      // held: at most one write-size piece; the rest stays compressed in the decoder
      assert.ok(w.heldBytes <= 16384, `held ${w.heldBytes}`);
      t.pauseBits = 0;
      r = w.unpause();
    }
    assert.equal(r, CURLE.OK);
    assert.ok(Buffer.concat(out).equals(plain));
  } finally {
    e.cleanup();
  }
});

test('CURLOPT_NOBODY drops body bytes at the client', () => {
  const out: string[] = [];
  const { e, w } = stackWith((e) => {
    e.setopt(CURLOPT.NOBODY, 1);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (out.push(d.toString()), d.length));
  });
  try {
    assert.equal(w.write(CLIENTWRITE.BODY, Buffer.from('x')), CURLE.OK);
    assert.deepEqual(out, []);
  } finally {
    e.cleanup();
  }
});
