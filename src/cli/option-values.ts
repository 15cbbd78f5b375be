// The values of the tool's options that take a word or a number with a
// meaning of their own (-C, -r, -z, --upload-flags, --create-file-mode, the
// GSS-API/FTP method names): each parser turns curl's argument into the
// libcurl value, with curl's parameter errors and warnings.
import { statSync } from 'node:fs';
import { CURL_TIMECOND } from '../index.js';
import { curlGetdate } from '../cookies/parse-date.js';
import type { OptEntry } from './args.js';
import { ParamError } from './param-error.js';
import { LONG_MAX } from './tool-numbers.js';

/** -C OFFSET or `-C -`. */
export function continueAt(e: OptEntry): number | 'current' {
  const s = String(e.value).trim();
  if (s === '-') return 'current';
  if (/^-\d+$/.test(s)) throw ParamError.option(e.given, 'NEGATIVE_NUMERIC');
  if (!/^\d+$/.test(s)) throw ParamError.option(e.given, 'BAD_NUMERIC');
  // past curl_off_t curl says "too large number"; so does tscurl past 2^53 - 1, where a JavaScript
  // number would round the offset and the Range/REST sent would silently name another byte
  if (BigInt(s) > BigInt(Number.MAX_SAFE_INTEGER)) throw ParamError.option(e.given, 'NUMBER_TOO_LARGE');
  return Number(s);
}

/**
 * --upload-flags: a comma-separated list of answered, deleted, draft, flagged, seen (case-sensitive),
 * each negated by a leading '-', applied to libcurl's default (seen): curl 8.13's parse_upload_flags.
 */
export function uploadFlags(e: OptEntry, text: string): number {
  const names = ['answered', 'deleted', 'draft', 'flagged', 'seen'];
  let bits = 1 << names.indexOf('seen');
  // bounded by the list's items
  for (const item of text.split(',')) {
    const negate = item.startsWith('-');
    const at = names.indexOf(negate ? item.slice(1) : item);
    if (at < 0) throw ParamError.option(e.given, 'OPTION_UNKNOWN');
    bits = negate ? bits & ~(1 << at) : bits | (1 << at);
  }
  return bits;
}

/** -r: curl appends the dash to a lone number and warns about odd characters. */
export function range(e: OptEntry, warnings: string[]): string {
  const s = String(e.value);
  if (/^\d/.test(s) && !s.includes('-')) {
    const n = BigInt(/^\d+/.exec(s)![0]);
    // curl reads it as a curl_off_t (curlx_strtoofft): past that it is "badly used here"
    if (n > LONG_MAX) throw ParamError.option(e.given, 'BAD_USE');
    warnings.push('A specified range MUST include at least one dash (-). Appending one for you!\n');
    // and prints it back (%" CURL_FORMAT_CURL_OFF_T "-"): leading zeros go, every digit stays
    return `${n}-`;
  }
  if (/[^0-9,-]/.test(s)) {
    warnings.push("Invalid character is found in given range. A specified range MUST have only digits in 'start'-'stop'. " +
      "The server's response to this request is uncertain.\n");
  }
  return s;
}

/** -z: [+-=]DATE, or a file whose modification time is the date. */
export function timeCondition(arg: string, warnings: string[]): { cond: number; time: number } {
  let cond: number = CURL_TIMECOND.IFMODSINCE;
  let s = arg;
  if (s.startsWith('+')) s = s.slice(1);
  else if (s.startsWith('-')) (cond = CURL_TIMECOND.IFUNMODSINCE), (s = s.slice(1));
  else if (s.startsWith('=')) (cond = CURL_TIMECOND.LASTMOD), (s = s.slice(1));
  const t = curlGetdate(s);
  if (t !== -1) return { cond, time: t };
  try {
    return { cond, time: Math.floor(statSync(s).mtimeMs / 1000) };
  } catch {
    warnings.push('Illegal date format for -z, --time-cond (and not a file name). Disabling time condition. ' +
      'See curl_getdate(3) for valid date syntax.\n');
    return { cond: CURL_TIMECOND.NONE, time: 0 };
  }
}

/** --create-file-mode: curl's oct2nummax(arg, 0777). */
export function octalMode(e: OptEntry): number {
  const s = String(e.value).trim();
  if (/^-\d/.test(s)) throw ParamError.option(e.given, 'NEGATIVE_NUMERIC');
  if (!/^\+?[0-7]+$/.test(s)) throw ParamError.option(e.given, 'BAD_NUMERIC');
  const n = parseInt(s, 8);
  if (n > 0o777) throw ParamError.option(e.given, 'NUMBER_TOO_LARGE');
  return n;
}

/** --delegation: curl's delegation() (CURLGSSAPI_DELEGATION_*). */
export function delegation(s: string, warnings: string[]): number {
  const v = ({ none: 0, policy: 1, always: 2 } as Record<string, number>)[s.toLowerCase()];
  if (v !== undefined) return v;
  warnings.push(`unrecognized delegation method '${s}', using none\n`);
  return 0;
}

/** --ftp-method: curl's ftpfilemethod() (CURLFTPMETHOD_*). */
export function ftpMethod(s: string, warnings: string[]): number {
  const v = ({ singlecwd: 3, nocwd: 2, multicwd: 1 } as Record<string, number>)[s.toLowerCase()];
  if (v !== undefined) return v;
  warnings.push(`unrecognized ftp file method '${s}', using default\n`);
  return 1;
}

/** curl's ftpcccmethod(): CURLFTPSSL_CCC_PASSIVE or _ACTIVE. */
export function cccMethod(s: string, warnings: string[]): number {
  const v = ({ passive: 1, active: 2 } as Record<string, number>)[s.toLowerCase()];
  if (v !== undefined) return v;
  warnings.push(`unrecognized ftp CCC method '${s}', using default\n`);
  return 1;
}
