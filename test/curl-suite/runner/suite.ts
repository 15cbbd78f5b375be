// Runs a list of cases with bounded parallelism and sums up the verdicts.
// Shared by the CLI (run-suite.ts) and the node:test ratchet (suite.test.ts).

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { probeClient } from './client-info.js';
import { runCase, type CaseResult, type SkipKind } from './run-case.js';
import { makeSelfSignedCert, removeCerts } from './tls-cert.js';

/**
 * curl's test cases live in shared/ beside the repository (CI clones the repo
 * next to it); compiled, this file sits at dist/test/curl-suite/runner/.
 */
function findDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideRepo = join(here, '..', '..', '..', '..', '..', 'shared', 'curl-tests', 'data');
  return existsSync(besideRepo) ? besideRepo : '/work/shared/curl-tests/data';
}
export const DEFAULT_DATA_DIR = process.env['CURL_TESTS_DIR'] ?? findDataDir();

export interface SuiteOptions {
  readonly client: string;
  readonly dataDir?: string;
  readonly only?: readonly number[];
  readonly jobs?: number;
  readonly timeoutMs?: number;
  readonly keep?: boolean;
  /** Called as each case finishes, in completion order. */
  readonly onResult?: (r: CaseResult) => void;
}

export interface SuiteSummary {
  readonly results: CaseResult[];
  readonly passed: number[];
  readonly failed: number[];
  readonly skipped: number[];
}

export function listCases(dataDir: string): number[] {
  return readdirSync(dataDir)
    .map((f) => /^test(\d+)$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteSummary> {
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const client = probeClient(opts.client);
  const tls = makeSelfSignedCert();
  const ipv6 = await ipv6Loopback();
  const cases = opts.only?.length ? [...opts.only] : listCases(dataDir);
  const results: CaseResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const num = cases[next++] as number;
      const r = await runCase(num, { dataDir, client, timeoutMs: opts.timeoutMs ?? 20_000, tls, ipv6, keep: opts.keep ?? false });
      results.push(r);
      opts.onResult?.(r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 3, 8)) }, worker));
  } finally {
    removeCerts(tls);
  }
  results.sort((a, b) => a.num - b.num);
  const pick = (v: CaseResult['verdict']): number[] => results.filter((r) => r.verdict === v).map((r) => r.num);
  return { results, passed: pick('PASS'), failed: pick('FAIL'), skipped: pick('SKIP') };
}

const SKIP_HEADINGS: Record<SkipKind, string> = {
  client: 'because the client lacks (or has) a feature',
  runner: 'because the runner cannot serve them yet',
  machine: 'because this machine cannot run them',
};

/**
 * The end-of-run summary: the counts, then the skips grouped by why, so a run
 * whose client lacks features says which and for how many cases.
 */
export function summaryText(s: SuiteSummary): string {
  const out = [`SUMMARY: ${s.passed.length} passed, ${s.failed.length} failed, ${s.skipped.length} skipped, of ${s.results.length}`];
  for (const kind of ['client', 'machine', 'runner'] as const) {
    const skips = s.results.filter((r) => r.verdict === 'SKIP' && (r.skipKind ?? 'runner') === kind);
    if (!skips.length) continue;
    out.push(`SKIPPED ${skips.length} ${SKIP_HEADINGS[kind]}:`);
    const byReason = new Map<string, number[]>();
    for (const r of skips) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.num]);
    const rows = [...byReason].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    for (const [reason, nums] of rows) {
      const list = nums.length > 12 ? `${nums.slice(0, 12).join(' ')} ...` : nums.join(' ');
      out.push(`  ${reason}: ${nums.length} (${list})`);
    }
  }
  if (s.failed.length) out.push(`FAILED: ${s.failed.join(' ')}`);
  return out.join('\n') + '\n';
}
