// zstd content decoding (fzstd): the decoder fed whole, byte by byte and
// corrupted, and over a real socket beside /usr/bin/curl --compressed.
// The fixtures were made with the zstd command line (level 19 with a
// checksum, and a second frame at level 1 without one) and are kept here so
// the test needs no zstd tool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Easy, CURLOPT, CURLE } from '../../src/index.js';
import { decoderFor } from '../../src/cw/content-decoders.js';
import { startRawServer, type RawServer } from '../helpers/raw-http-server.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

/** 2000 numbered lines, zstd -19 */
const FRAME_A = Buffer.from('KLUv/aSAtQEAbA0AFmJIG1A1SDoPJT2U9FASqKpK14TsvfeWkgV3ZsSsAVMAQwA+ADRUIk1lyNzY1NDMdDhPKenVWqVOW/YWEh6NReKwJGeZfNs1PXcCIEAUHBobAg0TBhcQB0WEg8XCkQFxcDxgQEwMHAwEChYSh0FCxRHw/2HwoNAQnGXybdf03PnzSyHlipUqVKa0sFwKIeSIkSJEhpSQTMqRu7Oro5vr8b5ixM7MysjGarStFKkrqyqqqRbrKkToyKiIAnPOOeecvK8YsTOzMrKxGm0rRerKqopqqsW6ChE6MioiGiqRpjJkbmxqaGY6nKeU9GqtUqctewsJj8YicVgyvb333nvvvffee++9995777333nvvvffee++9995755xzzjnnnHPOOeecAYD6qCEIfJn2z/A1tgMSSBBQEPj/f/4Lxt22bXfbtm1227bZtts2s2272bZtW9u2bbbdts22Z3nleNm27Xbbts1u27bZbts223a22bZtN9u2bXbbts22z2LbbLPdtm237bbZtm0327ZtdrZtm223bbZtu822bVvbttlmu22bbVttILZuOVUlALIKXAcAFp8fBeDpu/EuHgAYAB0A27Zt2yIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJi27Zt27Zt27Zt27Zt27Zt27Zt27a2bdsWMzMzMzMzMzMzMzMzMzMzMzMzs21r27Zt27Zt2wKZmZmZmZmZmZmZmZmZmZnMzMzMzMzMzMzMzMzMzMxMgPqUEBA/ACbbtm3btm23bdu2bXnctm3bts22bdu2bdtt27Zt27bbtm3btm23bdu2OW7btm3bZtu2bdu27bZt27Zt223btm3bttu2bdsct23btm2zbdu2bdt227Zt27bttm3btm3bbdu2xYQHABafIQfQpQO7IoBFGAAbACAAbdu2bdu2bW3btm3btm3btm3btm3btm1hmZmZmczMzMzMzMzMbNu2bdu2bdu2bdu2bds2MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMwMxxhhjjDHGGGOMMcYYY4wxxhhjjDHGGGOMMcYYY4wxMzMzM5mZgPrUACbbtm3btm23bdu2bdtu27Zt27bdtm1bHLdt27Zts23btm3bdtu2bdu27bZt27Zt223btm2O27Zt27bZtm3btm27bdu2bdt227Zt27bttm3bNsdt27Zt22zbtm3btt22bdu25UwHAAafHwXg6QeEuR4AGAAcANu2bdsiIiIiIiIiIiIiIiIiIiIiIgIRERERERERMW3btm3btm3btm3btm1t27Zt27Zt27ZtCzMzMzMzMzMzMzMzk5mZmZmZmW3btm3btm3btm2ZmZmZmZnMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMBID61AAm27Zt2+q4bdu2bZtt27Zt27bbtm3btm23bdu2bdtu27Ztc9y2bdu2zbZt27Zt223btm3bttu2bdu2bbdt27Y5btu2bdtm27Zt27bttm3btm3bbdu2bdu227Zt2xy3bdu2bbMQNAYAdlMPBvA5xEjsAQ8ADQAKACRJkiRJkiRJkiRJkiRJRv////+TJEmSJEmSJBn///////////9/////////////P4D6pBDID+D33yYkk0kmk0wmmZRkMslkkskkk5JMJplMMplkUpLJJJNJJpNMSjKZZDLJZJJJSSaTTCaZTDIpyWSSySSTSSYlmUwymWQyyaQkk0kmk0wmmZRkMsmTw9rGWmuttdba1lprrbXWWmuttdZa01prrbXWWmuttdZaa1prrbXWWlMpPAMApQ8xgPpUAQAmJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSZG0GAFUfMYH1WAEAEvj//0fwD5IkSZIkSZIkSZIkSZIkSZIkSZIkSZIkSSRJkiRJkiRJkiRJkiRJkiRJkiRJkiRJkkmSJEmSJEmSJEmSJEmSJEmSJEmSJEmSJJMkSZIkSZIkSZIkSZIkSZIkSZIkSZIkSSZJkiRJkiRJkiRJkiRJkiRJkiRJkiRJkkySJEmSJEmSJEmSJEmSJEmSJEmSJEmSJJkkSZIkSZIkSZIkSZIkSZIkSZIkSZIkSTJJkiRJkiRJkiRJkiRJkiRJkiRJMh3PBuHW', 'base64');
/** "second frame\n", zstd -1 --no-check */
const FRAME_B = Buffer.from('KLUv/QBIaQAAc2Vjb25kIGZyYW1lCg==', 'base64');
const TEXT = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(5, '0')}: the quick brown fox jumps over the lazy dog\n`).join(''));

function decodeIn(pieces: Buffer[]): { code: number; out: Buffer } {
  const d = decoderFor('zstd');
  const out: Buffer[] = [];
  for (const p of pieces) {
    const r = d.write(p, (b) => (out.push(Buffer.from(b)), CURLE.OK));
    if (r.code !== CURLE.OK) return { code: r.code, out: Buffer.concat(out) };
  }
  d.close();
  return { code: CURLE.OK, out: Buffer.concat(out) };
}

test('zstd decodes whole, byte by byte, and across frames', () => {
  assert.deepEqual(decodeIn([FRAME_A]).out, TEXT);
  assert.deepEqual(decodeIn([...FRAME_A].map((b) => Buffer.from([b]))).out, TEXT);
  const two = Buffer.concat([FRAME_A, FRAME_B]);
  const r = decodeIn([two.subarray(0, 1000), two.subarray(1000)]);
  assert.equal(r.code, CURLE.OK);
  assert.deepEqual(r.out, Buffer.concat([TEXT, Buffer.from('second frame\n')]));
});

test('corrupt zstd is CURLE_BAD_CONTENT_ENCODING, never a throw', () => {
  const bad = Buffer.from(FRAME_A);
  bad.fill(0xff, 40, 80);
  assert.equal(decodeIn([bad]).code, CURLE.BAD_CONTENT_ENCODING);
  assert.equal(decodeIn([Buffer.from('definitely not zstd')]).code, CURLE.BAD_CONTENT_ENCODING);
  // after a failure the decoder keeps answering the error
  const d = decoderFor('zstd');
  d.write(Buffer.from('nope nope nope'), () => CURLE.OK);
  assert.equal(d.write(FRAME_A, () => CURLE.OK).code, CURLE.BAD_CONTENT_ENCODING);
});

test('a downstream failure stops zstd output', () => {
  const d = decoderFor('zstd');
  let calls = 0;
  const r = d.write(FRAME_A, () => (++calls === 2 ? CURLE.WRITE_ERROR : CURLE.OK));
  assert.equal(r.code, CURLE.WRITE_ERROR);
  assert.equal(calls, 2);
});

let raw: RawServer;
before(async () => {
  raw = await startRawServer((req) => {
    const body = req.target === '/bad' ? Buffer.from('garbage!') : FRAME_A;
    return { data: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: ${body.length}\r\n\r\n`), body]) };
  });
});
after(async () => { await raw.close(); });

async function fetchZstd(path: string): Promise<{ code: number; body: Buffer; head: string }> {
  const e = new Easy();
  const chunks: Buffer[] = [];
  e.setopt(CURLOPT.URL, `http://127.0.0.1:${raw.port}${path}`);
  e.setopt(CURLOPT.ACCEPT_ENCODING, '');
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => (chunks.push(Buffer.from(d)), d.length));
  const code = await e.perform();
  e.cleanup();
  return { code, body: Buffer.concat(chunks), head: raw.requests.at(-1)!.head };
}

test('a zstd reply over a socket decodes as /usr/bin/curl --compressed decodes it', async (t) => {
  const r = await fetchZstd('/zstd');
  assert.equal(r.code, CURLE.OK);
  assert.match(r.head, /\r\nAccept-Encoding: deflate, gzip, br, zstd\r\n/);
  assert.deepEqual(r.body, TEXT);
  assert.equal((await fetchZstd('/bad')).code, CURLE.BAD_CONTENT_ENCODING);
  if (NO_CURL) return t.skip(NO_CURL);
  const curlOut = await new Promise<Buffer>((resolve, reject) => {
    execFile('/usr/bin/curl', ['-s', '--compressed', `http://127.0.0.1:${raw.port}/zstd`], { encoding: 'buffer' },
      (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  assert.deepEqual(r.body, curlOut);
});
