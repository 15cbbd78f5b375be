// CURLOPT_SHARE (issue 12, item 4): the share's lock and unlock callbacks are
// called around every use of shared data, as libcurl calls them, and the
// shared cookie jar does not depend on the order of the options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, Share, CURLSHOPT, CURL_LOCK_DATA, CURL_LOCK_ACCESS, CURLSHE, CURLOPT, CURLE, CURLINFO } from '../../src/index.js';
import { startRawServer, ok } from '../helpers/raw-http-server.js';
import { fetchUrl } from '../helpers/fetch.js';

interface LockEvent { op: 'lock' | 'unlock'; easy: unknown; data: number; access?: number; user: unknown }

function recordingShare(kinds: number[]): { share: Share; events: LockEvent[] } {
  const share = new Share();
  const events: LockEvent[] = [];
  const user = { tag: 'userdata' };
  for (const k of kinds) assert.equal(share.setopt(CURLSHOPT.SHARE, k), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.USERDATA, user), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.LOCKFUNC, (easy: unknown, data: number, access: number, u: unknown) => {
    events.push({ op: 'lock', easy, data, access, user: u });
  }), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.UNLOCKFUNC, (easy: unknown, data: number, u: unknown) => {
    events.push({ op: 'unlock', easy, data, user: u });
  }), CURLSHE.OK);
  assert.equal(share.setopt(CURLSHOPT.LOCKFUNC, 'not a function'), CURLSHE.BAD_OPTION);
  return { share, events };
}

/** Every lock is followed by the unlock of the same kind for the same handle, never nested within a kind. */
function assertBalanced(events: LockEvent[]): void {
  const held = new Map<number, unknown>();
  for (const ev of events) {
    if (ev.op === 'lock') {
      assert.ok(!held.has(ev.data), `kind ${ev.data} locked twice`);
      assert.equal(ev.access, CURL_LOCK_ACCESS.SINGLE);
      held.set(ev.data, ev.easy);
    } else {
      assert.equal(held.get(ev.data), ev.easy, `unlock of kind ${ev.data} by the handle that locked it`);
      held.delete(ev.data);
    }
  }
  assert.equal(held.size, 0);
}

test('share lock callbacks: called around cookies, DNS, connections and attaching, with the handle and USERDATA', async () => {
  const srv = await startRawServer(() => ok('hi', 'Set-Cookie: a=1\r\n'));
  const { share, events } = recordingShare([CURL_LOCK_DATA.COOKIE, CURL_LOCK_DATA.DNS, CURL_LOCK_DATA.CONNECT]);
  try {
    const r = await fetchUrl(`http://localhost:${srv.port}/`, (e) => {
      e.setopt(CURLOPT.SHARE, share);
      e.setopt(CURLOPT.COOKIEFILE, ''); // the cookie engine on, reading no file
    });
    assert.equal(r.code, CURLE.OK);
    const kinds = new Set(events.map((ev) => ev.data));
    for (const k of [CURL_LOCK_DATA.SHARE, CURL_LOCK_DATA.COOKIE, CURL_LOCK_DATA.DNS, CURL_LOCK_DATA.CONNECT]) {
      assert.ok(kinds.has(k), `kind ${k} locked`);
    }
    assert.ok(!kinds.has(CURL_LOCK_DATA.SSL_SESSION), 'a kind the share does not share is never locked');
    assert.ok(events.every((ev) => ev.easy === r.easy && (ev.user as { tag: string }).tag === 'userdata'));
    assertBalanced(events);
    // the share's cookie jar got the cookie (under the lock)
    assert.deepEqual(r.easy.getinfo(CURLINFO.COOKIELIST).map((l) => l.split('\t').slice(5).join('=')), ['a=1']);
    const before = events.length;
    r.easy.cleanup();
    assert.ok(events.slice(before).some((ev) => ev.data === CURL_LOCK_DATA.SHARE), 'detaching locks the share');
    assertBalanced(events);
    assert.equal(share.cleanup(), CURLSHE.OK);
  } finally {
    await srv.close();
  }
});

test('shared cookies: COOKIEFILE set before SHARE is read into the shared jar when the transfer starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-share-'));
  const jar = join(dir, 'cookies.txt');
  const seen: string[] = [];
  const srv = await startRawServer((req) => {
    seen.push(req.headers.get('cookie') ?? '-');
    return ok('x');
  });
  try {
    writeFileSync(jar, `127.0.0.1\tFALSE\t/\tFALSE\t0\tfromfile\tyes\n`);
    const share = new Share();
    share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.COOKIE);
    // the order libcurl programs often use: the file first, the share after
    const a = await fetchUrl(`http://127.0.0.1:${srv.port}/a`, (e) => {
      e.setopt(CURLOPT.COOKIEFILE, jar);
      e.setopt(CURLOPT.SHARE, share);
    });
    assert.equal(a.code, CURLE.OK);
    // another handle of the share, with no cookie options at all, has the file's cookie
    const b = await fetchUrl(`http://127.0.0.1:${srv.port}/b`, (e) => e.setopt(CURLOPT.SHARE, share));
    assert.equal(b.code, CURLE.OK);
    assert.deepEqual(seen, ['fromfile=yes', 'fromfile=yes']);
    a.easy.cleanup();
    b.easy.cleanup();
    assert.equal(share.cleanup(), CURLSHE.OK);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.close();
  }
});

test('share lock callbacks are not called for a share without them, and a throwing one does not break the transfer', async () => {
  const srv = await startRawServer(() => ok('fine'));
  try {
    const share = new Share();
    share.setopt(CURLSHOPT.SHARE, CURL_LOCK_DATA.DNS);
    let unlocks = 0;
    share.setopt(CURLSHOPT.LOCKFUNC, () => {
      throw new Error('lock failed');
    });
    share.setopt(CURLSHOPT.UNLOCKFUNC, () => void unlocks++);
    const e = new Easy();
    const r = await fetchUrl(`http://localhost:${srv.port}/`, (x) => x.setopt(CURLOPT.SHARE, share));
    assert.equal(r.code, CURLE.OK);
    assert.equal(r.body, 'fine');
    assert.ok(unlocks > 0, 'the unlock still pairs each lock call');
    r.easy.cleanup();
    e.cleanup();
    share.cleanup();
  } finally {
    await srv.close();
  }
});
