// CVE-2021-22898 / CVE-2021-22925 (TELNET stack contents disclosure):
// libcurl answered a server's NEW-ENVIRON SEND with uninitialised stack
// bytes when a NEW_ENV option had no value. The C bug cannot happen here;
// its input can: a hostile telnetd asking for NEW-ENVIRON again and again,
// for variables it was not given, without a qualifier, with suboptions at
// and past libcurl's 512-byte buffer, ended by something other than IAC SE.
// Every answer must be exactly the NEW_ENV values the application gave,
// byte for byte as curl 7.88.1 sends them, one answer per request, and a
// long variable list is cut at libcurl's 2048-byte answer buffer. (This
// found tscurl sending names and values whole where 7.88 cuts them at 127
// bytes and a value at its first blank.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURLE, CURLOPT } from '../../src/index.js';
import { fetchUrl } from '../helpers/fetch.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';
import { run } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const IAC = 255, DO = 253, WILL = 251, SB = 250, SE = 240, NOP = 241;
const NEW_ENV = 39, IS = 0, SEND = 1, VAR = 0, VALUE = 1, USERVAR = 3;
const b = (...x: Array<number | string>): Buffer =>
  Buffer.concat(x.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));

/** The hostile requests, each of which gets exactly one answer. */
const REQUESTS: Buffer[] = [
  b(IAC, SB, NEW_ENV, SEND, IAC, SE),
  // variables the application never gave
  b(IAC, SB, NEW_ENV, SEND, VAR, 'SECRET', VAR, 'PATH', USERVAR, 'HOME', IAC, SE),
  b(IAC, SB, NEW_ENV, SEND, VAR, 'EMPTY', IAC, SE),
  // no qualifier, and a server "IS" with a value of its own
  b(IAC, SB, NEW_ENV, IAC, SE),
  b(IAC, SB, NEW_ENV, IS, VAR, 'X', VALUE, 'leak?', IAC, SE),
  // suboption lengths around libcurl's 512-byte buffer, and far past it, with escaped IACs in one
  ...[509, 510, 511, 512, 513, 514, 5000].map((n) => b(IAC, SB, NEW_ENV, SEND, 'V'.repeat(n - 2), IAC, SE)),
  b(IAC, SB, NEW_ENV, SEND, VAR, IAC, IAC, IAC, IAC, 'Z', IAC, SE),
  // ended by IAC NOP instead of IAC SE: still one answer
  b(IAC, SB, NEW_ENV, SEND, VAR, 'Q', IAC, NOP),
];
const FLOOD = 500;

/** Everything the client sent without the option negotiation (IAC WILL/WONT/DO/DONT x). */
function withoutNegotiation(got: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < got.length; i++) {
    if (got[i] === IAC && got[i + 1]! >= WILL && got[i + 1]! <= 254) {
      i += 2;
      continue;
    }
    out.push(got[i]!);
  }
  return Buffer.from(out);
}

/** How often `needle` occurs in `hay`. */
function count(hay: Buffer, needle: Buffer): number {
  let n = 0;
  // bounded: each match moves past itself
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Asks for NEW-ENVIRON, then sends `requests` and closes once `answers` answers (each ends IAC SE) are in. */
function telnetd(requests: Buffer[], answers: number): (c: ScriptConn) => Promise<void> {
  return async (c) => {
    c.write(b(IAC, DO, NEW_ENV));
    if (!(await c.waitFor((g) => g.includes(b(IAC, WILL, NEW_ENV))))) return;
    c.write(Buffer.concat(requests));
    if (await c.waitFor((g) => count(g, b(IAC, SE)) >= answers)) c.end('bye\r\n');
  };
}

// the empty value (CVE-2021-22898) and the missing one (CVE-2021-22925), and 7.88's sscanf limits:
// an option's argument ends at a blank, names and values have at most 127 bytes, no name no variable
const OPTIONS = ['NEW_ENV=FOO,bar', 'NEW_ENV=EMPTY,', 'NEW_ENV=NOCOMMA', 'NEW_ENV=A,b,c', 'NEW_ENV=SP, a b',
  'NEW_ENV=,nameless', `NEW_ENV=${'N'.repeat(130)},v`, `NEW_ENV=L,${'l'.repeat(130)}`];
const ANSWER = b(IAC, SB, NEW_ENV, IS,
  VAR, 'USER', VALUE, 'joe', VAR, 'FOO', VALUE, 'bar', VAR, 'EMPTY', VALUE, VAR, 'NOCOMMA', VAR, 'A', VALUE, 'b,c',
  VAR, 'SP', VALUE, VAR, 'N'.repeat(127), VAR, 'L', VALUE, 'l'.repeat(127), IAC, SE);

test('TELNET: hostile NEW-ENVIRON requests each get exactly the given NEW_ENV values, byte for byte, one answer per request', async () => {
  const requests = [...REQUESTS, ...Array.from({ length: FLOOD }, () => REQUESTS[0]!)];
  const srv = await startScriptServer(telnetd(requests, requests.length));
  try {
    const url = `telnet://joe@127.0.0.1:${srv.port}`;
    const r = await fetchUrl(url, (e) => e.setopt(CURLOPT.TELNETOPTIONS, OPTIONS));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    assert.equal(r.body, 'bye\r\n');
    r.easy.cleanup();
    await srv.allClosed();
    const ours = withoutNegotiation(srv.conns[0]!.received());
    // nothing but the answers: no requested name, no server value, no stray byte
    assert.deepEqual(ours, Buffer.concat(Array.from({ length: requests.length }, () => ANSWER)));
    if (NO_CURL) return;
    const c = await run('/bin/sh', ['-c', 'exec /usr/bin/curl "$@" </dev/null', 'sh', '-s', ...OPTIONS.flatMap((o) => ['-t', o]), url]);
    assert.equal(c.code, 0);
    await srv.allClosed();
    assert.deepEqual(withoutNegotiation(srv.conns[1]!.received()), ours, 'what curl 7.88.1 answers');
  } finally {
    await srv.close();
  }
});

test('TELNET: a NEW_ENV list longer than libcurl\'s 2048-byte answer is cut there, whole variables only, as curl 7.88.1', async () => {
  const vars = Array.from({ length: 40 }, (_, i) => `V${String(i).padStart(2, '0')},${'x'.repeat(i % 7 === 3 ? 400 : 90)}`);
  const given = new Set(vars.map((v) => v.replace(',', '\u0001').slice(0, 4 + 127)));
  // 7.88 judges the fit by the option's argument, cut at 255 bytes
  assert.ok(vars.some((v) => v.length > 255));
  const srv = await startScriptServer(telnetd([REQUESTS[0]!, REQUESTS[1]!], 2));
  try {
    const url = `telnet://127.0.0.1:${srv.port}`;
    const r = await fetchUrl(url, (e) => e.setopt(CURLOPT.TELNETOPTIONS, vars.map((v) => `NEW_ENV=${v}`)));
    assert.equal(r.code, CURLE.OK, r.easy.errorBuffer);
    r.easy.cleanup();
    await srv.allClosed();
    const ours = withoutNegotiation(srv.conns[0]!.received());
    const answer = ours.subarray(0, ours.length / 2);
    assert.deepEqual(ours.subarray(answer.length), answer, 'both requests get the same answer');
    assert.ok(answer.length <= 2048, `${answer.length} bytes`);
    assert.deepEqual(answer.subarray(0, 4), b(IAC, SB, NEW_ENV, IS));
    assert.deepEqual(answer.subarray(-2), b(IAC, SE));
    // only given variables (values cut at 127 bytes as 7.88 does), in the given order, more than none but fewer than all
    const sent = answer.subarray(5, -2).toString('latin1').split('\u0000');
    let last = -1;
    for (const v of sent) {
      assert.ok(given.has(v), `not given: ${v.slice(0, 20)}`);
      const at = vars.findIndex((g) => g.replace(',', '\u0001').slice(0, 4 + 127) === v);
      assert.ok(at > last);
      last = at;
    }
    assert.ok(sent.length > 10 && sent.length < vars.length, `${sent.length} variables`);
    if (NO_CURL) return;
    const c = await run('/bin/sh', ['-c', 'exec /usr/bin/curl "$@" </dev/null', 'sh', '-s', ...vars.flatMap((v) => ['-t', `NEW_ENV=${v}`]), url]);
    assert.equal(c.code, 0);
    await srv.allClosed();
    assert.deepEqual(withoutNegotiation(srv.conns[1]!.received()), ours, 'what curl 7.88.1 answers');
  } finally {
    await srv.close();
  }
});
