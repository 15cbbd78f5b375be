// URL globbing as curl's tool_urlglob.c: a URL becomes a list of patterns
// (fixed strings, {a,b} sets, [a-z] / [001-100:5] ranges); iteration is an
// odometer where the LAST pattern varies fastest. Error positions (1-based)
// follow curl's arithmetic exactly, quirks included (a closed set does not
// advance the position), because users compare the caret line.

export type GlobPattern =
  | { readonly type: 'fixed'; readonly text: string }
  | { readonly type: 'set'; readonly index: number; readonly elements: readonly string[] }
  | { readonly type: 'char'; readonly index: number; readonly min: number; readonly max: number; readonly step: number }
  | { readonly type: 'num'; readonly index: number; readonly min: number; readonly max: number; readonly step: number; readonly pad: number };

export interface GlobError {
  readonly message: string;
  /** 1-based position in the URL, 0 when curl gives none. */
  readonly pos: number;
}

/** One expanded URL with the values of its globs, for #N substitution. */
export interface GlobItem {
  readonly url: string;
  /** Current text of glob N (0-based by glob index). */
  readonly values: readonly string[];
}

const MAX_PATTERNS = 255; // curl's GLOB_PATTERN_NUM
const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

class GlobFail {
  constructor(readonly error: GlobError) {}
}
const fail = (message: string, pos: number): GlobFail => new GlobFail({ message, pos });
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);

/** curl's peek_ipv6(): `[::1]`-like literals are not ranges. */
function ipv6Skip(s: string, i: number): number {
  const end = s.indexOf(']', i);
  if (end < 0 || end - i + 1 >= 128) return 0;
  const inner = s.slice(i + 1, end);
  return /^[0-9a-fA-F:.]+(%25[\w.~-]+|%[\w.~-]+)?$/.test(inner) && (inner.match(/:/g)?.length ?? 0) >= 2 ? end - i + 1 : 0;
}

/** Parses digits like strtoul; returns undefined when none. */
function strtoul(s: string, i: number): { n: number; end: number } | undefined {
  let j = i;
  while (isDigit(s[j])) j++;
  if (j === i) return undefined;
  return { n: Number(s.slice(i, j)), end: j };
}

export class UrlGlob {
  readonly patterns: readonly GlobPattern[];
  /** Number of URLs this glob expands to. */
  readonly count: number;

  private constructor(patterns: GlobPattern[], count: number) {
    this.patterns = patterns;
    this.count = count;
  }

  /** Parses a URL; returns the glob or curl's error (exit code 3). */
  static parse(url: string): UrlGlob | GlobError {
    try {
      return UrlGlob.#parse(url);
    } catch (e) {
      if (e instanceof GlobFail) return e.error;
      throw e;
    }
  }

  /** A URL taken literally (--globoff). */
  static literal(url: string): UrlGlob {
    return new UrlGlob([{ type: 'fixed', text: url }], 1);
  }

  static #parse(s: string): UrlGlob {
    const patterns: GlobPattern[] = [];
    let amount = 1;
    let globIndex = 0;
    let pos = 1;
    let i = 0;
    const multiply = (n: number, p: number): void => {
      if (amount * n > MAX_AMOUNT) throw fail('range overflow', p);
      amount *= n;
    };
    while (i < s.length) {
      let lit = '';
      while (i < s.length && s[i] !== '{') {
        if (s[i] === '[') {
          let skip = ipv6Skip(s, i);
          if (!skip && s[i + 1] === ']') skip = 2;
          if (skip) {
            lit += s.slice(i, i + skip);
            i += skip;
            continue;
          }
          break;
        }
        if (s[i] === '}' || s[i] === ']') throw fail('unmatched close brace/bracket', pos);
        if (s[i] === '\\' && '{[}]'.includes(s[i + 1] ?? 'x')) {
          i++;
          pos++;
        }
        lit += s[i++];
        pos++;
      }
      if (lit) patterns.push({ type: 'fixed', text: lit });
      else if (s[i] === '{') {
        i++;
        pos++;
        const r = parseSet(s, i, pos, globIndex++);
        multiply(r.pattern.elements.length, 0);
        patterns.push(r.pattern);
        i = r.i;
        pos = r.pos;
      } else if (s[i] === '[') {
        i++;
        pos++;
        const r = parseRange(s, i, pos, globIndex++);
        pos = r.pos;
        const p = r.pattern;
        multiply(Math.floor((p.max - p.min) / p.step) + 1, pos);
        patterns.push(p);
        i = r.i;
      }
      if (patterns.length >= MAX_PATTERNS) throw fail('too many globs', pos);
    }
    return new UrlGlob(patterns, amount);
  }

  /** Every URL in curl's order. */
  *[Symbol.iterator](): Iterator<GlobItem> {
    const globs = this.patterns.filter((p) => p.type !== 'fixed');
    const counters = globs.map(() => 0);
    for (let n = 0; n < this.count; n++) {
      let url = '';
      const values: string[] = [];
      let g = 0;
      for (const p of this.patterns) {
        if (p.type === 'fixed') {
          url += p.text;
          continue;
        }
        const v = valueAt(p, counters[g++]!);
        values[p.index] = v;
        url += v;
      }
      yield { url, values };
      for (let k = globs.length - 1; k >= 0; k--) {
        if (++counters[k]! < sizeOf(globs[k]!)) break;
        counters[k] = 0;
      }
    }
  }
}

function sizeOf(p: GlobPattern): number {
  if (p.type === 'fixed') return 1;
  if (p.type === 'set') return p.elements.length;
  return Math.floor((p.max - p.min) / p.step) + 1;
}

function valueAt(p: GlobPattern, k: number): string {
  switch (p.type) {
    case 'fixed':
      return p.text;
    case 'set':
      return p.elements[k]!;
    case 'char':
      return String.fromCharCode(p.min + k * p.step);
    case 'num':
      return String(p.min + k * p.step).padStart(p.pad, '0');
  }
}

function parseSet(s: string, start: number, startPos: number, index: number): { pattern: GlobPattern & { type: 'set' }; i: number; pos: number } {
  const elements: string[] = [];
  const opos = startPos - 1;
  let pos = startPos;
  let i = start;
  let buf = '';
  for (;;) {
    const c = s[i];
    if (c === undefined) throw fail('unmatched brace', opos);
    if (c === '{' || c === '[') throw fail('nested brace', pos);
    if (c === '}' || c === ',') {
      if (c === '}' && i === start) throw fail('empty string within braces', pos);
      elements.push(buf);
      buf = '';
      i++;
      if (c === '}') return { pattern: { type: 'set', index, elements }, i, pos };
      pos++;
      continue;
    }
    if (c === ']') throw fail('unexpected close bracket', pos);
    if (c === '\\' && i + 1 < s.length) {
      i++;
      pos++;
    }
    buf += s[i++];
    pos++;
  }
}

function parseRange(s: string, start: number, startPos: number, index: number): { pattern: GlobPattern & { type: 'char' | 'num' }; i: number; pos: number } {
  let i = start;
  if (isAlpha(s[i])) {
    const minC = s.charCodeAt(i);
    let ok = s[i + 1] === '-' && s.length > i + 3;
    const maxC = s.charCodeAt(i + 2);
    let step = 1;
    if (ok) {
      const endC = s[i + 3];
      if (endC === ':') {
        const r = strtoul(s, i + 4);
        if (!r || s[r.end] !== ']') step = 0;
        else {
          step = r.n;
          i = r.end + 1;
        }
      } else if (endC !== ']') ok = false;
      else i += 4;
    }
    const pos = startPos + (i - start);
    if (!ok || !step || (minC === maxC && step !== 1) || (minC !== maxC && (minC > maxC || step > maxC - minC || maxC - minC > 25))) {
      throw fail('bad range', pos);
    }
    return { pattern: { type: 'char', index, min: minC, max: maxC, step }, i, pos };
  }
  if (isDigit(s[i])) {
    let pad = 0;
    if (s[i] === '0') for (let c = i; isDigit(s[c]); c++) pad++;
    let good = false;
    let minN = 0;
    let maxN = 0;
    let stepN = 0;
    const r1 = strtoul(s, i);
    if (r1 && s[r1.end] === '-') {
      minN = r1.n;
      i = r1.end + 1;
      while (s[i] === ' ' || s[i] === '\t') i++;
      const r2 = isDigit(s[i]) ? strtoul(s, i) : undefined;
      if (r2 && r2.n <= 0xffffffffffff) {
        maxN = r2.n;
        let end = r2.end;
        let stepOk = true;
        if (s[end] === ':') {
          i = end + 1;
          const r3 = strtoul(s, i);
          stepN = r3 ? r3.n : 0;
          end = r3 ? r3.end : i;
          stepOk = true;
        } else stepN = 1;
        if (stepOk && s[end] === ']') {
          i = end + 1;
          good = true;
        }
      }
    }
    const pos = startPos + (i - start);
    if (!good || !stepN || (minN === maxN && stepN !== 1) || (minN !== maxN && (minN > maxN || stepN > maxN - minN))) {
      throw fail('bad range', pos);
    }
    return { pattern: { type: 'num', index, min: minN, max: maxN, step: stepN, pad }, i, pos };
  }
  throw fail('bad range specification', startPos);
}

/** curl's glob_match_url(): replaces #N in an output name with glob N's value. */
export function globOutputName(name: string, item: GlobItem): string {
  return name.replace(/#(\d+)/g, (whole, d: string) => {
    const n = Number(d);
    const v = n >= 1 ? item.values[n - 1] : undefined;
    return v ?? whole;
  });
}

/** The text after `tscurl: (3) ` for a glob error, with curl's caret line. */
export function formatGlobError(url: string, e: GlobError): string {
  if (!e.pos) return e.message;
  return `${e.message} in URL position ${e.pos}:\n${url}\n${' '.repeat(Math.max(1, e.pos - 1))}^`;
}

/** True when the value is a parse error rather than a glob. */
export function isGlobError(g: UrlGlob | GlobError): g is GlobError {
  return !(g instanceof UrlGlob);
}
