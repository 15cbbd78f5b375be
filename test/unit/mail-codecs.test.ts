// The mail protocols' sans-I/O pieces: RFC 5092 IMAP URLs, imap_atom
// quoting, POP3's dot-terminated bodies fed whole and byte by byte, SMTP's
// dot-stuffing across piece boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImapPath, imapAtom, splitCustom } from '../../src/proto/mail/imap-url.js';
import { DotBodyDecoder, DotStuffer, lfToCrlf } from '../../src/proto/mail/dot-body.js';

test('IMAP URL paths: mailbox, parameters, query; malformed ones', () => {
  assert.deepEqual(parseImapPath('/INBOX;UIDVALIDITY=50/;UID=20/;SECTION=1.2/;PARTIAL=0.1024'), {
    mailbox: 'INBOX', uidvalidity: '50', uid: '20', mindex: null, section: '1.2', partial: '0.1024', query: null,
  });
  assert.deepEqual(parseImapPath('/A%20B/;MAILINDEX=3'), { mailbox: 'A B', uidvalidity: null, uid: null, mindex: '3', section: null, partial: null, query: null });
  assert.equal(parseImapPath('/INBOX?SUBJECT%20x')!.query, 'SUBJECT x');
  // a query does not go with a UID
  assert.equal(parseImapPath('/INBOX/;UID=1?ALL')!.query, null);
  assert.deepEqual(parseImapPath('/'), { mailbox: null, uidvalidity: null, uid: null, mindex: null, section: null, partial: null, query: null });
  assert.equal(parseImapPath('/INBOX/;BOGUS=1'), null);
  assert.equal(parseImapPath('/INBOX/;UID'), null);
  assert.equal(parseImapPath('/IN%0aBOX'), null, 'control codes are refused');
});

test('imap_atom and custom requests', () => {
  assert.equal(imapAtom('plain', false), 'plain');
  assert.equal(imapAtom('two words', false), '"two words"');
  assert.equal(imapAtom('"user', false), '"\\"user"');
  assert.equal(imapAtom('sec"ret{', false), '"sec\\"ret{"');
  assert.equal(imapAtom('a b\\', true), 'a b\\\\');
  assert.deepEqual(splitCustom('STORE 1 +FLAGS'), { command: 'STORE', params: ' 1 +FLAGS' });
  assert.deepEqual(splitCustom('NOOP'), { command: 'NOOP', params: '' });
});

function decodeAll(input: string, pieceSize: number): { body: string; rest: string } {
  const d = new DotBodyDecoder();
  const buf = Buffer.from(input, 'latin1');
  let body = '';
  let rest = '';
  // bounded by the input's length
  for (let i = 0; i < buf.length; i += pieceSize) {
    const r = d.feed(buf.subarray(i, i + pieceSize));
    body += r.body.toString('latin1');
    if (r.ended) {
      rest = (r.rest?.toString('latin1') ?? '') + buf.subarray(i + pieceSize).toString('latin1');
      break;
    }
  }
  return { body, rest };
}

test('POP3 bodies: the "." line ends them, ".." is ".", whole or byte by byte, trailing bytes kept', () => {
  const cases: Array<[string, string, string]> = [
    ['.\r\n', '', ''],
    ['a\r\n.\r\n+OK next\r\n', 'a\r\n', '+OK next\r\n'],
    ['..dot\r\n...two\r\n.x\r\n.\r\n', '.dot\r\n..two\r\n.x\r\n', ''],
    ['a.\r\nb\r\n.\r', 'a.\r\nb\r\n', ''],
    ['x\r\n.\ry\r\n.\r\n', 'x\r\n.\ry\r\n', ''],
  ];
  for (const [input, body, rest] of cases) {
    for (const size of [1, 2, 3, input.length]) {
      const r = decodeAll(input, size);
      assert.equal(r.body, body, `${JSON.stringify(input)} by ${size}`);
      if (input.endsWith('\n')) assert.equal(r.rest, rest, `${JSON.stringify(input)} by ${size}`);
    }
  }
});

test('SMTP dot-stuffing: line starts across pieces, the first byte, the trailing CRLF; LF to CRLF', () => {
  const s = new DotStuffer();
  const out = ['.a\r', '\n.', 'b\r\n', '..'].map((p) => s.stuff(Buffer.from(p)).toString()).join('');
  assert.equal(out, '..a\r\n..b\r\n...');
  assert.equal(s.endsWithCrlf, false);
  const t = new DotStuffer();
  t.stuff(Buffer.from('x\r\n'));
  assert.equal(t.endsWithCrlf, true);
  assert.equal(new DotStuffer().endsWithCrlf, true, 'no data: only ".\\r\\n" ends it');
  assert.equal(lfToCrlf(Buffer.from('a\nb\r\n')).toString(), 'a\r\nb\r\r\n');
});
