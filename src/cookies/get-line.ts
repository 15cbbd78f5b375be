// libcurl's Curl_get_line (lib/curl_get_line.c, as curl 7.88.1 in Debian 12
// ships it): how a cookie file is cut into lines. It reads with fgets() into
// a buffer of `len` bytes and looks at the result as a C string, so:
//   - a line of len-1 bytes or more is dropped, with the rest of it;
//   - a NUL ends the line there; what fgets read after it (the rest of the
//     line and its newline) is unseen, so the line counts as an overlong
//     one: it is dropped and so is the next whole line;
//   - a line that starts with NUL ends the file;
//   - a last line without a newline counts when it fits.
// Works on a byte string (the file read as latin1), one char per byte.

/** The lines of `text` libcurl's cookie loader sees, without their newline. */
export function curlGetLines(text: string, len: number): string[] {
  const out: string[] = [];
  let pos = 0;
  let partial = false;
  while (pos < text.length) {
    // fgets(buf, len): up to len-1 bytes, up to and including a newline
    const limit = Math.min(pos + len - 1, text.length);
    const nl = text.indexOf('\n', pos);
    const end = nl >= 0 && nl < limit ? nl + 1 : limit;
    const read = text.slice(pos, end);
    pos = end;
    // feof(): fgets stopped because the file ended, not at a newline or the buffer's end
    const eof = pos === text.length && !read.endsWith('\n') && read.length < len - 1;
    const nul = read.indexOf('\0');
    const b = nul >= 0 ? read.slice(0, nul) : read;
    if (b.length === 0) break;
    if (b.endsWith('\n')) {
      if (partial) partial = false;
      else out.push(b.slice(0, -1));
    } else if (eof) {
      if (!partial && b.length + 1 < len) out.push(b);
      break;
    } else partial = true;
  }
  return out;
}
