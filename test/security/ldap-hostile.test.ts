// Hostile LDAP servers on 127.0.0.1 (raw TCP, BER written by hand): a close
// during the bind or the search, an endless stream of entries, a message
// that claims to be huge, a Notice of Disconnection, and a valid answer
// delivered one byte at a time. Each ends with libcurl's code (or the right
// output) and frees its socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLE, openSocketCount } from '../../src/index.js';
import { tscurl } from '../helpers/cli-run.js';
import { tlv, integer, octets, sequence } from '../../src/proto/ldap-ber.js';
import { ldapServer, entry, DONE } from '../helpers/ldap-server.js';

test('a close during the bind is CURLE_COULDNT_CONNECT, during the search CURLE_RECV_ERROR, as 7.88', async () => {
  const a = await ldapServer(() => undefined, (s) => s.destroy());
  try {
    const r = await tscurl(['-sS', `ldap://127.0.0.1:${a.port}/dc=x`]);
    assert.equal(r.code, CURLE.COULDNT_CONNECT);
    assert.equal(r.stderr, "tscurl: (7) LDAP local: connecting ldap_result Can't contact LDAP server\n");
  } finally {
    await a.close();
  }
  const b = await ldapServer((s) => s.destroy());
  try {
    const r = await tscurl(['-sS', `ldap://127.0.0.1:${b.port}/dc=x`]);
    assert.equal(r.code, CURLE.RECV_ERROR);
    assert.equal(r.stderr, "tscurl: (56) LDAP local: search ldap_result Can't contact LDAP server\n");
  } finally {
    await b.close();
  }
});

test('endless entries stop at MAXFILESIZE or the timeout; a huge message is refused at once; a Notice of Disconnection ends it', async () => {
  let stop = false;
  const endless = await ldapServer((s) => {
    let id = 0;
    const pump = (): void => {
      // bounded per call; the next burst when the socket drains
      for (let i = 0; i < 200 && !stop && !s.destroyed; i++) {
        if (!s.write(entry(2, `cn=e${id++},dc=x`, 'description', 'x'.repeat(500)))) return void s.once('drain', pump);
      }
      if (!stop && !s.destroyed) setImmediate(pump);
    };
    pump();
  });
  try {
    const url = `ldap://127.0.0.1:${endless.port}/dc=x??sub`;
    const easy = new Easy();
    try {
      let got = 0;
      easy.setopt(CURLOPT.URL, url);
      easy.setopt(CURLOPT.MAXFILESIZE_LARGE, 1_000_000);
      easy.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => {
        got += d.length;
        return d.length;
      });
      assert.equal(await easy.perform(), CURLE.FILESIZE_EXCEEDED);
      assert.ok(got <= 1_000_000);
    } finally {
      easy.cleanup();
    }
    const t = await tscurl(['-sS', '-o', '/dev/null', '-m', '1', url]);
    assert.equal(t.code, CURLE.OPERATION_TIMEDOUT, t.stderr);
  } finally {
    stop = true;
    await endless.close();
  }
  // 1 GiB announced: refused from its header, nothing buffered waiting for it
  const huge = await ldapServer((s) => s.write(Buffer.from([0x30, 0x84, 0x40, 0, 0, 0, 0x02, 0x01, 0x02])));
  try {
    const r = await tscurl(['-sS', `ldap://127.0.0.1:${huge.port}/dc=x`]);
    assert.equal(r.code, CURLE.RECV_ERROR);
    assert.equal(r.stderr, 'tscurl: (56) LDAP local: search ldap_result Decoding error\n');
  } finally {
    await huge.close();
  }
  const notice = await ldapServer((s) => s.write(sequence(integer(0), tlv(0x78, integer(52, 0x0a), octets(''), octets('going away')))));
  try {
    const r = await tscurl(['-sS', `ldap://127.0.0.1:${notice.port}/dc=x`]);
    assert.equal(r.code, CURLE.RECV_ERROR);
  } finally {
    await notice.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('an answer delivered one byte at a time is the same answer', async () => {
  const answer = Buffer.concat([entry(2, 'cn=a,dc=x', 'cn', 'a'), entry(2, 'cn=b,dc=x', 'mail', ' spaced'), DONE(2)]);
  const srv = await ldapServer((s) => {
    let i = 0;
    const one = (): void => {
      if (s.destroyed || i >= answer.length) return;
      s.write(answer.subarray(i, ++i), () => setImmediate(one));
    };
    one();
  });
  try {
    const r = await tscurl(['-sS', `ldap://127.0.0.1:${srv.port}/dc=x??sub`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'DN: cn=a,dc=x\n\tcn: a\n\n\nDN: cn=b,dc=x\n\tmail:: IHNwYWNlZA==\n\n\n');
  } finally {
    await srv.close();
  }
});
