// CVE-2023-27535: a pooled FTP control connection serves only a transfer that
// logs in the same way — the same user, password and account, the same
// FTP_ALTERNATIVE_TO_USER, USE_SSL and FTP_SSL_CCC — since any of them can
// make the server take the connection for another user or leave the control
// channel in cleartext. A transfer with the same settings reuses it (the
// positive control, so a test that never reuses could not pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { startFtpServer } from '../helpers/ftp-server.js';

test('CVE-2023-27535: FTP_ACCOUNT, FTP_ALTERNATIVE_TO_USER, USE_SSL and FTP_SSL_CCC each keep a pooled FTP connection from being reused', async () => {
  const srv = await startFtpServer({ files: { '/f': 'data' }, users: { bob: 'pw' } });
  const e = new Easy();
  try {
    e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
    e.setopt(CURLOPT.URL, `ftp://bob:pw@127.0.0.1:${srv.port}/f`);
    const run = async (): Promise<number> => {
      assert.equal(await e.perform(), CURLE.OK, e.errorBuffer ?? '');
      return srv.controlConnections;
    };
    const first = await run();
    assert.equal(await run(), first, 'the same settings reuse the connection');
    const changes: Array<[string, number, unknown]> = [
      ['FTP_ACCOUNT', CURLOPT.FTP_ACCOUNT, 'acct'],
      ['FTP_ALTERNATIVE_TO_USER', CURLOPT.FTP_ALTERNATIVE_TO_USER, 'SITE user'],
      ['USE_SSL', CURLOPT.USE_SSL, 1],
      ['FTP_SSL_CCC', CURLOPT.FTP_SSL_CCC, 1],
    ];
    let count = first;
    for (const [name, id, value] of changes) {
      e.setopt(id as never, value as never);
      const now = await run();
      assert.equal(now, count + 1, `${name} changed: a new control connection`);
      assert.equal(await run(), now, `${name} unchanged since: reused`);
      count = now;
    }
  } finally {
    e.cleanup();
    await srv.close();
  }
});
