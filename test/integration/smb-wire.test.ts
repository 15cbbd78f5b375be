// SMB on the wire against a scripted SMB1 server (test/helpers/smb1-server.ts):
// the bytes tscurl sends are /usr/bin/curl 7.88's, message for message (the
// process id in the header aside), for a download over two READ_ANDX and a
// -T upload over two WRITE_ANDX; and every bad answer a server can give (a
// short NEGOTIATE answer, a refused tree or open, a lying READ_ANDX, a size
// below zero, a message longer than libcurl's buffer, a connection closed
// mid-request) ends the transfer with libcurl's CURLcode, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURLE, CURLOPT, CURLPAUSE, CURL_READFUNC_PAUSE, Easy } from '../../src/index.js';
import { socketLoop } from '../helpers/socket-loop.js';
import { fetchUrl } from '../helpers/fetch.js';
import { curl, tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';
import { SMB1_COM, smbReply, startSmb1Server, type Smb1Answer } from '../helpers/smb1-server.js';

const NO_CURL = requireProgram('curl', 'curl');
/** 40000 bytes: a full READ_ANDX (32768) and a short one; a WRITE_ANDX of 32767 and one of 7233 */
const FILE = Buffer.from(Array.from({ length: 40000 }, (_, i) => (i * 7) & 0xff));

/** The messages with the header's process id (pid_high, pid) zeroed: the only bytes that differ per process. */
function withoutPid(msgs: Buffer[]): string[] {
  return msgs.map((m) => {
    const c = Buffer.from(m);
    c.fill(0, 16, 18);
    c.fill(0, 30, 32);
    return c.toString('hex');
  });
}

test('the bytes sent are curl 7.88\'s: download and upload', { skip: NO_CURL }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-smb-wire-'));
  const src = join(dir, 'up.bin');
  writeFileSync(src, FILE);
  for (const extra of [[], ['-T', src]]) {
    const ours = await startSmb1Server(FILE);
    const theirs = await startSmb1Server(FILE);
    try {
      const args = (port: number): string[] => ['-sS', '-o', join(dir, 'out'), '-u', 'DOM\\user:pass word', ...extra, `smb://127.0.0.1:${port}/share/dir/file.bin`];
      const a = await tscurl(args(ours.port));
      const b = await curl(args(theirs.port));
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(ours.received.length, 1);
      assert.deepEqual(withoutPid(ours.received[0]!), withoutPid(theirs.received[0]!));
      // NEGOTIATE, SETUP, TREE_CONNECT, NT_CREATE, two reads or writes, CLOSE, TREE_DISCONNECT
      assert.deepEqual(ours.received[0]!.map((m) => m[8]), [SMB1_COM.NEGOTIATE, SMB1_COM.SETUP_ANDX, SMB1_COM.TREE_CONNECT_ANDX,
        SMB1_COM.NT_CREATE_ANDX, ...(extra.length ? [SMB1_COM.WRITE_ANDX, SMB1_COM.WRITE_ANDX] : [SMB1_COM.READ_ANDX, SMB1_COM.READ_ANDX]),
        SMB1_COM.CLOSE, SMB1_COM.TREE_DISCONNECT]);
    } finally {
      await ours.close();
      await theirs.close();
    }
  }
});

/** The code (and error text) of a download from a server that answers as `answer` says. */
async function against(answer: Smb1Answer): Promise<{ code: number; error: string; messages: number }> {
  const s = await startSmb1Server(FILE, answer);
  try {
    const r = await fetchUrl(`smb://127.0.0.1:${s.port}/share/file.bin`, (e) => {
      e.setopt(CURLOPT.USERPWD, 'user:pass');
      // a guard, not a measurement: a hang fails the test with CURLE_OPERATION_TIMEDOUT
      e.setopt(CURLOPT.TIMEOUT_MS, 15000);
    });
    return { code: r.code, error: r.easy.errorBuffer, messages: s.received[0]?.length ?? 0 };
  } finally {
    await s.close();
  }
}

const onCommand = (cmd: number, reply: (m: Buffer) => Buffer | 'close'): Smb1Answer => (m) => (m[8] === cmd ? reply(m) : undefined);

test('bad answers end the transfer with libcurl\'s code', async () => {
  // a NEGOTIATE answer without the challenge: libcurl's "negotiation failed"
  assert.equal((await against(onCommand(SMB1_COM.NEGOTIATE, () => smbReply(SMB1_COM.NEGOTIATE, {})))).code, CURLE.COULDNT_CONNECT);
  // a refused login
  assert.equal((await against(onCommand(SMB1_COM.SETUP_ANDX, () => smbReply(SMB1_COM.SETUP_ANDX, { status: 0xc000006d })))).code, CURLE.LOGIN_DENIED);
  // no such share; no access to it: nothing more is sent after the refused tree connect
  const noTree = await against(onCommand(SMB1_COM.TREE_CONNECT_ANDX, () => smbReply(SMB1_COM.TREE_CONNECT_ANDX, { status: 0xc00000cc })));
  assert.deepEqual([noTree.code, noTree.messages], [CURLE.REMOTE_FILE_NOT_FOUND, 3]);
  assert.equal((await against(onCommand(SMB1_COM.TREE_CONNECT_ANDX, () => smbReply(SMB1_COM.TREE_CONNECT_ANDX, { status: 0x00050001 })))).code,
    CURLE.REMOTE_ACCESS_DENIED);
  // a refused open still disconnects the tree
  const noFile = await against(onCommand(SMB1_COM.NT_CREATE_ANDX, () => smbReply(SMB1_COM.NT_CREATE_ANDX, { status: 0xc0000034 })));
  assert.deepEqual([noFile.code, noFile.messages], [CURLE.REMOTE_FILE_NOT_FOUND, 5]);
  // an open answer too short to hold the size
  assert.equal((await against(onCommand(SMB1_COM.NT_CREATE_ANDX, () => smbReply(SMB1_COM.NT_CREATE_ANDX, { words: Buffer.alloc(20) })))).code,
    CURLE.REMOTE_FILE_NOT_FOUND);
  // a size below zero
  const negative = await against(onCommand(SMB1_COM.NT_CREATE_ANDX, () => {
    const w = Buffer.alloc(68);
    w.writeBigInt64LE(-5n, 55);
    return smbReply(SMB1_COM.NT_CREATE_ANDX, { words: w });
  }));
  assert.deepEqual([negative.code, negative.messages], [CURLE.WEIRD_SERVER_REPLY, 6]);
  // a READ_ANDX whose data would lie past its end
  const lying = await against(onCommand(SMB1_COM.READ_ANDX, () => {
    const w = Buffer.alloc(24);
    w.writeUInt16LE(5000, 10);
    w.writeUInt16LE(59, 12);
    return smbReply(SMB1_COM.READ_ANDX, { words: w, bytes: Buffer.alloc(10) });
  }));
  assert.deepEqual([lying.code, lying.error], [CURLE.RECV_ERROR, 'Invalid input packet']);
  // a failed read
  assert.equal((await against(onCommand(SMB1_COM.READ_ANDX, () => smbReply(SMB1_COM.READ_ANDX, { status: 0xc0000001 })))).code, CURLE.RECV_ERROR);
  // a message longer than libcurl's 36 KiB buffer: an error at once, not a wait for bytes that never fit
  const huge = await against(onCommand(SMB1_COM.TREE_CONNECT_ANDX, () => smbReply(SMB1_COM.TREE_CONNECT_ANDX, { nbtLength: 0xffff })));
  assert.equal(huge.code, CURLE.RECV_ERROR);
  // a byte count past the message's end
  const counted = await against(onCommand(SMB1_COM.TREE_CONNECT_ANDX, () => {
    const m = smbReply(SMB1_COM.TREE_CONNECT_ANDX, { bytes: Buffer.alloc(4) });
    m.writeUInt16LE(400, 37);
    return m;
  }));
  assert.equal(counted.code, CURLE.READ_ERROR);
  // not an SMB message at all
  assert.equal((await against(onCommand(SMB1_COM.NEGOTIATE, () => Buffer.from('\x00\x00\x00\x24' + 'x'.repeat(36), 'latin1')))).code,
    CURLE.RECV_ERROR);
  // the server goes away mid-request
  const gone = await against(onCommand(SMB1_COM.NT_CREATE_ANDX, () => 'close'));
  assert.equal(gone.code, CURLE.RECV_ERROR);
});

test('a URL without a share or with a control byte is CURLE_URL_MALFORMAT before any connection', async () => {
  const s = await startSmb1Server(FILE);
  try {
    for (const path of ['', 'share', 'share%0a/x']) {
      const r = await fetchUrl(`smb://127.0.0.1:${s.port}/${path}`, (e) => e.setopt(CURLOPT.USERPWD, 'u:p'));
      assert.equal(r.code, CURLE.URL_MALFORMAT, path);
    }
    assert.equal(s.received.length, 0);
  } finally {
    await s.close();
  }
});

test('the multi-socket API drives SMB transfers side by side; a paused upload goes on after CURLPAUSE_CONT', async () => {
  const s = await startSmb1Server(FILE);
  const results = new Map<Easy, number>();
  const loop = socketLoop((e, r) => results.set(e, r));
  try {
    const url = `smb://127.0.0.1:${s.port}/share/file.bin`;
    const bodies: Buffer[][] = [[], []];
    const downloads = bodies.map((chunks) => {
      const e = new Easy();
      e.setopt(CURLOPT.URL, url);
      e.setopt(CURLOPT.USERPWD, 'user:pass');
      e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
      return e;
    });
    const up = new Easy();
    let sent = 0;
    let paused = false;
    up.setopt(CURLOPT.URL, url);
    up.setopt(CURLOPT.USERPWD, 'other:login');
    up.setopt(CURLOPT.UPLOAD, 1);
    up.setopt(CURLOPT.INFILESIZE_LARGE, FILE.length);
    up.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
      if (!paused && sent > 0) {
        paused = true;
        setImmediate(() => up.pause(CURLPAUSE.CONT));
        return CURL_READFUNC_PAUSE;
      }
      const n = Math.min(buf.length, FILE.length - sent, 5000);
      FILE.copy(buf, 0, sent, sent + n);
      sent += n;
      return n;
    });
    for (const e of [...downloads, up]) loop.multi.addHandle(e);
    await loop.doneAfter(3);
    assert.deepEqual([...results.values()], [CURLE.OK, CURLE.OK, CURLE.OK]);
    for (const chunks of bodies) assert.deepEqual(Buffer.concat(chunks), FILE);
    assert.ok(paused);
    // what the WRITE_ANDX messages carried, in order: the whole file
    const written = s.received.flat().filter((m) => m[8] === SMB1_COM.WRITE_ANDX)
      .map((m) => m.subarray(m.readUInt16LE(36 + 23) + 4, m.readUInt16LE(36 + 23) + 4 + m.readUInt16LE(36 + 21)));
    assert.deepEqual(Buffer.concat(written), FILE);
  } finally {
    loop.close();
    await s.close();
  }
});
