// The tool's command-line errors. curl reports a bad option as
//   curl: option --foo: is unknown
//   curl: try 'curl --help' or 'curl --manual' for more information
// and exits 2 (CURLE_FAILED_INIT); a few errors carry another exit code.
// We keep the lines prefix-less so the printer adds `tscurl: ` once.

/** curl's param2text() wording, keyed like its ParameterError values. */
export const PARAM_TEXT = {
  GOT_EXTRA_PARAMETER: 'had unsupported trailing garbage',
  OPTION_UNKNOWN: 'is unknown',
  OPTION_AMBIGUOUS: 'is ambiguous',
  REQUIRES_PARAMETER: 'requires parameter',
  BAD_USE: 'is badly used here',
  BAD_NUMERIC: 'expected a proper numerical parameter',
  NEGATIVE_NUMERIC: 'expected a positive numerical parameter',
  LIBCURL_DOESNT_SUPPORT: "the installed libcurl version doesn't support this",
  LIBCURL_UNSUPPORTED_PROTOCOL: 'a specified protocol is unsupported by libcurl',
  NO_PREFIX: "the given option can't be reversed with a --no- prefix",
  NUMBER_TOO_LARGE: 'too large number',
  NO_NOT_BOOLEAN: "used '--no-' for option that isn't a boolean",
  READ_ERROR: 'error encountered when reading a file',
  EXPAND_ERROR: 'variable expansion failure',
  VAR_SYNTAX: 'syntax error in --variable argument',
} as const;
export type ParamReason = keyof typeof PARAM_TEXT;

export const HINT_LINE = "try 'tscurl --help' or 'tscurl --manual' for more information";

export class ParamError extends Error {
  /** Lines to print, each prefixed with `tscurl: ` by the caller. */
  readonly lines: readonly string[];
  readonly exitCode: number;
  readonly reason: ParamReason | undefined;
  /** warnf() texts shown before the lines (not with -s), each with its own newline as curl's */
  warnings: readonly string[] = [];
  constructor(lines: readonly string[], exitCode = 2, reason?: ParamReason) {
    super(lines.join('\n'));
    this.lines = lines;
    this.exitCode = exitCode;
    this.reason = reason;
  }

  /** The common shape: `option FLAG: REASON` plus the help hint. */
  static option(flag: string, reason: ParamReason, exitCode = 2, before: readonly string[] = []): ParamError {
    return new ParamError([...before, `option ${flag}: ${PARAM_TEXT[reason]}`, HINT_LINE], exitCode, reason);
  }
}
