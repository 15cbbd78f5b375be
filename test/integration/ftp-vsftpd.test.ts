// FTP and FTPS against a real server: Debian's vsftpd, started on 127.0.0.1
// with a temporary anonymous root (test/helpers/vsftpd.ts). Passive and
// active downloads, a listing compared with what /usr/bin/curl gets from the
// same server, an upload into a directory that is created on the way, a
// resumed download, connection reuse, a wildcard download, and FTPS: explicit (AUTH TLS, PROT P;
// vsftpd demands that the data connections resume the control connection's
// TLS session) and implicit (ftps://).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Easy, CURLOPT, CURLINFO, CURLE } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startVsftpd } from '../helpers/vsftpd.js';
import { requireProgram, requirePrograms } from '../helpers/requires.js';
import { testCerts } from '../helpers/certs.js';

const NO_VSFTPD = requireProgram('vsftpd', 'vsftpd');
const NO_TLS = requirePrograms(['vsftpd', 'vsftpd'], ['openssl', 'openssl']);
const NO_CURL = requireProgram('curl', 'curl');

test('vsftpd: passive and active downloads, a resumed one, and reuse of the control connection', { skip: NO_VSFTPD }, async () => {
  const srv = await startVsftpd();
  const big = Buffer.alloc(300_000, 'abcdefghij');
  writeFileSync(join(srv.root, 'big.bin'), big);
  mkdirSync(join(srv.root, 'sub'));
  writeFileSync(join(srv.root, 'sub', 'small.txt'), 'small file\n');
  const e = new Easy();
  try {
    let r = await fetchUrl(srv.url('/big.bin'));
    assert.equal(r.code, CURLE.OK);
    assert.ok(r.bytes.equals(big));
    assert.equal(r.easy.getinfo(CURLINFO.FTP_ENTRY_PATH), '/');
    r.easy.cleanup();
    r = await fetchUrl(srv.url('/sub/small.txt'), (x) => x.setopt(CURLOPT.FTPPORT, '-'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'small file\n');
    r.easy.cleanup();
    r = await fetchUrl(srv.url('/big.bin'), (x) => x.setopt(CURLOPT.RESUME_FROM_LARGE, 299_990));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'abcdefghij');
    r.easy.cleanup();
    // one handle, two files: the second rides the first's control connection
    const got: Buffer[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (got.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.URL, srv.url('/sub/small.txt'));
    assert.equal(await e.perform(), CURLE.OK);
    e.setopt(CURLOPT.URL, srv.url('/sub/small.txt'));
    assert.equal(await e.perform(), CURLE.OK);
    // only the new data connection: curl 7.88 counts it, the control connection is reused
    assert.equal(e.getinfo(CURLINFO.NUM_CONNECTS), 1);
    assert.equal(Buffer.concat(got).toString(), 'small file\nsmall file\n');
    r = await fetchUrl(srv.url('/nothere'));
    assert.equal(r.code, CURLE.REMOTE_FILE_NOT_FOUND);
    r.easy.cleanup();
  } finally {
    e.cleanup();
    await srv.stop();
  }
});

test('vsftpd: LIST and NLST give what curl 7.88 gets from the same server', { skip: NO_VSFTPD || NO_CURL }, async () => {
  const srv = await startVsftpd();
  writeFileSync(join(srv.root, 'a.txt'), 'A');
  writeFileSync(join(srv.root, 'b.txt'), 'BB');
  try {
    for (const listOnly of [false, true]) {
      const r = await fetchUrl(srv.url('/'), (x) => x.setopt(CURLOPT.DIRLISTONLY, listOnly ? 1 : 0));
      assert.equal(r.code, CURLE.OK);
      r.easy.cleanup();
      const curl = execFileSync('/usr/bin/curl', ['-s', ...(listOnly ? ['-l'] : []), srv.url('/')]).toString('latin1');
      assert.equal(r.body, curl);
      assert.match(r.body, /a\.txt/);
    }
  } finally {
    await srv.stop();
  }
});

test('vsftpd: an upload into directories created on the way, and an append', { skip: NO_VSFTPD }, async () => {
  const srv = await startVsftpd();
  const put = async (url: string, data: string, setup?: (e: Easy) => void): Promise<number> => {
    const e = new Easy();
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READDATA, Buffer.from(data));
    setup?.(e);
    const c = await e.perform();
    e.cleanup();
    return c;
  };
  try {
    assert.equal(await put(srv.url('/up/new/dir/f.txt'), 'uploaded\n', (e) => e.setopt(CURLOPT.FTP_CREATE_MISSING_DIRS, 1)), CURLE.OK);
    assert.equal(readFileSync(join(srv.upload, 'new', 'dir', 'f.txt'), 'utf8'), 'uploaded\n');
    assert.equal(await put(srv.url('/up/new/dir/f.txt'), 'more\n', (e) => e.setopt(CURLOPT.APPEND, 1)), CURLE.OK);
    assert.equal(readFileSync(join(srv.upload, 'new', 'dir', 'f.txt'), 'utf8'), 'uploaded\nmore\n');
    // active mode upload
    assert.equal(await put(srv.url('/up/active.txt'), 'active\n', (e) => e.setopt(CURLOPT.FTPPORT, '127.0.0.1')), CURLE.OK);
    assert.equal(readFileSync(join(srv.upload, 'active.txt'), 'utf8'), 'active\n');
  } finally {
    await srv.stop();
  }
});

test('vsftpd FTPS explicit: AUTH TLS, PBSZ, PROT P, data over TLS resuming the control session', { skip: NO_TLS }, async () => {
  const certs = testCerts();
  const srv = await startVsftpd({ tls: { cert: certs.server.cert, key: certs.server.key } });
  writeFileSync(join(srv.root, 'secret.txt'), 'over tls\n');
  try {
    const headers: string[] = [];
    const r = await fetchUrl(srv.url('/secret.txt').replace('127.0.0.1', 'localhost'), (e) => {
      e.setopt(CURLOPT.USE_SSL, 3);
      e.setopt(CURLOPT.CAINFO, certs.caFile);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString()), d.length));
    });
    assert.equal(r.code, CURLE.OK, r.easy.getinfo(CURLINFO.RESPONSE_CODE) + '');
    assert.equal(r.body, 'over tls\n');
    assert.ok(headers.some((h) => h.startsWith('234')), headers.join(''));
    r.easy.cleanup();
    const bad = await fetchUrl(srv.url('/secret.txt'), (e) => e.setopt(CURLOPT.USE_SSL, 3));
    assert.equal(bad.code, CURLE.PEER_FAILED_VERIFICATION);
    bad.easy.cleanup();
  } finally {
    await srv.stop();
  }
});

test('vsftpd FTPS implicit: ftps:// speaks TLS from the first byte', { skip: NO_TLS }, async () => {
  const certs = testCerts();
  const srv = await startVsftpd({ tls: { cert: certs.server.cert, key: certs.server.key }, implicit: true });
  writeFileSync(join(srv.root, 'i.txt'), 'implicit\n');
  try {
    const r = await fetchUrl(srv.url('/i.txt').replace('127.0.0.1', 'localhost'), (e) => e.setopt(CURLOPT.CAINFO, certs.caFile));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'implicit\n');
    r.easy.cleanup();
  } finally {
    await srv.stop();
  }
});

test('vsftpd: a wildcard download lists once and fetches each match, with its curl_fileinfo', { skip: NO_VSFTPD }, async () => {
  const srv = await startVsftpd();
  mkdirSync(join(srv.root, 'wc'));
  mkdirSync(join(srv.root, 'wc', 'dir.txt'));
  writeFileSync(join(srv.root, 'wc', 'one.txt'), 'first\n');
  writeFileSync(join(srv.root, 'wc', 'two.txt'), 'second file\n');
  writeFileSync(join(srv.root, 'wc', 'three.bin'), 'not this');
  // the modes the listing shows, whatever the umask
  chmodSync(join(srv.root, 'wc', 'dir.txt'), 0o755);
  for (const f of ['one.txt', 'two.txt']) chmodSync(join(srv.root, 'wc', f), 0o644);
  const seen: string[] = [];
  try {
    const r = await fetchUrl(srv.url('/wc/*.txt'), (e) => {
      e.setopt(CURLOPT.WILDCARDMATCH, 1);
      e.setopt(CURLOPT.CHUNK_BGN_FUNCTION, (f: { filename: string; filetype: number; size: number; strings: { perm: string | null } }, _d: unknown, remains: number) => {
        seen.push(`${f.filename} type=${f.filetype} size=${f.filetype === 0 ? f.size : '-'} perm=${f.strings.perm} left=${remains}`);
        return 0;
      });
      e.setopt(CURLOPT.CHUNK_END_FUNCTION, () => (seen.push(`end ${e.getinfo(CURLINFO.SIZE_DOWNLOAD_T)}`), 0));
    });
    assert.equal(r.code, CURLE.OK);
    // vsftpd lists in name order; the directory is seen and skipped
    assert.deepEqual(seen, [
      'dir.txt type=1 size=- perm=rwxr-xr-x left=3', 'end 0',
      'one.txt type=0 size=6 perm=rw-r--r-- left=2', 'end 6',
      'two.txt type=0 size=12 perm=rw-r--r-- left=1', 'end 12',
    ]);
    assert.equal(r.body, 'first\nsecond file\n');
    r.easy.cleanup();
  } finally {
    await srv.stop();
  }
});
