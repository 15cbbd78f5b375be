// curl 7.88's number parsing for command-line values (tool_paramhlp.c),
// on C's strtol()/strtod() rules, because what curl accepts is what scripts
// pass: leading blanks and a '+' are fine, a trailing blank is not, "1e3"
// and "0x10" are seconds for -m, a value past a long is "too large number"
// even when garbage follows it.
import { ParamError, type ParamReason } from './param-error.js';

/** LONG_MAX on the 64-bit systems curl's numbers assume. */
export const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/** C's isspace() in the "C" locale. */
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** strtol(str, &end, 10): the value (clamped as strtol clamps), where parsing stopped, and ERANGE. */
export function cStrtol(s: string): { value: bigint; end: number; erange: boolean } {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start) return { value: 0n, end: 0, erange: false };
  let value = BigInt(s.slice(start, i));
  if (neg) value = -value;
  if (value > LONG_MAX) return { value: LONG_MAX, end: i, erange: true };
  if (value < LONG_MIN) return { value: LONG_MIN, end: i, erange: true };
  return { value, end: i, erange: false };
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const SPECIAL = /^[+-]?(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i;

/** strtod(str, &end): the value, where parsing stopped, and ERANGE (overflow or underflow). */
export function cStrtod(s: string): { value: number; end: number; erange: boolean } {
  let i = 0;
  while (isSpace(s[i])) i++;
  const rest = s.slice(i);
  const special = SPECIAL.exec(rest);
  if (special) {
    const word = special[0].replace(/^[+-]/, '').toLowerCase();
    const sign = special[0].startsWith('-') ? -1 : 1;
    return { value: word.startsWith('inf') ? sign * Infinity : NaN, end: i + special[0].length, erange: false };
  }
  const hex = HEX.exec(rest);
  if (hex) {
    const v = hexFloat(hex[0]);
    return { value: v, end: i + hex[0].length, erange: !Number.isFinite(v) };
  }
  // "0x" with no hex digit after it is the number 0 followed by "x..."
  const dec = DECIMAL.exec(rest);
  if (!dec) return { value: 0, end: 0, erange: false };
  const text = dec[0];
  const value = Number(text);
  // ERANGE: overflow to infinity, or a nonzero mantissa that underflows to 0
  const underflow = value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ''));
  return { value, end: i + text.length, erange: !Number.isFinite(value) || underflow };
}

/** A C99 hexadecimal floating constant ("0x1.8p3"). */
function hexFloat(text: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(text)!;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  let v = 0;
  for (const d of digits) v = v * 16 + parseInt(d, 16);
  v *= 2 ** (-4 * (m[3] ?? '').length + Number(m[4] ?? 0));
  return m[1] === '-' ? -v : v;
}

function fail(flag: string, reason: ParamReason): never {
  throw ParamError.option(flag, reason);
}

/** curl's getnum()/str2num(): a whole decimal string strtol() takes, within a long. */
export function str2num(flag: string, s: string): number {
  const r = cStrtol(s);
  if (r.erange) fail(flag, 'NUMBER_TOO_LARGE');
  if (r.end === 0 || r.end !== s.length) fail(flag, 'BAD_NUMERIC');
  return Number(r.value);
}

/** curl's str2unum(): str2num() that is not negative. */
export function str2unum(flag: string, s: string): number {
  const n = str2num(flag, s);
  if (n < 0) fail(flag, 'NEGATIVE_NUMERIC');
  return n;
}

/** curl's str2udouble(): a whole string strtod() takes, not above max, not negative (NaN passes, as in C). */
export function str2udouble(flag: string, s: string, max: number): number {
  const r = cStrtod(s);
  if (r.erange || r.value > max) fail(flag, 'NUMBER_TOO_LARGE');
  if (r.end === 0 || r.end !== s.length) fail(flag, 'BAD_NUMERIC');
  if (r.value < 0) fail(flag, 'NEGATIVE_NUMERIC');
  return r.value;
}

/** The ceiling curl gives second counts that become milliseconds: (double)LONG_MAX/1000. */
export const SECONDS_MAX = Number(LONG_MAX) / 1000;

/**
 * A timeout in seconds as curl 7.88 turns it into a *_MS option: str2udouble()
 * then (long)(seconds * 1000), truncated; NaN (which C lets through) is no timeout.
 */
export function secondsToMs(flag: string, s: string): number {
  const v = str2udouble(flag, s, SECONDS_MAX);
  return Number.isNaN(v) ? 0 : Math.trunc(v * 1000);
}
