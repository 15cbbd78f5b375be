// Run one tscurl scenario alone, for a profiler:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile.js a|b|c|socket [count]
//   valgrind --tool=callgrind node dist/bench/profile.js a 5000
// (a: keep-alive GETs at concurrency 50 with perform/poll; socket: the same
// through socketAction; b: one large download; c: (a) over HTTPS), against
// the same nginx the suite uses. Then: node dist/bench/profile-top.js FILE.
import { writeFileSync, openSync, closeSync, truncateSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx } from '../test/helpers/nginx.js';
import { testCerts } from '../test/helpers/certs.js';
import { tscurlPoll, tscurlSocket } from './keepalive-clients.js';
import { tscurlDownload } from './download-clients.js';

const what = process.argv[2] ?? 'a';
const count = Number(process.argv[3] ?? 20_000);
const certs = what === 'c' ? testCerts() : null;
const nginx = await startNginx(certs ? { tls: { cert: certs.server.cert, key: certs.server.key } } : {});
writeFileSync(join(nginx.root, '16b'), '0123456789abcdef');
try {
  const t0 = performance.now();
  if (what === 'b') {
    const file = join(nginx.root, 'big.bin');
    closeSync(openSync(file, 'w'));
    truncateSync(file, (process.argv[3] ? count : 256) * 1024 * 1024); // [count] is MiB here
    for (let i = 0; i < 10; i++) await tscurlDownload(nginx.url('/big.bin'));
  } else if (what === 'c') {
    await tscurlPoll({ url: nginx.tlsUrl('/16b'), caFile: certs!.caFile, ca: readFileSync(certs!.caFile) }, count, 50);
  } else {
    await (what === 'socket' ? tscurlSocket : tscurlPoll)({ url: nginx.url('/16b') }, count, 50);
  }
  console.log(`${what}: ${(performance.now() - t0).toFixed(0)} ms`);
} finally {
  await nginx.stop();
}
