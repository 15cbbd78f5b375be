// An SFTP download (libcurl 7.88's SSH_SFTP_DOWNLOAD_INIT/STAT and sftp_recv):
// open, stat for the size, RANGE and RESUME_FROM turned into an offset and a
// length, then reads until the end. Up to READ_AHEAD reads are in flight
// (libssh2 reads ahead too) and their data goes to the client writers in
// file order. A paused writer stops new reads; those in flight land in the
// queue (at most READ_AHEAD * READ_SIZE bytes).
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPAUSE } from '../../constants.js';
import { PAUSED } from '../../cw/client-write.js';
import { nowMs } from '../../util/clock.js';
import { resumeOffset } from '../http-response.js';
import { PendingOp } from './sftp-ops.js';
import { fxCode, fxText, fxToCurle } from './sftp-errors.js';
import type { SftpStats } from './ssh2-lib.js';
import type { SftpJob, SftpJobHost } from './sftp-job.js';

const READ_SIZE = 64 * 1024;
const READ_AHEAD = 8;
/** SSH_FXF_READ */
const FXF_READ = 1;

interface Read {
  op: PendingOp;
  buf: Buffer;
}

/** libcurl's CURLOPT_RANGE reading for SFTP: "from-to", "from-", "-last" (curlx_strtoofft per part). */
export function sftpRange(range: string, size: number): { from: number; size: number } | { error: CURLcode; message?: string } {
  const num = /^[ \t]*(\d+)/.exec(range);
  let rest = num ? range.slice(num[0].length) : range.replace(/^[ \t]*/, '');
  rest = rest.replace(/^[ \t-]*/, '');
  const toM = /^(\d+)/.exec(rest);
  let from = num ? Number(num[1]) : 0;
  let to = toM ? Number(toM[1]) : -1;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return { error: CURLE.RANGE_ERROR };
  if (!toM || to >= size) to = size - 1;
  if (!num) {
    // "-N": the last N bytes
    from = size - to;
    to = size - 1;
  }
  if (from > size) return { error: CURLE.BAD_DOWNLOAD_RESUME, message: `Offset (${from}) was beyond file size (${size})` };
  if (from > to) return { from: to, size: 0 };
  return { from, size: to - from + 1 };
}

export class SftpDownload implements SftpJob {
  readonly #h: SftpJobHost;
  readonly #op = new PendingOp();
  #phase: 'open' | 'stat' | 'read' | 'close' | 'done' = 'open';
  #handle: Buffer | null = null;
  /** where the next read starts, and bytes left to ask for (-1: to the end) */
  #next = 0;
  #toAsk = -1;
  #reads: Read[] = [];
  #eof = false;
  #failure: CURLcode = CURLE.OK;

  constructor(h: SftpJobHost) {
    this.#h = h;
    this.#op.issue((cb) => h.sftp.open(h.path, FXF_READ, {}, cb as never));
  }

  get finished(): boolean {
    return this.#phase === 'done';
  }

  run(): CURLcode {
    // bounded: every pass either takes an answer or returns
    for (let pass = 0; pass < 1000; pass++) {
      switch (this.#phase) {
        case 'open': {
          const a = this.#op.take<Buffer>();
          if (!a) return CURLE.OK;
          if (a.err) {
            const fx = fxCode(a.err);
            const code = fxToCurle(fx);
            this.#phase = 'done';
            return this.#h.fail(code === CURLE.OK ? CURLE.SSH : code, `Could not open remote file for reading: ${fxText(fx)}`);
          }
          this.#handle = a.value;
          this.#phase = 'stat';
          this.#op.issue((cb) => this.#h.sftp.stat(this.#h.path, cb as never));
          break;
        }
        case 'stat': {
          const a = this.#op.take<SftpStats>();
          if (!a) return CURLE.OK;
          const c = this.#setup(a.err ? null : a.value);
          if (c !== CURLE.OK) return this.#fail(c);
          break;
        }
        case 'read': {
          const c = this.#pump();
          if (c !== CURLE.OK) return this.#fail(c);
          if (this.#phase === 'read') return CURLE.OK;
          break;
        }
        case 'close': {
          if (this.#op.waiting) return CURLE.OK;
          this.#op.take();
          this.#phase = 'done';
          return this.#failure;
        }
        case 'done':
          return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  /** SSH_SFTP_DOWNLOAD_STAT: the size, the range, the resume point. */
  #setup(st: SftpStats | null): CURLcode {
    const t = this.#h.t;
    let size = -1;
    let from = 0;
    if (st && typeof st.size === 'number' && st.size > 0) {
      size = st.size;
      const range = t.opts.str(CURLOPT.RANGE);
      if (range !== null) {
        const r = sftpRange(range, size);
        if ('error' in r) return r.message ? this.#h.fail(r.error, r.message) : r.error;
        from = r.from;
        size = r.size;
      }
    }
    let resume = resumeOffset(t);
    if (resume !== 0) {
      const fsize = st?.size ?? 0;
      if (resume < 0) {
        if (fsize < -resume) return this.#h.fail(CURLE.BAD_DOWNLOAD_RESUME, `Offset (${resume}) was beyond file size (${fsize})`);
        resume += fsize;
      } else if (fsize < resume) {
        return this.#h.fail(CURLE.BAD_DOWNLOAD_RESUME, `Offset (${resume}) was beyond file size (${fsize})`);
      }
      size = fsize - resume;
      from = resume;
    }
    t.contentLength = size;
    this.#next = from;
    this.#toAsk = size;
    t.timing.starttransfer = nowMs();
    if (size === 0) {
      this.#h.info('File already completely downloaded');
      this.#close();
      return CURLE.OK;
    }
    this.#phase = 'read';
    return CURLE.OK;
  }

  /** Deliver finished reads in order, then ask for more. */
  #pump(): CURLcode {
    const h = this.#h;
    const t = h.t;
    while (this.#reads.length > 0) {
      if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
      const r = this.#reads[0]!;
      const a = r.op.take<number>();
      if (!a) break;
      this.#reads.shift();
      if (a.err) return CURLE.SSH;
      const n = a.value ?? 0;
      if (n === 0) {
        this.#eof = true;
        continue;
      }
      if (this.#eof) continue;
      const c = h.body(r.buf.subarray(0, n));
      if (c === PAUSED) return CURLE.OK;
      if (c !== CURLE.OK) return c;
    }
    const doneAsking = this.#eof || this.#toAsk === 0;
    if (doneAsking && this.#reads.length === 0) {
      this.#close();
      return CURLE.OK;
    }
    if (t.pauseBits & CURLPAUSE.RECV || h.writeBlocked) return CURLE.OK;
    while (!doneAsking && this.#reads.length < READ_AHEAD && this.#toAsk !== 0) {
      const len = this.#toAsk < 0 ? READ_SIZE : Math.min(READ_SIZE, this.#toAsk);
      const read: Read = { op: new PendingOp(), buf: Buffer.allocUnsafe(len) };
      const pos = this.#next;
      read.op.issue((cb) => h.sftp.read(this.#handle!, read.buf, 0, len, pos, cb as never));
      this.#reads.push(read);
      this.#next += len;
      if (this.#toAsk > 0) this.#toAsk -= len;
    }
    return CURLE.OK;
  }

  #close(): void {
    this.#phase = 'close';
    this.#reads = [];
    const handle = this.#handle;
    this.#handle = null;
    if (handle) this.#op.issue((cb) => this.#h.sftp.close(handle, cb as never));
    else this.#op.cancel();
  }

  #fail(code: CURLcode): CURLcode {
    this.#failure = code;
    this.#phase = 'done';
    this.abort();
    return code;
  }

  abort(): void {
    this.#reads = [];
    this.#op.cancel();
    const handle = this.#handle;
    this.#handle = null;
    if (handle) {
      try {
        this.#h.sftp.close(handle, () => {});
      } catch {
        // the session is gone
      }
    }
  }
}
