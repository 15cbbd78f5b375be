// Content and transfer decoding over real sockets: exact reply bytes from the
// raw server (request lines checked byte for byte), and real gzip replies
// from nginx compared with the file and with /usr/bin/curl --compressed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLPAUSE, CURL_WRITEFUNC_PAUSE } from '../../src/index.js';
import { startRawServer, type RawServer, type Reply } from '../helpers/raw-http-server.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { fetchUrl } from '../helpers/fetch.js';
import { requireProgram } from '../helpers/requires.js';

const NO_NGINX = requireProgram('nginx', 'nginx-light');
const NO_CURL = requireProgram('curl', 'curl');

const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(2000));
const replies = new Map<string, Buffer>();
let raw: RawServer;
let nginx: Nginx | undefined;

function reply(head: string, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(head.replace(/\n/g, '\r\n') + '\r\n'), body]);
}
/** Chunked framing, cut into pieces of `size`. */
function chunked(body: Buffer, size = 1000): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const c = body.subarray(i, i + size);
    parts.push(Buffer.from(c.length.toString(16) + '\r\n'), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

before(async () => {
  const gz = zlib.gzipSync(text);
  const stacked = zlib.brotliCompressSync(zlib.gzipSync(text));
  const bad = Buffer.from(gz);
  bad[bad.length - 8]! ^= 0xff; // the CRC
  replies.set('/gzip', reply(`HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Length: ${gz.length}\n`, gz));
  replies.set('/deflate-chunked', reply('HTTP/1.1 200 OK\nContent-Encoding: deflate\nTransfer-Encoding: chunked\n', chunked(zlib.deflateSync(text), 7)));
  replies.set('/raw-deflate', reply('HTTP/1.1 200 OK\nContent-Encoding: deflate\nConnection: close\n', zlib.deflateRawSync(text)));
  replies.set('/br', reply(`HTTP/1.1 200 OK\nContent-Encoding: br\nContent-Length: ${zlib.brotliCompressSync(text).length}\n`, zlib.brotliCompressSync(text)));
  replies.set('/stacked', reply(`HTTP/1.1 200 OK\nContent-Encoding: gzip, br\nContent-Length: ${stacked.length}\n`, stacked));
  replies.set('/unknown', reply('HTTP/1.1 200 OK\nContent-Encoding: compress\nContent-Length: 4\n', Buffer.from('abcd')));
  replies.set('/unknown-empty', reply('HTTP/1.1 200 OK\nContent-Encoding: compress\nContent-Length: 0\n'));
  replies.set('/corrupt', reply(`HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Length: ${bad.length}\n`, bad));
  replies.set('/te-gzip', reply('HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n', chunked(gz, 100)));
  replies.set('/te-and-ce', reply('HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\nContent-Encoding: deflate\n',
    chunked(zlib.gzipSync(zlib.deflateSync(text)), 333)));
  replies.set('/204', reply('HTTP/1.1 204 No Content\nContent-Encoding: gzip\n'));
  replies.set('/304', reply('HTTP/1.1 304 Not Modified\nContent-Encoding: gzip\nTransfer-Encoding: gzip\n'));
  // replies without a length end at close
  raw = await startRawServer((req): Reply => ({
    data: replies.get(req.target) ?? reply('HTTP/1.1 404 Nope\nContent-Length: 0\n'),
    close: req.target === '/raw-deflate',
  }));
  if (NO_NGINX) return;
  nginx = await startNginx({ httpExtra: 'gzip on; gzip_min_length 1; gzip_types *; gzip_vary on;' });
  writeFileSync(join(nginx.root, 'big.txt'), text);
});
after(async () => {
  await raw.close();
  await nginx?.stop();
});

/** fetchUrl with the body as bytes: the decoders' output is compared byte for byte. */
async function get(url: string, setup?: (e: Easy) => void): Promise<{ code: number; body: Buffer; easy: Easy }> {
  const r = await fetchUrl(url, setup);
  return { code: r.code, body: r.bytes, easy: r.easy };
}
const url = (p: string): string => `http://127.0.0.1:${raw.port}${p}`;
const all = (e: Easy): void => void e.setopt(CURLOPT.ACCEPT_ENCODING, '');

test('ACCEPT_ENCODING "" sends every encoding this build decodes and decodes gzip', async () => {
  const r = await get(url('/gzip'), all);
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(r.body, text);
  assert.equal(raw.requests.at(-1)!.head,
    `GET /gzip HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br, zstd\r\n\r\n`);
  // SIZE_DOWNLOAD counts the bytes received, SIZE_DELIVERED the decoded ones (libcurl 8)
  assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), zlib.gzipSync(text).length);
  assert.equal(r.easy.getinfo(CURLINFO.SIZE_DELIVERED), text.length);
});

test('a set encoding list is sent as is; a custom Accept-Encoding header replaces it', async () => {
  await get(url('/gzip'), (e) => e.setopt(CURLOPT.ACCEPT_ENCODING, 'br;q=1, gzip'));
  assert.match(raw.requests.at(-1)!.head, /\r\nAccept-Encoding: br;q=1, gzip\r\n/);
  const r = await get(url('/gzip'), (e) => {
    e.setopt(CURLOPT.ACCEPT_ENCODING, '');
    e.setopt(CURLOPT.HTTPHEADER, ['Accept-Encoding: gzip']);
  });
  assert.equal(raw.requests.at(-1)!.head.match(/Accept-Encoding/g)!.length, 1);
  assert.match(raw.requests.at(-1)!.head, /\r\nAccept-Encoding: gzip\r\n/);
  assert.deepEqual(r.body, text); // ACCEPT_ENCODING is set: still decoded
});

test('deflate over chunked framing in 7-byte chunks, raw deflate until close, brotli, gzip+br stacked', async () => {
  for (const p of ['/deflate-chunked', '/raw-deflate', '/br', '/stacked']) {
    const r = await get(url(p), all);
    assert.equal(r.code, CURLE.OK, p);
    assert.deepEqual(r.body, text, p);
  }
});

test('without ACCEPT_ENCODING, or with HTTP_CONTENT_DECODING 0, the body is passed through', async () => {
  const gz = zlib.gzipSync(text);
  const plain = await get(url('/gzip'));
  assert.deepEqual(plain.body, gz);
  assert.doesNotMatch(raw.requests.at(-1)!.head, /Accept-Encoding/);
  const off = await get(url('/gzip'), (e) => {
    all(e);
    e.setopt(CURLOPT.HTTP_CONTENT_DECODING, 0);
  });
  assert.deepEqual(off.body, gz);
  assert.match(raw.requests.at(-1)!.head, /Accept-Encoding: deflate, gzip, br, zstd/);
});

test('an unknown coding fails with 61 when body bytes come, not for an empty body', async () => {
  const r = await get(url('/unknown'), all);
  assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(r.easy.errorBuffer, 'Unrecognized content encoding type. libcurl understands deflate, gzip, br, zstd content encodings.');
  assert.equal((await get(url('/unknown-empty'), all)).code, CURLE.OK);
});

test('a corrupt gzip trailer is 61 with zlib\'s message, after the good bytes were delivered', async () => {
  const r = await get(url('/corrupt'), all);
  assert.equal(r.code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(r.easy.errorBuffer, 'Error while processing content unencoding: incorrect data check');
  assert.deepEqual(r.body, text);
});

test('TRANSFER_ENCODING: TE: gzip and Connection: TE, gzip transfer-coding decoded; unsolicited is 61', async () => {
  const r = await get(url('/te-gzip'), (e) => e.setopt(CURLOPT.TRANSFER_ENCODING, 1));
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(r.body, text);
  assert.equal(raw.requests.at(-1)!.head,
    `GET /te-gzip HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nAccept: */*\r\nTE: gzip\r\nConnection: TE\r\n\r\n`);
  // the gzip-decoded size is what SIZE_DOWNLOAD counts (transfer codings are undone before it)
  assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), text.length);
  const both = await get(url('/te-and-ce'), (e) => {
    e.setopt(CURLOPT.TRANSFER_ENCODING, 1);
    all(e);
    e.setopt(CURLOPT.HTTPHEADER, ['Connection: close']);
  });
  assert.equal(both.code, CURLE.OK);
  assert.deepEqual(both.body, text);
  assert.equal(raw.requests.at(-1)!.head, `GET /te-and-ce HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nAccept: */*\r\n` +
    'TE: gzip\r\nAccept-Encoding: deflate, gzip, br, zstd\r\nConnection: close, TE\r\n\r\n');
  const no = await get(url('/te-gzip'));
  assert.equal(no.code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(no.easy.errorBuffer, 'Unsolicited Transfer-Encoding (gzip) found');
});

test('HTTP_TRANSFER_DECODING 0 passes chunked framing and the transfer coding through', async () => {
  const r = await get(url('/te-gzip'), (e) => e.setopt(CURLOPT.HTTP_TRANSFER_DECODING, 0));
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(r.body, chunked(zlib.gzipSync(text), 100));
});

test('HEAD, 204 and 304 bodies are not decoded (no error from their codings)', async () => {
  for (const p of ['/204', '/304']) {
    const r = await get(url(p), all);
    assert.equal(r.code, CURLE.OK, p);
    assert.equal(r.body.length, 0);
  }
  const h = await get(url('/gzip'), (e) => {
    all(e);
    e.setopt(CURLOPT.NOBODY, 1);
  });
  assert.equal(h.code, CURLE.OK);
});

test('MAXFILESIZE counts received bytes, not decoded ones', async () => {
  const gzLen = zlib.gzipSync(text).length;
  const ok = await get(url('/gzip'), (e) => {
    all(e);
    e.setopt(CURLOPT.MAXFILESIZE_LARGE, gzLen);
  });
  assert.equal(ok.code, CURLE.OK);
  const over = await get(url('/gzip'), (e) => {
    all(e);
    e.setopt(CURLOPT.MAXFILESIZE_LARGE, gzLen - 1);
  });
  assert.equal(over.code, CURLE.FILESIZE_EXCEEDED);
});

test('a write callback that pauses mid-stream gets the decoded bytes in order after unpause', async () => {
  const e = new Easy();
  const chunks: Buffer[] = [];
  let paused = 0;
  e.setopt(CURLOPT.URL, url('/deflate-chunked'));
  all(e);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
    if (paused < 3 && chunks.length % 2 === 1) {
      paused++;
      setImmediate(() => e.pause(CURLPAUSE.CONT));
      chunks.push(Buffer.alloc(0));
      return CURL_WRITEFUNC_PAUSE;
    }
    chunks.push(Buffer.from(d));
    return d.length;
  });
  const code = await e.perform();
  assert.equal(code, CURLE.OK);
  assert.ok(paused > 0);
  assert.deepEqual(Buffer.concat(chunks), text);
});

function runCli(file: string, args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'buffer', timeout: 20000, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}
const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;

test('nginx gzip: the library and tscurl --compressed get the file, as /usr/bin/curl does', { skip: NO_NGINX }, async (t) => {
  const url = nginx!.url('/big.txt');
  const r = await get(url, all);
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(r.body, text);
  assert.ok((r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T) as number) < text.length / 10, 'nginx really compressed it');
  const mine = await runCli(process.execPath, [MAIN, '-s', '--compressed', '-w', '%{size_delivered}', url]);
  assert.equal(mine.code, 0);
  assert.deepEqual(mine.stdout, Buffer.concat([text, Buffer.from(String(text.length))]));
  const rawOut = await runCli(process.execPath, [MAIN, '-s', '-H', 'Accept-Encoding: gzip', url]);
  assert.deepEqual(zlib.gunzipSync(rawOut.stdout), text, 'a custom header alone does not decode');
  if (NO_CURL) return t.skip(NO_CURL);
  const ref = await runCli('/usr/bin/curl', ['-s', '--compressed', url]);
  assert.deepEqual(ref.stdout, text);
});
