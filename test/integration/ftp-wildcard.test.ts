// FTP wildcard downloads (WILDCARDMATCH, CHUNK_BGN/END_FUNCTION, CHUNK_DATA,
// FNMATCH_FUNCTION/DATA) end to end against the test FTP server: one LIST,
// then one RETR per matching file on the same control connection, the
// callbacks in libcurl's order with its curl_fileinfo, getinfo per file, and
// the listings that fail (nothing matches, garbage, a line without end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLINFO, CURLE } from '../../src/index.js';
import type { CurlFileInfo } from '../../src/proto/ftp/ftp-listparse.js';
import { fetchUrl, verboseLines } from '../helpers/fetch.js';
import { startFtpServer } from '../helpers/ftp-server.js';

const LOGIN = ['USER anonymous', 'PASS ftp@example.com', 'PWD'];

/** A wildcard handle that logs the callbacks, the body per file and getinfo at each file's end. */
function wildcard(e: Easy, log: string[], bgn?: (f: CurlFileInfo) => number): void {
  const chunk = { name: '' };
  e.setopt(CURLOPT.WILDCARDMATCH, 1);
  e.setopt(CURLOPT.CHUNK_DATA, chunk);
  e.setopt(CURLOPT.CHUNK_BGN_FUNCTION, (f: CurlFileInfo, data: unknown, remains: number) => {
    assert.equal(data, chunk);
    chunk.name = f.filename;
    log.push(`bgn ${f.filename} ${remains} type=${f.filetype} size=${f.size}`);
    return bgn ? bgn(f) : 0;
  });
  e.setopt(CURLOPT.CHUNK_END_FUNCTION, (data: unknown) => {
    assert.equal(data, chunk);
    log.push(`end ${chunk.name} dl=${e.getinfo(CURLINFO.SIZE_DOWNLOAD_T)} len=${e.getinfo(CURLINFO.CONTENT_LENGTH_DOWNLOAD_T)}`);
    return 0;
  });
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (log.push(`data ${d.toString('latin1')}`), d.length));
}

test('a wildcard: one LIST, then RETR per match on one connection, with CHUNK_BGN/CHUNK_END around each', async () => {
  const srv = await startFtpServer({ files: { '/d/a.txt': 'AAA', '/d/b.txt': 'BBBB', '/d/c.bin': 'C' } });
  const log: string[] = [];
  try {
    const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/d/*.txt`, (e) => wildcard(e, log));
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(log, [
      'bgn a.txt 2 type=0 size=3', 'data AAA', 'end a.txt dl=3 len=3',
      'bgn b.txt 1 type=0 size=4', 'data BBBB', 'end b.txt dl=4 len=4',
    ]);
    // the LIST's size makes SIZE needless (libcurl's known_filesize); the directory is CWD'd into once
    assert.deepEqual(srv.commands, [...LOGIN, 'CWD d', 'EPSV', 'TYPE A', 'LIST', 'EPSV', 'TYPE I', 'RETR a.txt', 'EPSV', 'RETR b.txt']);
    assert.equal(srv.controlConnections, 1);
    assert.equal(r.easy.getinfo(CURLINFO.SIZE_DOWNLOAD_T), 4);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('CHUNK_BGN SKIP skips a file, directories and links are seen and skipped, FAIL ends with CURLE_CHUNK_FAILED', async () => {
  const srv = await startFtpServer({ files: { '/x1': '1', '/x2': '22', '/x3': '333' } });
  srv.listBody = [
    'total 12',
    'drwxr-xr-x    2 ftp      ftp          4096 Apr 27  5:12 xdir',
    '-rw-r--r--    1 ftp      ftp             1 Jan 16  2010 x1',
    'lrwxrwxrwx    1 ftp      ftp             2 Jan 16 18:46 xlink -> x2',
    '-rwsr-x--T    3 owner    group           2 Jan 16 18:46 x2',
    '-rw-r--r--    1 ftp      ftp             3 Jan 16 18:46 x3',
    '-rw-r--r--    1 ftp      ftp             3 Jan 16 18:46 other',
    '',
  ].join('\r\n');
  try {
    const log: string[] = [];
    const infos: CurlFileInfo[] = [];
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/x*`, (e) => wildcard(e, log, (f) => (infos.push(f), f.filename === 'x1' ? 2 : 0)));
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(log, [
      'bgn xdir 5 type=1 size=4096', 'end xdir dl=0 len=-1',
      'bgn x1 4 type=0 size=1', 'end x1 dl=0 len=-1',
      'bgn xlink 3 type=2 size=2', 'end xlink dl=0 len=-1',
      'bgn x2 2 type=0 size=2', 'data 22', 'end x2 dl=2 len=2',
      'bgn x3 1 type=0 size=3', 'data 333', 'end x3 dl=3 len=3',
    ]);
    const x2 = infos.find((f) => f.filename === 'x2')!;
    // rws: read, write, execute and setuid; r-x; --T: sticky without execute
    assert.equal(x2.perm, 0o5750);
    assert.deepEqual(x2.strings, { time: 'Jan 16 18:46', perm: 'rwsr-x--T', user: 'owner', group: 'group', target: null });
    assert.equal(x2.hardlinks, 3);
    assert.equal(infos.find((f) => f.filename === 'xlink')!.strings.target, 'x2');
    assert.equal(infos.find((f) => f.filename === 'xdir')!.strings.time, 'Apr 27  5:12');
    r.easy.cleanup();

    log.length = 0;
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/x*`, (e) => wildcard(e, log, (f) => (f.filename === 'x2' ? 1 : 0)));
    assert.equal(r.code, CURLE.CHUNK_FAILED);
    assert.deepEqual(log.filter((l) => !l.startsWith('end')), ['bgn xdir 5 type=1 size=4096', 'bgn x1 4 type=0 size=1', 'data 1', 'bgn xlink 3 type=2 size=2', 'bgn x2 2 type=0 size=2']);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('a DOS listing; FNMATCH_FUNCTION with FNMATCH_DATA decides the matches; a ?-pattern (%3F in a URL: a raw ? starts the query, as in curl) and a [class]', async () => {
  const srv = await startFtpServer({ files: { '/w/File1.TXT': 'one', '/w/file22.txt': 'two' } });
  srv.listBody = '01-29-97  11:32PM       <DIR>          sub\r\n01-29-97  11:32PM                    3 File1.TXT\r\n02-01-98  01:02AM                    3 file22.txt\r\n';
  try {
    const seen: string[] = [];
    const fd = { tag: 'mine' };
    const log: string[] = [];
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/w/*.txt`, (e) => {
      wildcard(e, log);
      e.setopt(CURLOPT.FNMATCH_DATA, fd);
      e.setopt(CURLOPT.FNMATCH_FUNCTION, (data: unknown, pattern: string, name: string) => {
        assert.equal(data, fd);
        seen.push(`${pattern}|${name}`);
        return name.toLowerCase().endsWith('.txt') ? 0 : 1;
      });
    });
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(seen, ['*.txt|sub', '*.txt|File1.TXT', '*.txt|file22.txt']);
    assert.deepEqual(log.filter((l) => l.startsWith('data')), ['data one', 'data two']);
    r.easy.cleanup();

    log.length = 0;
    const infos: CurlFileInfo[] = [];
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/w/[Ff]ile%3F.[[:upper:]]XT`, (e) => wildcard(e, log, (f) => (infos.push(f), 0)));
    assert.equal(r.code, CURLE.OK);
    assert.deepEqual(log.filter((l) => l.startsWith('data')), ['data one']);
    assert.equal(infos[0]!.strings.time, '01-29-97  11:32PM');
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('nothing matches: CURLE_REMOTE_FILE_NOT_FOUND; a URL ending in a slash is a plain listing', async () => {
  const srv = await startFtpServer({ files: { '/d/a.txt': 'AAA' } });
  try {
    const log: string[] = [];
    let r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/d/*.zip`, (e) => wildcard(e, log));
    assert.equal(r.code, CURLE.REMOTE_FILE_NOT_FOUND);
    assert.deepEqual(log, []);
    r.easy.cleanup();
    r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/d/`, (e) => e.setopt(CURLOPT.WILDCARDMATCH, 1));
    assert.equal(r.code, CURLE.OK);
    assert.match(r.body, / a\.txt\n$/);
    r.easy.cleanup();
  } finally {
    await srv.close();
  }
});

test('hostile listings: garbage and an endless line fail with CURLE_FTP_BAD_FILE_LIST, nothing is downloaded', async () => {
  const srv = await startFtpServer({ files: { '/a': 'A' } });
  try {
    for (const body of [
      '-rw-r--r--    1 ftp      ftp             1 Jan 16 18:46 a\r\n\x00\x01garbage here\r\n',
      '-rw-r--r--    1 ftp      ftp             1 Jan 16 18:46 a\r\n-rw-r--r--    1 ftp ftp 1 Jan 16 18:46 ' + 'n'.repeat(4 << 20),
      'total 12x\r\n',
      '-rw-r--r--    1 ftp      ftp            1x Jan 16 18:46 a\r\n',
      '-rwxrwxrwz    1 ftp      ftp             1 Jan 16 18:46 a\r\n',
      'l-w-r--r--    1 ftp      ftp             1 Jan 16 18:46 a-link-without-target\r\n',
      '01-29-97  11:32PM                   3x a\r\n',
    ]) {
      srv.listBody = body;
      const log: string[] = [];
      let lines: string[] = [];
      const r = await fetchUrl(`ftp://127.0.0.1:${srv.port}/*`, (e) => {
        wildcard(e, log);
        lines = verboseLines(e);
      });
      assert.equal(r.code, CURLE.FTP_BAD_FILE_LIST, JSON.stringify(body.slice(0, 60)));
      assert.deepEqual(log, []);
      assert.ok(lines.includes('Wildcard - Parsing started'));
      r.easy.cleanup();
    }
    assert.ok(!srv.commands.includes('RETR a'));
  } finally {
    await srv.close();
  }
});
