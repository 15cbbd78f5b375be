// The FILE protocol handler (file://), after libcurl 7.88's lib/file.c: a
// download reads the local file the URL names, an upload (UPLOAD) writes it.
//
// Theory of operation. The handler has PROTOPT.NONETWORK, so the engine goes
// from CONNECT straight to DO with a connection that has no socket. start()
// does what file_connect and the first half of file_do do: decode the path
// (a %00 in it is CURLE_URL_MALFORMAT), open the file, fstat it, store its
// time (CURLINFO_FILETIME), apply TIMECONDITION, hand the headers libcurl
// makes up ("Content-Length:", "Accept-ranges:", "Last-Modified:") to the
// header callback, and work out the range (RESUME_FROM, RANGE). step() then
// moves at most STEP_BYTES between the file and the application and answers
// wakeAt = "now" while more remains: with no socket to wait for, the
// engine's REQUEST expiry is what runs the transfer again, so other
// transfers and the application's event loop get their turn between pieces.
// libcurl reads the whole file in one blocking loop; reading a local file
// with readSync in bounded pieces is the same I/O without holding the event
// loop for the whole file.
//
// Where this differs from 7.88, on purpose: the body goes through the same
// client writers as HTTP's, so a write callback may pause a file:// download
// (7.88 fails with "Write callback asked for PAUSE when not supported") and
// MAXFILESIZE applies (7.88 ignores it for file://), as in later libcurl.
// Likewise a read callback may pause a file:// upload (CURL_READFUNC_PAUSE:
// libcurl fails with "Read callback asked for PAUSE when not supported"):
// then no read happens until easy.pause(CONT), as on every other protocol,
// so the CLI's `-T -` from a pipe that is slow to fill works as curl's does
// (curl's tool blocks in fread instead of pausing).
import { closeSync, constants as FS, fstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { CURLE, type CURLcode } from '../codes.js';
import { CURLOPT } from '../easy/option-table.js';
import { CURLINFO_TYPE, CURLPAUSE, CURLPROTO } from '../constants.js';
import { HTTPREQ } from '../easy/option-store.js';
import { CallbackReader } from '../cr/callback-reader.js';
import { CURLU, CURLUPART } from '../url/url-codes.js';
import { toBytes, urlDecode } from '../url/url-bytes.js';
import { nowMs } from '../util/clock.js';
import type { Transfer } from '../multi/transfer.js';
import { CLIENTWRITE, PAUSED } from '../cw/client-write.js';
import type { CallbackGuard } from '../util/callback-depth.js';
import { traceData } from '../util/trace.js';
import { httpDate } from './http-request-lines.js';
import { meetsTimeCondition, resumeOffset } from './http-response.js';
import { fileRange } from './file-range.js';
import { PROTOPT, type ProtocolHandler, type ProtocolRequest } from './handler.js';
import { freshUploadSource } from './upload-source.js';

/** Bytes one step() moves at most before the transfer yields (to the event loop and other transfers). */
export const STEP_BYTES = 1 << 20;

type Phase = 'download' | 'upload' | 'done';

export class FileRequest implements ProtocolRequest {
  readonly #t: Transfer;
  /** runs the application callbacks the request calls itself (read callback, trace) */
  readonly #guard: CallbackGuard;
  #fd: number | null = null;
  #phase: Phase = 'done';
  /** download: where the next read starts */
  #pos = 0;
  /** download: bytes still to deliver when the size is known, -1 when reading to the end */
  #left = -1;
  /** download: the read buffer (BUFFERSIZE bytes, reused: the write callback gets views of it) */
  #buf: Buffer | null = null;
  /** upload: the application's data, and how much of its start a resumed upload skips */
  #reader: CallbackReader | null = null;
  #skip = 0;
  #gotBytes = false;

  constructor(t: Transfer, guard: CallbackGuard) {
    this.#t = t;
    this.#guard = guard;
  }

  /** file_connect + file_do up to the first byte. */
  start(): CURLcode {
    const t = this.#t;
    // the path as the URL holds it (libcurl's state.up.path): messages show it so
    const shown = t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
    const decoded = urlDecode(toBytes(shown), false);
    // binary zeroes indicate foul play (file_connect)
    if (decoded === null || decoded.includes('\0')) return CURLE.URL_MALFORMAT;
    const path = Buffer.from(decoded, 'latin1');
    // libcurl 7.88 uploads when the request kind is PUT (state.upload): UPLOAD set after any NOBODY/POST
    if (t.opts.method === HTTPREQ.PUT) return this.#startUpload(path);
    return this.#startDownload(path, shown);
  }

  #startDownload(path: Buffer, shown: string): CURLcode {
    const t = this.#t;
    try {
      this.#fd = openSync(path, FS.O_RDONLY);
    } catch {
      t.fail(CURLE.FILE_COULDNT_READ_FILE, `Couldn't open file ${shown}`);
      return CURLE.FILE_COULDNT_READ_FILE;
    }
    let st: Stats | null = null;
    try {
      st = fstatSync(this.#fd);
    } catch {
      st = null;
    }
    // a directory has no size to announce; it reads as nothing (7.88 does not list it)
    let expected = st && !st.isDirectory() ? st.size : -1;
    if (st) t.filetime = Math.floor(st.mtimeMs / 1000);
    const resume = resumeOffset(t);
    const rangeOpt = t.opts.str(CURLOPT.RANGE);
    if (st && resume === 0 && rangeOpt === null && t.opts.num(CURLOPT.TIMECONDITION) !== 0) {
      const info: string[] = [];
      const met = meetsTimeCondition(t, t.filetime, info);
      for (const line of info) traceData(this.#guard, t, CURLINFO_TYPE.TEXT, line + '\n');
      if (!met) return this.#finish();
    }
    const noBody = t.opts.num(CURLOPT.NOBODY) !== 0;
    if (st) {
      if (expected >= 0) {
        const length = this.#header(`Content-Length: ${expected}\r\n`);
        if (length !== CURLE.OK) return length;
        const ranges = this.#header('Accept-ranges: bytes\r\n');
        if (ranges !== CURLE.OK) return ranges;
      }
      // the last made-up header ends the block with a blank line unless there is no body to follow
      const c = this.#header(`Last-Modified: ${httpDate(t.filetime)}\r\n${noBody ? '' : '\r\n'}`);
      if (c !== CURLE.OK) return c;
      t.contentLength = expected;
      if (noBody) return this.#finish();
    }
    const r = fileRange(resume, rangeOpt);
    if (r.code !== CURLE.OK) return r.code;
    let from = r.range?.resumeFrom ?? 0;
    if (from < 0) {
      if (!st) {
        t.fail(CURLE.READ_ERROR, "Can't get the size of file.");
        return CURLE.READ_ERROR;
      }
      from += st.size;
    }
    if (from > 0) {
      if (from > expected) {
        t.fail(CURLE.BAD_DOWNLOAD_RESUME, 'failed to resume file:// transfer');
        return CURLE.BAD_DOWNLOAD_RESUME;
      }
      expected -= from;
    }
    const max = r.range?.maxDownload ?? -1;
    if (max > 0) expected = max;
    const sizeKnown = st !== null && expected > 0;
    if (sizeKnown) t.contentLength = expected;
    // lseek() to a negative offset fails: the last N bytes of a file shorter than N
    if (from < 0) return CURLE.BAD_DOWNLOAD_RESUME;
    this.#pos = from;
    this.#left = sizeKnown ? expected : -1;
    this.#buf = Buffer.allocUnsafe(t.opts.num(CURLOPT.BUFFERSIZE));
    t.timing.starttransfer = nowMs();
    this.#phase = 'download';
    return CURLE.OK;
  }

  #startUpload(path: Buffer): CURLcode {
    const t = this.#t;
    // file_upload refuses a path that is nothing but the root
    if (path.length <= 1) return CURLE.FILE_COULDNT_READ_FILE;
    // started over before the file is opened (and truncated): a body that cannot be sent leaves it as it was
    const src = freshUploadSource(t, this.#guard);
    if (typeof src === 'number') return src;
    let resume = resumeOffset(t);
    const flags = FS.O_WRONLY | FS.O_CREAT | (resume !== 0 ? FS.O_APPEND : FS.O_TRUNC);
    const shown = path.toString();
    try {
      this.#fd = openSync(path, flags, t.opts.num(CURLOPT.NEW_FILE_PERMS));
    } catch {
      t.fail(CURLE.WRITE_ERROR, `Can't open ${shown} for writing`);
      return CURLE.WRITE_ERROR;
    }
    t.uploadLength = t.opts.num(CURLOPT.INFILESIZE_LARGE);
    if (resume < 0) {
      // "-": append what the target does not have yet
      try {
        resume = fstatSync(this.#fd).size;
      } catch {
        t.fail(CURLE.WRITE_ERROR, `Can't get the size of ${shown}`);
        return CURLE.WRITE_ERROR;
      }
    }
    this.#skip = resume;
    this.#reader = src;
    // 7.88 reads until the callback says 0, whatever INFILESIZE announced (it is for the progress meter)
    this.#reader.start(-1);
    this.#phase = 'upload';
    return CURLE.OK;
  }

  /**
   * A made-up header line to the header callback only, not CURLOPT_HEADER's
   * body stream (7.88 writes it as CLIENTWRITE_HEADER alone, which is what
   * CLIENTWRITE_INFO means here).
   */
  #header(text: string): CURLcode {
    return this.#t.writers.write(CLIENTWRITE.INFO, Buffer.from(text, 'latin1'));
  }

  step(): CURLcode {
    if (this.#phase === 'download') return this.#download();
    if (this.#phase === 'upload') return this.#upload();
    return CURLE.OK;
  }

  #download(): CURLcode {
    const t = this.#t;
    if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
    const buf = this.#buf!;
    let budget = Math.min(STEP_BYTES, t.recvBudget);
    while (budget > 0) {
      if (this.#left === 0) return this.#finish();
      // as file_do: a known size reads no further than it, an unknown one a byte less than the buffer
      let want = this.#left > 0 ? Math.min(this.#left, buf.length) : buf.length - 1;
      want = Math.max(1, Math.min(want, budget));
      let n: number;
      try {
        n = readSync(this.#fd!, buf, 0, want, this.#pos);
      } catch {
        n = 0; // a directory (EISDIR) or a read error ends the file, as read() <= 0 does in file_do
      }
      if (n <= 0) return this.#finish();
      this.#gotBytes = true;
      this.#pos += n;
      if (this.#left > 0) this.#left -= n;
      budget -= n;
      t.recvBudget -= n;
      const c = t.writers.write(CLIENTWRITE.BODY, buf.subarray(0, n));
      if (c === PAUSED) return CURLE.OK;
      if (c !== CURLE.OK) return this.#fail(c);
    }
    if (this.#left === 0) return this.#finish();
    return CURLE.OK;
  }

  #upload(): CURLcode {
    const t = this.#t;
    if (t.pauseBits & CURLPAUSE.SEND) return CURLE.OK;
    const size = t.opts.num(CURLOPT.BUFFERSIZE);
    for (let moved = 0; moved < STEP_BYTES;) {
      const r = this.#reader!.read(size);
      if (r.kind === 'pause') {
        // the upload waits for easy.pause(CONT), which wakes the transfer (7.88 fails here instead)
        t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') {
        t.fail(r.code, r.message);
        return this.#fail(r.code);
      }
      if (r.kind === 'eos' || r.data.length === 0) return this.#finish();
      let data = r.data;
      moved += data.length;
      if (this.#skip > 0) {
        // a resumed upload: the bytes before the resume point are already there
        const drop = Math.min(this.#skip, data.length);
        this.#skip -= drop;
        data = data.subarray(drop);
      }
      let written: number;
      try {
        written = data.length > 0 ? writeSync(this.#fd!, data) : 0;
      } catch {
        written = -1;
      }
      if (written !== data.length) return this.#fail(CURLE.SEND_ERROR);
      t.sizeUpload += data.length;
      if (r.eos) return this.#finish();
    }
    return CURLE.OK;
  }

  /** The transfer ends well: release the file. */
  #finish(): CURLcode {
    this.#release();
    if (this.#t.timing.posttransfer === 0) this.#t.timing.posttransfer = nowMs();
    return CURLE.OK;
  }

  #fail(code: CURLcode): CURLcode {
    this.#release();
    return code;
  }

  #release(): void {
    this.#phase = 'done';
    this.#buf = null;
    this.#reader = null;
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // nothing to do about a failed close of a descriptor we are done with
    }
    this.#fd = null;
  }

  abort(): void {
    this.#release();
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** never: there is no connection to keep */
  get reusable(): boolean {
    return false;
  }

  pollWhat(): number {
    return 0;
  }

  /** Run again at once while there is more to move (and the application does not hold receiving). */
  get wakeAt(): number | null {
    if (this.#phase === 'done') return null;
    if (this.#phase === 'download' && this.#t.pauseBits & CURLPAUSE.RECV) return null;
    if (this.#phase === 'upload' && this.#t.pauseBits & CURLPAUSE.SEND) return null;
    return nowMs();
  }

  retainReceived(): void {
    // what was read went to the client writers, which copy what they hold
  }

  resume(): CURLcode {
    // the engine delivered what the paused writer held; step() reads on
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#gotBytes;
  }
}


export const FILE_HANDLER: ProtocolHandler = Object.freeze({
  scheme: 'file',
  defaultPort: 0,
  protocol: CURLPROTO.FILE,
  flags: PROTOPT.NONETWORK | PROTOPT.NOREUSE,
  alpn: [],
  request: (t: Transfer, _conn: unknown, guard: CallbackGuard): ProtocolRequest => new FileRequest(t, guard),
});
