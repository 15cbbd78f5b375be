// The SASL flags of the tool end to end, against a scripted SMTP server
// that records the dialogue: --oauth2-bearer (XOAUTH2), --sasl-authzid
// (PLAIN's authorization identity), --sasl-ir (initial responses),
// --login-options AUTH=EXTERNAL, and --mail-auth once authenticated; and the
// tool's -F "(" ... ")" multipart groups a MIME mail message uses (curl's 646).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startLineServer, type LineServer } from '../helpers/line-server.js';
import { tscurl } from '../helpers/cli-run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scripted SMTP server offering `mechs` (every line is recorded, the message's lines too). */
function smtpServer(mechs: string): Promise<LineServer> {
  const inData = new WeakSet<Socket>();
  return startLineServer('220 scripted\r\n', (line, s) => {
    if (inData.has(s)) {
      if (line !== '.') return null;
      inData.delete(s);
      return '250 queued\r\n';
    }
    const cmd = line.split(' ')[0]!.toUpperCase();
    if (cmd === 'EHLO') return `250-scripted\r\n250 AUTH ${mechs}\r\n`;
    if (cmd === 'AUTH') return line.split(' ').length > 2 ? '235 ok\r\n' : '334 \r\n';
    if (cmd === 'MAIL' || cmd === 'RCPT') return '250 ok\r\n';
    if (cmd === 'DATA') {
      inData.add(s);
      return '354 go\r\n';
    }
    if (cmd === 'QUIT') {
      s.end('221 bye\r\n');
      return null;
    }
    return '235 ok\r\n'; // a continuation line of the AUTH dialogue
  });
}

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');

test('--oauth2-bearer picks XOAUTH2 (with --sasl-ir as an initial response), --mail-auth goes on MAIL FROM', async () => {
  const srv = await smtpServer('PLAIN XOAUTH2');
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-sasl-'));
  try {
    writeFileSync(join(dir, 'm.txt'), 'Subject: x\r\n\r\nbody\r\n');
    const r = await tscurl(['-s', '-S', '--sasl-ir', '-u', 'user', '--oauth2-bearer', 'tok', '--mail-auth', 'orig@x', '--mail-rcpt', 'r@x',
      '--mail-from', 'me@x', '-T', join(dir, 'm.txt'), `smtp://127.0.0.1:${srv.port}/d`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.lines[1], `AUTH XOAUTH2 ${b64('user=user\x01auth=Bearer tok\x01\x01')}`);
    assert.equal(srv.lines[2], 'MAIL FROM:<me@x> AUTH=<orig@x>');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});

test('--sasl-authzid is PLAIN\'s authorization identity; without --sasl-ir the response is a continuation', async () => {
  const srv = await smtpServer('PLAIN');
  try {
    const r = await tscurl(['-s', '-S', '-u', 'user:pw', '--sasl-authzid', 'boss', `smtp://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.lines.slice(1, 3), ['AUTH PLAIN', b64('boss\0user\0pw')]);
  } finally {
    await srv.close();
  }
});

test('--login-options AUTH=EXTERNAL: EXTERNAL with the user name when there is no password', async () => {
  const srv = await smtpServer('PLAIN EXTERNAL');
  try {
    const r = await tscurl(['-s', '-S', '--sasl-ir', '--login-options', 'AUTH=EXTERNAL', '-u', 'who:', `smtp://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.lines[1], `AUTH EXTERNAL ${b64('who')}`);
    // an unknown mechanism in the login options is a malformed URL (3)
    const bad = await tscurl(['-s', '--login-options', 'AUTH=BOGUS', '-u', 'a:b', `smtp://127.0.0.1:${srv.port}/`]);
    assert.equal(bad.code, 3);
  } finally {
    await srv.close();
  }
});

test('-F "=(;type=..." ... -F "=)": a multipart group as one part with subparts (tool_formparse.c), over HTTP as over SMTP', async () => {
  const { startRawServer, ok } = await import('../helpers/raw-http-server.js');
  const srv = await startRawServer(() => ok('fine'));
  try {
    const r = await tscurl(['-s', '-S', '-F', 'a=1', '-F', 'g=(;type=multipart/alternative', '-F', '=html;type=text/html', '-F', '=plain',
      '-F', '=)', '-F', 'z=2', `http://127.0.0.1:${srv.port}/`]);
    assert.equal(r.code, 0, r.stderr);
    const body = srv.requests[0]!.body.toString('latin1');
    const inner = /Content-Disposition: form-data; name="g"\r\nContent-Type: multipart\/alternative; boundary=(-+\w+)\r\n\r\n/.exec(body);
    assert.ok(inner, body);
    const b = inner[1]!;
    assert.ok(body.includes(`--${b}\r\nContent-Type: text/html\r\n\r\nhtml\r\n--${b}\r\n\r\nplain\r\n--${b}--\r\n`), body);
    assert.match(body, /name="z"\r\n\r\n2\r\n/);
    const unbalanced = await tscurl(['-s', '-F', '=)', `http://127.0.0.1:${srv.port}/`]);
    assert.notEqual(unbalanced.code, 0);
  } finally {
    await srv.close();
  }
});
