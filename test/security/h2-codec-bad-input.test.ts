// The protocol checks tscurl's own HTTP/2 codec (src/h2/) makes where nghttp2
// made them before (issue 13 "Bad input"): a raw server answers the client's
// first request with exact frames. Malformed responses (uppercase or
// connection-specific header names, a bad :status, a content-length the DATA
// does not match) are stream errors (RST_STREAM, exit 92); broken framing (a
// frame above our SETTINGS_MAX_FRAME_SIZE, CONTINUATION without HEADERS,
// frames on the wrong stream, bad fixed lengths, a PING flood) ends the
// connection (GOAWAY; exit 92 as nghttp2 closes the open streams with the
// GOAWAY's code, 16 when the framing itself is broken). Checked side by side
// with /usr/bin/curl 7.88 (nghttp2) where curl answers at all (it waits on
// the connection after some of them); nothing hangs. DATA beyond the window:
// test/unit/h2-session.test.ts (a paused stream, deterministic there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tscurl, curl } from '../helpers/cli-run.js';
import { requirePrograms } from '../helpers/requires.js';
import { frame } from '../helpers/h2c-server.js';
import { literal, startRawH2, STATUS_200, type RawH2Scenario } from '../helpers/raw-h2-server.js';

const NO_CURL = requirePrograms(['curl', 'curl']);
const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

const head = (id: number, flags: number, ...fields: Buffer[]): Buffer => frame(T.HEADERS, END_HEADERS | flags, id, Buffer.concat([STATUS_200, ...fields]));

type Scenario = RawH2Scenario;

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

/** curlCode: /usr/bin/curl 7.88's exit where it differs; null: curl waits on the connection (until its timeout), not compared */
const CASES: { name: string; code: number; curlCode?: number | null; scenario: Scenario }[] = [
  { name: 'an uppercase header name', code: 92, scenario: (s, id) => s.write(head(id, END_STREAM, literal('X-Upper', 'a'))) },
  { name: 'a connection-specific header (connection: close)', code: 92, scenario: (s, id) => s.write(head(id, END_STREAM, literal('connection', 'close'))) },
  { name: 'a bad :status (two digits)', code: 92, scenario: (s, id) => s.write(frame(T.HEADERS, END_HEADERS | END_STREAM, id, literal(':status', '20'))) },
  { name: 'no :status at all', code: 92, scenario: (s, id) => s.write(frame(T.HEADERS, END_HEADERS | END_STREAM, id, literal('x-a', 'b'))) },
  { name: 'content-length 10 and 4 bytes of DATA', code: 92, scenario: (s, id) => s.write(Buffer.concat([head(id, 0, literal('content-length', '10')), frame(T.DATA, END_STREAM, id, Buffer.from('four'))])) },
  { name: 'content-length 2 and 4 bytes of DATA', code: 92, scenario: (s, id) => s.write(Buffer.concat([head(id, 0, literal('content-length', '2')), frame(T.DATA, END_STREAM, id, Buffer.from('four'))])) },
  { name: 'a frame above SETTINGS_MAX_FRAME_SIZE (16385 bytes)', code: 16, curlCode: null, scenario: (s, id) => s.write(Buffer.concat([head(id, 0), frame(T.DATA, END_STREAM, id, Buffer.alloc(16385))])) },
  { name: 'CONTINUATION without HEADERS before it', code: 92, curlCode: 52, scenario: (s, id) => s.write(frame(T.CONTINUATION, END_HEADERS, id, STATUS_200)) },
  { name: 'HEADERS without END_HEADERS, then DATA', code: 92, curlCode: 52, scenario: (s, id) => s.write(Buffer.concat([frame(T.HEADERS, 0, id, STATUS_200), frame(T.DATA, END_STREAM, id, Buffer.from('x'))])) },
  { name: 'a PING on a stream', code: 92, curlCode: null, scenario: (s, id) => s.write(Buffer.concat([head(id, 0), frame(T.PING, 0, id, Buffer.alloc(8))])) },
  { name: 'a PING of 7 bytes', code: 92, curlCode: null, scenario: (s, id) => s.write(Buffer.concat([head(id, 0), frame(T.PING, 0, 0, Buffer.alloc(7))])) },
  { name: 'RST_STREAM of 3 bytes', code: 92, curlCode: null, scenario: (s, id) => s.write(Buffer.concat([head(id, 0), frame(T.RST_STREAM, 0, id, Buffer.alloc(3))])) },
  { name: 'WINDOW_UPDATE on stream 0 of 0', code: 92, curlCode: null, scenario: (s, id) => s.write(Buffer.concat([head(id, 0), frame(T.WINDOW_UPDATE, 0, 0, u32(0))])) },
  // curl 7.88 is not compared here: its 16 KiB reads hold 963 PINGs, just under nghttp2's 1000 queued
  // ACKs, so it fails with 56 only when ACKs pile up behind a full socket, and otherwise answers every
  // PING and waits for its timeout (seen under load in the full suite): timing decides, not the input
  { name: 'a PING flood', code: 92, curlCode: null, scenario: (s, id) => {
    s.write(head(id, 0));
    let n = 0;
    const more = (): void => {
      if (s.destroyed || n++ > 200) return;
      s.write(Buffer.concat(Array.from({ length: 1000 }, () => frame(T.PING, 0, 0, Buffer.alloc(8)))), () => setImmediate(more));
    };
    more();
  } },
];

for (const k of CASES) {
  test(`HTTP/2 codec, ${k.name}: exit ${k.code}, nothing hangs`, async () => {
    const srv = await startRawH2(k.scenario);
    try {
      const r = await tscurl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', srv.url]);
      assert.equal(r.code, k.code, r.stderr);
      if (!NO_CURL && k.curlCode !== null) {
        const b = await curl(['-s', '-o', '/dev/null', '--http2-prior-knowledge', srv.url]);
        assert.equal(b.code, k.curlCode ?? k.code, `curl: ${b.stderr}`);
      }
    } finally {
      await srv.close();
    }
  });
}
