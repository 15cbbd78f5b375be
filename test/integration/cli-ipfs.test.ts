// ipfs:// and ipns:// URLs (curl 8.4's --ipfs-gateway) through the bundled
// tool: rewritten to GATEWAY/ipfs/CID/path?query on the gateway from
// --ipfs-gateway, $IPFS_GATEWAY or the first line of $IPFS_PATH/gateway
// (~/.ipfs/gateway); no gateway is exit 37, a gateway that is no URL exit 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRawServer } from '../helpers/raw-http-server.js';
import { tscurlBundle } from '../helpers/cli-run.js';

const HINT = "tscurl: try 'tscurl --help' or 'tscurl --manual' for more information\n";

test('ipfs:// and ipns:// go to the gateway, its path first, the query kept', async () => {
  const srv = await startRawServer(() => ({ data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n' }));
  const gw = `http://127.0.0.1:${srv.port}`;
  const last = (): string => srv.requests.at(-1)!.target;
  try {
    const a = await tscurlBundle(['-s', '--ipfs-gateway', gw, 'ipfs://bafycid']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, 'ok\n');
    assert.equal(last(), '/ipfs/bafycid');
    await tscurlBundle(['-s', '--ipfs-gateway', `${gw}/some/path/`, 'ipns://name.example/a/b?foo=bar&x=y']);
    assert.equal(last(), '/some/path/ipns/name.example/a/b?foo=bar&x=y');
    // the environment's gateway, then the gateway file's first line
    await tscurlBundle(['-s', 'ipfs://envcid/'], { env: { IPFS_GATEWAY: `${gw}/env` } });
    assert.equal(last(), '/env/ipfs/envcid');
    const home = mkdtempSync(join(tmpdir(), 'tscurl-ipfs-'));
    mkdirSync(join(home, '.ipfs'));
    writeFileSync(join(home, '.ipfs', 'gateway'), `${gw}/file\nhttp://ignored.example\n`);
    await tscurlBundle(['-s', 'ipfs://filecid'], { env: { HOME: home } });
    assert.equal(last(), '/file/ipfs/filecid');
    await tscurlBundle(['-s', 'ipfs://pathcid'], { env: { IPFS_PATH: join(home, '.ipfs') } });
    assert.equal(last(), '/file/ipfs/pathcid');
    // a gateway file whose first line is no URL
    const bad = mkdtempSync(join(tmpdir(), 'tscurl-ipfs-'));
    writeFileSync(join(bad, 'gateway'), 'foo\nbar\n');
    const malformed = await tscurlBundle(['-s', 'ipfs://cid'], { env: { IPFS_PATH: bad } });
    assert.equal(malformed.code, 3);
    assert.equal(malformed.stderr, `tscurl: malformed target URL\n${HINT}`);
  } finally {
    await srv.close();
  }
});

test('ipfs:// with no gateway anywhere fails with 37 and makes no request', async () => {
  const r = await tscurlBundle(['ipfs://cid']);
  assert.equal(r.code, 37);
  assert.equal(r.stderr, `tscurl: IPFS automated gateway detection failed\n${HINT}`);
});
