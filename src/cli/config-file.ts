// curl's config file syntax (tool_parsecfg.c), used by -K/--config and .curlrc:
//   - leading blanks skipped; lines starting with # / * or empty are ignored
//   - the option name runs to a blank, or to '=' or ':' when it has no dashes
//   - blanks and separators after the name are skipped
//   - a parameter in double quotes supports \t \n \r \v and \X escapes;
//     otherwise it ends at the first blank (more text then earns a warning)
import { join } from 'node:path';

export interface ConfigLine {
  readonly option: string;
  /** undefined when the line carries no parameter. */
  readonly param: string | undefined;
  readonly lineno: number;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';

/** Splits config text into option/parameter pairs; `warn` gets curl's warnings. */
export function parseConfigText(text: string, filename: string, warn: (msg: string) => void): ConfigLine[] {
  const out: ConfigLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = 0;
    while (i < line.length && isSpace(line[i])) i++;
    const first = line[i];
    if (first === undefined || first === '#' || first === '/' || first === '*' || first === '\r') continue;
    const dashed = first === '-';
    const isSep = (c: string | undefined): boolean => !dashed && (c === '=' || c === ':');
    const start = i;
    while (i < line.length && !isSpace(line[i]) && !isSep(line[i])) i++;
    const option = line.slice(start, i);
    while (i < line.length && (isSpace(line[i]) || isSep(line[i]))) i++;
    let param: string | undefined;
    if (line[i] === '"') {
      i++;
      let p = '';
      while (i < line.length && line[i] !== '"') {
        let c = line[i]!;
        if (c === '\\' && i + 1 < line.length) {
          i++;
          const e = line[i]!;
          c = e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'v' ? '\v' : e;
        }
        p += c;
        i++;
      }
      param = p;
    } else {
      const ps = i;
      while (i < line.length && !isSpace(line[i])) i++;
      param = line.slice(ps, i);
      while (i < line.length && isSpace(line[i])) i++;
      if (i < line.length && line[i] !== '#') {
        warn(`${filename}:${n + 1}: warning: '${option}' uses unquoted whitespace in the line that may cause side-effects!`);
      }
      if (param === '') param = undefined;
    }
    out.push({ option, param, lineno: n + 1 });
  }
  return out;
}

/** The default config file curl would read, in curl's search order, or undefined. */
export function findDefaultCurlrc(env: NodeJS.ProcessEnv, exists: (path: string) => boolean): string | undefined {
  const candidates: string[] = [];
  if (env.CURL_HOME) candidates.push(join(env.CURL_HOME, '.curlrc'));
  if (env.XDG_CONFIG_HOME) candidates.push(join(env.XDG_CONFIG_HOME, 'curlrc'));
  if (env.HOME) candidates.push(join(env.HOME, '.curlrc'));
  return candidates.find((p) => exists(p));
}
