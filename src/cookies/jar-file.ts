// Writing the cookie jar file as libcurl's cookie_output() does with
// Curl_fopen() (lib/fopen.c, as fixed for CVE-2023-32001 and shipped in
// Debian's 7.88.1):
//  - the target is opened first and fstat()ed (no window between looking
//    and opening); one that is not a regular file (/dev/null, a fifo, a
//    character device) is written through that descriptor: renaming a file
//    over it would replace the device (as root, `-c /dev/null` used to turn
//    /dev/null into a regular file);
//  - a regular file is written to "<dir>/<40 random hex>.tmp", created with
//    O_EXCL and mode 0600 (a name nobody can plant a file or symlink at in
//    advance), given the target's mode when owner and group are the same,
//    then renamed over the target, so a reader never sees half a jar. A
//    symlink to a regular file is replaced by the new jar, as libcurl does.
// One difference, on purpose: libcurl's first open has O_TRUNC, which
// empties the jar (or a symlink's target) before the rename replaces it
// anyway; here the first open does not truncate.
import { closeSync, constants as fsc, fchmodSync, fstatSync, openSync, renameSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Writes `text` (latin1) to `file`; false when it could not (libcurl only warns). */
export function writeJarFile(file: string, text: string): boolean {
  let fd: number;
  let st: Stats;
  try {
    fd = openSync(file, fsc.O_WRONLY | fsc.O_CREAT, 0o666);
  } catch {
    return false;
  }
  try {
    st = fstatSync(fd);
    if (!st.isFile()) {
      writeFileSync(fd, text, 'latin1');
      return true;
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
  // libcurl's dirslash(): the directory part with its slash, or nothing (the current directory)
  const tmp = `${file.slice(0, file.lastIndexOf('/') + 1)}${randomBytes(20).toString('hex')}.tmp`;
  try {
    fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  } catch {
    return false;
  }
  let written = false;
  try {
    const now = fstatSync(fd);
    // the target's permissions, when the new file has its owner and group (libcurl's fchmod)
    if (now.uid === st.uid && now.gid === st.gid) fchmodSync(fd, st.mode & 0o7777);
    writeFileSync(fd, text, 'latin1');
    written = true;
  } catch {
    // reported below, once the temporary file is gone
  } finally {
    closeSync(fd);
  }
  try {
    if (written) {
      renameSync(tmp, file);
      return true;
    }
  } catch {
    // libcurl: unlink the temporary file, CURLE_WRITE_ERROR
  }
  try {
    unlinkSync(tmp);
  } catch {
    // already gone
  }
  return false;
}
