// CVE-2019-3823 (SMTP end-of-response over-read): libcurl's smtp_endofresp
// read past a reply line shorter than four bytes that ended a read without
// CRLF. The C bug cannot happen here; its input can: replies cut at a read
// boundary without CRLF and then closed, a final "250" with no text, lines
// shorter than four bytes inside a reply, and multi-line replies delivered
// one byte per write. End-of-response detection must be right: the next
// command goes out only after the reply's last line (never in the middle),
// and a reply that never ends is libcurl's error, as curl 7.88.1 does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';

const DIALOGUE = 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n';

/** Write `bytes` one per write, each handed to the kernel before the next; false when the client sent something meanwhile. */
async function byteByByte(c: ScriptConn, bytes: Buffer, quietAfter: number): Promise<boolean> {
  for (let i = 0; i < bytes.length; i++) {
    if (c.closed) return false;
    await new Promise<void>((resolve) => c.socket.write(bytes.subarray(i, i + 1), () => resolve()));
    // until the last byte, the client must not have taken the reply as complete
    if (i < bytes.length - 1 && c.received().length !== quietAfter) return false;
  }
  return true;
}

/**
 * An SMTP server: greets with `greeting`, answers EHLO with `ehlo` (a
 * trailing "!" means: send it and close), everything else as a mail server
 * would. `split` writes the greeting and the EHLO reply a byte at a time.
 */
function smtpd(greeting: string, ehlo: string, split: boolean, early: string[]): (c: ScriptConn) => Promise<void> {
  const send = async (c: ScriptConn, text: string): Promise<boolean> => {
    const close = text.endsWith('!');
    const bytes = Buffer.from(close ? text.slice(0, -1) : text, 'latin1');
    if (split && !(await byteByByte(c, bytes, c.received().length))) {
      early.push(c.received().toString('latin1'));
      return false;
    }
    if (close) {
      c.end(split ? undefined : bytes);
      return false;
    }
    if (!split) c.write(bytes);
    return true;
  };
  return async (c) => {
    if (!(await send(c, greeting))) return;
    let used = 0;
    // bounded: a handful of commands, and the client's close ends every wait
    for (let i = 0; i < 8; i++) {
      let end = -1;
      if (!(await c.waitFor((g) => (end = g.indexOf('\r\n', used)) >= 0))) return;
      const cmd = c.received().subarray(used, end).toString('latin1').split(' ')[0];
      used = end + 2;
      if (cmd === 'EHLO') {
        if (!(await send(c, ehlo))) return;
      } else if (cmd === 'QUIT') return c.end('221 bye\r\n');
      else if (cmd === 'DATA') {
        c.write('354 go\r\n');
        if (!(await c.waitFor((g) => (end = g.indexOf('\r\n.\r\n', used)) >= 0))) return;
        used = end + 5;
        c.write('250 queued\r\n');
      } else c.write('250 ok\r\n');
    }
  };
}

async function mail(greeting: string, ehlo: string, split: boolean): Promise<{ code: number; sent: string; early: string[] }> {
  const early: string[] = [];
  const srv = await startScriptServer(smtpd(greeting, ehlo, split, early));
  try {
    const body = [Buffer.from('hi\r\n')];
    const r = await fetchUrl(`smtp://127.0.0.1:${srv.port}/client`, (e) => {
      e.setopt(CURLOPT.MAIL_FROM, 'a@b');
      e.setopt(CURLOPT.MAIL_RCPT, ['c@d']);
      e.setopt(CURLOPT.UPLOAD, 1);
      e.setopt(CURLOPT.SERVER_RESPONSE_TIMEOUT_MS, 1000);
      e.setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
        const next = body.shift();
        if (!next) return 0;
        next.copy(buf);
        return next.length;
      });
    });
    r.easy.cleanup();
    await srv.allClosed();
    const got = srv.conns[0]!.received().toString('latin1');
    assert.ok(got === '' || got.startsWith('EHLO client\r\n'), got);
    return { code: r.code, sent: got.slice('EHLO client\r\n'.length), early };
  } finally {
    await srv.close();
  }
}

test('SMTP: short and odd reply lines end a reply exactly where curl 7.88.1 ends it, whole or a byte at a time', async () => {
  const cases: Array<[string, string, string]> = [
    ['a final line "250" with no text', '220 hi\r\n', '250\r\n'],
    ['"220" alone ends the greeting', '220\r\n', '250 ok\r\n'],
    ['a line of two digits inside the reply', '220 hi\r\n', '25\r\n250 ok\r\n'],
    ['a line of one byte inside the reply', '220 hi\r\n', '250-AUTH\r\n2\r\n250 \r\n'],
    ['a continuation with no text, then "250"', '220-\r\n220\r\n', '250-\r\n250\r\n'],
    ['"250X" of five bytes (libcurl\'s len == 5)', '220 hi\r\n', '250X\n'],
    ['a multi-line EHLO reply', '220-first\r\n220-second\r\n220 third\r\n', '250-client\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 HELP\r\n'],
  ];
  for (const [name, greeting, ehlo] of cases) {
    for (const split of [false, true]) {
      const r = await mail(greeting, ehlo, split);
      assert.equal(r.code, CURLE.OK, `${name} split=${split}`);
      assert.deepEqual(r.early, [], `${name}: the client went on before the reply ended`);
      assert.equal(r.sent, DIALOGUE, name);
    }
  }
});

test('SMTP: a reply that never ends is an error and nothing more is sent: cut without CRLF and closed (56), "250" with only LF (28, as 7.88)', async () => {
  const cases: Array<[string, string, string, number]> = [
    ['the greeting "220" without CRLF, then the close', '220!', '', CURLE.RECV_ERROR],
    ['EHLO\'s reply cut inside a line', '220 hi\r\n', '250-a\r\n25!', CURLE.RECV_ERROR],
    ['EHLO\'s reply cut after a continuation line', '220 hi\r\n', '250-a\r\n!', CURLE.RECV_ERROR],
    ['"250" ended by a bare LF (not a final line for libcurl)', '220 hi\r\n', '250\n', CURLE.OPERATION_TIMEDOUT],
    ['only lines shorter than four bytes', '220 hi\r\n', '25\r\n2\r\n\r\n', CURLE.OPERATION_TIMEDOUT],
  ];
  for (const [name, greeting, ehlo, code] of cases) {
    for (const split of [false, true]) {
      const r = await mail(greeting, ehlo, split);
      assert.equal(r.code, code, `${name} split=${split}`);
      assert.equal(r.sent, '', `${name}: nothing after EHLO`);
    }
  }
});
