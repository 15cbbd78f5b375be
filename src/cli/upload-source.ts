// -T/--upload-file as curl's tool does it: the file (or stdin for "-" and
// ".") is read through a READFUNCTION with a SEEKFUNCTION so redirects and
// authentication can send it again; a regular file's size becomes
// INFILESIZE_LARGE, stdin's is unknown (HTTP then sends it chunked). A URL
// with no file name part gets the local file's name appended, URL-encoded.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CURLOPT, CURLE, type Easy } from '../index.js';

/** curl's add_file_name_to_url(). */
export function addFileNameToUrl(url: string, filename: string): string {
  const scheme = url.indexOf('://');
  const rest = scheme >= 0 ? scheme + 3 : 0;
  const slash = url.lastIndexOf('/');
  const hasSlash = slash >= rest;
  if (hasSlash && slash < url.length - 1) return url; // a file name part is there
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  // curl_easy_escape: everything but ALPHA / DIGIT / "-._~"
  const enc = [...Buffer.from(base)].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
  return hasSlash ? url + enc : `${url}/${enc}`;
}

let stdinData: Promise<Buffer> | null = null;
/** All of stdin (read once: several -T - share it). */
export function readStdin(): Promise<Buffer> {
  stdinData ??= new Promise((resolve) => {
    const parts: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => parts.push(d));
    process.stdin.on('end', () => resolve(Buffer.concat(parts)));
    process.stdin.on('error', () => resolve(Buffer.concat(parts)));
  });
  return stdinData;
}

export interface UploadSource {
  /** close the file after the transfer */
  close(): void;
}

/**
 * Sets UPLOAD, READFUNCTION, SEEKFUNCTION and (for a regular file)
 * INFILESIZE_LARGE on `easy`. Returns undefined when the file cannot be opened.
 */
export async function setupUpload(easy: Easy, file: string): Promise<UploadSource | undefined> {
  const setopt = (id: number, value: unknown): number => easy.setopt(id as never, value as never);
  let read: (buf: Buffer, pos: number) => number;
  let close = (): void => {};
  if (file === '-' || file === '.') {
    if (!isRegularFile(0)) return streamStdin(setopt);
    // stdin redirected from a file: read in place, so a redirect or auth round can rewind it (curl's lseek)
    read = (buf, pos) => readSync(0, buf, 0, buf.length, pos);
  } else {
    let fd: number;
    try {
      fd = openSync(file, 'r');
      const st = fstatSync(fd);
      if (st.isDirectory()) {
        closeSync(fd);
        return undefined;
      }
      if (st.isFile()) setopt(CURLOPT.INFILESIZE_LARGE, st.size);
    } catch {
      return undefined;
    }
    read = (buf, pos) => readSync(fd, buf, 0, buf.length, pos);
    close = () => closeSync(fd);
  }
  let pos = 0;
  setopt(CURLOPT.UPLOAD, 1);
  setopt(CURLOPT.READFUNCTION, (buf: Buffer) => {
    try {
      const n = read(buf, pos);
      pos += n;
      return n;
    } catch {
      return 0x10000000; // CURL_READFUNC_ABORT: curl's tool gives up on a read error
    }
  });
  setopt(CURLOPT.SEEKFUNCTION, (_c: unknown, offset: number) => {
    pos = offset;
    return 0;
  });
  return { close };
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * stdin as a pipe or terminal: read only when the transfer asks for upload
 * data, as curl's tool reads fd 0 from its read callback. A protocol that fails
 * before its upload (a refused login) must not wait for stdin to end first, and
 * nothing is buffered beyond what the transfer takes. A pipe cannot rewind:
 * a redirect or auth round that must resend fails as curl's does (CURLE_SEND_FAIL_REWIND).
 */
function streamStdin(setopt: (id: number, value: unknown) => number): UploadSource {
  setopt(CURLOPT.UPLOAD, 1);
  setopt(CURLOPT.READDATA, process.stdin);
  // the transfer's own socket keeps the tool running while it waits for input; an unended stdin must not
  (process.stdin as { unref?: () => void }).unref?.();
  return { close: () => {} };
}

export const CANT_OPEN = CURLE.READ_ERROR;
