// Bytes a server sends past the end of an HTTP/1 response, through the whole
// stack, two transfers of one handle on what could be one connection:
//
// - what the trace says (curl 7.88's words): the read that ends the head is
//   traced whole as DATA_IN, excess included, with "Excess found in a read"
//   when it holds more than the Content-Length; "Excess found: ... (zero-
//   length body)" after a response without a body (HEAD, 204, 304,
//   Content-Length: 0);
// - what becomes of the connection: closed whenever excess was received, so
//   the second transfer connects again (CURLINFO_NUM_CONNECTS 1) and never
//   takes the first one's excess for its reply. curl 7.88 keeps the
//   connection after a zero-length body's excess and reads what follows as
//   the next response (a deliberate difference, CHANGELOG);
// - all of it for every cut of the first reply into two writes: however the
//   reads fall, the body is right, the trace agrees with itself, and the
//   next reply is the server's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Easy, CURLOPT, CURLINFO, CURLE, openSocketCount } from '../../src/index.js';
import { startScriptServer, type ScriptConn } from '../helpers/script-server.js';

const TEXT = 0;
const DATA_IN = 3;

/** Replies by path: the first request's reply (pieces written back to back); any later request gets GOOD. */
interface Case {
  path: string;
  reply: string;
  nobody?: boolean;
  body: string;
  /** curl 7.88's info line about the excess when the whole reply comes in one read */
  excessLine: string | null;
}

const SMUGGLED = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nBAD';
const GOOD = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood';

const CASES: Case[] = [
  { path: '/clean', reply: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', body: 'abc', excessLine: null },
  { path: '/length', reply: `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc${SMUGGLED}`, body: 'abc',
    excessLine: `Excess found in a read: excess = ${SMUGGLED.length}, size = 3, maxdownload = 3, bytecount = 0` },
  { path: '/204?q=1', reply: `HTTP/1.1 204 No Content\r\n\r\n${SMUGGLED}`, body: '',
    excessLine: `Excess found: excess = ${SMUGGLED.length} url = /204 (zero-length body)` },
  { path: '/304', reply: `HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n${SMUGGLED}`, body: '',
    excessLine: `Excess found: excess = ${SMUGGLED.length} url = /304 (zero-length body)` },
  { path: '/head', reply: `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`, nobody: true, body: '',
    excessLine: `Excess found: excess = ${5 + SMUGGLED.length} url = /head (zero-length body)` },
  { path: '/zero', reply: `HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`, body: '',
    excessLine: `Excess found: excess = ${SMUGGLED.length} url = /zero (zero-length body)` },
];

/** Where the first reply is cut (null: one write). */
let cut: number | null = null;

async function serve(c: ScriptConn): Promise<void> {
  // bounded: each pass needs one more request head on this connection
  for (let n = 1; n <= 3; n++) {
    if (!(await c.waitFor((b) => b.toString('latin1').split('\r\n\r\n').length > n))) return;
    const head = c.received().toString('latin1').split('\r\n\r\n')[n - 1]!;
    const path = /^[A-Z]+ (\S+)/.exec(head.trimStart())?.[1] ?? '/';
    const k = CASES.find((x) => x.path === path);
    if (!k) {
      c.write(GOOD);
      continue;
    }
    // two writes in the same turn: the client may read them as one or two
    if (cut === null) c.write(k.reply);
    else {
      c.write(k.reply.slice(0, cut));
      c.write(k.reply.slice(cut));
    }
  }
}

interface Outcome {
  code: number;
  body: string;
  texts: string[];
  dataIn: string;
  connects: number;
}

async function transfer(e: Easy, url: string, nobody: boolean): Promise<Outcome> {
  const body: Buffer[] = [];
  const texts: string[] = [];
  const dataIn: Buffer[] = [];
  e.setopt(CURLOPT.URL, url);
  e.setopt(CURLOPT.NOBODY, nobody ? 1 : 0);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (body.push(Buffer.from(d)), d.length));
  e.setopt(CURLOPT.VERBOSE, 1);
  e.setopt(CURLOPT.DEBUGFUNCTION, (_e: unknown, type: number, d: Buffer) => {
    if (type === TEXT) texts.push(d.toString('latin1').trimEnd());
    if (type === DATA_IN) dataIn.push(Buffer.from(d));
    return 0;
  });
  const code = await e.perform();
  return { code, body: Buffer.concat(body).toString('latin1'), texts, dataIn: Buffer.concat(dataIn).toString('latin1'), connects: e.getinfo(CURLINFO.NUM_CONNECTS) as number };
}

/** The first transfer of `k`, then one to /next with the same handle: what each saw. */
async function pair(port: number, k: Case): Promise<[Outcome, Outcome]> {
  const e = new Easy();
  try {
    const first = await transfer(e, `http://127.0.0.1:${port}${k.path}`, k.nobody === true);
    const second = await transfer(e, `http://127.0.0.1:${port}/next`, false);
    return [first, second];
  } finally {
    e.cleanup();
  }
}

test('excess bytes in the read that ends the head: curl 7.88\'s trace, and the connection is not used again', async () => {
  const srv = await startScriptServer(serve);
  cut = null;
  try {
    for (const k of CASES) {
      const [first, second] = await pair(srv.port, k);
      assert.equal(first.code, CURLE.OK, k.path);
      assert.equal(first.body, k.body, k.path);
      const excess = first.texts.filter((l) => l.startsWith('Excess found'));
      assert.deepEqual(excess, k.excessLine ? [k.excessLine] : [], k.path);
      // a Content-Length body's read is traced whole, excess included
      if (k.path === '/length') assert.equal(first.dataIn, `abc${SMUGGLED}`);
      else assert.equal(first.dataIn, k.body, k.path);
      const ending = k.excessLine ? /^Closing connection \d+$/ : /^Connection #\d+ to host 127\.0\.0\.1 left intact$/;
      assert.ok(first.texts.some((l) => ending.test(l)), `${k.path}: ${first.texts.join(' | ')}`);
      // the second transfer: a new connection after excess, the server's own reply either way
      assert.equal(second.code, CURLE.OK, k.path);
      assert.equal(second.body, 'good', k.path);
      assert.equal(second.connects, k.excessLine ? 1 : 0, k.path);
    }
  } finally {
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});

test('every cut of a reply with excess into two writes: the body, a trace that agrees with itself, and the next reply is the server\'s', async () => {
  const srv = await startScriptServer(serve);
  try {
    for (const k of CASES.filter((x) => x.excessLine !== null)) {
      for (let at = 1; at < k.reply.length; at++) {
        cut = at;
        const what = `${k.path} cut at ${at}`;
        const [first, second] = await pair(srv.port, k);
        assert.equal(first.code, CURLE.OK, what);
        assert.equal(first.body, k.body, what);
        const read = first.texts.find((l) => l.startsWith('Excess found in a read'));
        const zero = first.texts.find((l) => l.startsWith('Excess found:'));
        if (read !== undefined) {
          // the read that ended the head held `excess` bytes past the body, all traced
          const n = Number(/excess = (\d+)/.exec(read)![1]);
          assert.ok(n > 0 && n <= SMUGGLED.length, what);
          assert.equal(first.dataIn, k.body + SMUGGLED.slice(0, n), what);
          assert.match(read, /, size = 3, maxdownload = 3, bytecount = 0$/, what);
        } else {
          assert.equal(first.dataIn, k.body, what);
        }
        if (zero !== undefined) assert.match(zero, /^Excess found: excess = \d+ url = \/\w+ \(zero-length body\)$/, what);
        if (k.path !== '/length') assert.equal(read, undefined, what);
        else assert.equal(zero, undefined, what);
        // whenever excess was seen the connection closed; the next reply is never the excess
        if (read !== undefined || zero !== undefined) assert.ok(first.texts.some((l) => /^Closing connection \d+$/.test(l)), what);
        assert.equal(second.code, CURLE.OK, `${what}: ${second.texts.join(' | ')}`);
        assert.equal(second.body, 'good', what);
        assert.equal(second.connects, 1, `${what}: the connection with excess on it is not used again`);
      }
    }
  } finally {
    cut = null;
    await srv.close();
  }
  assert.equal(openSocketCount(), 0);
});
