// CURLOPT_TRAILERFUNCTION over HTTP/2 uploads (issue 13, item 3): a body of
// unknown size (what HTTP/1.1 sends chunked, the trailers in its last chunk)
// ends with the callback's trailers in a HEADERS frame after the DATA frames
// (node:http2's waitForTrailers / sendTrailers), asked once the body is all
// sent; an aborting callback fails the transfer; a body of known size asks
// for none, as over HTTP/1.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as http2 from 'node:http2';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startH2Server, type H2Server } from '../helpers/h2-server.js';

/** A server that answers with what it received: the body and the request's trailers (or "none"). */
async function echoTrailers(resets: number[]): Promise<H2Server> {
  return startH2Server((stream) => {
    let trailers: http2.IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    stream.on('trailers', (h) => { trailers = h; });
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('close', () => resets.push(stream.rstCode ?? -1));
    stream.on('end', () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      const t = trailers as http2.IncomingHttpHeaders | null;
      const shown = t === null ? 'none' : Object.entries(t).filter(([k]) => !k.startsWith(':')).map(([k, v]) => `${k}=${String(v)}`).join(',');
      stream.end(`${Buffer.concat(chunks).toString()}|${shown}`);
    });
  });
}

/** An upload through READFUNCTION in two reads; `size` set: INFILESIZE (known), else unknown. */
function upload(e: Easy, pieces: string[], size?: number): void {
  const rest = pieces.map((p) => Buffer.from(p));
  e.setopt(CURLOPT.HTTP_VERSION, 5);
  e.setopt(CURLOPT.UPLOAD, 1);
  if (size !== undefined) e.setopt(CURLOPT.INFILESIZE_LARGE, size);
  e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
    const next = rest.shift();
    if (!next) return 0;
    next.copy(buf);
    return next.length;
  });
}

test('an upload of unknown size ends with the TRAILERFUNCTION\'s trailers (malformed lines skipped)', { timeout: 20000 }, async () => {
  const resets: number[] = [];
  const srv = await echoTrailers(resets);
  let calls = 0;
  const info: string[] = [];
  try {
    const r = await fetchUrl(srv.url('/up'), (e) => {
      upload(e, ['hello ', 'world']);
      e.setopt(CURLOPT.TRAILERFUNCTION, (list: string[], data: unknown) => {
        calls++;
        assert.equal(data, 'tdata');
        list.push('X-Checksum: abc', 'broken-trailer', 'x-two: 2', 'Connection: close');
        return 0;
      });
      e.setopt(CURLOPT.TRAILERDATA, 'tdata');
      e.setopt(CURLOPT.VERBOSE, 1);
      e.setopt(CURLOPT.DEBUGFUNCTION, (_h: unknown, type: number, d: Buffer) => { if (type === 0) info.push(d.toString()); return 0; });
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(calls, 1);
    assert.equal(r.body, 'hello world|x-checksum=abc,x-two=2');
    assert.equal(info.filter((l) => l.includes('Malformatted trailing header')).length, 2);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a TRAILERFUNCTION that aborts (or throws) fails the upload with CURLE_ABORTED_BY_CALLBACK; the stream is reset', { timeout: 20000 }, async () => {
  for (const how of ['abort', 'throw'] as const) {
    const resets: number[] = [];
    const srv = await echoTrailers(resets);
    try {
      const r = await fetchUrl(srv.url('/up'), (e) => {
        upload(e, ['some body']);
        e.setopt(CURLOPT.TRAILERFUNCTION, () => {
          if (how === 'throw') throw new Error('no trailers');
          return 1; // CURL_TRAILERFUNC_ABORT
        });
      });
      assert.equal(r.code, CURLE.ABORTED_BY_CALLBACK, how);
      assert.notEqual(r.body.includes('|'), true, 'no answer came');
      for (let i = 0; i < 500 && resets.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
      assert.equal(resets[0], 8, 'RST_STREAM CANCEL');
      r.easy.cleanup();
    } finally {
      await srv.close();
    }
  }
});

test('an upload of known size asks for no trailers, as HTTP/1.1 without chunked', { timeout: 20000 }, async () => {
  const resets: number[] = [];
  const srv = await echoTrailers(resets);
  let calls = 0;
  try {
    const r = await fetchUrl(srv.url('/up'), (e) => {
      upload(e, ['0123', '4567'], 8);
      e.setopt(CURLOPT.TRAILERFUNCTION, (list: string[]) => (calls++, list.push('x-a: b'), 0));
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, '01234567|none');
    assert.equal(calls, 0);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});
