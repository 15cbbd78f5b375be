// Scenario g (issue 14 item 7): FTP against vsftpd, tscurl beside curl on the
// same server, as ratios.
//   g1: 1,000 small files over one reused control connection: one Easy
//       handle in the bench process fetching them in turn (tscurl, after an
//       untimed warm-up round: the first rounds of a fresh process spend
//       most of their CPU compiling, on V8's background threads), and one
//       curl process given the 1,000 URLs (`curl -s -o /dev/null URL...`
//       through a config file: curl's tool reuses its control connection);
//       beside it the tscurl tool the same way, a fresh process per round,
//       start-up and compilation included.
//   g2: one 256 MiB RETR, the body counted and dropped (tscurl: Easy with a
//       counting WRITEFUNCTION; curl: `-o /dev/null`).
// Run with `node dist/bench/ftp.js` (after `npx tsc`); BENCH_REPS (3),
// BENCH_FTP_FILES (1000), BENCH_BIG_MIB (256). Needs vsftpd, curl and GNU time.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { Easy, CURLOPT, CURLE } from '../src/index.js';
import { startVsftpd, type Vsftpd } from '../test/helpers/vsftpd.js';
import { interleaved, report, timedChild, cpuSince, type Sample } from './stats.js';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const FILES = Number(process.env['BENCH_FTP_FILES'] ?? 1000);
const BIG_MIB = Number(process.env['BENCH_BIG_MIB'] ?? 256);

function smallUrls(srv: Vsftpd): string[] {
  return Array.from({ length: FILES }, (_, i) => srv.url(`/small/f${i}.txt`));
}

/** g1, tscurl: one handle, FILES transfers in turn over its one control connection. */
async function tscurlSmall(srv: Vsftpd): Promise<Sample> {
  const e = new Easy();
  let bytes = 0;
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((bytes += d.length), d.length));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const url of smallUrls(srv)) {
    e.setopt(CURLOPT.URL, url);
    const rc = await e.perform();
    if (rc !== CURLE.OK) throw new Error(`tscurl: ${url}: CURLcode ${rc}`);
  }
  const ms = performance.now() - t0;
  const cpu = cpuSince(cpu0);
  e.cleanup();
  if (bytes !== FILES * 16) throw new Error(`tscurl got ${bytes} bytes`);
  return { 'files/s': (FILES * 1000) / ms, 'CPU µs/file': cpu / FILES };
}

/** the bundled tscurl tool (dist/src/cli/tscurl.cjs) */
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'tscurl.cjs');

/** g1, a tool (curl, or tscurl's under node): one process, every URL in a config file. */
async function toolSmall(srv: Vsftpd, dir: string, cmd: string, pre: string[]): Promise<Sample> {
  const cfg = join(dir, 'urls.cfg');
  writeFileSync(cfg, smallUrls(srv).map((u) => `url = "${u}"\noutput = "/dev/null"\n`).join(''));
  const r = await timedChild(cmd, [...pre, '-s', '-K', cfg]);
  if (r.code !== 0) throw new Error(`${cmd} exited ${r.code}`);
  return { 'files/s': (FILES * 1000) / r.wallMs, 'CPU µs/file': (r.cpuMs * 1000) / FILES };
}

/** g2, tscurl: the big file, counted. */
async function tscurlBig(srv: Vsftpd): Promise<Sample> {
  const e = new Easy();
  let bytes = 0;
  e.setopt(CURLOPT.URL, srv.url('/big.bin'));
  e.setopt(CURLOPT.WRITEFUNCTION, (d: Buffer) => ((bytes += d.length), d.length));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rc = await e.perform();
  const ms = performance.now() - t0;
  const cpu = cpuSince(cpu0);
  e.cleanup();
  if (rc !== CURLE.OK || bytes !== BIG_MIB << 20) throw new Error(`tscurl: CURLcode ${rc}, ${bytes} bytes`);
  return { 'MB/s': (BIG_MIB * 1.048576 * 1000) / ms, 'CPU ms': cpu / 1000 };
}

/** g2, curl: the big file to /dev/null. */
async function curlBig(srv: Vsftpd): Promise<Sample> {
  const r = await timedChild('/usr/bin/curl', ['-s', '-o', '/dev/null', srv.url('/big.bin')]);
  if (r.code !== 0) throw new Error(`curl exited ${r.code}`);
  return { 'MB/s': (BIG_MIB * 1.048576 * 1000) / r.wallMs, 'CPU ms': r.cpuMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tscurl-bench-ftp-'));
  // vsftpd's default max_per_ip / max_clients are unlimited; one control connection per client anyway
  const srv = await startVsftpd();
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(srv.root, 'small'));
    for (let i = 0; i < FILES; i++) writeFileSync(join(srv.root, 'small', `f${i}.txt`), '0123456789abcdef');
    writeFileSync(join(srv.root, 'big.bin'), Buffer.alloc(BIG_MIB << 20, 'x'));
    await tscurlSmall(srv); // warm-up, untimed
    const g1 = await interleaved([
      { name: 'tscurl', run: () => tscurlSmall(srv) },
      { name: 'curl', run: () => toolSmall(srv, dir, '/usr/bin/curl', []) },
      { name: 'tscurl tool (fresh process)', run: () => toolSmall(srv, dir, process.execPath, [CLI]) },
    ], REPS);
    report(`(g1) ${FILES} small files over one reused FTP control connection (vsftpd)`, g1, 'tscurl', { 'files/s': true, 'CPU µs/file': false });
    const g2 = await interleaved([
      { name: 'tscurl', run: () => tscurlBig(srv) },
      { name: 'curl', run: () => curlBig(srv) },
    ], REPS);
    report(`(g2) one ${BIG_MIB} MiB RETR (vsftpd)`, g2, 'tscurl', { 'MB/s': true, 'CPU ms': false });
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
