// libcurl's own wildcard matcher (lib/curl_fnmatch.c, Curl_fnmatch), the
// default CURLOPT_FNMATCH_FUNCTION of FTP wildcard downloads:
//   *      any run of characters (at most two stars per pattern take part in
//          matching: a third one never matches, as libcurl's maxstars)
//   ?      exactly one character
//   [...]  one character of a set: ranges (a-z, within one class: a digit,
//          upper or lower range), [^..] / [!..] negation, classes
//          [:alnum:] [:alpha:] [:digit:] [:xdigit:] [:print:] [:graph:]
//          [:space:] [:blank:] [:upper:] [:lower:], "]" first in the set is a
//          member, and a set with a syntax error matches nothing
//   \c     the character c
// It works on bytes (the names are latin1 strings here, one char per byte),
// with the C locale's ctype classes.

/** CURL_FNMATCHFUNC_* */
export const CURL_FNMATCHFUNC = { MATCH: 0, NOMATCH: 1, FAIL: 2 } as const;

// the set's extra slots beside the 256 byte values
const NEGATE = 256;
const CLASS_SLOTS = ['alnum', 'digit', 'xdigit', 'alpha', 'print', 'blank', 'lower', 'graph', 'space', 'upper'] as const;
type ClassName = (typeof CLASS_SLOTS)[number];
const SLOT = (name: ClassName): number => 257 + CLASS_SLOTS.indexOf(name);
const SET_SIZE = 257 + CLASS_SLOTS.length;

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
const isXdigit = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isGraph = (c: number): boolean => c > 0x20 && c <= 0x7e;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/** The class tests in the order libcurl checks them (the first class in the set decides). */
const CLASS_TESTS: [ClassName, (c: number) => boolean][] = [
  ['alnum', isAlnum], ['alpha', isAlpha], ['digit', isDigit], ['xdigit', isXdigit], ['print', isPrint],
  ['space', isSpace], ['upper', isUpper], ['lower', isLower], ['blank', isBlank], ['graph', isGraph],
];

/** A pattern or name as bytes, 0-terminated as libcurl reads them (a NUL inside ends it, as in C). */
function bytesOf(s: string): Uint8Array {
  const b = Buffer.from(s, 'latin1');
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

type CharClass = 'digit' | 'upper' | 'lower' | 'other';
function charClass(c: number): CharClass {
  if (isUpper(c)) return 'upper';
  if (isLower(c)) return 'lower';
  if (isDigit(c)) return 'digit';
  return 'other';
}

/** "[:name:]" after the "[:" at p: the slot set and the index after "]", or -1. */
function parseKeyword(pat: Uint8Array, p: number, set: Uint8Array): number {
  let word = '';
  // a keyword is at most 9 letters, then ":]"
  for (let i = 0; i < 10; i++) {
    const c = pat[p++]!;
    if (isLower(c)) word += String.fromCharCode(c);
    else if (c === 0x3a) {
      if (pat[p] !== 0x5d) return -1;
      if (!(CLASS_SLOTS as readonly string[]).includes(word)) return -1;
      set[SLOT(word as ClassName)] = 1;
      return p + 1;
    } else return -1;
  }
  return -1;
}

/** One member at p, or a range "a-z" within one character class: the index after it. */
function setCharOrRange(pat: Uint8Array, p: number, set: Uint8Array): number {
  let c = pat[p]!;
  const next = p + 1;
  set[c] = 1;
  let q = next;
  if (isAlnum(c) && pat[q++] === 0x2d) {
    const cc = charClass(c);
    let end = pat[q++]!;
    if (end === 0x5c) end = pat[q++]!;
    if (end >= c && charClass(end) === cc) {
      // bounded by 255: c only grows towards end
      while (c++ !== end) if (charClass(c) === cc) set[c] = 1;
      return q;
    }
  }
  return next;
}

/** The set starting after "[" at p: the index of its closing "]", or -1 for a syntax error. */
function parseSet(pat: Uint8Array, start: number, set: Uint8Array): number {
  set.fill(0);
  let p = start;
  let state: 'default' | 'rightbr' | 'rightbrleftbr' = 'default';
  let found = false;
  // bounded: every pass moves p forward or returns
  for (;;) {
    const c = pat[p]!;
    if (c === 0) return -1;
    if (state === 'default') {
      if (c === 0x5d) {
        if (found) return p;
        found = true;
        state = 'rightbr';
        set[c] = 1;
        p++;
      } else if (c === 0x5b) {
        const after = pat[p + 1] === 0x3a ? parseKeyword(pat, p + 2, set) : -1;
        if (after >= 0) p = after;
        else {
          set[c] = 1;
          p++;
        }
        found = true;
      } else if (c === 0x5e || c === 0x21) {
        if (!found) {
          if (set[NEGATE]) {
            set[c] = 1;
            found = true;
          } else set[NEGATE] = 1;
        } else set[c] = 1;
        p++;
      } else if (c === 0x5c) {
        p++;
        if (pat[p]) p = setCharOrRange(pat, p, set);
        else set[0x5c] = 1;
        found = true;
      } else {
        p = setCharOrRange(pat, p, set);
        found = true;
      }
    } else if (state === 'rightbr') {
      if (c === 0x5b) {
        state = 'rightbrleftbr';
        set[c] = 1;
        p++;
      } else if (c === 0x5d) return p;
      else if (isPrint(c)) {
        set[c] = 1;
        p++;
        state = 'default';
      } else return -1;
    } else {
      if (c === 0x5d) return p;
      state = 'default';
      set[c] = 1;
      p++;
    }
  }
}

function inSet(set: Uint8Array, c: number): boolean {
  let found = set[c] === 1;
  if (!found) {
    const cls = CLASS_TESTS.find(([name]) => set[SLOT(name)] === 1);
    if (cls) found = cls[1](c);
  }
  return set[NEGATE] ? !found : found;
}

function loop(pat: Uint8Array, p: number, str: Uint8Array, s: number, maxStars: number): number {
  const set = new Uint8Array(SET_SIZE);
  // bounded: every pass consumes pattern bytes; the star's recursion is at most two deep
  for (;;) {
    const pc = pat[p]!;
    switch (pc) {
      case 0x2a: {
        if (!maxStars) return CURL_FNMATCHFUNC.NOMATCH;
        // "*?*?*" is "??*": take the question marks here, fold the stars
        for (;;) {
          const n = pat[++p]!;
          if (n === 0x3f) {
            if (!str[s++]) return CURL_FNMATCHFUNC.NOMATCH;
          } else if (n !== 0x2a) break;
        }
        maxStars--;
        for (;; s++) {
          if (loop(pat, p, str, s, maxStars) === CURL_FNMATCHFUNC.MATCH) return CURL_FNMATCHFUNC.MATCH;
          if (!str[s]) return CURL_FNMATCHFUNC.NOMATCH;
        }
      }
      case 0x3f:
        if (!str[s]) return CURL_FNMATCHFUNC.NOMATCH;
        s++;
        p++;
        break;
      case 0:
        return str[s] ? CURL_FNMATCHFUNC.NOMATCH : CURL_FNMATCHFUNC.MATCH;
      case 0x5c:
        if (pat[p + 1]) p++;
        if (str[s++] !== pat[p++]) return CURL_FNMATCHFUNC.NOMATCH;
        break;
      case 0x5b: {
        const close = parseSet(pat, p + 1, set);
        // a set with a syntax error matches nothing
        if (close < 0 || !str[s]) return CURL_FNMATCHFUNC.NOMATCH;
        if (!inSet(set, str[s]!)) return CURL_FNMATCHFUNC.NOMATCH;
        p = close + 1;
        s++;
        break;
      }
      default:
        if (pat[p++] !== str[s++]) return CURL_FNMATCHFUNC.NOMATCH;
    }
  }
}

/** Curl_fnmatch: CURL_FNMATCHFUNC.MATCH (0) or NOMATCH (1). */
export function curlFnmatch(pattern: string, name: string): number {
  return loop(bytesOf(pattern), 0, bytesOf(name), 0, 2);
}
