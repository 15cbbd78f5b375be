// curl's config file syntax (tool_parsecfg.c), used by -K/--config and .curlrc:
//   - leading blanks skipped; lines starting with # / * or empty are ignored
//   - the option name runs to a blank, or to '=' or ':' when it has no dashes
//   - blanks and separators after the name are skipped
//   - a parameter in double quotes supports \t \n \r \v and \X escapes;
//     otherwise it ends at the first blank (more text then earns a warning)
import { join } from 'node:path';
import { bufferToText } from '../url/url-bytes.js';

export interface ConfigLine {
  readonly option: string;
  /** undefined when the line carries no parameter. */
  readonly param: string | undefined;
  readonly lineno: number;
}

/**
 * A config file's bytes as the text the option parser reads. curl reads the
 * file as bytes and passes them on as they are: UTF-8 becomes its
 * characters, and any other byte becomes U+DC80..U+DCFF (see
 * src/url/url-bytes.ts), which the library writes back as that byte, so
 * "\x80\xff" in a URL's query goes out as those two bytes.
 */
export function decodeConfigBytes(bytes: Buffer): string {
  return bufferToText(bytes);
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
    const close = line[i] === '"' ? line.indexOf('"', i + 1) : -1;
    if (close > 0 && line.lastIndexOf('\\', close) <= i) {
      // a quoted parameter without escapes (most are): the text between the quotes
      param = line.slice(i + 1, close);
    } else if (line[i] === '"') {
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
        warn(`${filename}:${n + 1}: warning: '${option}' uses unquoted whitespace in the line that may cause side-effects!\n`);
      }
      if (param === '') param = undefined;
    }
    out.push({ option, param, lineno: n + 1 });
  }
  return out;
}

/**
 * The default config file curl 7.88 reads (tool_findfile.c's findfile), or
 * undefined. In order: $CURL_HOME/.curlrc, $XDG_CONFIG_HOME/.curlrc,
 * $HOME/.curlrc; then, only while XDG_CONFIG_HOME is unset,
 * $CURL_HOME/.config/curlrc, $HOME/.config/curlrc and .curlrc in the home
 * directory of the user's passwd entry. An empty variable counts as unset
 * (curl_getenv). 7.88 looks for ".curlrc" in XDG_CONFIG_HOME, whatever
 * today's docs say.
 */
export function findDefaultCurlrc(env: NodeJS.ProcessEnv, exists: (path: string) => boolean, passwdHome?: () => string | undefined): string | undefined {
  const curlHome = env.CURL_HOME || undefined;
  const xdg = env.XDG_CONFIG_HOME || undefined;
  const home = env.HOME || undefined;
  const candidates: string[] = [];
  for (const dir of [curlHome, xdg, home]) if (dir) candidates.push(join(dir, '.curlrc'));
  const first = candidates.find((p) => exists(p));
  if (first || xdg) return first;
  for (const dir of [curlHome, home]) if (dir && exists(join(dir, '.config', 'curlrc'))) return join(dir, '.config', 'curlrc');
  const pw = passwdHome?.();
  return pw && exists(join(pw, '.curlrc')) ? join(pw, '.curlrc') : undefined;
}
