// CURLOPT_RANGE for FTP (libcurl's ftp_range): "X-Y", "X-" and "-Y" become
// a resume offset and a byte limit. Numbers past curl_off_t are an error
// (CURLE_RANGE_ERROR), not a rounded JavaScript number.

export interface FtpRange {
  /** where the download starts (negative: that many bytes from the end), null: unchanged */
  resumeFrom: number | null;
  /** bytes to download at most, -1: all */
  maxDownload: number;
}

/** The range, null when it says nothing, 'too big' when a number does not fit a curl_off_t. */
export function ftpRange(range: string): FtpRange | null | 'too big' {
  const m = /^\s*(\d*)\s*-\s*(\d*)/.exec(range);
  if (!m) return null;
  if (offTooBig(m[1]!) || offTooBig(m[2]!)) return 'too big';
  const from = m[1] === '' ? null : Number(m[1]);
  const to = m[2] === '' ? null : Number(m[2]);
  if (from !== null && to === null) return { resumeFrom: from, maxDownload: -1 };
  if (from === null && to !== null) return { resumeFrom: -to, maxDownload: to };
  if (from !== null && to !== null) return { resumeFrom: from, maxDownload: to - from + 1 };
  return null;
}

/** Digits of a number larger than curl_off_t's maximum (2^63-1)? */
function offTooBig(digits: string): boolean {
  const d = digits.replace(/^0+/, '');
  return d.length > 19 || (d.length === 19 && d > '9223372036854775807');
}
