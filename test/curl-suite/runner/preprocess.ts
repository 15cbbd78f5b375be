// Preprocessing of a curl test file, as runtests.pl does before anything reads it:
// `%if feature` / `%else` / `%endif` line filtering, variable substitution, then
// the byte-producing instructions (%b64[..]b64%, %hex[..]hex%, %repeat[N x s]%,
// %days[N]) and the whitespace / XML macros (%CR, %SP, %TAB, %AMP, %LT, %GT).
//
// Everything is a "binary string" (latin1: one char per byte), because %hex can
// produce any byte and the result is compared byte for byte with what the client
// sent. Convert with Buffer.from(s, 'latin1').

export interface PreprocessContext {
  /** Variable name (without the leading %) to value. */
  readonly vars: Readonly<Record<string, string>>;
  /** Client name and version, so `curl/%VERSION` reads as e.g. `tscurl/0.1.0`. */
  readonly clientName: string;
  readonly clientVersion: string;
  /** Feature test used by %if. */
  hasFeature(name: string): boolean;
}

/** Decodes %XX escapes into bytes, leaving other characters as they are. */
export function percentDecode(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hx: string) => String.fromCharCode(parseInt(hx, 16)));
}

/** Filters lines by %if/%else/%endif (nested), as runtests' prepro does. */
export function applyConditionals(lines: readonly string[], hasFeature: (name: string) => boolean): string[] {
  const out: string[] = [];
  // Stack of [showBefore, conditionValue]; `show` is the AND of all enclosing branches.
  const stack: { parentShow: boolean; cond: boolean }[] = [];
  let show = true;
  for (const line of lines) {
    const mIf = /^ *%if (!?)([A-Za-z0-9!_/.+-]*)/.exec(line);
    if (mIf) {
      const has = hasFeature(mIf[2] ?? '');
      const cond = mIf[1] === '!' ? !has : has;
      stack.push({ parentShow: show, cond });
      show = show && cond;
      continue;
    }
    if (/^ *%else\b/.test(line)) {
      const top = stack[stack.length - 1];
      if (top) show = top.parentShow && !top.cond;
      continue;
    }
    if (/^ *%endif\b/.test(line)) {
      const top = stack.pop();
      show = top ? top.parentShow : true;
      continue;
    }
    if (show) out.push(line);
  }
  return out;
}

/** Names sorted longest first so `%CLIENT6IP-NB` wins over `%CLIENT6IP`. */
function sortedNames(vars: Readonly<Record<string, string>>): string[] {
  return Object.keys(vars).sort((a, b) => b.length - a.length);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const varReCache = new WeakMap<object, RegExp>();

/** Substitutes %VARIABLES in one line. */
export function substituteVariables(line: string, ctx: PreprocessContext): string {
  // The expected User-Agent names the tool under test, not curl.
  let s = line.replace(/curl\/%VERSION/g, `${ctx.clientName}/${ctx.clientVersion}`);
  let re = varReCache.get(ctx.vars);
  if (!re) {
    re = new RegExp('%(' + sortedNames(ctx.vars).map(escapeRe).join('|') + ')', 'g');
    varReCache.set(ctx.vars, re);
  }
  s = s.replace(re, (_m, name: string) => ctx.vars[name] ?? '');
  return s;
}

/** The byte-producing instructions; they run after variable substitution. */
export function substituteInstructions(line: string): string {
  let s = line;
  s = s.replace(/%b64\[(.*?)\]b64%/g, (_m, data: string) => Buffer.from(percentDecode(data), 'latin1').toString('base64'));
  s = s.replace(/%hex\[(.*?)\]hex%/g, (_m, data: string) => percentDecode(data));
  s = s.replace(/%repeat\[(\d+) x (.*?)\]%/g, (_m, n: string, data: string) => {
    // Bounded: the largest repeat in the suite is a few megabytes.
    const count = Math.min(parseInt(n, 10), 50_000_000);
    return percentDecode(data).repeat(count);
  });
  s = s.replace(/%days\[(\d+)\]/g, (_m, n: string) => {
    const t = Math.floor(Date.now() / 1000) + parseInt(n, 10) * 86400;
    return String(Math.floor((t + 30) / 60) * 60);
  });
  return s;
}

/** Whitespace and XML-escape macros; done last so they cannot form other macros. */
export function substituteMacros(line: string): string {
  return line
    .replace(/%CR/g, '\r')
    .replace(/%SP/g, ' ')
    .replace(/%TAB/g, '\t')
    .replace(/%AMP/g, '&')
    .replace(/%GT/g, '>')
    .replace(/%LT/g, '<');
}

/** Whole-file preprocessing; returns lines that keep their trailing "\n". */
export function preprocess(text: string, ctx: PreprocessContext): { lines: string[]; missingInclude?: string } {
  const raw = text.split(/(?<=\n)/);
  const shown = applyConditionals(raw, (f) => ctx.hasFeature(f));
  const out: string[] = [];
  let missingInclude: string | undefined;
  for (const line of shown) {
    let s = substituteVariables(line, ctx);
    if (/%include(text)? [^%]+%/.test(s)) {
      // Include files come from curl's tests/data directory, which is not shipped here.
      missingInclude = /%include(?:text)? ([^%]+)%/.exec(s)?.[1];
    }
    s = substituteInstructions(s);
    s = substituteMacros(s);
    // runtests writes the result to a file that the servers read line by line: a
    // %repeat or %hex that made newlines made more lines (a closing tag after
    // them starts a line of its own)
    out.push(...s.split(/(?<=\n)/));
  }
  return missingInclude === undefined ? { lines: out } : { lines: out, missingInclude };
}
