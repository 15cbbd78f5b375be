// tscurl/node-libcurl's less common corners end to end: HSTS callbacks in
// node-libcurl's shape, CONNECT_ONLY with monitorSocketEvents/send/recv, and
// a streamed response whose consumer fails, and an FTP wildcard download
// with the chunk and fnmatch callbacks in node-libcurl's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Easy, CurlCode, CurlHsts, SocketState, curly, CurlHstsCallback } from '../../src/compat/node-libcurl/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { startFtpServer } from '../helpers/ftp-server.js';

test('HSTSREADFUNCTION entries upgrade a request; HSTSWRITEFUNCTION sees them at close()', async () => {
  // node:http answers the TLS hello the upgraded request sends with a 400 and a close
  const server = createServer((_req, res) => res.end('plain'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const easy = new Easy();
    easy.setOpt('URL', `http://localhost:${(server.address() as AddressInfo).port}/`);
    easy.setOpt('IPRESOLVE', 1);
    easy.setOpt('HSTS_CTRL', CurlHsts.Enable);
    let reads = 0;
    assert.equal(easy.setOpt('HSTSREADFUNCTION', ({ maxHostLengthBytes }: { maxHostLengthBytes: number }) => {
      assert.ok(maxHostLengthBytes > 100);
      reads++;
      return [{ host: 'localhost', includeSubDomains: true, expire: '20991231 00:00:00' }, { host: 'example.test' }];
    }), CurlCode.CURLE_OK);
    const written: unknown[] = [];
    easy.setOpt('HSTSWRITEFUNCTION', (entry: unknown, count: unknown) => { written.push([entry, count]); return CurlHstsCallback.Ok; });
    easy.setOpt('WRITEFUNCTION', (b: Buffer) => b.length);
    const code = await easy.perform();
    // the request went https:// to a plain-HTTP server: the TLS handshake fails
    assert.notEqual(code, CurlCode.CURLE_OK);
    assert.match(easy.getInfo('EFFECTIVE_URL').data as string, /^https:\/\/localhost:/);
    assert.equal(reads, 1);
    easy.close();
    assert.deepEqual(written, [
      [{ host: 'localhost', includeSubDomains: true, expire: '20991231 00:00:00' }, { index: 0, total: 2, count: 2 }],
      [{ host: 'example.test', includeSubDomains: false, expire: null }, { index: 1, total: 2, count: 2 }],
    ]);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('CONNECT_ONLY: monitorSocketEvents reports Writable/Readable; send() and recv() move the bytes', async () => {
  const srv = await startRawServer(() => ok('raw!'));
  try {
    const easy = new Easy();
    easy.setOpt('URL', `http://127.0.0.1:${srv.port}/`);
    easy.setOpt('CONNECT_ONLY', true);
    assert.equal(await easy.perform(), CurlCode.CURLE_OK);
    const events: number[] = [];
    let reply = '';
    await new Promise<void>((resolve, reject) => {
      let sent = false;
      easy.onSocketEvent((error, state) => {
        if (error) return reject(error);
        events.push(state);
        if (!sent && state & SocketState.Writable) {
          const { code, bytesSent } = easy.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
          assert.equal(code, CurlCode.CURLE_OK);
          assert.ok(bytesSent > 0);
          sent = true;
        }
        if (state & SocketState.Readable) {
          const buf = Buffer.alloc(1024);
          const { code, bytesReceived } = easy.recv(buf);
          if (code === CurlCode.CURLE_OK) reply += buf.subarray(0, bytesReceived).toString();
          if (reply.endsWith('raw!')) resolve();
        }
      });
      easy.monitorSocketEvents();
      assert.equal(easy.isMonitoringSockets, true);
    });
    easy.unmonitorSocketEvents();
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*raw!$/);
    assert.ok(events.includes(SocketState.Writable) || events.includes(SocketState.Writable | SocketState.Readable));
    easy.close();
  } finally {
    await srv.close();
  }
});

test('a streamed response piped into a failing consumer ends the transfer and closes its connection', async () => {
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': String(64 * 1024 * 1024) });
    const piece = Buffer.alloc(65536, 1);
    const more = (): void => { while (res.write(piece)); res.once('drain', more); };
    more();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { data } = await curly.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { curlyStreamResponse: true });
    let got = 0;
    const failing = new Writable({
      write(chunk: Buffer, _enc, cb) {
        got += chunk.length;
        cb(got > 1024 * 1024 ? new Error('consumer failed') : null);
      },
    });
    await assert.rejects(pipeline(data, failing), /consumer failed/);
    for (let i = 0; i < 400 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sockets.size, 0, 'the client closed the connection');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
});

test('FTP wildcards: chunkBgn (fileInfo, remains), chunkEnd (), fnMatch (pattern, name), `this` the Easy', async () => {
  // the server keeps names as the bytes of its commands (latin1 chars): the UTF-8 name's bytes
  const cafe = Buffer.from('caf\u00e9.txt').toString('latin1');
  const srv = await startFtpServer({ files: { [`/d/${cafe}`]: Buffer.from('utf8 name'), '/d/b.txt': 'bee', '/d/c.txt': 'sea' } });
  // the listing's names are UTF-8 bytes, as a real server sends them
  srv.listBody = Buffer.from([['b.txt', 3], ['c.txt', 3], ['caf\u00e9.txt', 9]].map(([n, size]) => `-rw-r--r--    1 ftp      ftp             ${size} Jan 16 18:46 ${n}\r\n`).join(''));
  try {
    const easy = new Easy();
    const log: string[] = [];
    easy.setOpt('URL', `ftp://127.0.0.1:${srv.port}/d/*`);
    easy.setOpt('WILDCARDMATCH', true);
    assert.equal(easy.setOpt('CHUNK_BGN_FUNCTION', function (this: unknown, info: { fileName: string; time: Date; strings: { user: string } }, remains: number) {
      assert.equal(this, easy);
      assert.ok(info.time instanceof Date);
      log.push(`bgn ${info.fileName} ${remains} ${info.strings.user}`);
      return info.fileName === 'c.txt' ? 2 : 0;
    }), CurlCode.CURLE_OK);
    easy.setOpt('CHUNK_END_FUNCTION', () => (log.push('end'), 0));
    easy.setOpt('FNMATCH_FUNCTION', (pattern: string, name: string) => (log.push(`match ${pattern} ${name}`), 0));
    easy.setOpt('WRITEFUNCTION', (b: Buffer) => (log.push(`data ${b.toString()}`), b.length));
    assert.equal(await easy.perform(), CurlCode.CURLE_OK, log.join('; '));
    assert.deepEqual(log, [
      'match * b.txt', 'match * c.txt', 'match * caf\u00e9.txt',
      'bgn b.txt 3 ftp', 'data bee', 'end', 'bgn c.txt 2 ftp', 'end', 'bgn caf\u00e9.txt 1 ftp', 'data utf8 name', 'end',
    ]);
    easy.close();
  } finally {
    await srv.close();
  }
});
