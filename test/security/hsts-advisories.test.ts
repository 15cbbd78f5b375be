// HSTS advisories from docs/security-checklist.md, over loopback against an
// HTTPS-only port (a request left on http:// cannot succeed there):
//  - CVE-2022-30115 / CVE-2022-42916 / CVE-2022-43551: a trailing dot, upper
//    case and IDN full stops (U+3002, U+FF0E) in the host still find the entry;
//  - CVE-2023-23915: parallel transfers of one command line all land in the file;
//  - CVE-2023-46219: a file name of 255 bytes is saved whole (the temporary file
//    is not the name plus a suffix);
//  - CVE-2024-9681: a subdomain's STS does not change its parent's expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Easy, CURLOPT, CURLE, CURLINFO, CURLHSTS } from '../../src/index.js';
import { startRawServer, ok, type RawServer } from '../helpers/raw-http-server.js';
import { testCerts } from '../helpers/certs.js';
import { tscurl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_OPENSSL = requireProgram('openssl', 'openssl');

/** HTTPS only: /sts/<value> answers with that Strict-Transport-Security. */
function stsServer(): Promise<RawServer> {
  return startRawServer((req) => {
    const m = /^\/sts\/(.*)$/.exec(req.target);
    return ok('tls', m ? `Strict-Transport-Security: ${decodeURIComponent(m[1]!)}\r\n` : '');
  }, '127.0.0.1', { tls: testCerts().server });
}

function handle(port: number, names: string[]): Easy {
  const e = new Easy();
  e.setopt(CURLOPT.RESOLVE, names.map((n) => `${n}:${port}:127.0.0.1`));
  e.setopt(CURLOPT.SSL_VERIFYPEER, 0);
  e.setopt(CURLOPT.SSL_VERIFYHOST, 0);
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => d.length);
  e.setopt(CURLOPT.HSTS_CTRL, CURLHSTS.ENABLE); // in memory; the file tests add CURLOPT_HSTS
  return e;
}

/** Expiry of `host` in an HSTS file, seconds from now (rounded). */
function expiresIn(text: string, host: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${host} `));
  const m = line && /"(\d{4})(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)"/.exec(line);
  if (!m) return null;
  return Math.round((Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - Date.now()) / 1000);
}

test('CVE-2022-30115 / CVE-2022-42916 / CVE-2022-43551: trailing dot, case and IDN full stops find the HSTS entry', { skip: NO_OPENSSL }, async () => {
  const srv = await stsServer();
  const e = handle(srv.port, ['hsts.test', 'xn--bcher-kva.test', 'hsts.test.', 'xn--bcher-kva.test.']);
  try {
    for (const host of ['hsts.test', 'xn--bcher-kva.test']) {
      e.setopt(CURLOPT.URL, `https://${host}:${srv.port}/sts/max-age=3600`);
      assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    }
    const forms = [
      'hsts.test.', 'HSTS.TEST', 'HsTs.TeSt.', 'hsts\u3002test', 'hsts\uff0etest', 'hsts\uff61test',
      'bücher.test', 'BÜCHER.TEST', 'bücher.test.', 'b\u00fccher\u3002test', 'XN--BCHER-KVA.test',
    ];
    for (const host of forms) {
      e.setopt(CURLOPT.URL, `http://${host}:${srv.port}/x`);
      assert.equal(await e.perform(), CURLE.OK, `${host}: ${e.errorBuffer}`);
      assert.match(String(e.getinfo(CURLINFO.EFFECTIVE_URL)), /^https:\/\//, host);
    }
  } finally {
    e.cleanup();
    await srv.close();
  }
});

test('CVE-2024-9681: a subdomain\'s shorter max-age leaves the includeSubDomains parent\'s expiry alone', { skip: NO_OPENSSL }, async () => {
  const srv = await stsServer();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-hsts-sec-'));
  const file = join(dir, 'hsts.txt');
  const e = handle(srv.port, ['hsts.test', 'sub.hsts.test']);
  try {
    e.setopt(CURLOPT.HSTS, file);
    e.setopt(CURLOPT.URL, `https://hsts.test:${srv.port}/sts/${encodeURIComponent('max-age=86400; includeSubDomains')}`);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    e.setopt(CURLOPT.URL, `https://sub.hsts.test:${srv.port}/sts/max-age=60`);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    e.cleanup();
    const text = readFileSync(file, 'latin1');
    const parent = expiresIn(text, '.hsts.test');
    const sub = expiresIn(text, 'sub.hsts.test');
    assert.ok(parent !== null && parent > 86000, text);
    assert.ok(sub !== null && sub <= 60, text);
  } finally {
    e.cleanup();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CVE-2023-46219: an HSTS file with a 255-byte name keeps its old entries and gains the new one', { skip: NO_OPENSSL }, async () => {
  const srv = await stsServer();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-hsts-sec-'));
  const file = join(dir, 'h'.repeat(255));
  const e = handle(srv.port, ['new.test']);
  try {
    writeFileSync(file, 'old.test "20991231 00:00:00"\n');
    e.setopt(CURLOPT.HSTS, file);
    e.setopt(CURLOPT.URL, `https://new.test:${srv.port}/sts/max-age=3600`);
    assert.equal(await e.perform(), CURLE.OK, e.errorBuffer);
    e.cleanup();
    const text = readFileSync(file, 'latin1');
    assert.match(text, /^old\.test "20991231 00:00:00"$/m);
    assert.match(text, /^new\.test "/m);
  } finally {
    e.cleanup();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CVE-2023-23915: --parallel transfers each add their host to the --hsts file', { skip: NO_OPENSSL }, async () => {
  const srv = await stsServer();
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-hsts-sec-'));
  const file = join(dir, 'hsts.txt');
  try {
    const hosts = ['p1.test', 'p2.test', 'p3.test', 'p4.test'];
    const r = await tscurl(['-sk', '-Z', '--hsts', file, ...hosts.flatMap((h) => ['--resolve', `${h}:${srv.port}:127.0.0.1`]),
      ...hosts.map((h) => `https://${h}:${srv.port}/sts/max-age=3600`)]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(file, 'latin1');
    for (const h of hosts) assert.match(text, new RegExp(`^${h.replace('.', '\\.')} "`, 'm'), text);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
