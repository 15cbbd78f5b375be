// CPU per header block of tscurl's HPACK codec (src/h2/hpack.ts): encoding a
// repeated request (what curl sends for each of many URLs on one
// connection), decoding a typical nginx response head (nginx sends every
// field as a Huffman-coded literal without indexing, so each response costs
// full string decoding), and decoding the same head when the server indexes
// (as nghttp2-based servers do). CPU time (process.cpuUsage), not wall time:
// the machine's cores are shared.
// Usage: node dist/bench/hpack-probe.js [N=100000] [reps=3]
import { HpackDecoder, HpackEncoder } from '../src/h2/hpack.js';
import { huffmanEncode, huffmanEncodedLength } from '../src/h2/hpack-huffman.js';
import { STATIC_BY_NAME } from '../src/h2/hpack-table.js';

const total = Number(process.argv[2] ?? 100_000);
const reps = Number(process.argv[3] ?? 3);

const paths = Array.from({ length: 1000 }, (_, i) => `/file16.bin?${i + 1}`);
function request(i: number): [string, string][] {
  return [
    [':method', 'GET'], [':scheme', 'https'], [':authority', '127.0.0.1:8443'], [':path', paths[i % paths.length]!],
    ['user-agent', 'curl/7.88.1'], ['accept', '*/*'],
  ];
}

const RESPONSE: [string, string][] = [
  [':status', '200'], ['server', 'nginx/1.22.1'], ['date', 'Sun, 06 Dec 2026 02:30:00 GMT'], ['content-type', 'application/octet-stream'],
  ['content-length', '16'], ['last-modified', 'Sun, 06 Dec 2026 01:00:00 GMT'], ['etag', '"6931b2a0-10"'], ['accept-ranges', 'bytes'],
];

/** The response as nginx writes it: ":status 200" indexed, the rest literals without indexing, static names, Huffman values. */
function nginxBlock(fields: [string, string][]): Buffer {
  const out: number[] = [0x88];
  for (const [name, value] of fields.slice(1)) {
    const index = STATIC_BY_NAME.get(name)!.index;
    out.push(0x0f, index - 15);
    const len = huffmanEncodedLength(value);
    const buf = Buffer.alloc(len);
    huffmanEncode(value, buf, 0);
    out.push(0x80 | len, ...buf);
  }
  return Buffer.from(out);
}

function cpuUs(run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / total;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const cases: Record<string, () => void> = {
  'encode repeated request': () => {
    const enc = new HpackEncoder();
    for (let i = 0; i < total; i++) enc.encode(request(i));
  },
  'decode nginx response head': () => {
    const block = nginxBlock(RESPONSE);
    const dec = new HpackDecoder();
    for (let i = 0; i < total; i++) dec.decode(block);
  },
  'decode indexed response head': () => {
    // our encoder plays the server: after the first block most fields are table indexes
    const enc = new HpackEncoder();
    const blocks = Array.from({ length: 100 }, () => enc.encode(RESPONSE));
    const dec = new HpackDecoder();
    for (let i = 0; i < total; i++) {
      if (i % 100 === 0 && i > 0) continue; // block 0 carries the literals once; replaying it would grow the table
      dec.decode(blocks[i % 100]!);
    }
  },
  'request round trip (encode + decode)': () => {
    const enc = new HpackEncoder();
    const dec = new HpackDecoder();
    for (let i = 0; i < total; i++) dec.decode(enc.encode(request(i)));
  },
};

// one unmeasured run of each case first, so the measured runs are optimized code
for (const run of Object.values(cases)) run();
for (const [name, run] of Object.entries(cases)) {
  const us = Array.from({ length: reps }, () => cpuUs(run));
  console.log(`${name.padEnd(38)} ${median(us).toFixed(3)} µs/op  (runs: ${us.map((u) => u.toFixed(3)).join(', ')})`);
}
