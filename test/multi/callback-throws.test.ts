// README "Callbacks that throw": an exception thrown by an application
// callback never escapes a library call. It counts as the callback's failure
// value: the transfer (for SOCKETFUNCTION/TIMERFUNCTION every transfer of the
// multi) ends with the code libcurl gives for that failure, the error buffer
// names the callback and the error, and the thrown value is kept
// (easy.lastCallbackError, multi.lastCallbackError). One test per callback,
// over real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Easy, Multi, CURLOPT, CURLMOPT, CURLE, CURLM, CURLMSG, CURL_SOCKET_TIMEOUT, CURLINFO_TYPE, openSocketCount,
  type DoneMessage,
} from '../../src/index.js';
import { startRawServer, withRawServer, ok, type RawServer } from '../helpers/raw-http-server.js';
import { startAppLoop } from '../helpers/app-loop.js';

/**
 * Counts exceptions that reached Node's top level while `body` ran (a throw
 * out of a library call made from a timer or a socket event lands there).
 */
async function noEscapes<T>(body: () => Promise<T>): Promise<T> {
  const escaped: unknown[] = [];
  const onError = (err: unknown): void => {
    escaped.push(err);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    const r = await body();
    // one more turn of the loop: a late escape from a watcher or timer shows up here
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(escaped, [], 'an exception escaped a library call');
    return r;
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
}

interface Outcome {
  code: number;
  errorBuffer: string;
  thrown: unknown;
}

/** easy.perform() of `url` with ERRORBUFFER set; `setup` installs the throwing callback. */
async function performWith(url: string, setup: (e: Easy) => void): Promise<Outcome> {
  const e = new Easy();
  try {
    const eb = { message: 'stale text' };
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.ERRORBUFFER, eb);
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    setup(e);
    const code = await e.perform();
    assert.equal(e.errorBuffer, eb.message, 'easy.errorBuffer and the ERRORBUFFER object agree');
    return { code, errorBuffer: eb.message, thrown: e.lastCallbackError };
  } finally {
    e.cleanup();
  }
}

function boom(what: string): Error {
  return new Error(`boom from ${what}`);
}

const withServer = <T>(handler: Parameters<typeof startRawServer>[0], fn: (srv: RawServer) => Promise<T>): Promise<T> =>
  withRawServer(fn, handler, { onExpect: () => 'continue' });

test('WRITEFUNCTION throws: CURLE_WRITE_ERROR, the error buffer names it, lastCallbackError is the thrown value', () =>
  noEscapes(() => withServer(() => ok('hello'), async (srv) => {
    const err = boom('write');
    const r = await performWith(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.WRITEFUNCTION, () => {
        throw err;
      });
    });
    assert.equal(r.code, CURLE.WRITE_ERROR);
    assert.equal(r.errorBuffer, 'CURLOPT_WRITEFUNCTION callback threw Error: boom from write');
    assert.equal(r.thrown, err);
  })));

test('HEADERFUNCTION throws: CURLE_WRITE_ERROR; a thrown non-Error value is named too', () =>
  noEscapes(() => withServer(() => ok('hello'), async (srv) => {
    let calls = 0;
    const r = await performWith(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.HEADERFUNCTION, () => {
        calls++;
        throw 'not an Error'; // eslint-disable-line no-throw-literal
      });
    });
    assert.equal(r.code, CURLE.WRITE_ERROR);
    assert.equal(r.errorBuffer, 'CURLOPT_HEADERFUNCTION callback threw not an Error');
    assert.equal(r.thrown, 'not an Error');
    assert.equal(calls, 1, 'the transfer ended at the first header line');
  })));

test('READFUNCTION throws: CURLE_READ_ERROR', () =>
  noEscapes(() => withServer(() => ok('ok'), async (srv) => {
    const err = new TypeError('bad source');
    const r = await performWith(`http://127.0.0.1:${srv.port}/up`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 10);
      e.setopt(CURLOPT.READFUNCTION, () => {
        throw err;
      });
    });
    assert.equal(r.code, CURLE.READ_ERROR);
    assert.equal(r.errorBuffer, 'CURLOPT_READFUNCTION callback threw TypeError: bad source');
    assert.equal(r.thrown, err);
  })));

test('SEEKFUNCTION throws when a redirect needs the body again: CURLE_SEND_FAIL_REWIND (as CURL_SEEKFUNC_FAIL)', () =>
  noEscapes(() => withServer(
    (req) => (req.target === '/a' ? { data: 'HTTP/1.1 307 Again\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n' } : ok('b')),
    async (srv) => {
      const err = boom('seek');
      const r = await performWith(`http://127.0.0.1:${srv.port}/a`, (e) => {
        let sent = false;
        e.setopt(CURLOPT.POST, 1);
        e.setopt(CURLOPT.POSTFIELDSIZE, 5);
        e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => (sent ? 0 : ((sent = true), buf.write('a=b&c'))));
        e.setopt(CURLOPT.SEEKFUNCTION, () => {
          throw err;
        });
        e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      });
      assert.equal(r.code, CURLE.SEND_FAIL_REWIND);
      assert.equal(r.errorBuffer, 'CURLOPT_SEEKFUNCTION callback threw Error: boom from seek');
      assert.equal(r.thrown, err);
      assert.deepEqual(srv.requests.map((q) => q.target), ['/a'], 'the redirect was not sent without its body');
    })));

test('XFERINFOFUNCTION throws: CURLE_ABORTED_BY_CALLBACK', () =>
  noEscapes(() => withServer(() => ok('hello'), async (srv) => {
    const err = boom('xferinfo');
    const r = await performWith(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.XFERINFOFUNCTION, () => {
        throw err;
      });
    });
    assert.equal(r.code, CURLE.ABORTED_BY_CALLBACK);
    assert.equal(r.errorBuffer, 'CURLOPT_XFERINFOFUNCTION callback threw Error: boom from xferinfo');
    assert.equal(r.thrown, err);
  })));

test('XFERINFOFUNCTION throwing on the last call (from DONE) still fails the transfer, as libcurl\'s multi_done', () =>
  noEscapes(() => withServer(() => ok('hello'), async (srv) => {
    const err = boom('last progress call');
    const seen = new Set<string>();
    const r = await performWith(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.NOPROGRESS, 0);
      // numbers told twice only happen on the last call, which repeats the complete ones
      e.setopt(CURLOPT.XFERINFOFUNCTION, (_c: unknown, dt: number, dn: number, ut: number, un: number) => {
        const key = `${dt},${dn},${ut},${un}`;
        if (dn === 5 && seen.has(key)) throw err;
        seen.add(key);
        return 0;
      });
    });
    assert.equal(r.code, CURLE.ABORTED_BY_CALLBACK);
    assert.equal(r.errorBuffer, 'CURLOPT_XFERINFOFUNCTION callback threw Error: boom from last progress call');
  })));

test('DEBUGFUNCTION throws: the transfer ends with CURLE_ABORTED_BY_CALLBACK and the callback is not called again', () =>
  noEscapes(() => withServer(() => ok('hello'), async (srv) => {
    const err = boom('debug');
    let calls = 0;
    let delivered = 0;
    const r = await performWith(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((delivered += d.length), d.length));
      e.setopt(CURLOPT.DEBUGFUNCTION, (_e: Easy, type: number) => {
        calls++;
        if (type === CURLINFO_TYPE.TEXT) throw err;
        return 0;
      });
    });
    assert.equal(r.code, CURLE.ABORTED_BY_CALLBACK);
    assert.equal(r.errorBuffer, 'CURLOPT_DEBUGFUNCTION callback threw Error: boom from debug');
    assert.equal(r.thrown, err);
    assert.equal(calls, 1);
    assert.equal(delivered, 0, 'it ended before the response');
  })));

test('TRAILERFUNCTION throws: CURLE_ABORTED_BY_CALLBACK (as CURL_TRAILERFUNC_ABORT)', () =>
  noEscapes(() => withServer(() => ok('ok'), async (srv) => {
    const err = boom('trailer');
    const r = await performWith(`http://127.0.0.1:${srv.port}/chunky`, (e) => {
      let sent = false;
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => (sent ? 0 : ((sent = true), buf.write('abc'))));
      e.setopt(CURLOPT.TRAILERFUNCTION, () => {
        throw err;
      });
    });
    assert.equal(r.code, CURLE.ABORTED_BY_CALLBACK);
    assert.equal(r.errorBuffer, 'CURLOPT_TRAILERFUNCTION callback threw Error: boom from trailer');
    assert.equal(r.thrown, err);
  })));

test('curl_mime_data_cb read and seek callbacks throw: CURLE_READ_ERROR and CURLE_SEND_FAIL_REWIND', () =>
  noEscapes(() => withServer(
    (req) => (req.target === '/a' ? { data: 'HTTP/1.1 307 Again\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n' } : ok('b')),
    async (srv) => {
      const readErr = boom('mime read');
      const read = await performWith(`http://127.0.0.1:${srv.port}/b`, (e) => {
        const mime = e.mimeInit();
        const p = mime.addpart();
        p.name('cb');
        p.dataCb(5, () => {
          throw readErr;
        });
        e.setopt(CURLOPT.MIMEPOST, mime);
      });
      assert.equal(read.code, CURLE.READ_ERROR);
      assert.equal(read.errorBuffer, 'curl_mime_data_cb read callback threw Error: boom from mime read');
      assert.equal(read.thrown, readErr);

      const seekErr = boom('mime seek');
      const seek = await performWith(`http://127.0.0.1:${srv.port}/a`, (e) => {
        const mime = e.mimeInit();
        const p = mime.addpart();
        p.name('cb');
        let sent = false;
        p.dataCb(5, (buf) => (sent ? 0 : ((sent = true), buf.write('12345'))), () => {
          throw seekErr;
        });
        e.setopt(CURLOPT.MIMEPOST, mime);
        e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      });
      assert.equal(seek.code, CURLE.SEND_FAIL_REWIND);
      assert.equal(seek.errorBuffer, 'curl_mime_data_cb seek callback threw Error: boom from mime seek');
      assert.equal(seek.thrown, seekErr);
    })));

/** Drain DONE messages into `done`. */
function drain(multi: Multi, done: DoneMessage[]): void {
  for (let m = multi.infoRead(); m; m = multi.infoRead()) if (m.msg === CURLMSG.DONE) done.push(m);
}

for (const which of ['SOCKETFUNCTION', 'TIMERFUNCTION'] as const) {
  test(`CURLMOPT_${which} throws: the call answers CURLM_ABORTED_BY_CALLBACK, every transfer ends, the error is kept`, () =>
    noEscapes(() => withServer(() => ({ hang: true }), async (srv) => {
      const multi = new Multi();
      const loop = startAppLoop(multi);
      const easies: Easy[] = [];
      const buffers: { message: string }[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const e = new Easy();
          const eb = { message: '' };
          e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/${i}`);
          e.setopt(CURLOPT.ERRORBUFFER, eb);
          easies.push(e);
          buffers.push(eb);
          assert.equal(multi.addHandle(e), CURLM.OK);
        }
        const err = boom(which);
        let calls = 0;
        const thrower = (): number => {
          calls++;
          throw err;
        };
        // from now on the callback throws; the next socketAction starts the connects and hears it
        if (which === 'SOCKETFUNCTION') multi.setopt(CURLMOPT.SOCKETFUNCTION, thrower);
        else multi.setopt(CURLMOPT.TIMERFUNCTION, thrower);
        const r = multi.socketAction(CURL_SOCKET_TIMEOUT, 0);
        assert.equal(r.code, CURLM.ABORTED_BY_CALLBACK);
        assert.equal(r.runningHandles, 0);
        assert.equal(calls, 1, 'no callback after the failure');
        const done: DoneMessage[] = [];
        drain(multi, done);
        assert.equal(done.length, 3);
        const text = `CURLMOPT_${which} callback threw Error: boom from ${which}`;
        for (const m of done) assert.equal(m.result, CURLE.ABORTED_BY_CALLBACK);
        for (const eb of buffers) assert.equal(eb.message, text);
        for (const e of easies) {
          assert.equal(e.errorBuffer, text);
          assert.equal(e.lastCallbackError, err);
        }
        assert.equal(multi.lastCallbackError, err);
        for (const e of easies) assert.equal(multi.removeHandle(e), CURLM.OK);
      } finally {
        loop.stop();
        multi.cleanup();
        for (const e of easies) e.cleanup();
      }
      assert.equal(openSocketCount(), 0);
    })));
}

test('TIMERFUNCTION throws inside addHandle: CURLM_ABORTED_BY_CALLBACK, the handle stays added with its DONE message; the multi works again after', () =>
  noEscapes(() => withServer(() => ok('again'), async (srv) => {
    const multi = new Multi();
    const e = new Easy();
    try {
      const eb = { message: '' };
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/`);
      e.setopt(CURLOPT.ERRORBUFFER, eb);
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
      const err = boom('timer');
      multi.setopt(CURLMOPT.TIMERFUNCTION, () => {
        throw err;
      });
      assert.equal(multi.addHandle(e), CURLM.ABORTED_BY_CALLBACK);
      assert.deepEqual(multi.getHandles(), [e]);
      const done: DoneMessage[] = [];
      drain(multi, done);
      assert.equal(done.length, 1);
      assert.equal(done[0]!.result, CURLE.ABORTED_BY_CALLBACK);
      assert.equal(eb.message, 'CURLMOPT_TIMERFUNCTION callback threw Error: boom from timer');
      assert.equal(multi.removeHandle(e), CURLM.OK);
      assert.deepEqual(multi.getHandles(), []);
      // a working callback again: the next transfer runs normally and starts with an empty error buffer
      const loop = startAppLoop(multi);
      try {
        assert.equal(multi.addHandle(e), CURLM.OK);
        assert.equal(eb.message, '');
        await loop.finished;
        assert.equal(loop.done.length, 1);
        assert.equal(loop.done[0]!.result, CURLE.OK);
        assert.equal(eb.message, '');
        assert.equal(e.lastCallbackError, undefined);
      } finally {
        loop.stop();
      }
    } finally {
      multi.cleanup();
      e.cleanup();
    }
  })));

test('SOCKETFUNCTION throws on the REMOVE of removeHandle(): CURLM_ABORTED_BY_CALLBACK and the other transfers end; cleanup() with it throwing returns', () =>
  noEscapes(() => withServer(() => ({ hang: true }), async (srv) => {
    const multi = new Multi();
    const loop = startAppLoop(multi);
    const a = new Easy();
    const b = new Easy();
    try {
      for (const [e, path] of [[a, '/a'], [b, '/b']] as const) {
        e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}${path}`);
        assert.equal(multi.addHandle(e), CURLM.OK);
      }
      // both requests are out and waiting for answers that never come
      for (let i = 0; i < 200 && srv.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(srv.requests.length, 2);
      const err = boom('REMOVE');
      multi.setopt(CURLMOPT.SOCKETFUNCTION, () => {
        throw err;
      });
      assert.equal(multi.removeHandle(a), CURLM.ABORTED_BY_CALLBACK);
      const done: DoneMessage[] = [];
      drain(multi, done);
      assert.deepEqual(done.map((m) => [m.easy, m.result]), [[b, CURLE.ABORTED_BY_CALLBACK]]);
      assert.equal(b.errorBuffer, 'CURLMOPT_SOCKETFUNCTION callback threw Error: boom from REMOVE');
      assert.equal(multi.lastCallbackError, err);
      assert.equal(multi.removeHandle(b), CURLM.OK);
    } finally {
      loop.stop();
      assert.equal(multi.cleanup(), CURLM.OK);
      a.cleanup();
      b.cleanup();
    }
    assert.equal(openSocketCount(), 0);
  })));
