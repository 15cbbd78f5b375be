// The tool's host authentication flags build one auth mask as curl's tool
// does: --basic, --digest, --ntlm and --oauth2-bearer OR their bit in, --no-X takes
// it out, --anyauth sets CURLAUTH_ANY; CURLOPT_HTTPAUTH is set only when the
// mask is not zero. So --oauth2-bearer alone sends the token at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle, curl } from '../helpers/cli-run.js';
import { requireProgram } from '../helpers/requires.js';

const NO_CURL = requireProgram('curl', 'curl');

const authLine = (head: string): string | undefined => head.split('\r\n').find((l) => l.toLowerCase().startsWith('authorization:'));

test('--oauth2-bearer sends "Authorization: Bearer" without other flags', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  const url = `http://127.0.0.1:${srv.port}/b`;
  try {
    const r = await tscurlBundle(['-s', url, '--oauth2-bearer', 'mF_9.B5f-4.1JqM']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(authLine(srv.requests.at(-1)!.head), 'Authorization: Bearer mF_9.B5f-4.1JqM');
  } finally {
    await srv.close();
  }
});

test('auth flag combinations send what curl sends', async (t) => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' }));
  const url = `http://127.0.0.1:${srv.port}/c`;
  const cases: { args: string[]; auth: string | undefined }[] = [
    { args: ['-u', 'a:b', '--oauth2-bearer', 't'], auth: 'Authorization: Bearer t' }, // only the Bearer bit
    { args: ['-u', 'a:b', '--basic', '--oauth2-bearer', 't'], auth: undefined }, // Basic|Bearer: nothing before a 401
    { args: ['-u', 'a:b', '--basic', '--oauth2-bearer', 't', '--no-basic'], auth: 'Authorization: Bearer t' },
    { args: ['-u', 'a:b', '--digest', '--no-digest'], auth: 'Authorization: Basic YTpi' },
    { args: ['-u', 'a:b', '--digest', '--basic'], auth: undefined },
    { args: ['-u', 'a:b', '--basic'], auth: 'Authorization: Basic YTpi' },
    // --ntlm ORs its bit in like the others: alone, the type-1 goes out at once
    { args: ['-u', 'a:b', '--ntlm'], auth: 'Authorization: NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=' },
    { args: ['-u', 'a:b', '--ntlm', '--basic'], auth: undefined },
    { args: ['-u', 'a:b', '--ntlm', '--no-ntlm'], auth: 'Authorization: Basic YTpi' },
  ];
  try {
    for (const c of cases) {
      const r = await tscurlBundle(['-s', url, ...c.args]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(authLine(srv.requests.at(-1)!.head), c.auth, c.args.join(' '));
      if (!NO_CURL) {
        await curl(['-s', url, ...c.args]);
        assert.equal(authLine(srv.requests.at(-1)!.head), c.auth, `curl: ${c.args.join(' ')}`);
      }
    }
    // tscurl's side passed; the comparison with curl did not run
    if (NO_CURL) t.skip(NO_CURL);
  } finally {
    await srv.close();
  }
});
