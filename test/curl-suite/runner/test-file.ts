// Section access for a preprocessed curl test file, following getpart.pm:
// a file is <testcase> with sections (<info>, <reply>, <client>, <verify>) that
// hold parts (<data>, <command>, <protocol>, ...). Tags sit on their own lines;
// part contents are the raw lines between the tags, newlines included.
// Parts with the same name inside one section (e.g. several <file> in <verify>
// are not used, but <file>, <file1>.. are) are distinguished by name only, like
// getpart.pm, which returns the first.

export type Attrs = Readonly<Record<string, string>>;

export interface Part {
  readonly attrs: Attrs;
  /** Lines with their newline, as written in the file (after preprocessing). */
  readonly lines: readonly string[];
}

function parseAttrs(tagLine: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const inner = /<[A-Za-z0-9_-]+([^>]*)>/.exec(tagLine)?.[1] ?? '';
  for (const m of inner.matchAll(/([A-Za-z0-9_-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    attrs[m[1] as string] = m[3] ?? m[4] ?? '';
  }
  return attrs;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export class TestFile {
  readonly #lines: readonly string[];

  constructor(lines: readonly string[]) {
    this.#lines = lines;
  }

  /** getpart.pm's algorithm: depth counting on start/end tags at line start. */
  getPart(section: string, part: string): Part | undefined {
    const secStart = new RegExp('^ *<' + escapeRe(section) + '[ >]');
    const secEnd = new RegExp('^ *</' + escapeRe(section));
    const partStart = new RegExp('^ *<' + escapeRe(part) + '[ >]');
    const partEnd = new RegExp('^ *</' + escapeRe(part) + '[ >]');
    let inside = 0;
    let found = false;
    let attrs: Record<string, string> = {};
    const lines: string[] = [];
    for (const line of this.#lines) {
      if (inside === 0 && secStart.test(line)) {
        inside = 1;
      } else if (inside >= 1 && partStart.test(line)) {
        if (inside > 1) lines.push(line);
        else {
          attrs = parseAttrs(line);
          found = true;
        }
        inside++;
      } else if (inside >= 2 && partEnd.test(line)) {
        if (inside > 2) lines.push(line);
        inside--;
        // getpart.pm keeps reading, but parts are unique by name in practice;
        // stopping here keeps a second same-named part (another <file>) out.
        if (inside === 1) return { attrs, lines };
      } else if (inside === 1 && secEnd.test(line)) {
        if (found) return { attrs, lines };
        inside = 0;
      } else if (inside >= 2) {
        lines.push(line);
      }
    }
    return found ? { attrs, lines } : undefined;
  }

  /**
   * Every part of this name in the section, in file order: newer runtests
   * writes each <file> of <client> (test 329 gives two cookie files).
   */
  getParts(section: string, part: string): Part[] {
    const secStart = new RegExp('^ *<' + escapeRe(section) + '[ >]');
    const secEnd = new RegExp('^ *</' + escapeRe(section));
    const partStart = new RegExp('^ *<' + escapeRe(part) + '[ >]');
    const partEnd = new RegExp('^ *</' + escapeRe(part) + '[ >]');
    const parts: Part[] = [];
    let inside = 0;
    let attrs: Record<string, string> = {};
    let lines: string[] = [];
    for (const line of this.#lines) {
      if (inside === 0 && secStart.test(line)) inside = 1;
      else if (inside === 1 && secEnd.test(line)) return parts;
      else if (inside >= 1 && partStart.test(line)) {
        if (inside > 1) lines.push(line);
        else {
          attrs = parseAttrs(line);
          lines = [];
        }
        inside++;
      } else if (inside >= 2 && partEnd.test(line)) {
        if (inside > 2) lines.push(line);
        inside--;
        if (inside === 1) parts.push({ attrs, lines });
      } else if (inside >= 2) lines.push(line);
    }
    return parts;
  }

  has(section: string, part: string): boolean {
    return this.getPart(section, part) !== undefined;
  }

  /** Part content as a binary string with the attribute conversions applied. */
  getContent(section: string, part: string): string | undefined {
    const p = this.getPart(section, part);
    return p === undefined ? undefined : partContent(p);
  }

  /** Non-empty, trimmed lines of a part (keywords, features, servers, ...). */
  getList(section: string, part: string): string[] {
    const p = this.getPart(section, part);
    if (!p) return [];
    return p.lines.map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  }
}

/**
 * runtests' subnewlines(): with `force` every newline becomes CRLF; otherwise
 * only lines that look like HTTP headers (plus the blank line after them) do.
 */
export function crlfLines(lines: readonly string[], force: boolean): string[] {
  let prevUpdate = false;
  return lines.map((line) => {
    if (force) return line.replace(/\r*\n$/, '\r\n');
    if (
      /^HTTP\/(1\.1|1\.0|2|3) [1-5][^\r]*$/s.test(line) ||
      /^[A-Z][A-Z-]* \S+ HTTP\/\d+(\.\d+)?/.test(line) ||
      (/^[a-z0-9_-]+: [^\r]*$/is.test(line) && !/^curl: \(\d+\) /.test(line))
    ) {
      prevUpdate = true;
      return line.replace(/\r*\n$/, '\r\n');
    }
    if (line === '\n' && prevUpdate) {
      prevUpdate = false;
      return '\r\n';
    }
    prevUpdate = false;
    return line;
  });
}

/** Applies crlf / nonewline / base64 / hex attributes, in runtests' order. */
export function partContent(p: Part): string {
  if (p.attrs['base64'] !== undefined) return Buffer.from(p.lines.join('').replace(/\s+/g, ''), 'base64').toString('latin1');
  if (p.attrs['hex'] !== undefined) return Buffer.from(p.lines.join('').replace(/[^0-9a-fA-F]/g, ''), 'hex').toString('latin1');
  let lines = [...p.lines];
  // nonewline first: runtests chomps the last line, then converts newlines, so
  // a chomped last line gets no CR either.
  const last = lines[lines.length - 1];
  if (p.attrs['nonewline'] === 'yes' && last !== undefined) lines[lines.length - 1] = last.replace(/\n$/, '');
  const crlf = p.attrs['crlf'];
  if (crlf !== undefined && crlf !== 'no') lines = crlfLines(lines, crlf === 'yes');
  return lines.join('');
}
