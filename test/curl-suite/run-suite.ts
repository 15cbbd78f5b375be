// CLI: run curl's own test cases against a client.
//   node dist/test/curl-suite/run-suite.js --client /usr/bin/curl [--only 1,2,3]
//        [--jobs 3] [--timeout 20] [--verbose] [--keep] [--data-dir DIR]
//        [--update-passing FILE]
// The client may also come from $CURL_SUITE_CLIENT. Exit status is 1 when any
// case fails.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runSuite, summaryText } from './runner/suite.js';

function usage(msg: string): never {
  process.stderr.write(`run-suite: ${msg}\nusage: run-suite --client CMD [--only N,N] [--jobs N] [--timeout S] [--verbose] [--keep] [--data-dir DIR] [--update-passing FILE]\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let client = process.env['CURL_SUITE_CLIENT'] ?? '';
let only: number[] = [];
let jobs = 3;
let timeoutMs = 20_000;
let verbose = false;
let keep = false;
let dataDir: string | undefined;
let updatePassing: string | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  const val = (): string => argv[++i] ?? usage(`${a} needs a value`);
  if (a === '--client') client = val();
  else if (a === '--only') only = val().split(/[,\s]+/).filter(Boolean).map(Number);
  else if (a === '--jobs') jobs = Number(val());
  else if (a === '--timeout') timeoutMs = Number(val()) * 1000;
  else if (a === '--verbose' || a === '-v') verbose = true;
  else if (a === '--keep') keep = true;
  else if (a === '--data-dir') dataDir = val();
  else if (a === '--update-passing') updatePassing = val();
  else usage(`unknown argument ${a}`);
}
if (!client) usage('no client given');

const summary = await runSuite({
  client, only, jobs, timeoutMs, keep, ...(dataDir ? { dataDir } : {}),
  onResult: (r) => {
    const reason = r.reason ? ` (${r.reason})` : '';
    process.stdout.write(`${r.verdict} ${r.num}${reason}\n`);
    if (verbose && r.detail) process.stdout.write(r.detail.replace(/^/gm, '    ') + '\n');
  },
});
process.stdout.write(`\n${summaryText(summary)}`);
if (updatePassing) {
  // the ratchet only grows: add this run's passes to what the file lists
  const listed = existsSync(updatePassing)
    ? readFileSync(updatePassing, 'utf8').split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)
    : [];
  const all = [...new Set([...listed, ...summary.passed])].sort((a, b) => a - b);
  writeFileSync(updatePassing, all.map((n) => `${n}\n`).join(''));
  const dropped = listed.filter((n) => summary.failed.includes(n));
  if (dropped.length) process.stderr.write(`run-suite: listed cases that failed this run (still listed): ${dropped.join(' ')}\n`);
}
process.exitCode = summary.failed.length ? 1 : 0;
