// FTP transfers end to end against the test FTP server (test/helpers/ftp-server.ts)
// on loopback: login, CWD per FTP_FILEMETHOD, EPSV/PASV, TYPE, SIZE, RETR
// with resume and ranges, LIST/NLST, uploads (STOR, APPE, resumed, created
// directories), QUOTE/PREQUOTE/POSTQUOTE, NOBODY's file facts, FILETIME,
// active mode (EPRT/PORT), connection reuse — the command sequence each
// sends checked against libcurl's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLINFO, CURLE } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startFtpServer } from '../helpers/ftp-server.js';

const LOGIN = ['USER anonymous', 'PASS ftp@example.com', 'PWD'];

test('RETR: login, CWD, EPSV, TYPE I, SIZE, RETR; the body, the size and the response code', async () => {
  const srv = await startFtpServer({ files: { '/dir/sub/file.txt': 'hello ftp\n' } });
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/dir/sub/file.txt`);
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'hello ftp\n');
    assert.deepEqual(srv.commands, [...LOGIN, 'CWD dir', 'CWD sub', 'EPSV', 'TYPE I', 'SIZE file.txt', 'RETR file.txt']);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 226);
    assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 10);
    assert.equal(r.easy.getinfo(CURLINFO.FTP_ENTRY_PATH), '/');
    // the control connection closes with the handle: QUIT first, as libcurl's ftp_disconnect
    r.easy.cleanup();
    await srv.waitCommand('QUIT');
  } finally {
    await srv.close();
  }
});

test('FTP_FILEMETHOD singlecwd and nocwd, and an absolute path', async () => {
  const srv = await startFtpServer({ files: { '/a/b/f': 'x' } });
  try {
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/a/b/f`, (e) => e.setopt(CURLOPT.FTP_FILEMETHOD, 3));
    assert.equal(r.code, CURLE.OK);
    r.easy.cleanup();
    await srv.waitCommand('QUIT');
    assert.deepEqual(srv.commands.slice(3, 4), ['CWD a/b']);
    srv.commands.length = 0;
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/a/b/f`, (e) => e.setopt(CURLOPT.FTP_FILEMETHOD, 2));
    assert.equal(r.code, CURLE.OK);
    r.easy.cleanup();
    await srv.waitCommand('QUIT');
    assert.deepEqual(srv.commands, [...LOGIN, 'EPSV', 'TYPE I', 'SIZE a/b/f', 'RETR a/b/f', 'QUIT']);
    srv.commands.length = 0;
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}//a/b/f`);
    assert.equal(r.code, CURLE.OK);
    r.easy.cleanup();
    assert.deepEqual(srv.commands.slice(3, 6), ['CWD /', 'CWD a', 'CWD b']);
  } finally {
    await srv.close();
  }
});

test('a trailing slash lists with LIST in ASCII; DIRLISTONLY uses NLST', async () => {
  const srv = await startFtpServer({ files: { '/d/one': '1', '/d/two': '22' } });
  try {
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/d/`);
    assert.equal(r.code, CURLE.OK);
    // TYPE A: the listing's CRLFs arrive as LFs (libcurl's convert_lineends)
    assert.match(r.body, /one\n.*two\n/s);
    assert.deepEqual(srv.commands, [...LOGIN, 'CWD d', 'EPSV', 'TYPE A', 'LIST']);
    r.easy.cleanup();
    srv.commands.length = 0;
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/d/`, (e) => e.setopt(CURLOPT.DIRLISTONLY, 1));
    assert.equal(r.body, 'one\ntwo\n');
    assert.ok(srv.commands.includes('NLST'));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('PASV after EPSV is refused, and not EPSV again on that connection', async () => {
  const srv = await startFtpServer({ files: { '/f': 'data' } });
  srv.replies.set('EPSV', '500 no EPSV here');
  const e = new Easy();
  try {
    const chunks: Buffer[] = [];
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
    e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/f`);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(Buffer.concat(chunks).toString(), 'datadata');
    assert.deepEqual(srv.commands, [...LOGIN, 'EPSV', 'PASV', 'TYPE I', 'SIZE f', 'RETR f', 'PASV', 'SIZE f', 'RETR f']);
    assert.equal(srv.controlConnections, 1, 'the control connection was reused');
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('RESUME_FROM sends REST; a negative offset takes the last bytes; RANGE X-Y stops after Y', async () => {
  const srv = await startFtpServer({ files: { '/f': '0123456789' } });
  try {
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 4));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, '456789');
    assert.ok(srv.commands.includes('REST 4'));
    r.easy.cleanup();
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RANGE, '-3'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, '789');
    r.easy.cleanup();
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RANGE, '2-4'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, '234');
    r.easy.cleanup();
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, 20));
    assert.equal(r.code, CURLE.BAD_DOWNLOAD_RESUME);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('NOBODY with FILETIME: MDTM, TYPE, SIZE, REST 0 and the facts as header lines; no data connection', async () => {
  const srv = await startFtpServer({ files: { '/f': '12345' } });
  try {
    const headers: string[] = [];
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.NOBODY, 1);
      e.setopt(CURLOPT.FILETIME, 1);
      e.setopt(CURLOPT.HEADERFUNCTION, (d: Buffer) => (headers.push(d.toString()), d.length));
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(srv.commands, [...LOGIN, 'MDTM f', 'TYPE I', 'SIZE f', 'REST 0']);
    // libcurl's CLIENTWRITE_BOTH: WRITEFUNCTION gets them although NOBODY is set (curl -I prints them)
    assert.equal(r.body, 'Last-Modified: Tue, 02 Jan 2024 03:04:05 GMT\r\nContent-Length: 5\r\nAccept-ranges: bytes\r\n');
    assert.ok(headers.includes('Content-Length: 5\r\n'));
    assert.equal(r.easy.getinfo(CURLINFO.FILETIME_T), Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
    assert.equal(srv.dataConnections, 0);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('uploads: STOR, APPE, a resumed upload with SIZE first, FTP_CREATE_MISSING_DIRS', async () => {
  const srv = await startFtpServer({ files: { '/up/old': 'abc' } });
  const upload = async (url: string, data: string, setup?: (e: Easy) => void): Promise<number> => {
    const e = new Easy();
    e.setopt(CURLOPT.URL, url);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READDATA, Buffer.from(data));
    e.setopt(CURLOPT.INFILESIZE_LARGE, data.length);
    setup?.(e);
    const code = await e.perform();
    const quits = srv.commands.filter((c) => c === 'QUIT').length;
    e.cleanup();
    // the QUIT of the closing control connection arrives before the next upload's commands
    for (let i = 0; i < 100 && srv.commands.filter((c) => c === 'QUIT').length === quits && code === CURLE.OK; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return code;
  };
  try {
    const base = `ftp://127.0.0.1:${srv.port}`;
    assert.equal(await upload(`${base}/up/new`, 'new contents'), CURLE.OK);
    assert.equal(srv.files.get('/up/new')?.toString(), 'new contents');
    assert.deepEqual(srv.commands, [...LOGIN, 'CWD up', 'EPSV', 'TYPE I', 'STOR new', 'QUIT']);
    assert.equal(await upload(`${base}/up/old`, 'def', (e) => e.setopt(CURLOPT.APPEND, 1)), CURLE.OK);
    assert.equal(srv.files.get('/up/old')?.toString(), 'abcdef');
    srv.commands.length = 0;
    assert.equal(await upload(`${base}/up/old`, 'abcdefghi', (e) => e.setopt(CURLOPT.RESUME_FROM_LARGE, -1)), CURLE.OK);
    assert.equal(srv.files.get('/up/old')?.toString(), 'abcdefghi');
    assert.ok(srv.commands.includes('SIZE old') && srv.commands.includes('APPE old'), srv.commands.join('|'));
    srv.commands.length = 0;
    assert.equal(await upload(`${base}/x/y/z`, 'deep', (e) => e.setopt(CURLOPT.FTP_CREATE_MISSING_DIRS, 1)), CURLE.OK);
    assert.equal(srv.files.get('/x/y/z')?.toString(), 'deep');
    assert.deepEqual(srv.commands.slice(3, 9), ['CWD x', 'MKD x', 'CWD x', 'CWD y', 'MKD y', 'CWD y']);
    assert.equal(await upload(`${base}/nodir/z`, 'no'), CURLE.REMOTE_ACCESS_DENIED);
    assert.equal(await upload(`${base}/up/`, 'no'), CURLE.URL_MALFORMAT);
  } finally {
    await srv.close();
  }
});

test('QUOTE, PREQUOTE and POSTQUOTE in their places; a failing QUOTE is CURLE_QUOTE_ERROR unless starred', async () => {
  const srv = await startFtpServer({ files: { '/f': 'x' } });
  try {
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.QUOTE, ['NOOP', '*BOGUS']);
      e.setopt(CURLOPT.PREQUOTE, ['SYST']);
      e.setopt(CURLOPT.POSTQUOTE, ['NOOP']);
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(srv.commands, [...LOGIN, 'NOOP', 'BOGUS', 'EPSV', 'TYPE I', 'SYST', 'SIZE f', 'RETR f', 'NOOP']);
    r.easy.cleanup();
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.QUOTE, ['BOGUS']));
    assert.equal(r.code, CURLE.QUOTE_ERROR);
    assert.equal(r.easy.getinfo(CURLINFO.RESPONSE_CODE), 500);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('active mode: EPRT on the control connection\'s address; PORT when EPRT is off', async () => {
  const srv = await startFtpServer({ files: { '/f': 'active data' } });
  try {
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.FTPPORT, '-'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'active data');
    assert.ok(srv.commands.some((c) => /^EPRT \|1\|127\.0\.0\.1\|\d+\|$/.test(c)), srv.commands.join('|'));
    r.easy.cleanup();
    srv.commands.length = 0;
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => {
      e.setopt(CURLOPT.FTPPORT, '127.0.0.1');
      e.setopt(CURLOPT.FTP_USE_EPRT, 0);
    });
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'active data');
    assert.ok(srv.commands.some((c) => /^PORT 127,0,0,1,\d+,\d+$/.test(c)), srv.commands.join('|'));
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('user and password from the URL; a refused login is CURLE_LOGIN_DENIED; other credentials get another connection', async () => {
  const srv = await startFtpServer({ files: { '/f': 'secret' }, users: { bob: 'pw', eve: 'pw2' } });
  const e = new Easy();
  try {
    let r = await fetchUrl(`ftp://bob:nope@127.0.0.1:${srv.port}/f`);
    assert.equal(r.code, CURLE.LOGIN_DENIED);
    r.easy.cleanup();
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.URL, `ftp://bob:pw@127.0.0.1:${srv.port}/f`);
    assert.equal(await e.perform(), CURLE.OK);
    const before = srv.controlConnections;
    e.setopt(CURLOPT.URL, `ftp://eve:pw2@127.0.0.1:${srv.port}/f`);
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(srv.controlConnections, before + 1);
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('a 552 after the upload is CURLE_REMOTE_DISK_FULL and leaves the control connection in step: reused, and QUIT at cleanup', async () => {
  const srv = await startFtpServer();
  srv.storFinal = '552 disk full';
  try {
    const e = new Easy();
    e.setopt(CURLOPT.URL, `ftp://127.0.0.1:${srv.port}/full`);
    e.setopt(CURLOPT.UPLOAD, 1);
    e.setopt(CURLOPT.READDATA, Buffer.from('data'));
    assert.equal(await e.perform(), CURLE.REMOTE_DISK_FULL);
    srv.storFinal = null;
    e.setopt(CURLOPT.READDATA, Buffer.from('data'));
    assert.equal(await e.perform(), CURLE.OK);
    assert.equal(srv.controlConnections, 1);
    e.cleanup();
    await srv.waitCommand('QUIT');
  } finally {
    await srv.close();
  }
});

test('a RANGE number past curl_off_t is CURLE_RANGE_ERROR once the data connection is set up (curl 7.88 loses it and says 0)', async () => {
  const srv = await startFtpServer({ files: { '/f': '0123456789' } });
  try {
    for (const range of ['36893488147419103232-', '0-36893488147419103232', '00000000009223372036854775808-']) {
      const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RANGE, range));
      assert.equal(r.code, CURLE.RANGE_ERROR, range);
      assert.equal(r.body, '');
      assert.match(r.easy.errorBuffer, /is beyond the largest file offset/);
      r.easy.cleanup();
    }
    // curl's test 1449: nothing after EPSV but the QUIT (the connection was in step)
    assert.deepEqual(srv.commands.slice(0, 4), [...LOGIN, 'EPSV']);
    assert.ok(!srv.commands.includes('TYPE I') && !srv.commands.includes('SIZE f'), srv.commands.join(','));
    // the largest offset still is one
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/f`, (e) => e.setopt(CURLOPT.RANGE, '9223372036854775807-'));
    assert.equal(r.code, CURLE.BAD_DOWNLOAD_RESUME);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a RANGE past the end stops at the size SIZE left after REST (a server that sends more is cut), then ABOR', async () => {
  const file = '0123456789abcdef\n'.repeat(4).slice(0, 64);
  const srv = await startFtpServer({ files: { '/r': file } });
  // the server says yes to REST but sends the whole file anyway (curl case 2307's server)
  srv.replies.set('REST', '350 Restarting');
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/r`, (e) => e.setopt(CURLOPT.RANGE, '4-1000'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, file.slice(0, 60));
    await srv.waitCommand('ABOR');
    const at = srv.commands.indexOf('SIZE r');
    assert.deepEqual(srv.commands.slice(at, at + 4), ['SIZE r', 'REST 4', 'RETR r', 'ABOR']);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('active mode: EPRT refused, PORT announces the same listening socket (its real port), and the download works', async () => {
  const srv = await startFtpServer({ files: { '/p': 'port data' } });
  srv.replies.set('EPRT', '500 no such command');
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/p`, (e) => e.setopt(CURLOPT.FTPPORT, '-'));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'port data');
    const eprt = srv.commands.find((c) => c.startsWith('EPRT '))!;
    const port = srv.commands.find((c) => c.startsWith('PORT '))!;
    const eprtPort = Number(eprt.split('|')[3]);
    const p = port.slice(5).split(',').map(Number);
    assert.ok(eprtPort > 0);
    assert.equal(p[4]! * 256 + p[5]!, eprtPort);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});
