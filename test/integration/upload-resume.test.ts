// Resumed uploads over real sockets (libcurl's http_resume + http_range): a
// PUT/POST with RESUME_FROM skips that many bytes of its body, announces the
// rest and says where it goes with Content-Range; RESUME_FROM -1 sends the
// whole body with a Content-Range over all of it; CURLOPT_RANGE on an upload
// becomes a Content-Range; nothing left to send is CURLE_PARTIAL_FILE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

const BODY = Buffer.from('0123456789abcdefghij'); // 20 bytes

/** A READFUNCTION over BODY with an optional SEEKFUNCTION; records the seeks. */
function source(e: Easy, withSeek: boolean): { seeks: number[] } {
  let pos = 0;
  const seeks: number[] = [];
  e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
    const n = BODY.copy(buf, 0, pos);
    pos += n;
    return n;
  });
  if (withSeek) {
    e.setopt(CURLOPT.SEEKFUNCTION, (_d: unknown, offset: number) => {
      seeks.push(offset);
      pos = offset;
      return 0;
    });
  }
  return { seeks };
}

for (const withSeek of [true, false]) {
  test(`PUT resumed at 8 (${withSeek ? 'SEEKFUNCTION' : 'read and dropped'}): Content-Range 8-19/20 and the last 12 bytes`, async () => {
    const srv = await startRawServer(() => ok('done'));
    try {
      let src: { seeks: number[] } = { seeks: [] };
      const f = await fetchUrl(`http://127.0.0.1:${srv.port}/up`, (e) => {
        e.setopt(CURLOPT.UPLOAD, 1);
        e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
        e.setopt(CURLOPT.RESUME_FROM_LARGE, 8);
        src = source(e, withSeek);
      });
      assert.equal(f.code, CURLE.OK);
      assert.equal(srv.requests[0]!.raw.toString('latin1'),
        `PUT /up HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Range: bytes 8-19/20\r\nAccept: */*\r\n` +
        'Content-Length: 12\r\n\r\n89abcdefghij');
      assert.deepEqual(src.seeks, withSeek ? [8] : []);
      f.easy.cleanup();
    } finally {
      await srv.close();
    }
  });
}

test('PUT with RESUME_FROM -1: the whole body, Content-Range 0-19/20', async () => {
  const srv = await startRawServer(() => ok('done'));
  try {
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/all`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
      e.setopt(CURLOPT.RESUME_FROM_LARGE, -1);
      source(e, true);
    });
    assert.equal(f.code, CURLE.OK);
    assert.equal(srv.requests[0]!.raw.toString('latin1'),
      `PUT /all HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Range: bytes 0-19/20\r\nAccept: */*\r\n` +
      `Content-Length: 20\r\n\r\n${BODY.toString()}`);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('POSTFIELDS resumed at 5 skip five bytes; CURLOPT_RANGE on a PUT is a Content-Range', async () => {
  const srv = await startRawServer(() => ok('done'));
  try {
    const post = await fetchUrl(`http://127.0.0.1:${srv.port}/post`, (e) => {
      e.setopt(CURLOPT.POSTFIELDS, 'hello=world');
      e.setopt(CURLOPT.RESUME_FROM, 5);
    });
    assert.equal(post.code, CURLE.OK);
    assert.equal(srv.requests[0]!.raw.toString('latin1'),
      `POST /post HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Range: bytes 5-10/11\r\nAccept: */*\r\n` +
      'Content-Length: 6\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n=world');
    post.easy.cleanup();
    const put = await fetchUrl(`http://127.0.0.1:${srv.port}/range`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
      e.setopt(CURLOPT.RANGE, '3-7');
      source(e, true);
    });
    assert.equal(put.code, CURLE.OK);
    assert.match(srv.requests[1]!.head, /\r\nContent-Range: bytes 3-7\/20\r\n/);
    assert.equal(srv.requests[1]!.body.toString(), BODY.toString());
    put.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a resume point at or past the end: CURLE_PARTIAL_FILE, nothing sent', async () => {
  const srv = await startRawServer(() => ok('done'));
  try {
    for (const offset of [20, 25]) {
      const f = await fetchUrl(`http://127.0.0.1:${srv.port}/done`, (e) => {
        e.setopt(CURLOPT.UPLOAD, 1);
        e.setopt(CURLOPT.INFILESIZE_LARGE, BODY.length);
        e.setopt(CURLOPT.RESUME_FROM_LARGE, offset);
        source(e, true);
      });
      assert.equal(f.code, CURLE.PARTIAL_FILE);
      assert.equal(f.easy.errorBuffer, 'File already completely uploaded');
      f.easy.cleanup();
    }
    // a source that ends before the offset cannot be skipped: read error
    const short = await fetchUrl(`http://127.0.0.1:${srv.port}/short`, (e) => {
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.RESUME_FROM_LARGE, 30); // size unknown: skipping reads 30 bytes of a 20-byte source
      source(e, false);
    });
    assert.equal(short.code, CURLE.READ_ERROR);
    assert.equal(short.easy.errorBuffer, 'Could only read 20 bytes from the input');
    short.easy.cleanup();
    assert.equal(srv.requests.length, 0);
  } finally {
    await srv.close();
  }
});

test('CLI: -T file -C N and -C - put the resumed bytes and Content-Range on the wire', async () => {
  const srv = await startRawServer(() => ok('done'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'upload-resume-'));
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
  const run = (args: string[]): Promise<number> =>
    new Promise((resolve) => execFile(process.execPath, [cli, '-s', ...args], (err) => resolve(err ? Number(err.code) : 0)));
  try {
    const file = path.join(dir, 'up.txt');
    writeFileSync(file, BODY);
    assert.equal(await run(['-T', file, '-C', '15', `http://127.0.0.1:${srv.port}/a`]), 0);
    assert.match(srv.requests[0]!.head, /^PUT \/a HTTP\/1.1\r\nHost: [^\r]+\r\nContent-Range: bytes 15-19\/20\r\n/);
    assert.equal(srv.requests[0]!.body.toString(), 'fghij');
    assert.equal(await run(['-T', file, '-C', '-', '-o', path.join(dir, 'out'), `http://127.0.0.1:${srv.port}/b`]), 0);
    assert.match(srv.requests[1]!.head, /\r\nContent-Range: bytes 0-19\/20\r\n/);
    assert.equal(srv.requests[1]!.body.toString(), BODY.toString());
    assert.equal(await run(['-T', file, '-C', '20', `http://127.0.0.1:${srv.port}/c`]), CURLE.PARTIAL_FILE);
    assert.equal(srv.requests.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});
