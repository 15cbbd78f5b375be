// <strip>, <strippart> and <stripfile> support. runtests treats dumps as arrays of
// lines (newline kept): <strip> lines are regexes whose matching lines vanish
// from both sides; <strippart>/<stripfile> lines are perl statements run on each
// actual line as $_. The common forms (s/re/rep/flags, `$_ = '' if /re/`) are
// done in JS; anything else goes through perl when it is installed.

import { execFileSync } from 'node:child_process';

export function splitLines(s: string): string[] {
  return s.length ? s.split(/(?<=\n)/) : [];
}

/**
 * Perl's `$` (without /m) matches at the end and also before a final
 * newline, and the lines compared keep theirs: `^timeout = 5$` must match
 * "timeout = 5\n". JS's `$` is the end only, so each unescaped `$` outside a
 * character class becomes a lookahead for an optional newline and the end.
 */
export function perlDollars(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else out += c === '$' ? '(?=\\n?$)' : c;
  }
  return out;
}

/** Perl regex source to a JS RegExp (the subset the test files use). */
function perlRe(src: string, flags: string): RegExp {
  const js = perlDollars(src).replace(/\\z/g, '$').replace(/\\Z/g, '(?=\\n?$)');
  return new RegExp(js, flags.replace(/[^gimsx]/g, '').replace('x', ''));
}

export function stripLines(lines: readonly string[], patterns: readonly string[]): string[] {
  let out = [...lines];
  for (const p of patterns) {
    const re = perlRe(p, '');
    out = out.filter((l) => !re.test(l));
  }
  return out;
}

type LineOp = (line: string) => string;

/** Splits `s<d>pat<d>rep<d>flags` honouring backslash escapes. */
function parseSubst(op: string): { pat: string; rep: string; flags: string } | undefined {
  if (!op.startsWith('s') || op.length < 4) return undefined;
  const d = op[1] as string;
  if (/[\w\s]/.test(d)) return undefined;
  const parts: string[] = [];
  let cur = '';
  for (let i = 2; i < op.length; i++) {
    const c = op[i] as string;
    if (c === '\\' && i + 1 < op.length) {
      const n = op[i + 1] as string;
      // An escaped delimiter stands for the delimiter itself.
      cur += n === d ? n : c + n;
      i++;
    } else if (c === d && parts.length < 2) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (parts.length !== 2) return undefined;
  const flags = cur.replace(/;\s*$/, '').trim();
  if (!/^[gimsx]*$/.test(flags)) return undefined;
  return { pat: parts[0] as string, rep: parts[1] as string, flags };
}

function jsOp(op: string): LineOp | undefined {
  const sub = parseSubst(op.trim());
  if (sub) {
    // Lookbehind/possessive forms and \Q..\E are perl-only; let perl do those.
    if (/\\[QEGKA]|\(\?[<!]?[^:=!<]/.test(sub.pat) || /\$\{|\\[ulULE]|@/.test(sub.rep)) return undefined;
    const re = perlRe(sub.pat, sub.flags);
    const rep = sub.rep.replace(/\$(\d)/g, '$$$1').replace(/\\([^nrt\\])/g, '$1').replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
    return (line) => line.replace(re, rep);
  }
  const m = /^\$_\s*=\s*(''|"")\s+if\s*\(?\s*\/(.*)\/([a-z]*)\s*\)?\s*;?$/.exec(op.trim());
  if (m) {
    const re = perlRe(m[2] ?? '', m[3] ?? '');
    return (line) => (re.test(line) ? '' : line);
  }
  return undefined;
}

let perlAvailable: boolean | undefined;
function havePerl(): boolean {
  if (perlAvailable === undefined) {
    try {
      execFileSync('perl', ['-e', '1'], { stdio: 'ignore' });
      perlAvailable = true;
    } catch {
      perlAvailable = false;
    }
  }
  return perlAvailable;
}

/** Runs perl ops over lines; one process for the whole array. */
function perlOps(lines: readonly string[], ops: readonly string[]): string[] {
  const script =
    'binmode STDIN; binmode STDOUT; local $/; my $in = <STDIN>; my @l = split(/(?<=\\n)/, $in);' +
    'for (@l) {' + ops.map((o) => `{ ${o} }`).join('\n') + '} print join("\\0\\1\\0", @l);';
  const out = execFileSync('perl', ['-e', script], { input: Buffer.from(lines.join(''), 'latin1'), timeout: 10_000 });
  const s = out.toString('latin1');
  return s.length ? s.split('\0\x01\0') : [];
}

/**
 * Applies strippart-style ops to each line. With `dropEmpty` (stripfile) lines
 * that became empty vanish, as runtests does for stdout and files.
 */
export function applyLineOps(lines: readonly string[], ops: readonly string[], dropEmpty: boolean): string[] {
  const clean = ops.map((o) => o.replace(/\r?\n$/, '')).filter((o) => o.trim() && !o.trim().startsWith('#'));
  if (!clean.length) return [...lines];
  const fns = clean.map(jsOp);
  let out: string[];
  if (fns.every((f): f is LineOp => f !== undefined)) {
    out = lines.map((l) => fns.reduce((acc, f) => f(acc), l));
  } else if (havePerl()) {
    out = perlOps(lines, clean);
  } else {
    throw new Error(`unsupported strip expression: ${clean.find((_o, i) => !fns[i])}`);
  }
  return dropEmpty ? out.filter((l) => l.length > 0) : out;
}
