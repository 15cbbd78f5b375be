// Runs the built tscurl CLI, or /usr/bin/curl, with async execFile (never
// spawnSync: the test's servers live in this process). An empty HOME keeps
// personal .curlrc files out. A test that runs curl asks
// requireProgram('curl', 'curl') (helpers/requires.ts) first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The bundled `tscurl` bin (scripts/bundle-cli.mjs), what users run. */
export const CLI_BUNDLE = fileURLToPath(new URL('../../src/cli/tscurl.cjs', import.meta.url));
/** Debian's curl 7.88.1, what the CLI tests compare against. */
export const CURL = '/usr/bin/curl';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const home = mkdtempSync(join(tmpdir(), 'tscurl-home-'));

export function run(file: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
  const env = { PATH: process.env.PATH ?? '', HOME: home, ...opts.env };
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 20000, encoding: 'latin1', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** tscurl with these arguments. */
export const tscurl = (args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<CliRun> => run(process.execPath, [CLI_MAIN, ...args], opts);
/** The bundled tscurl bin with these arguments. */
export const tscurlBundle = (args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<CliRun> => run(process.execPath, [CLI_BUNDLE, ...args], opts);
/** /usr/bin/curl with these arguments. */
export const curl = (args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<CliRun> => run(CURL, args, opts);

/** Makes curl 7.88 and tscurl text comparable: the tool name (also in the --help hint), and 7.88's "(#0)" after "Connected to". */
export function normalise(s: string): string {
  return s.replace(/^curl: /gm, 'tscurl: ').replace(/try 'curl --help' or 'curl --manual'/g, "try 'tscurl --help' or 'tscurl --manual'").replace(/(Connected to .* port \d+) \(#\d+\)/g, '$1');
}

/** Runs tscurl and /usr/bin/curl on the same arguments: same exit code, stdout and (normalised) stderr. */
export async function assertSameAsCurl(args: readonly string[], opts?: Parameters<typeof run>[2]): Promise<void> {
  const ours = await tscurl(args, opts);
  const theirs = await curl(args, opts);
  const what = args.join(' ');
  assert.equal(ours.code, theirs.code, `${what}: exit code (stderr ${ours.stderr})`);
  assert.equal(ours.stdout, theirs.stdout, `${what}: stdout`);
  // both sides: normalise() also drops the "(#N)" that tscurl prints as curl does
  assert.equal(normalise(ours.stderr), normalise(theirs.stderr), `${what}: stderr`);
}
