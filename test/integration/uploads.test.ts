// Request bodies over real sockets: PUT from READFUNCTION with and without a
// known size, chunked framing and trailers, POST from the callback, pause and
// abort from the callback, Expect: 100-continue against servers that answer
// 100, never answer, or answer 417/401 early, KEEP_SENDING_ON_ERROR, and
// rewinding through SEEKFUNCTION when a 307 sends the body again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Easy, CURLOPT, CURLE, CURLINFO, CURLPAUSE, CURL_READFUNC_ABORT, CURL_READFUNC_PAUSE,
} from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl, verboseLines as verboseText } from '../helpers/fetch.js';

/** A READFUNCTION handing out `pieces` one per call, then 0 (end of data). */
function pieces(list: (string | Buffer)[]): { fn: (buf: Buffer) => number; calls: number[] } {
  let i = 0;
  const calls: number[] = [];
  return {
    calls,
    fn: (buf: Buffer) => {
      calls.push(buf.length);
      const p = list[i++];
      if (p === undefined) return 0;
      const b = Buffer.isBuffer(p) ? p : Buffer.from(p);
      b.copy(buf);
      return b.length;
    },
  };
}

test('UPLOAD with INFILESIZE: PUT with Content-Length, body from READFUNCTION, upload progress', async () => {
  const srv = await startRawServer(() => ok('done'));
  try {
    const r = pieces(['hello ', 'world']);
    const progress: number[][] = [];
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/put`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 11);
      e.setopt(CURLOPT.READFUNCTION, r.fn);
      e.setopt(CURLOPT.NOPROGRESS, 0);
      e.setopt(CURLOPT.XFERINFOFUNCTION, (_c: unknown, dt: number, dn: number, ut: number, un: number) => (progress.push([dt, dn, ut, un]), 0));
    });
    assert.equal(f.code, CURLE.OK);
    assert.equal(f.body, 'done');
    assert.equal(srv.requests[0]!.raw.toString('latin1'),
      `PUT /put HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nContent-Length: 11\r\n\r\nhello world`);
    // the announced size bounds the reads: no extra call asking for more after 11 bytes
    assert.deepEqual(r.calls.length, 2);
    assert.equal(f.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 11);
    assert.equal(f.easy.getinfo(CURLINFO.CONTENT_LENGTH_UPLOAD_T), 11);
    assert.equal(f.easy.getinfo(CURLINFO.EFFECTIVE_METHOD), 'PUT');
    assert.ok(progress.some((p) => p[2] === 11 && p[3] === 11), JSON.stringify(progress));
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('unknown size: Transfer-Encoding: chunked, one chunk per read, TRAILERFUNCTION trailers', async () => {
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => 'continue' });
  try {
    const r = pieces(['abc', 'defgh']);
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/chunky`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, r.fn);
      e.setopt(CURLOPT.HTTPHEADER, ['X-Custom: 1']);
      e.setopt(CURLOPT.TRAILERFUNCTION, (list: string[]) => (list.push('X-Sum: 8', 'broken-trailer'), 0));
    });
    assert.equal(f.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.equal(req.raw.toString('latin1'),
      `PUT /chunky HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\nX-Custom: 1\r\n` +
      'Expect: 100-continue\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\nX-Sum: 8\r\n\r\n');
    assert.equal(req.body.toString(), 'abcdefgh');
    assert.equal(f.easy.getinfo(CURLINFO.CONTENT_LENGTH_UPLOAD_T), -1);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('POST from READFUNCTION: POSTFIELDSIZE gives Content-Length, -1 goes chunked; a user TE header forces chunked', async () => {
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => 'continue' });
  try {
    const url = `http://127.0.0.1:${srv.port}/post`;
    const sized = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.POST, 1);
      e.setopt(CURLOPT.POSTFIELDSIZE, 5);
      e.setopt(CURLOPT.READFUNCTION, pieces(['a=b&c']).fn);
    });
    assert.equal(sized.code, CURLE.OK);
    assert.equal(srv.requests[0]!.raw.toString('latin1'),
      `POST /post HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nContent-Length: 5\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\n\r\na=b&c');
    const chunked = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.POST, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['x=1']).fn);
    });
    assert.equal(chunked.code, CURLE.OK);
    assert.equal(srv.requests[1]!.raw.toString('latin1'),
      `POST /post HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n\r\n3\r\nx=1\r\n0\r\n\r\n');
    // POSTFIELDS with the application's "Transfer-Encoding: chunked": the buffer goes chunked, no Content-Length
    const forced = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.POSTFIELDS, 'hello');
      e.setopt(CURLOPT.HTTPHEADER, ['Transfer-Encoding: chunked']);
    });
    assert.equal(forced.code, CURLE.OK);
    assert.equal(srv.requests[2]!.raw.toString('latin1'),
      `POST /post HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    for (const f of [sized, chunked, forced]) f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('HTTP/1.0 cannot upload an unknown size: CURLE_UPLOAD_FAILED before anything is sent', async () => {
  const srv = await startRawServer(() => ok('ok'));
  try {
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.HTTP_VERSION, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['x']).fn);
    });
    assert.equal(f.code, CURLE.UPLOAD_FAILED);
    assert.equal(f.easy.errorBuffer, 'Chunky upload is not supported by HTTP 1.0');
    assert.equal(srv.requests.length, 0);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('the last of UPLOAD/POST/HTTPGET/NOBODY decides the method; INFILESIZE 0 sends Content-Length: 0', async () => {
  const srv = await startRawServer(() => ok('ok'));
  try {
    const url = `http://127.0.0.1:${srv.port}/m`;
    const zero = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.NOBODY, 1);
      e.setopt(CURLOPT.UPLOAD, 1); // clears NOBODY, as libcurl does
      e.setopt(CURLOPT.INFILESIZE_LARGE, 0);
      e.setopt(CURLOPT.READFUNCTION, () => assert.fail('nothing to read'));
    });
    assert.equal(zero.code, CURLE.OK);
    assert.equal(srv.requests[0]!.head, `PUT /m HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n`);
    const get = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.HTTPGET, 1);
    });
    assert.equal(get.code, CURLE.OK);
    assert.equal(srv.requests[1]!.method, 'GET');
    const custom = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.CUSTOMREQUEST, 'PATCH');
      e.setopt(CURLOPT.INFILESIZE, 2);
      e.setopt(CURLOPT.READDATA, Buffer.from('{}'));
    });
    assert.equal(custom.code, CURLE.OK);
    assert.equal(srv.requests[2]!.raw.toString('latin1'), `PATCH /m HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nContent-Length: 2\r\n\r\n{}`);
    for (const f of [zero, get, custom]) f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CURL_READFUNC_PAUSE stops sending until easy.pause(CURLPAUSE.CONT)', async () => {
  const srv = await startRawServer(() => ok('ok'));
  try {
    let paused = 0;
    let step = 0;
    let resumedByApp = false;
    const e = new Easy();
    try {
      const f = fetchUrl(`http://127.0.0.1:${srv.port}/pause`, (easy) => {
        easy.setopt(CURLOPT.UPLOAD, 1);
        easy.setopt(CURLOPT.INFILESIZE, 6);
        easy.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
          step++;
          if (step === 1) {
            buf.write('abc');
            return 3;
          }
          if (!resumedByApp) {
            paused++;
            // the application lifts the pause later, from outside any callback
            setTimeout(() => {
              resumedByApp = true;
              assert.equal(easy.pause(CURLPAUSE.CONT), CURLE.OK);
            }, 30);
            return CURL_READFUNC_PAUSE;
          }
          buf.write('def');
          return 3;
        });
      });
      const r = await f;
      assert.equal(r.code, CURLE.OK);
      assert.equal(paused, 1, 'paused reads are not retried until the application resumes');
      assert.equal(srv.requests[0]!.body.toString(), 'abcdef');
      assert.equal(r.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 6);
      r.easy.cleanup();
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});

test('CURL_READFUNC_ABORT fails with CURLE_ABORTED_BY_CALLBACK; a too large count is CURLE_READ_ERROR', async () => {
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => 'continue' });
  try {
    const url = `http://127.0.0.1:${srv.port}/abort`;
    const aborted = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, () => CURL_READFUNC_ABORT);
    });
    assert.equal(aborted.code, CURLE.ABORTED_BY_CALLBACK);
    assert.equal(aborted.easy.errorBuffer, 'operation aborted by callback');
    const funny = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 4);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => buf.length + 1);
    });
    assert.equal(funny.code, CURLE.READ_ERROR);
    assert.equal(funny.easy.errorBuffer, 'read function returned funny value');
    const short = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 10);
      e.setopt(CURLOPT.READFUNCTION, pieces(['1234']).fn);
    });
    assert.equal(short.code, CURLE.READ_ERROR);
    assert.equal(short.easy.errorBuffer, 'client read function EOF fail, only 4/10 of needed bytes read');
    for (const f of [aborted, funny, short]) f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

const BIG = Buffer.alloc(1024 * 1024 + 1, 'b');

test('Expect: 100-continue above 1 MiB: the body follows the server\'s 100', async () => {
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => 'continue' });
  const f = await fetchUrl(`http://127.0.0.1:${srv.port}/big`, (e) => {
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.INFILESIZE_LARGE, BIG.length);
    e.setopt(CURLOPT.READDATA, BIG); // no READFUNCTION: the default reader reads READDATA
    e.setopt(CURLOPT.EXPECT_100_TIMEOUT_MS, 60_000); // only the 100 can start the body in time
  });
  assert.equal(f.code, CURLE.OK);
  const req = srv.requests[0]!;
  assert.match(req.head, /\r\nContent-Length: 1048577\r\nExpect: 100-continue\r\n\r\n$/);
  assert.ok(req.body.equals(BIG));
  assert.equal(f.easy.getinfo(CURLINFO.RESPONSE_CODE), 200);
  f.easy.cleanup();
  // exactly 1 MiB does not ask
  const srv2 = await startRawServer(() => ok('ok'));
  try {
    const g = await fetchUrl(`http://127.0.0.1:${srv2.port}/edge`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE_LARGE, BIG.length - 1);
      e.setopt(CURLOPT.READDATA, BIG.subarray(1));
    });
    assert.equal(g.code, CURLE.OK);
    assert.doesNotMatch(srv2.requests[0]!.head, /Expect/);
    g.easy.cleanup();
  } finally {
    await srv.close();
    await srv2.close();
  }
});

test('a server that never answers the Expect gets the body after EXPECT_100_TIMEOUT_MS', async () => {
  const srv = await startRawServer(() => ok('late'), '127.0.0.1', { onExpect: () => 'wait' });
  try {
    let texts: string[] = [];
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/silent`, (e) => {
      texts = verboseText(e);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['payload']).fn);
      e.setopt(CURLOPT.EXPECT_100_TIMEOUT_MS, 100);
    });
    assert.equal(f.code, CURLE.OK);
    assert.equal(f.body, 'late');
    assert.ok(texts.includes('Done waiting for 100-continue'), texts.join('|'));
    assert.equal(srv.requests[0]!.body.toString(), 'payload');
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('417 to the Expect: the same request again without Expect, on the same connection', async () => {
  const srv = await startRawServer(() => ok('second'), '127.0.0.1', {
    onExpect: () => ({ data: 'HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\n\r\nnope' }),
  });
  try {
    let texts: string[] = [];
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/417`, (e) => {
      texts = verboseText(e);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['retry-me']).fn);
    });
    assert.equal(f.code, CURLE.OK);
    assert.equal(f.body, 'second', 'the 417 body is not delivered');
    assert.equal(srv.requests.length, 2);
    assert.match(srv.requests[0]!.head, /Expect: 100-continue/);
    assert.equal(srv.requests[0]!.body.length, 0);
    assert.doesNotMatch(srv.requests[1]!.head, /Expect/);
    assert.equal(srv.requests[1]!.body.toString(), 'retry-me');
    assert.equal(srv.requests[1]!.connectionId, srv.requests[0]!.connectionId);
    assert.ok(texts.includes('Got HTTP failure 417 while waiting for a 100'), texts.join('|'));
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('an early 401 stops the upload and closes; KEEP_SENDING_ON_ERROR sends it all; a user "Expect:" removes it', async () => {
  const reply401 = { data: 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n' };
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => reply401 });
  try {
    const url = `http://127.0.0.1:${srv.port}/early`;
    let texts: string[] = [];
    const stop = await fetchUrl(url, (e) => {
      texts = verboseText(e);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['never sent']).fn);
    });
    assert.equal(stop.code, CURLE.OK);
    assert.equal(stop.easy.getinfo(CURLINFO.RESPONSE_CODE), 401);
    assert.equal(stop.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 0);
    assert.ok(texts.includes('HTTP error before end of send, stop sending'), texts.join('|'));
    const keep = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, 10);
      e.setopt(CURLOPT.HTTPHEADER, ['Expect: 100-continue']);
      e.setopt(CURLOPT.KEEP_SENDING_ON_ERROR, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['sent again']).fn);
    });
    assert.equal(keep.code, CURLE.OK);
    assert.equal(keep.easy.getinfo(CURLINFO.RESPONSE_CODE), 401);
    assert.equal(keep.easy.getinfo(CURLINFO.SIZE_UPLOAD_T), 10);
    assert.match(srv.requests[1]!.head, /Expect: 100-continue\r\nContent-Length: 10\r\n\r\n$/);
    const noExpect = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.HTTPHEADER, ['Expect:']);
      e.setopt(CURLOPT.READFUNCTION, pieces(['plain']).fn);
    });
    assert.equal(noExpect.code, CURLE.OK);
    assert.doesNotMatch(srv.requests[2]!.head, /Expect/);
    assert.equal(srv.requests[2]!.body.toString(), 'plain');
    for (const f of [stop, keep, noExpect]) f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('307 re-sends the body: SEEKFUNCTION rewinds it; without one the transfer fails with CURLE_SEND_FAIL_REWIND', async () => {
  const srv = await startRawServer((r) => (r.target === '/from'
    ? { data: 'HTTP/1.1 307 Temporary Redirect\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n' }
    : ok('arrived')));
  try {
    const url = `http://127.0.0.1:${srv.port}/from`;
    const data = Buffer.from('body to send twice');
    let pos = 0;
    const seeks: unknown[][] = [];
    const rewound = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.INFILESIZE, data.length);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        const n = data.copy(buf, 0, pos);
        pos += n;
        return n;
      });
      e.setopt(CURLOPT.SEEKDATA, 'seek-data');
      e.setopt(CURLOPT.SEEKFUNCTION, (clientp: unknown, offset: number, origin: number) => {
        seeks.push([clientp, offset, origin]);
        pos = offset;
        return 0;
      });
    });
    assert.equal(rewound.code, CURLE.OK);
    assert.equal(rewound.body, 'arrived');
    assert.deepEqual(seeks, [['seek-data', 0, 0]]);
    assert.deepEqual(srv.requests.map((r) => [r.method, r.target, r.body.toString()]),
      [['PUT', '/from', data.toString()], ['PUT', '/to', data.toString()]]);

    const failed = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.INFILESIZE, 3);
      e.setopt(CURLOPT.READFUNCTION, pieces(['one']).fn);
    });
    assert.equal(failed.code, CURLE.SEND_FAIL_REWIND);
    assert.equal(failed.easy.errorBuffer, 'necessary data rewind was not possible');

    const refused = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.INFILESIZE, 3);
      e.setopt(CURLOPT.READFUNCTION, pieces(['one']).fn);
      e.setopt(CURLOPT.SEEKFUNCTION, () => 2); // CURL_SEEKFUNC_CANTSEEK
    });
    assert.equal(refused.code, CURLE.SEND_FAIL_REWIND);
    assert.equal(refused.easy.errorBuffer, 'seek callback returned error 2');

    // the default reader rewinds READDATA itself, as libcurl fseek()s its FILE*
    const selfRewind = await fetchUrl(url, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.INFILESIZE, 4);
      e.setopt(CURLOPT.READDATA, Buffer.from('data'));
    });
    assert.equal(selfRewind.code, CURLE.OK);
    assert.equal(srv.requests.at(-1)!.body.toString(), 'data');
    for (const f of [rewound, failed, refused, selfRewind]) f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a POST from the callback redirected by 303 becomes a GET: nothing to rewind', async () => {
  const srv = await startRawServer((r) => (r.target === '/form'
    ? { data: 'HTTP/1.1 303 See Other\r\nLocation: /done\r\nContent-Length: 0\r\n\r\n' }
    : ok('thanks')));
  try {
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/form`, (e) => {
      e.setopt(CURLOPT.POST, 1);
      e.setopt(CURLOPT.POSTFIELDSIZE, 3);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
      e.setopt(CURLOPT.READFUNCTION, pieces(['a=1']).fn);
    });
    assert.equal(f.code, CURLE.OK);
    assert.equal(f.body, 'thanks');
    assert.deepEqual(srv.requests.map((r) => [r.method, r.body.toString()]), [['POST', 'a=1'], ['GET', '']]);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a reused connection that dies before answering: the upload is rewound and sent again on a new one', async () => {
  let n = 0;
  const srv = await startRawServer((r) => {
    n++;
    // the second request (the first on the reused connection) finds the server gone
    if (n === 2) return { destroy: true };
    return ok(r.method === 'PUT' ? 'stored' : 'hello');
  });
  try {
    const e = new Easy();
    try {
      const chunks: Buffer[] = [];
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(d), d.length));
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/first`);
      assert.equal(await e.perform(), CURLE.OK);
      const data = Buffer.from('resend me');
      let pos = 0;
      const seeks: number[] = [];
      e.setopt(CURLOPT.URL, `http://127.0.0.1:${srv.port}/put`);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE, data.length);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        const k = data.copy(buf, 0, pos);
        pos += k;
        return k;
      });
      e.setopt(CURLOPT.SEEKFUNCTION, (_c: unknown, offset: number) => (seeks.push(offset), (pos = offset), 0));
      assert.equal(await e.perform(), CURLE.OK);
      assert.equal(Buffer.concat(chunks).toString(), 'hellostored');
      assert.deepEqual(seeks, [0]);
      assert.equal(srv.requests.length, 3);
      assert.equal(srv.requests[2]!.body.toString(), 'resend me');
      assert.notEqual(srv.requests[2]!.connectionId, srv.requests[1]!.connectionId);
    } finally {
      e.cleanup();
    }
  } finally {
    await srv.close();
  }
});
