#!/usr/bin/env node
// tscurl: curl's command line on tscurl's public API. Startup is kept light:
// rarely used parts (help, manual, version, glob, write-out, progress) are
// imported only when a run needs them.
import { openSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { parseArgs, type OptEntry } from './args.js';
import { ParamError, HINT_LINE } from './param-error.js';
import { StreamSink } from './stdio-sink.js';
import { warnText } from './messages.js';

/**
 * stdout (buffered as curl's stdio buffers it, see stdio-sink.ts) and
 * stderr (unbuffered), each made on first use: Node makes process.stdout on
 * the first read of it (for a pipe a net.Socket, ~0.7 ms of CPU), which a
 * run that writes nothing there (-o FILE) should not pay. A write error
 * (a reader that went away: tscurl --manual | head) is recorded by the
 * sink, never thrown: a transfer writing there ends with curl's 23.
 */
const stdoutSink = new StreamSink(() => process.stdout);
const stderrSink = new StreamSink(() => process.stderr, false);

/**
 * --stderr FILE ('-' for stdout): where the tool's messages, the meter and
 * -v go. curl opens (truncates) the file while parsing.
 */
function stderrTarget(globals: readonly OptEntry[], silent: boolean): (b: Buffer | string) => void {
  const e = globals.filter((g) => g.opt.long === 'stderr').pop();
  const target = e === undefined ? undefined : String(e.value);
  if (target === '-') return (b) => void stdoutSink.write(b);
  if (target !== undefined) {
    try {
      const fd = openSync(target, 'w');
      return (b) => {
        stdoutSink.writeGathered();
        try {
          writeSync(fd, typeof b === 'string' ? Buffer.from(b) : b);
        } catch {
          // curl does not check its writes to stderr either
        }
      };
    } catch {
      if (!silent) toStderr(`Warning: Failed to open ${target}!\n`);
    }
  }
  return toStderr;
}

/** stderr is written as it comes (curl's is unbuffered), after what stdout has gathered: their order stays. */
function toStderr(b: Buffer | string): void {
  stdoutSink.writeGathered();
  stderrSink.write(b);
}

async function main(argv: readonly string[]): Promise<number> {
  let silentWarnings = false;
  const warnings: string[] = [];
  try {
    const parsed = parseArgs(argv, { warn: (m) => warnings.push(m) });
    const allEntries = [...parsed.globals, ...parsed.groups.flatMap((g) => g.entries)];
    silentWarnings = allEntries.some((e) => e.opt.long === 'silent' && e.value === true);
    if (!silentWarnings) for (const w of warnings) toStderr(warnText(w));
    if (parsed.action?.kind === 'help') {
      const { helpText } = await import('./help.js');
      stdoutSink.write(helpText(parsed.action.category));
      return 0;
    }
    if (parsed.action?.kind === 'version') {
      const { versionText } = await import('./version.js');
      stdoutSink.write(versionText());
      return 0;
    }
    if (parsed.action?.kind === 'engines') {
      // curl's tool_list_engines()
      const { Easy, CURLINFO } = await import('../index.js');
      const engines = new Easy().getinfo(CURLINFO.SSL_ENGINES);
      stdoutSink.write('Build-time engines:\n' + (engines.length ? engines.map((n) => `  ${n}\n`).join('') : '  <none>\n'));
      return 0;
    }
    if (parsed.action?.kind === 'manual') {
      const { manualText } = await import('./help.js');
      const m = await manualText();
      if (m.warning) toStderr(`Warning: ${m.warning}\n`);
      stdoutSink.write(m.stdout);
      return 0;
    }
    // curl with no arguments at all (and no URL from .curlrc) prints only the hint
    if (argv.length === 0 && !allEntries.some((e) => e.opt.long === 'url')) throw new ParamError([HINT_LINE]);
    const { Operation } = await import('./operate.js');
    const stderr = stderrTarget(parsed.globals, silentWarnings);
    const op = new Operation({
      stdout: (b) => stdoutSink.write(b),
      stderr,
      stdoutFlow: stdoutSink,
      stdoutIsTTY: isatty(1),
      // (the streams are made only when needed, see stdoutSink)
      ...(isatty(2) && process.stderr.columns ? { columns: process.stderr.columns } : {}),
    });
    return await op.run(parsed);
  } catch (e) {
    if (!silentWarnings) for (const w of warnings.splice(0)) toStderr(warnText(w));
    if (e instanceof ParamError) {
      if (!silentWarnings) for (const w of e.warnings) toStderr(warnText(w));
      for (const line of e.lines) toStderr(`tscurl: ${line}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} finally {
  // what stdout gathered goes out at exit, as stdio's buffer does (a failure there changes no exit code, as in curl)
  stdoutSink.writeGathered();
}
// let stdout/stderr drain before exiting with curl's code
process.exitCode = code;
