// The "YYYYMMDD HH:MM:SS" time stamps of curl's HSTS and alt-svc cache files
// (and of the HSTS callbacks' `expire` field): libcurl prints them from
// Curl_gmtime() with "%d%02d%02d %02d:%02d:%02d". Times are C time_t values,
// kept as bigint so that every value libcurl can hold (up to 2^63-1) prints
// exactly; glibc's gmtime() fails when the year does not fit an int, and
// then libcurl does not write the file at all.

/** TIME_T_MAX: libcurl's "the end of time" (an HSTS entry that never expires). */
export const TIME_T_MAX = 0x7fffffffffffffffn;
/** CURL_OFF_T_MAX equals TIME_T_MAX on the 64-bit builds curl's tests assume. */
export const CURL_OFF_T_MAX = TIME_T_MAX;

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The time in seconds since the epoch that libcurl would read for `now` (time(NULL)). */
export function timeNow(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/**
 * Curl_gmtime + libcurl's format: the UTC stamp of `seconds`, or null where
 * gmtime() fails (the year is outside an int).
 */
export function curlStamp(seconds: bigint): string | null {
  let days = seconds / 86400n;
  let rem = seconds % 86400n;
  if (rem < 0n) {
    rem += 86400n;
    days -= 1n;
  }
  // |days| < 2^63 / 86400 < 2^47: exact as a number
  const z = Number(days) + 719468;
  // civil_from_days (H. Hinnant): the proleptic Gregorian calendar glibc uses
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year - 1900 > INT_MAX || year - 1900 < INT_MIN) return null;
  const s = Number(rem);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return `${year}${pad2(month)}${pad2(day)} ${pad2(hh)}:${pad2(mm)}:${pad2(s % 60)}`;
}
