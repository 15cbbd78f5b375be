// Which part of a local file a file:// download delivers: libcurl 7.88's
// setup_range() (RESUME_FROM wins over RANGE and becomes "N-") followed by
// Curl_range(), which reads "X-Y", "X-" and "-Y" with curlx_strtoofft. A
// pure function: file.ts applies the result to the file it opened.
import { CURLE, type CURLcode } from '../codes.js';

/** What Curl_range leaves in state.resume_from and req.maxdownload. */
export interface FileRange {
  /** where reading starts; negative counts from the end of the file */
  resumeFrom: number;
  /** bytes to deliver at most, -1 for "to the end" */
  maxDownload: number;
}

const OFF_T_MAX = (1n << 63n) - 1n;

type Parsed = { kind: 'ok'; value: number; end: number } | { kind: 'inval'; end: number } | { kind: 'flow'; end: number };

/**
 * curlx_strtoofft(str, &end, 10): blanks skipped, a leading '-' refused
 * without moving, then strtoll (white space, an optional sign, digits).
 */
function strtoofft(s: string, from: number): Parsed {
  let i = from;
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (s[i] === '-') return { kind: 'inval', end: i };
  const start = i;
  let j = i;
  while (j < s.length && /[ \t\n\v\f\r]/.test(s[j]!)) j++;
  let negative = false;
  if (s[j] === '+' || s[j] === '-') negative = s[j++] === '-';
  const digits = /^[0-9]+/.exec(s.slice(j))?.[0];
  if (!digits) return { kind: 'inval', end: start };
  const big = BigInt(digits);
  const end = j + digits.length;
  if (big > OFF_T_MAX) return { kind: 'flow', end };
  return { kind: 'ok', value: Number(negative ? -big : big), end };
}

/**
 * The range a file:// download delivers, from RESUME_FROM(_LARGE) (`resume`,
 * 0 for none) and CURLOPT_RANGE (`range`, null for none). null: no range.
 */
export function fileRange(resume: number, range: string | null): { code: CURLcode; range: FileRange | null } {
  const spec = resume !== 0 ? `${resume}-` : range;
  if (spec === null) return { code: CURLE.OK, range: null };
  const from = strtoofft(spec, 0);
  if (from.kind === 'flow') return { code: CURLE.RANGE_ERROR, range: null };
  let p = from.end;
  while (spec[p] === ' ' || spec[p] === '\t' || spec[p] === '-') p++;
  const to = strtoofft(spec, p);
  if (to.kind === 'flow') return { code: CURLE.RANGE_ERROR, range: null };
  if (to.kind === 'inval' && from.kind === 'ok') {
    // "X-": from X to the end
    return { code: CURLE.OK, range: { resumeFrom: from.value, maxDownload: -1 } };
  }
  if (from.kind === 'inval' && to.kind === 'ok') {
    // "-Y": the last Y bytes
    return { code: CURLE.OK, range: { resumeFrom: -to.value, maxDownload: to.value } };
  }
  // "X-Y" (a part that did not parse counts as 0, as in libcurl)
  const x = from.kind === 'ok' ? from.value : 0;
  const y = to.kind === 'ok' ? to.value : 0;
  if (x > y) return { code: CURLE.RANGE_ERROR, range: null };
  // the size would not fit a curl_off_t once the last byte is included
  if (y - x >= Number(OFF_T_MAX)) return { code: CURLE.RANGE_ERROR, range: null };
  return { code: CURLE.OK, range: { resumeFrom: x, maxDownload: y - x + 1 } };
}
