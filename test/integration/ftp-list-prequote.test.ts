// -Q '+CMD' on a directory listing (curl's test 754): the '+' commands go
// after the CWD and TYPE, right before the LIST, as for a RETR or a STOR;
// a '*' one may fail. curl 7.88 dropped them for listings, against its own
// manual ("immediately before the file transfer command(s)"); curl 8 sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl } from '../helpers/cli-run.js';
import { startFtpServer } from '../helpers/ftp-server.js';

test("-Q '+NOOP' and '+*BOGUS' run right before LIST; '-NOOP' after it", async () => {
  const ftp = await startFtpServer({ files: { '/d/f.txt': 'hello\n' } });
  try {
    const r = await tscurl(['-sS', '-Q', 'NOOP 1', '-Q', '+NOOP 2', '-Q', '-NOOP 3', '-Q', '+*BOGUS HARD', `ftp://127.0.0.1:${ftp.port}/d/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /f\.txt/);
    await ftp.waitCommand('QUIT');
    const cmds = ftp.commands.filter((c) => !/^(USER|PASS|PWD|EPSV|PASV)/.test(c));
    assert.deepEqual(cmds, ['NOOP 1', 'CWD d', 'TYPE A', 'NOOP 2', 'BOGUS HARD', 'LIST', 'NOOP 3', 'QUIT']);
  } finally {
    await ftp.close();
  }
});
