// CVE-2018-1000120 / CVE-2017-8817 class: an FTP URL path with %0d%0a, %0a or
// %00 in a directory part can never put a command on the control connection:
// the transfer fails with CURLE_URL_MALFORMAT (3) after the login, before CWD,
// as curl 7.88; against a scripted loopback server that records every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { CURLE } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';

test('CVE-2018-1000120: CR, LF or NUL encoded in an FTP path is CURLE_URL_MALFORMAT and nothing of it is sent', async () => {
  const lines: string[] = [];
  const socks = new Set<Socket>();
  const srv = createServer((s) => {
    socks.add(s);
    s.on('error', () => {});
    s.on('close', () => socks.delete(s));
    s.write('220 hi\r\n');
    let b = '';
    s.on('data', (d) => {
      b += d.toString('latin1');
      let i: number;
      while ((i = b.indexOf('\r\n')) >= 0) {
        const l = b.slice(0, i);
        b = b.slice(i + 2);
        lines.push(l);
        s.write(/^USER/.test(l) ? '331 p\r\n' : /^PASS/.test(l) ? '230 ok\r\n' : /^PWD/.test(l) ? '257 "/"\r\n' : '500 no\r\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    for (const p of ['a%0d%0aDELE%20x/f', 'a%0aDELE%20x/f', 'a%0dDELE/f', 'a%00b/f', 'd/f%0d%0aDELE%20x']) {
      lines.length = 0;
      const r = await fetchUrl(`ftp://127.0.0.1:${port}/${p}`);
      r.easy.cleanup();
      assert.equal(r.code, CURLE.URL_MALFORMAT, p);
      assert.deepEqual(lines.filter((l) => /DELE|CWD|RETR|\0/.test(l)), [], `${p}: ${lines.join(' | ')}`);
    }
  } finally {
    for (const s of socks) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
