#!/usr/bin/env node
// tscurl: curl's command line on tscurl's public API. Startup is kept light:
// rarely used parts (help, manual, version, glob, write-out, progress) are
// imported only when a run needs them.
import { openSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { parseArgs, type OptEntry } from './args.js';
import { ParamError, HINT_LINE, warningText } from './param-error.js';

let stdoutWatched = false;
/**
 * process.stdout, made on first use: Node makes it on the first read of
 * process.stdout (for a pipe a net.Socket, ~0.7 ms of CPU), which a run that
 * writes nothing there (-o FILE) should not pay.
 */
function stdout(): NodeJS.WriteStream {
  if (!stdoutWatched) {
    stdoutWatched = true;
    // a reader that went away (tscurl --manual | head) ends the output quietly, as curl
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  return process.stdout;
}

function writeOut(stream: NodeJS.WriteStream, b: Buffer | string): void {
  // a write callback's data is only valid during the call (it may be a view of
  // receive memory the library reuses) and a stream may keep it queued: copy
  stream.write(typeof b === 'string' ? b : Buffer.from(b));
}

/**
 * --stderr FILE ('-' for stdout): where the tool's messages, the meter and
 * -v go. curl opens (truncates) the file while parsing.
 */
function stderrTarget(globals: readonly OptEntry[], silent: boolean): (b: Buffer | string) => void {
  const e = globals.filter((g) => g.opt.long === 'stderr').pop();
  const target = e === undefined ? undefined : String(e.value);
  if (target === '-') return (b) => writeOut(stdout(), b);
  if (target !== undefined) {
    try {
      const fd = openSync(target, 'w');
      return (b) => void writeSync(fd, typeof b === 'string' ? Buffer.from(b) : b);
    } catch {
      if (!silent) process.stderr.write(`Warning: Failed to open ${target}!\n`);
    }
  }
  return (b) => writeOut(process.stderr, b);
}

async function main(argv: readonly string[]): Promise<number> {
  let silentWarnings = false;
  const warnings: string[] = [];
  try {
    const parsed = parseArgs(argv, { warn: (m) => warnings.push(m) });
    const allEntries = [...parsed.globals, ...parsed.groups.flatMap((g) => g.entries)];
    silentWarnings = allEntries.some((e) => e.opt.long === 'silent' && e.value === true);
    if (!silentWarnings) for (const w of warnings) process.stderr.write(`Warning: ${w}\n`);
    if (parsed.action?.kind === 'help') {
      const { helpText } = await import('./help.js');
      stdout().write(helpText(parsed.action.category));
      return 0;
    }
    if (parsed.action?.kind === 'version') {
      const { versionText } = await import('./version.js');
      stdout().write(versionText());
      return 0;
    }
    if (parsed.action?.kind === 'manual') {
      const { manualText } = await import('./help.js');
      const m = await manualText();
      if (m.warning) process.stderr.write(`Warning: ${m.warning}\n`);
      stdout().write(m.stdout);
      return 0;
    }
    // curl with no arguments at all (and no URL from .curlrc) prints only the hint
    if (argv.length === 0 && !allEntries.some((e) => e.opt.long === 'url')) throw new ParamError([HINT_LINE]);
    const { Operation } = await import('./operate.js');
    const stderr = stderrTarget(parsed.globals, silentWarnings);
    const op = new Operation({
      stdout: (b) => writeOut(stdout(), b),
      stderr,
      stdoutIsTTY: isatty(1),
      // (the streams are made only when needed, see stdout())
      ...(isatty(2) && process.stderr.columns ? { columns: process.stderr.columns } : {}),
    });
    return await op.run(parsed);
  } catch (e) {
    if (!silentWarnings) for (const w of warnings.splice(0)) process.stderr.write(`Warning: ${w}\n`);
    if (e instanceof ParamError) {
      if (!silentWarnings) for (const w of e.warnings) process.stderr.write(warningText(w));
      for (const line of e.lines) process.stderr.write(`tscurl: ${line}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

const code = await main(process.argv.slice(2));
// let stdout/stderr drain before exiting with curl's code
process.exitCode = code;
