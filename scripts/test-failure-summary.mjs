// A node:test reporter that prints nothing but, at the very end of the run,
// each failed test again: its name, its file, the error's message and where
// it was thrown. `npm test` runs it beside the TAP reporter because a CI log
// is read from its tail, and TAP puts a failure where it happened, hundreds
// of tests before the "# fail 1" that says there was one.
import { inspect } from 'node:util';

/** The message (a deepEqual's diff included), capped, and the first frame outside node's internals. */
function describe(err) {
  const cause = err?.failureType === 'testCodeFailure' && err.cause !== undefined ? err.cause : err;
  if (!(cause instanceof Error)) return inspect(cause, { depth: 4 }).split('\n').slice(0, 40);
  const lines = `${cause.name}: ${cause.message}`.split('\n').slice(0, 40);
  const frame = (cause.stack ?? '').split('\n').find((l) => /^\s+at /.test(l) && !l.includes('node:'));
  if (frame !== undefined) lines.push(frame.trim());
  return lines;
}

export default async function* failureSummary(source) {
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    // a parent that failed only because a subtest did adds nothing to the subtest's own entry
    if (details?.error?.failureType === 'subtestsFailed') continue;
    failed.push({ name, file, lines: describe(details?.error) });
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} test(s) failed:\n`;
  for (const f of failed) {
    yield `# FAILED: ${f.name}\n#   in ${f.file ?? '(unknown file)'}\n${f.lines.map((l) => `#   ${l}\n`).join('')}`;
  }
}
