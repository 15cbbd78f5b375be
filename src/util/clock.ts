// The library's monotonic clock, in milliseconds: performance.now()'s clock
// without the `performance` global, whose first read loads perf_hooks (a
// dozen Node-internal modules, about 0.6 ms of CPU) that a CLI run does not
// otherwise need. process.hrtime() is also cheaper per call. Only
// differences and comparisons between its values mean anything.
const hrtime = process.hrtime;

export function nowMs(): number {
  const t = hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}
