// The global verbose/trace settings of a command line, folded in order as
// curl's getparam does: -v, --trace and --trace-ascii each replace the
// earlier choice (with curl's "overrides" warning), --trace-time and
// --trace-ids add line prefixes, --stderr redirects the tool's stderr.
import type { OptEntry } from './args.js';
import type { TraceMode } from './trace-format.js';

export interface TraceSettings {
  mode: TraceMode | 'none';
  /** Where the trace goes: '%' is the tool's stderr, '-' stdout, else a file name. */
  dump: string;
  time: boolean;
  ids: boolean;
  /** --stderr: '-' for stdout, else a file name. */
  stderr?: string;
}

const OVERRIDES: Record<TraceMode, string> = {
  plain: '-v, --verbose overrides an earlier trace/verbose option\n',
  bin: '--trace overrides an earlier trace/verbose option\n',
  ascii: '--trace-ascii overrides an earlier trace/verbose option\n',
};

export function traceSettings(globals: readonly OptEntry[], warn: (msg: string) => void): TraceSettings {
  const s: TraceSettings = { mode: 'none', dump: '%', time: false, ids: false };
  const choose = (mode: TraceMode, dump: string): void => {
    if (s.mode !== 'none' && s.mode !== mode) warn(OVERRIDES[mode]);
    s.mode = mode;
    s.dump = dump;
  };
  for (const e of globals) {
    switch (e.opt.long) {
      case 'verbose':
        if (e.value === true) choose('plain', '%');
        else s.mode = 'none';
        break;
      case 'trace': choose('bin', String(e.value)); break;
      case 'trace-ascii': choose('ascii', String(e.value)); break;
      case 'trace-time': s.time = e.value === true; break;
      case 'trace-ids': s.ids = e.value === true; break;
      case 'stderr': s.stderr = String(e.value); break;
    }
  }
  return s;
}
