// The multi's connection reuse decisions, against libcurl 7.88 running the
// same program (helpers/libcurl-multi.ts): CURLOPT_PIPEWAIT on plain http://
// transfers (libcurl takes them as able to multiplex: HTTP_VERSION's default
// is 2TLS), without it, with HTTP_VERSION 1.1, under MAX_HOST_CONNECTIONS,
// MAX_TOTAL_CONNECTIONS and MAXCONNECTS, over HTTP/2 with
// MAX_CONCURRENT_STREAMS, and FRESH_CONNECT on a redirect and an
// authentication round. Compared: every verbose info line in order (pointers
// and connect times normalised), which transfers finish in which order and
// how many connections each opened (CURLINFO_NUM_CONNECTS), and the
// connections the server accepted. The server holds the requests that must
// all be in flight (hold-server.ts): no timing orders the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { requirePrograms } from '../helpers/requires.js';
import { holdServerPerFile, startHoldServer } from '../helpers/hold-server.js';
import { startH2Server } from '../helpers/h2-server.js';
import { testCerts } from '../helpers/certs.js';
import { runLibcurl, runTscurl, type MultiPlan } from '../helpers/libcurl-multi.js';

const NO_LIBCURL = requirePrograms(['python3', 'python3'], ['curl', 'curl']);
const NO_H2 = requirePrograms(['python3', 'python3'], ['curl', 'curl'], ['openssl', 'openssl']);

const hold = holdServerPerFile();

/**
 * Pointers and connect times masked. Connection numbers are compared as they
 * are: libcurl numbers connections per connection cache (per multi), and so
 * does tscurl, although every scenario's Multi runs in this one process.
 */
function normalise(lines: string[]): string[] {
  return lines.map((l) => l.replace(/0x[0-9a-f]+/g, '0xPTR').replace(/ after \d+ ms/g, ' after N ms'));
}

interface Compare {
  /** the output is in a fixed order up to the line after the last line this matches (and its "Trying"), then racy: compared sorted */
  racyAfter?: RegExp;
  /** ... or from the first line this matches */
  racyFrom?: RegExp;
  /**
   * compared only up to the first line this matches: after it libcurl itself may read an answer in
   * the pass that sent the request (under load), which changes who is woken when (tscurl never does:
   * its requests go out at the end of the event-loop turn)
   */
  until?: RegExp;
  /** which connection a line names is racy too */
  maskConnections?: boolean;
}

/** Compares as Compare says. */
function sameLines(ours: string[], theirs: string[], o: Compare): void {
  const mask = (l: string[]): string[] => (o.maskConnections ? l.map((x) => x.replace(/#\d+|connection \d+/g, '#N')) : l);
  if (o.until) {
    const end = theirs.findIndex((x) => o.until!.test(x));
    assert.ok(end >= 0, theirs.join('\n'));
    return assert.deepEqual(ours.slice(0, end + 1), theirs.slice(0, end + 1));
  }
  let cut = o.racyFrom ? theirs.findIndex((x) => o.racyFrom!.test(x)) : -1;
  if (o.racyAfter) {
    for (let i = theirs.length - 1; i >= 0; i--) {
      if (!o.racyAfter.test(theirs[i]!)) continue;
      cut = theirs[i + 1]?.startsWith('*   Trying') ? i + 2 : i + 1;
      break;
    }
  }
  if (cut < 0) return assert.deepEqual(mask(ours), mask(theirs));
  assert.deepEqual(mask(ours.slice(0, cut)), mask(theirs.slice(0, cut)), 'up to the racy part');
  assert.deepEqual(mask(ours.slice(cut)).sort(), mask(theirs.slice(cut)).sort(), 'the racy part, sorted');
}

/** Runs the plan with libcurl and with tscurl: the same lines, the same connections accepted. */
async function sameAsLibcurl(plan: MultiPlan, o: Compare = {}, connections?: () => number): Promise<{ lines: string[]; accepted: number }> {
  const c0 = connections?.() ?? 0;
  const theirs = normalise(await runLibcurl(plan));
  const c1 = connections?.() ?? 0;
  const ours = normalise(await runTscurl(plan));
  const c2 = connections?.() ?? 0;
  sameLines(ours, theirs, o);
  assert.equal(c2 - c1, c1 - c0, 'connections accepted');
  return { lines: ours, accepted: c2 - c1 };
}

const WOKE = /^\* Transfer was pending, now try another$/;

const doneLines = (lines: string[]): string[] => lines.filter((l) => l.startsWith('## done'));

test('PIPEWAIT on http:// transfers: the others wait for the first; one reuses its connection, the rest open their own', { skip: NO_LIBCURL }, async () => {
  const plan: MultiPlan = {
    transfers: [
      { name: 'a', url: `${hold.base}/pa`, pipewait: true },
      { name: 'b', url: `${hold.base}/pb?hold=3`, pipewait: true },
      { name: 'c', url: `${hold.base}/pc?hold=3`, pipewait: true },
      { name: 'd', url: `${hold.base}/pd?hold=3`, pipewait: true },
    ],
  };
  const { lines, accepted } = await sameAsLibcurl(plan, { racyAfter: WOKE }, () => hold.connections);
  assert.equal(accepted, 3);
  assert.deepEqual(doneLines(lines).sort(), ['## done a 0 1', '## done b 0 0', '## done c 0 1', '## done d 0 1']);
  assert.equal(lines.filter((l) => l === "* Server doesn't support multiplex yet, wait").length, 3);
});

test('without PIPEWAIT, or with HTTP_VERSION 1.1, nobody waits: a connection each', { skip: NO_LIBCURL }, async () => {
  for (const [pipewait, httpVersion] of [[false, undefined], [true, 2]] as const) {
    const plan: MultiPlan = {
      transfers: ['a', 'b', 'c'].map((n) => ({ name: n, url: `${hold.base}/n${n}${httpVersion ?? ''}?hold=3`, pipewait, httpVersion })),
    };
    const { lines, accepted } = await sameAsLibcurl(plan, { racyAfter: /^\*   Trying/ }, () => hold.connections);
    assert.equal(accepted, 3);
    assert.ok(!lines.includes('* No connections available.'));
  }
});

test('MAX_HOST_CONNECTIONS and MAX_TOTAL_CONNECTIONS queue the others, each retry says why', { skip: NO_LIBCURL }, async () => {
  for (const limit of ['maxHost', 'maxTotal'] as const) {
    const plan: MultiPlan = {
      [limit]: 1,
      transfers: ['a', 'b', 'c'].map((n) => ({ name: n, url: `${hold.base}/l${n}`, pipewait: n === 'c' })),
    };
    const { lines, accepted } = await sameAsLibcurl(plan, { until: WOKE }, () => hold.connections);
    assert.equal(accepted, 1);
    const why = limit === 'maxHost' ? '* No more connections allowed to host: 1' : '* No connections available in cache';
    // b and c wait, b reuses a's connection and wakes c, which waits again, until b is done
    assert.equal(lines.filter((l) => l === why).length, 3, lines.join('\n'));
    assert.deepEqual(lines.filter((l) => l.startsWith('## done')), ['## done a 0 1', '## done b 0 0', '## done c 0 0']);
  }
  // a full pool closes an idle connection to another host to make room ("Closing connection 0")
  const other = await startHoldServer();
  try {
    const plan: MultiPlan = {
      maxTotal: 1,
      transfers: [{ name: 'a', url: `${hold.base}/ta` }, { name: 'b', url: `http://127.0.0.1:${other.port}/tb`, after: 'a' }],
    };
    const { lines } = await sameAsLibcurl(plan);
    assert.ok(lines.includes('* Closing connection 0'), lines.join('\n'));
  } finally {
    await other.close();
  }
});

test('MAXCONNECTS counts busy connections too: a full cache closes the oldest idle one on return', { skip: NO_LIBCURL }, async () => {
  // a ends while b is held: a's connection is the oldest idle one of two, so it goes; c, added then,
  // finds b's busy and opens its own, whose request lets b go: b and c end at once, and the first to
  // return its connection closes it (which one is racy, in libcurl too: masked; and from the first
  // connect on, whether a is done before b is connected)
  const plan: MultiPlan = {
    maxConnects: 1,
    transfers: [
      { name: 'a', url: `${hold.base}/mca` },
      { name: 'b', url: `${hold.base}/mcb?hold=2` },
      { name: 'c', url: `${hold.base}/mcc?hold=2`, after: 'a' },
    ],
  };
  const { lines, accepted } = await sameAsLibcurl(plan, { racyFrom: /^\* Connected to/, maskConnections: true }, () => hold.connections);
  assert.equal(accepted, 3);
  assert.equal(lines.filter((l) => l === '* Connection cache is full, closing the oldest one').length, 2);
  assert.ok(lines.includes('* Connection cache is full, closing the oldest one'), lines.join('\n'));
});

test('FRESH_CONNECT holds for the first request only: a redirect and an authentication round reuse the connection', { skip: NO_LIBCURL }, async () => {
  const plan: MultiPlan = {
    transfers: [
      { name: 'r', url: `${hold.base}/redirect/fr`, fresh: true, follow: true },
      { name: 'u', url: `${hold.base}/auth/fu`, fresh: true, follow: true, anyauth: 'user:pw', after: 'r' },
    ],
  };
  const { lines } = await sameAsLibcurl(plan, {}, () => hold.connections);
  assert.equal(lines.filter((l) => l.startsWith('* Re-using existing connection')).length, 2, lines.join('\n'));
});

/** An HTTP/2 server (TLS, ALPN h2) that answers nothing before `n` requests are open. */
async function heldH2(n: number): Promise<Awaited<ReturnType<typeof startH2Server>>> {
  const waiting: [http2.ServerHttp2Stream, string][] = [];
  return startH2Server((stream, h) => {
    waiting.push([stream, String(h[':path'])]);
    if (waiting.length < n) return;
    for (const [s, p] of waiting.splice(0)) {
      if (s.destroyed) continue;
      s.respond({ ':status': 200 });
      s.end(`hello ${p}\n`);
    }
  }, { tls: true });
}

test('HTTP/2: PIPEWAIT transfers multiplex once ALPN said h2; beyond MAX_CONCURRENT_STREAMS each opens its own', { skip: NO_H2 }, async () => {
  const ca = testCerts().caFile;
  for (const [n, maxStreams] of [[4, undefined], [5, 2]] as const) {
    const libcurl = await heldH2(n);
    const ours = await heldH2(n);
    try {
      const plan = (url: (p: string) => string): MultiPlan => ({
        maxStreams,
        transfers: Array.from({ length: n }, (_, i) => ({ name: `h${i}`, url: url(`/h${i}`), pipewait: true, cainfo: ca })),
      });
      // each run its own server (the port is in the lines only as the URL's; the sessions are counted apart)
      const theirs = normalise(await runLibcurl(plan((p) => libcurl.url(p)))).map((l) => l.split(String(libcurl.port)).join('PORT'));
      const mine = normalise(await runTscurl(plan((p) => ours.url(p)))).map((l) => l.split(String(ours.port)).join('PORT'));
      // curl 7.88 lists what its TLS backend saw (tls-cli.test.ts compares those): here the reuse decisions and the outcome
      const decisions = (l: string[]): string[] =>
        l.filter((x) => /^(\* (Found bundle|Server doesn't|Can not|Multiplexed|Re-using|Transfer was pending|No connections|client side|MAX_CONCURRENT|Connection #|Closing|  Trying)|## done)/.test(x));
      sameLines(decisions(mine), decisions(theirs), { racyAfter: WOKE });
      assert.equal(ours.sessions, libcurl.sessions);
      assert.equal(ours.sessions, maxStreams === undefined ? 1 : 1 + n - maxStreams);
    } finally {
      await libcurl.close();
      await ours.close();
    }
  }
});
