// curl_getdate(): libcurl's forgiving date parser (lib/parsedate.c), used for
// cookie Expires and elsewhere. It is not RFC 1123-strict on purpose: servers
// send RFC 822, RFC 850, asctime(), dates without weekday or time zone, odd
// separators, RFC 822 numeric zones and compact YYYYMMDD. The tokenizer takes
// at most six parts; names are weekday, month or zone; numbers are a time,
// a +HHMM zone, YYYYMMDD, a day of month or a year, in that order of guessing.

const WKDAY = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WEEKDAY = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Daylight saving zones are one hour off their standard zone (tDAYZONE). */
const DAY = -60;
/** Zone names and their offsets from GMT in minutes (west positive), as curl's table. */
const TZ: Readonly<Record<string, number>> = {
  GMT: 0, UT: 0, UTC: 0, WET: 0, BST: 0 + DAY, WAT: 60, AST: 240, ADT: 240 + DAY,
  EST: 300, EDT: 300 + DAY, CST: 360, CDT: 360 + DAY, MST: 420, MDT: 420 + DAY,
  PST: 480, PDT: 480 + DAY, YST: 540, YDT: 540 + DAY, HST: 600, HDT: 600 + DAY,
  CAT: 600, AHST: 600, NT: 660, IDLW: 720, CET: -60, MET: -60, MEWT: -60, MEST: -60 + DAY,
  CEST: -60 + DAY, MESZ: -60 + DAY, FWT: -60, FST: -60 + DAY, EET: -120, WAST: -420,
  WADT: -420 + DAY, CCT: -480, JST: -540, EAST: -600, EADT: -600 + DAY, GST: -600,
  NZT: -720, NZST: -720, NZDT: -720 + DAY, IDLE: -720,
  // military zones with the signs of actual usage (RFC 1123 notes RFC 822 had them wrong); no "J"
  A: 60, B: 120, C: 180, D: 240, E: 300, F: 360, G: 420, H: 480, I: 540, K: 600, L: 660, M: 720,
  N: -60, O: -120, P: -180, Q: -240, R: -300, S: -360, T: -420, U: -480, V: -540, W: -600,
  X: -660, Y: -720, Z: 0,
};

/** curl's NAME_LEN: a word this long is never a day, month or zone. */
const NAME_LEN = 12;
const INT_MAX = 2147483647;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);

function checkDay(word: string): number {
  const list = word.length > 3 ? WEEKDAY : word.length === 3 ? WKDAY : null;
  if (!list) return -1;
  const w = word.toLowerCase();
  return list.findIndex((d) => d.toLowerCase() === w);
}
function checkMonth(word: string): number {
  if (word.length !== 3) return -1;
  const w = word.toLowerCase();
  return MONTH.findIndex((m) => m.toLowerCase() === w);
}
/** Seconds to add to get GMT, or -1 for an unknown zone. */
function checkTz(word: string): number {
  if (word.length > 4) return -1;
  const off = TZ[word.toUpperCase()];
  return off === undefined ? -1 : off * 60;
}

/** Seconds since the epoch for a GMT calendar time (curl's time2epoch). */
function time2epoch(sec: number, min: number, hour: number, mday: number, mon: number, year: number): number {
  const cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const y = year - (mon <= 1 ? 1 : 0);
  const leap = Math.trunc(y / 4) - Math.trunc(y / 100) + Math.trunc(y / 400) - 492 + 19 - 4;
  return ((((year - 1970) * 365 + leap + cumulative[mon]! + mday - 1) * 24 + hour) * 60 + min) * 60 + sec;
}

/** HH:MM[:SS] with one- or two-digit fields; returns the index after it, or -1. */
function matchTime(s: string, i: number): { h: number; m: number; sec: number; end: number } | null {
  const two = (at: number): { v: number; end: number } =>
    isDigit(s[at + 1]) ? { v: Number(s[at]) * 10 + Number(s[at + 1]), end: at + 2 } : { v: Number(s[at]), end: at + 1 };
  const hh = two(i);
  if (hh.v >= 24 || s[hh.end] !== ':' || !isDigit(s[hh.end + 1])) return null;
  const mm = two(hh.end + 1);
  if (mm.v >= 60) return null;
  if (s[mm.end] === ':' && isDigit(s[mm.end + 1])) {
    const ss = two(mm.end + 1);
    if (ss.v > 60) return null;
    return { h: hh.v, m: mm.v, sec: ss.v, end: ss.end };
  }
  return { h: hh.v, m: mm.v, sec: 0, end: mm.end };
}

export const PARSEDATE = { OK: 0, FAIL: -1, LATER: 1 } as const;

/** curl's parsedate(): a status and the time in seconds since the epoch. */
export function parseDate(date: string): { rc: number; time: number } {
  const FAIL = { rc: PARSEDATE.FAIL, time: -1 };
  let wday = -1, mon = -1, mday = -1, hour = -1, min = -1, sec = -1, year = -1, tzoff = -1;
  let dignext: 'mday' | 'year' = 'mday';
  let i = 0;
  let part = 0;
  while (i < date.length && part < 6) {
    let found = false;
    // skip everything that is not a letter or a digit
    while (i < date.length && !isAlpha(date[i]) && !isDigit(date[i])) i++;
    if (isAlpha(date[i])) {
      let len = 0;
      while (isAlpha(date[i + len]) && len < NAME_LEN) len++;
      const word = date.slice(i, i + len);
      if (len !== NAME_LEN) {
        if (wday === -1) {
          wday = checkDay(word);
          if (wday !== -1) found = true;
        }
        if (!found && mon === -1) {
          mon = checkMonth(word);
          if (mon !== -1) found = true;
        }
        if (!found && tzoff === -1) {
          tzoff = checkTz(word);
          if (tzoff !== -1) found = true;
        }
      }
      if (!found) return FAIL;
      i += len;
    } else if (isDigit(date[i])) {
      const tm = sec === -1 ? matchTime(date, i) : null;
      if (tm) {
        hour = tm.h; min = tm.m; sec = tm.sec;
        i = tm.end;
      } else {
        let end = i;
        while (isDigit(date[end])) end++;
        const val = Number(date.slice(i, end));
        if (val > INT_MAX) return FAIL; // strtol range / int conversion failure
        const len = end - i;
        if (tzoff === -1 && len === 4 && val <= 1400 && i > 0 && (date[i - 1] === '+' || date[i - 1] === '-')) {
          // +HHMM / -HHMM: the local time's offset, so GMT is the reverse
          found = true;
          tzoff = (Math.trunc(val / 100) * 60 + (val % 100)) * 60;
          if (date[i - 1] === '+') tzoff = -tzoff;
        }
        if (len === 8 && year === -1 && mon === -1 && mday === -1) {
          found = true; // YYYYMMDD
          year = Math.trunc(val / 10000);
          mon = Math.trunc((val % 10000) / 100) - 1;
          mday = val % 100;
        }
        if (!found && dignext === 'mday' && mday === -1) {
          if (val > 0 && val < 32) {
            mday = val;
            found = true;
          }
          dignext = 'year';
        }
        if (!found && dignext === 'year' && year === -1) {
          year = val;
          found = true;
          if (year < 100) year += year > 70 ? 1900 : 2000;
          if (mday === -1) dignext = 'mday';
        }
        if (!found) return FAIL;
        i = end;
      }
    }
    part++;
  }
  if (sec === -1) sec = min = hour = 0;
  if (mday === -1 || mon === -1 || year === -1) return FAIL;
  if (mday > 31 || mon > 11 || hour > 23 || min > 59 || sec > 60) return FAIL;
  let t = time2epoch(sec, min, hour, mday, mon, year);
  if (tzoff === -1) tzoff = 0;
  t += tzoff;
  return { rc: PARSEDATE.OK, time: t };
}

/** curl_getdate(): seconds since the epoch, or -1 when the string is not a date. */
export function curlGetdate(date: string): number {
  const r = parseDate(date);
  if (r.rc !== PARSEDATE.OK) return -1;
  // a real date that happens to be -1 must not look like a failure
  return r.time === -1 ? 0 : r.time;
}
