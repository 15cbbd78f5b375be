// curl's tool prefixes what it prints on stderr with its own name ("curl: (22)
// ...", "curl: try 'curl --help' ..."), the way the User-Agent carries it in
// "curl/%VERSION". Those words name the tool under test, so for another client
// the expectation reads with that client's name. Only the name changes: the
// CURLcode, the message and everything else stay compared byte for byte.

/** Rewrites the tool-name parts of an expected stderr text for `toolName`. */
export function expectStderrFrom(expected: string, toolName: string): string {
  if (toolName === 'curl') return expected;
  return expected.replace(/^curl: (.*)$/gm, (_m, rest: string) =>
    `${toolName}: ${rest.replace(/'curl (--help|--manual)\b/g, `'${toolName} $1`)}`);
}
