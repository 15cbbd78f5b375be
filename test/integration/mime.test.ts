// The MIME API and CURLOPT_MIMEPOST over real sockets: exact multipart bytes
// (boundary, Content-Disposition, type detection, encoders, headers,
// subparts), streaming of callback parts (chunked when the size is unknown),
// rewinding on a 307, and the CLI's -F next to /usr/bin/curl's with the
// boundaries (random, and longer in libcurl 8) taken out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Easy, Mime, CURLOPT, CURLE, CURLMIMEOPT } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const CURL = '/usr/bin/curl';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tscurl-mime-'));
}

test('a Mime has libcurl 8\'s boundary: 24 dashes and 22 alphanumerics, new for each Mime', () => {
  const e = new Easy();
  try {
    const a = e.mimeInit();
    const b = e.mimeInit();
    assert.match(a.boundary, /^-{24}[A-Za-z0-9]{22}$/);
    assert.notEqual(a.boundary, b.boundary);
    assert.equal(e.setopt(CURLOPT.MIMEPOST, {} as never), CURLE.BAD_FUNCTION_ARGUMENT);
    assert.equal(a.addpart().encoder('rot13'), CURLE.BAD_FUNCTION_ARGUMENT);
    // a Mime cannot contain itself
    assert.equal(a.addpart().subparts(a), CURLE.BAD_FUNCTION_ARGUMENT);
  } finally {
    e.cleanup();
  }
});

test('MIMEPOST: data, files with detected types, a typed part with headers, base64, a callback and subparts', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'notes.txt'), 'text file\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 255]));
  const srv = await startRawServer(() => ok('got it'));
  try {
    let mime!: Mime;
    let sub!: Mime;
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/form`, (e) => {
      mime = e.mimeInit();
      const p1 = mime.addpart();
      p1.name('user');
      p1.data('daniel');
      const p2 = mime.addpart();
      p2.name('notes');
      assert.equal(p2.filedata(join(dir, 'notes.txt')), CURLE.OK);
      const p3 = mime.addpart();
      p3.name('blob');
      p3.filedata(join(dir, 'blob.bin'));
      p3.filename('renamed "x".bin');
      const p4 = mime.addpart();
      p4.name('json');
      p4.data('{"a":1}');
      p4.type('application/json');
      p4.headers(['X-Part: 4', 'Content-Type: ignored/because-type-is-set']);
      const p5 = mime.addpart();
      p5.name('b64');
      p5.data(Buffer.alloc(60, 'z'));
      p5.encoder('base64');
      const p6 = mime.addpart();
      p6.name('cb');
      let sent = false;
      p6.dataCb(5, (buf) => (sent ? 0 : ((sent = true), buf.write('12345'))));
      const p7 = mime.addpart();
      p7.name('files');
      sub = e.mimeInit();
      const s1 = sub.addpart();
      s1.data('one');
      s1.filename('1.txt');
      const s2 = sub.addpart();
      s2.data('two');
      s2.filename('2.html');
      p7.subparts(sub);
      e.setopt(CURLOPT.MIMEPOST, mime);
    });
    assert.equal(f.code, CURLE.OK);
    const B = mime.boundary;
    const S = sub.boundary;
    const b64 = Buffer.alloc(60, 'z').toString('base64');
    const body =
      `--${B}\r\nContent-Disposition: form-data; name="user"\r\n\r\ndaniel\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="notes"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\ntext file\n\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="blob"; filename="renamed %22x%22.bin"\r\nContent-Type: application/octet-stream\r\n\r\n` +
      '\x00\x01\x02\xff\r\n' +
      `--${B}\r\nContent-Disposition: form-data; name="json"\r\nContent-Type: application/json\r\nX-Part: 4\r\n\r\n{"a":1}\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="b64"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64.slice(0, 76)}\r\n${b64.slice(76)}\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="cb"\r\n\r\n12345\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="files"\r\nContent-Type: multipart/mixed; boundary=${S}\r\n\r\n` +
      `--${S}\r\nContent-Disposition: attachment; filename="1.txt"\r\nContent-Type: text/plain\r\n\r\none\r\n` +
      `--${S}\r\nContent-Disposition: attachment; filename="2.html"\r\nContent-Type: text/html\r\n\r\ntwo\r\n--${S}--\r\n` +
      `\r\n--${B}--\r\n`;
    const req = srv.requests[0]!;
    assert.equal(req.raw.toString('latin1'),
      `POST /form HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept: */*\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n` +
      `Content-Type: multipart/form-data; boundary=${B}\r\n\r\n` + body);
    f.easy.cleanup();
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a part of unknown size makes the body chunked; quoted-printable too; 7bit refuses 8-bit data', async () => {
  const srv = await startRawServer(() => ok('ok'), '127.0.0.1', { onExpect: () => 'continue' });
  try {
    const url = `http://127.0.0.1:${srv.port}/stream`;
    let mime!: Mime;
    const pieces = ['abc', 'def'];
    const f = await fetchUrl(url, (e) => {
      mime = e.mimeInit();
      const p = mime.addpart();
      p.name('s');
      p.dataCb(-1, (buf) => {
        const next = pieces.shift();
        return next === undefined ? 0 : buf.write(next);
      });
      const q = mime.addpart();
      q.name('qp');
      q.data(Buffer.concat([Buffer.from('Hello = world\r\ntrailing space \r\n' + 'x'.repeat(80)), Buffer.from([0xe9])]));
      q.encoder('quoted-printable');
      e.setopt(CURLOPT.MIMEPOST, mime);
    });
    assert.equal(f.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.match(req.head, /\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart\/form-data; boundary=-{24}[A-Za-z0-9]{22}\r\nExpect: 100-continue\r\n\r\n$/);
    assert.doesNotMatch(req.head, /Content-Length/);
    const B = mime.boundary;
    assert.equal(req.body.toString('latin1'),
      `--${B}\r\nContent-Disposition: form-data; name="s"\r\n\r\nabcdef\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="qp"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n` +
      `Hello =3D world\r\ntrailing space=20\r\n${'x'.repeat(75)}=\r\nxxxxx=E9\r\n--${B}--\r\n`);
    const bad = await fetchUrl(url, (e) => {
      const m = e.mimeInit();
      const p = m.addpart();
      p.name('x');
      p.data(Buffer.from([0x80]));
      p.encoder('7bit');
      e.setopt(CURLOPT.MIMEPOST, m);
    });
    assert.equal(bad.code, CURLE.READ_ERROR);
    f.easy.cleanup();
    bad.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a 307 sends the form again: callback parts are rewound through their seek function, or the transfer fails', async () => {
  const srv = await startRawServer((r) => (r.target === '/a'
    ? { data: 'HTTP/1.1 307 Temporary Redirect\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n' }
    : ok('final')));
  try {
    const url = `http://127.0.0.1:${srv.port}/a`;
    const seeks: number[] = [];
    const form = (e: Easy, withSeek: boolean): void => {
      const m = e.mimeInit();
      const p = m.addpart();
      p.name('f');
      let pos = 0;
      const data = Buffer.from('callback data');
      p.dataCb(data.length, (buf) => {
        const n = data.copy(buf, 0, pos);
        pos += n;
        return n;
      }, withSeek ? (_arg, offset) => (seeks.push(offset), (pos = offset), 0) : null);
      e.setopt(CURLOPT.MIMEPOST, m);
      e.setopt(CURLOPT.FOLLOWLOCATION, 1);
    };
    const good = await fetchUrl(url, (e) => form(e, true));
    assert.equal(good.code, CURLE.OK);
    assert.equal(good.body, 'final');
    assert.deepEqual(seeks, [0]);
    assert.deepEqual(srv.requests.map((r) => [r.method, r.target]), [['POST', '/a'], ['POST', '/b']]);
    assert.ok(srv.requests[1]!.body.equals(srv.requests[0]!.body));
    assert.match(srv.requests[1]!.body.toString(), /callback data/);
    const bad = await fetchUrl(url, (e) => form(e, false));
    assert.equal(bad.code, CURLE.SEND_FAIL_REWIND);
    good.easy.cleanup();
    bad.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('MIME_OPTIONS FORMESCAPE escapes with backslashes; a custom Content-Type keeps the generated boundary', async () => {
  const srv = await startRawServer(() => ok('ok'));
  try {
    let mime!: Mime;
    const f = await fetchUrl(`http://127.0.0.1:${srv.port}/esc`, (e) => {
      mime = e.mimeInit();
      const p = mime.addpart();
      p.name('a"b\\c');
      p.data('v');
      e.setopt(CURLOPT.MIMEPOST, mime);
      e.setopt(CURLOPT.MIME_OPTIONS, CURLMIMEOPT.FORMESCAPE);
      e.setopt(CURLOPT.HTTPHEADER, ['Content-Type: multipart/related']);
    });
    assert.equal(f.code, CURLE.OK);
    const req = srv.requests[0]!;
    assert.match(req.head, new RegExp(`\r\nContent-Type: multipart/related; boundary=${mime.boundary}\r\n`));
    assert.equal((req.head.match(/Content-Type/g) ?? []).length, 1);
    // not form-data: the parts are attachments
    assert.match(req.body.toString(), /Content-Disposition: attachment; name="a\\"b\\\\c"\r\n/);
    f.easy.cleanup();
  } finally {
    await srv.close();
  }
});

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd, encoding: 'latin1' }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
    child.stdin!.end();
  });
}

/** Request bytes with the boundary, its length's effect and the client name taken out. */
function normalise(raw: Buffer, boundary: string): string {
  return raw.toString('latin1').split(boundary).join('BOUNDARY')
    .replace(/\r\nUser-Agent: [^\r]*/, '').replace(/\r\nContent-Length: \d+/, '');
}

test('tscurl -F sends what curl -F sends (boundaries aside)', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.txt'), 'alpha\n');
  writeFileSync(join(dir, 'b.png'), 'not really a png');
  writeFileSync(join(dir, 'c.dat'), 'content from file');
  const srv = await startRawServer(() => ok('ok'));
  try {
    const url = `http://127.0.0.1:${srv.port}/cli`;
    const args = ['-s', '-o', '/dev/null', url, '-F', 'name=daniel', '--form-string', 'str=@literal;type=x/y',
      '-F', 'file=@a.txt;type=text/x-custom', '-F', 'img=@b.png;filename="pic ture.png"', '-F', 'inline=<c.dat',
      '-F', 'many=@a.txt,b.png', '-F', 'typed=hello;type=text/html; charset=utf-8', '-F', 'hdr=x;headers="X-H: 1"'];
    const r = await run(process.execPath, [MAIN, ...args], dir);
    assert.equal(r.code, 0, r.stderr);
    const ours = srv.requests[0]!;
    const ourBoundary = /boundary=(\S+)\r\n/.exec(ours.head)![1]!;
    const cl = Number(ours.headers.get('content-length'));
    assert.equal(cl, ours.body.length);
    const text = normalise(ours.raw, ourBoundary);
    assert.match(text, /Content-Disposition: form-data; name="str"\r\n\r\n@literal;type=x\/y\r\n/);
    assert.match(text, /name="file"; filename="a.txt"\r\nContent-Type: text\/x-custom\r\n/);
    assert.match(text, /name="img"; filename="pic ture.png"\r\nContent-Type: image\/png\r\n/);
    assert.match(text, /name="inline"\r\n\r\ncontent from file\r\n/);
    assert.match(text, /name="typed"\r\nContent-Type: text\/html; charset=utf-8\r\n\r\nhello\r\n/);
    assert.match(text, /name="hdr"\r\nX-H: 1\r\n\r\nx\r\n/);
    if (NO_CURL) return t.skip(NO_CURL);
    const c = await run(CURL, args, dir);
    assert.equal(c.code, 0);
    const theirs = srv.requests[1]!;
    const subOurs = /multipart\/mixed; boundary=(\S+)\r\n/.exec(ours.body.toString('latin1'))![1]!;
    const subTheirs = /multipart\/mixed; boundary=(\S+)\r\n/.exec(theirs.body.toString('latin1'))![1]!;
    const theirBoundary = /boundary=(\S+)\r\n/.exec(theirs.head)![1]!;
    assert.equal(normalise(theirs.raw, theirBoundary).split(subTheirs).join('SUB'), text.split(subOurs).join('SUB'));
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
