// The multi-socket contract with two sockets per transfer (issue 14 item 3):
// an FTP transfer driven by an application loop (test/helpers/app-loop.ts)
// through SOCKETFUNCTION and socketAction() only. The exact sequence of
// socket callbacks is checked for a passive download and an active upload:
// the control connection is reported once and stays until the end, the
// data connection (or the listening socket, then the accepted connection)
// comes and goes beside it; assign() works on every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, Multi, CURLOPT, CURLE, CURLM } from '../../src/index.js';
import { startAppLoop, socketSequence } from '../helpers/app-loop.js';
import { startFtpServer } from '../helpers/ftp-server.js';

test('passive download: control OUT, IN; data OUT (connect), IN, REMOVE; control REMOVE at the end', async () => {
  const srv = await startFtpServer({ files: { '/f': 'passive body' } });
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const easy = new Easy();
  try {
    const body: Buffer[] = [];
    easy.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/f`);
    easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
    assert.equal(multi.addHandle(easy), CURLM.OK);
    await loop.finished;
    assert.equal(loop.done[0]?.result, CURLE.OK);
    assert.equal(Buffer.concat(body).toString(), 'passive body');
    assert.deepEqual(socketSequence(loop.events, ['control', 'data']), [
      'control OUT', // connecting
      'control IN', // the greeting, the login, every reply
      'data OUT', // EPSV: the data connection connects beside the control connection
      'data IN', // connected: the body comes on it
      'data REMOVE', // EOF: closed
      'control REMOVE', // the 226 came: the control connection goes to the pool unwatched
    ]);
    // every callback concerned this transfer, and assign()'s pointer came back on each socket
    for (const e of loop.events) if (e.kind === 'socket') assert.equal(e.easy, easy);
    assert.equal(loop.wrongSocketp, 0);
    multi.removeHandle(easy);
  } finally {
    easy.cleanup();
    multi.cleanup();
    loop.stop();
    await srv.close();
  }
});

test('active upload: the listening socket is watched for IN until the server connects, then the accepted connection for OUT', async () => {
  const srv = await startFtpServer();
  const multi = new Multi();
  const loop = startAppLoop(multi);
  const easy = new Easy();
  try {
    easy.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/up.txt`);
    easy.setopt(CURLOPT.UPLOAD, 1);
    // more than one step can hand to the socket: the transfer has to wait for OUT on the data connection
    const body = Buffer.alloc(4 << 20, 'upload ');
    easy.setopt(CURLOPT.READDATA, body);
    easy.setopt(CURLOPT.FTPPORT, '127.0.0.1');
    assert.equal(multi.addHandle(easy), CURLM.OK);
    await loop.finished;
    assert.equal(loop.done[0]?.result, CURLE.OK);
    assert.ok(srv.files.get('/up.txt')?.equals(body));
    assert.deepEqual(socketSequence(loop.events, ['control', 'listen', 'data']), [
      'control OUT',
      'control IN',
      'listen IN', // bound, then waiting for the server's connect (PORT/EPRT sent)
      'listen REMOVE', // accepted: the listening socket is closed
      'data OUT', // the body goes out on the accepted connection
      'data REMOVE', // all sent; closed once the server said 226
      'control REMOVE',
    ]);
    assert.equal(loop.wrongSocketp, 0);
    multi.removeHandle(easy);
  } finally {
    easy.cleanup();
    multi.cleanup();
    loop.stop();
    await srv.close();
  }
});
