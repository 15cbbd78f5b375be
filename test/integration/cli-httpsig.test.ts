// The tool's --httpsig-algo, --httpsig-key, --httpsig-keyid and
// --httpsig-headers (curl 8.22) end to end. curl's own cases 5002-5025 pin
// the bytes with a debug build's frozen clock (created=0): run with the clock
// at the epoch (a preload in the child, as CURL_FORCETIME is for curl), the
// tool must send exactly their Signature-Input and Signature lines. Without
// it, a loopback server verifies what arrives (test/helpers/httpsig-verify.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withRawServer, ok, type Handler, type RawServer, type ReceivedRequest } from '../helpers/raw-http-server.js';
import { CLI_BUNDLE, run, tscurlBundle } from '../helpers/cli-run.js';
import { ED25519_SEED_HEX, signatureHeaders, verifyRequest } from '../helpers/httpsig-verify.js';

const withServer = (handler: Handler, fn: (srv: RawServer) => Promise<void>): Promise<void> => withRawServer(fn, handler);

const dir = mkdtempSync(join(tmpdir(), 'tscurl-httpsig-'));
const KEY_FILE = join(dir, 'ed25519.key');
writeFileSync(KEY_FILE, ED25519_SEED_HEX + '\n');
const EPOCH = join(dir, 'epoch.cjs');
writeFileSync(EPOCH, 'Date.now = () => 0;\n');

/** The bundled tool with its clock at 0 s, so created=0 as in curl's cases. */
const atEpoch = (args: readonly string[]): ReturnType<typeof run> => run(process.execPath, ['-r', EPOCH, CLI_BUNDLE, ...args]);

const sigLines = (req: ReceivedRequest): string[] => req.head.split('\r\n').filter((l) => /^Signature(-Input)?:/.test(l));

test("curl's cases 5006, 5007, 5011 and 5022: the same Signature-Input and Signature bytes", async () => {
  await withServer(() => ok('-foo-\n'), async (srv) => {
    const to = (hostPort: string): string[] => ['--connect-to', `${hostPort}:127.0.0.1:${srv.port}`];
    const ed = ['--httpsig-algo', 'ed25519', '--httpsig-key', `@${KEY_FILE}`];
    const cases: { args: string[]; input: string; signature: string }[] = [
      {
        args: ['http://example.com:5100/5006/resource', ...ed, '--httpsig-keyid', 'test-key-ed25519', '--httpsig-headers', 'method Content-Type:',
          '-H', 'Content-Type: text/plain', ...to('example.com:5100')],
        input: 'sig1=("@method" "content-type");created=0;keyid="test-key-ed25519";alg="ed25519"',
        signature: 'sig1=:tu3WEN25K59evFpiHY5GZurVRtbaex5QM1W9b+P1rPCgNDsEEOepNZap/+nm48QZSensuc4tOpy1gbvAj25gAg==:',
      },
      {
        args: ['http://example.com:5200/5007/resource', ...ed, '--httpsig-keyid', 'test-key-ed25519', '-d', 'postbody', ...to('example.com:5200')],
        input: 'sig1=("@method" "@authority" "@path");created=0;keyid="test-key-ed25519";alg="ed25519"',
        signature: 'sig1=:fqvzBFSBFu9oys7DawypZIrt2VS+nOnN1TQ7aTLcPUbEv7Zqm4leYd0q5r9FwW+kvabAjMj8J8N8F7FmPpIWCA==:',
      },
      {
        args: ['http://example.com:5300/5011/resource?name=me&noval&aim=b%25ad', ...ed, '--httpsig-keyid', 'test-key-ed25519', ...to('example.com:5300')],
        input: 'sig1=("@method" "@authority" "@path" "@query");created=0;keyid="test-key-ed25519";alg="ed25519"',
        signature: 'sig1=:ZFaJcDMTJEBbr90c0FaqupdJYDhNSz1i/eVCpMTDJ+1phLql2U4ROLiO26SGL6D0Nd5rr/3VXbDcWJ2vnV6IBA==:',
      },
      {
        // the key given directly, through --variable and --expand-
        args: ['http://example.com:8000/5001/resource?action=read', '--httpsig-algo', 'ed25519', '--variable', `key@${KEY_FILE}`,
          '--expand-httpsig-key', '{{key:trim}}', '--httpsig-keyid', 'my-key-1', ...to('example.com:8000')],
        input: 'sig1=("@method" "@authority" "@path" "@query");created=0;keyid="my-key-1";alg="ed25519"',
        signature: 'sig1=:RQniOeqmwdRzGvoDIMJ8XJha75evJWgqo5/66EeuJeEGczZtnP2U/F52Lzd/y7Vd1DCb8oUcCKHrKi2VJI7lBA==:',
      },
    ];
    for (const c of cases) {
      const r = await atEpoch(['-s', '-o', '/dev/null', ...c.args]);
      assert.equal(r.code, 0, r.stderr);
      const req = srv.requests.at(-1)!;
      assert.deepEqual(sigLines(req), [`Signature-Input: ${c.input}`, `Signature: ${c.signature}`], c.args[0]);
      // right after Host, as curl's cases show
      assert.match(req.head, /^[^\r]*\r\nHost: [^\r]*\r\nSignature-Input: [^\r]*\r\nSignature: /);
    }
  });
});

test("curl's cases 5023 and 5024: a same-origin redirect is signed again, a cross-origin one is not", async () => {
  await withServer((req) => {
    if (req.target.startsWith('/5024/')) return { data: 'HTTP/1.1 301 OK\r\nContent-Length: 0\r\nLocation: /50240002\r\n\r\n' };
    if (req.target.startsWith('/5023/')) return { data: 'HTTP/1.1 301 OK\r\nContent-Length: 0\r\nLocation: http://example.org:9000/50230002\r\n\r\n' };
    return ok('-foo-\n');
  }, async (srv) => {
    const common = ['--httpsig-algo', 'ed25519', '--httpsig-key', `@${KEY_FILE}`, '--httpsig-keyid', 'my-key-1', '--location',
      '--connect-to', `example.com:8000:127.0.0.1:${srv.port}`, '--connect-to', `example.org:9000:127.0.0.1:${srv.port}`];
    let r = await atEpoch(['-s', '-o', '/dev/null', 'http://example.com:8000/5024/resource?action=read', ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.requests.map(sigLines), [
      ['Signature-Input: sig1=("@method" "@authority" "@path" "@query");created=0;keyid="my-key-1";alg="ed25519"',
        'Signature: sig1=:pxRrwEySHVgwXOI93y5KxKytfoXU6leQpC7i82Uodh8+oI7ycqCogD4PUU1p0RUAzoqeT2RHVWIN7Qg3k4A9DQ==:'],
      ['Signature-Input: sig1=("@method" "@authority" "@path");created=0;keyid="my-key-1";alg="ed25519"',
        'Signature: sig1=:QVx0WyxuyHqb3j0YihCLaWYdZOySKoIezj6FmTzsJprSqgm6yUsFbcWek4r6pALF1/jKGwNB1Rbyv3DE/pn/BA==:'],
    ]);
    r = await atEpoch(['-s', '-o', '/dev/null', 'http://example.com:8000/5023/resource?action=read', ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srv.requests.slice(2).map(sigLines), [
      ['Signature-Input: sig1=("@method" "@authority" "@path" "@query");created=0;keyid="my-key-1";alg="ed25519"',
        'Signature: sig1=:faTRQjDfWWm39STQkXyafoAp6ee2FCPh2KMefXOB51WAvoOdc6/Uwp9LW4zNWI7r+ivTKY7oSDb5kqcPJ/aSAQ==:'],
      [],
    ]);
    assert.match(srv.requests[3]!.head, /\r\nHost: example\.org:9000\r\n/);
  });
});

test('--location-trusted signs the request to the other origin too; both algorithms verify', async () => {
  const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  await withServer(() => ok('there'), async (other) => {
    await withServer(() => ({ data: `HTTP/1.1 302 Found\r\nLocation: http://localhost:${other.port}/there?x=1\r\nContent-Length: 0\r\n\r\n` }), async (srv) => {
      // the default algorithm is ed25519; the key file's line is the key
      let r = await tscurlBundle(['-s', '-o', '/dev/null', `http://127.0.0.1:${srv.port}/here`, '--location-trusted', '--httpsig-key', `@${KEY_FILE}`, '--httpsig-keyid', 'k']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(verifyRequest(srv.requests[0]!).alg, 'ed25519');
      const v = verifyRequest(other.requests[0]!);
      assert.match(v.base, new RegExp(`^"@method": GET\\n"@authority": localhost:${other.port}\\n"@path": /there\\n"@query": \\?x=1\\n`));
      r = await tscurlBundle(['-s', '-o', '/dev/null', `http://127.0.0.1:${srv.port}/here`, '--location-trusted', '--httpsig-algo', 'HMAC-SHA256',
        '--httpsig-key', secret, '--httpsig-keyid', 'shared', '--httpsig-headers', 'method authority content-type:', '-H', 'Content-Type: application/json']);
      assert.equal(r.code, 0, r.stderr);
      for (const req of [srv.requests[1]!, other.requests[1]!]) {
        const h = verifyRequest(req, secret);
        assert.equal(h.alg, 'hmac-sha256');
        assert.deepEqual(h.components, ['@method', '@authority', 'content-type']);
      }
      // plain -L: the other origin gets no signature
      r = await tscurlBundle(['-s', '-o', '/dev/null', `http://127.0.0.1:${srv.port}/here`, '-L', '--httpsig-key', `@${KEY_FILE}`, '--httpsig-keyid', 'k']);
      assert.equal(r.code, 0, r.stderr);
      verifyRequest(srv.requests[2]!);
      assert.deepEqual(signatureHeaders(other.requests[2]!), {});
    });
  });
});

test("errors as curl's cases 5008, 5010, 5019 and 5020 have them: exit 2, 26, 43", async () => {
  await withServer(() => ok(''), async (srv) => {
    const url = `http://127.0.0.1:${srv.port}/e`;
    const cases: { args: string[]; code: number; stderr: RegExp }[] = [
      { args: ['--httpsig-algo', 'ed25519', '--httpsig-keyid', 'my-key'], code: 2, stderr: /--httpsig-key and --httpsig-keyid/ },
      { args: ['--httpsig-key', `@${KEY_FILE}`], code: 2, stderr: /--httpsig-key and --httpsig-keyid/ },
      { args: ['--httpsig-headers', 'method'], code: 2, stderr: /--httpsig-key and --httpsig-keyid/ },
      { args: ['--httpsig-algo', 'rsa-pss-sha512', '--httpsig-key', 'aa', '--httpsig-keyid', 'k'], code: 2, stderr: /option --httpsig-algo: is badly used here/ },
      { args: ['--httpsig-key', '@/nonexistent/key.hex', '--httpsig-keyid', 'my-key'], code: 26, stderr: /option --httpsig-key: error encountered when reading a file/ },
      // the key is a file name here, not hex: the component list is refused first, by setopt
      { args: ['--httpsig-key', KEY_FILE, '--httpsig-keyid', 'my-key', '--httpsig-headers', 'method method'], code: 43, stderr: /\(43\)/ },
      { args: ['--httpsig-key', KEY_FILE, '--httpsig-keyid', 'my-key', '--httpsig-headers', '@method authority'], code: 43, stderr: /\(43\)/ },
    ];
    for (const c of cases) {
      const r = await tscurlBundle([url, ...c.args]);
      assert.equal(r.code, c.code, `${c.args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.stderr, c.args.join(' '));
    }
    assert.equal(srv.requests.length, 0);
    // a key that is not hex is found when the request is signed, before it is sent
    const r = await tscurlBundle(['-s', '-S', url, '--httpsig-key', KEY_FILE, '--httpsig-keyid', 'my-key']);
    assert.equal(r.code, 43);
    assert.match(r.stderr, /^tscurl: \(43\) httpsig: the key is not hexadecimal\n$/);
    assert.equal(srv.requests.length, 0);
  });
});
