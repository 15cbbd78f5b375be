// An SFTP upload (libcurl 7.88's SSH_SFTP_UPLOAD_INIT, SSH_SFTP_CREATE_DIRS*
// and sftp_send): open for writing with NEW_FILE_PERMS (APPEND appends,
// RESUME_FROM appends from that offset, "-1" asks the server for the size
// first, otherwise truncate); when the open fails for a missing directory
// and FTP_CREATE_MISSING_DIRS is set, every directory of the path is made
// (NEW_DIRECTORY_PERMS) and the open tried once more. The data comes from
// the read callback; up to WRITES_IN_FLIGHT writes are in flight.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPAUSE } from '../../constants.js';
import { CallbackReader } from '../../cr/callback-reader.js';
import { resumeOffset } from '../http-response.js';
import { PendingOp } from './sftp-ops.js';
import { FX, fxCode, fxText, fxToCurle } from './sftp-errors.js';
import type { SftpStats } from './ssh2-lib.js';
import type { SftpJob, SftpJobHost } from './sftp-job.js';
import { freshUploadSource } from '../upload-source.js';

const WRITES_IN_FLIGHT = 4;
const FXF = { WRITE: 2, APPEND: 4, CREAT: 8, TRUNC: 0x10 } as const;

export class SftpUpload implements SftpJob {
  readonly #h: SftpJobHost;
  readonly #op = new PendingOp();
  #phase: 'stat' | 'open' | 'mkdir' | 'write' | 'close' | 'done' = 'open';
  #handle: Buffer | null = null;
  #resume = 0;
  #secondTry = false;
  /** create-dirs: the index of the next '/' to make a directory at */
  #slash = 0;
  #reader: CallbackReader | null = null;
  /** the body could not be started over: the job's failure */
  #refused: CURLcode = CURLE.OK;
  #skip = 0;
  /** upload bytes written (libcurl's writebytecount) */
  #sent = 0;
  #pos = 0;
  #writes: PendingOp[] = [];
  #eos = false;

  constructor(h: SftpJobHost) {
    this.#h = h;
    // started over before the remote file is opened (and truncated): a body that cannot be sent leaves it as it was
    const src = freshUploadSource(h.t, h.guard);
    if (typeof src === 'number') {
      this.#refused = src;
      this.#phase = 'done';
      return;
    }
    this.#reader = src;
    this.#resume = resumeOffset(h.t);
    if (this.#resume < 0) {
      this.#phase = 'stat';
      this.#op.issue((cb) => h.sftp.stat(h.path, cb as never));
    } else this.#open();
  }

  get finished(): boolean {
    return this.#phase === 'done';
  }

  #open(): void {
    const o = this.#h.t.opts;
    let flags: number = FXF.WRITE | FXF.CREAT | FXF.TRUNC;
    if (o.num(CURLOPT.APPEND)) flags = FXF.WRITE | FXF.CREAT | FXF.APPEND;
    else if (this.#resume > 0) flags = FXF.WRITE | FXF.APPEND;
    const mode = o.num(CURLOPT.NEW_FILE_PERMS);
    this.#phase = 'open';
    this.#op.issue((cb) => this.#h.sftp.open(this.#h.path, flags, { mode }, cb as never));
  }

  run(): CURLcode {
    if (this.#refused !== CURLE.OK) return this.#refused;
    // bounded: every pass takes an answer or returns
    for (let pass = 0; pass < 1000; pass++) {
      switch (this.#phase) {
        case 'stat': {
          const a = this.#op.take<SftpStats>();
          if (!a) return CURLE.OK;
          this.#resume = a.err ? 0 : a.value.size;
          this.#open();
          break;
        }
        case 'open': {
          const a = this.#op.take<Buffer>();
          if (!a) return CURLE.OK;
          if (a.err) {
            const c = this.#openFailed(fxCode(a.err));
            if (c !== CURLE.OK) return c;
            break;
          }
          this.#handle = a.value;
          this.#startWriting();
          break;
        }
        case 'mkdir': {
          const a = this.#op.take();
          if (!a) return CURLE.OK;
          const fx = fxCode(a.err);
          // an existing directory, or one we may not make but may enter, is fine
          if (a.err && fx !== FX.FILE_ALREADY_EXISTS && fx !== FX.FAILURE && fx !== FX.PERMISSION_DENIED) {
            this.#phase = 'done';
            const code = fxToCurle(fx);
            return code === CURLE.OK ? CURLE.SSH : code;
          }
          this.#nextDir();
          break;
        }
        case 'write': {
          const c = this.#pumpWrites();
          if (c !== CURLE.OK) return this.#fail(c);
          if (this.#phase === 'write') return CURLE.OK;
          break;
        }
        case 'close': {
          if (this.#op.waiting) return CURLE.OK;
          const a = this.#op.take();
          this.#phase = 'done';
          return a?.err ? CURLE.SEND_ERROR : CURLE.OK;
        }
        case 'done':
          return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  #openFailed(fx: number): CURLcode {
    const h = this.#h;
    const t = h.t;
    const code = fx >= 0 ? fxToCurle(fx) : CURLE.SSH;
    if (this.#secondTry) {
      this.#phase = 'done';
      return h.fail(code === CURLE.OK ? CURLE.SSH : code, `Creating the dir/file failed: ${fxText(Math.max(fx, 0))}`);
    }
    if ((fx === FX.NO_SUCH_FILE || fx === FX.FAILURE || fx === FX.NO_SUCH_PATH) &&
      t.opts.num(CURLOPT.FTP_CREATE_MISSING_DIRS) !== 0 && h.path.length > 1) {
      this.#secondTry = true;
      this.#slash = 1;
      this.#nextDir();
      return CURLE.OK;
    }
    this.#phase = 'done';
    const shown = fx > 0 ? fxText(fx) : 'ssh error';
    return h.fail(code === CURLE.OK ? CURLE.SSH : code, `Upload failed: ${shown} (${Math.max(fx, 0)}/${fx > 0 ? -31 : -1})`);
  }

  /** SSH_SFTP_CREATE_DIRS: mkdir the path up to the next '/', or open again when there is none left. */
  #nextDir(): void {
    const h = this.#h;
    const at = h.path.indexOf('/', this.#slash);
    if (at < 0) {
      this.#open();
      return;
    }
    this.#slash = at + 1;
    const dir = h.path.slice(0, at);
    h.info(`Creating directory '${dir}'`);
    this.#phase = 'mkdir';
    const mode = h.t.opts.has(CURLOPT.NEW_DIRECTORY_PERMS) ? h.t.opts.num(CURLOPT.NEW_DIRECTORY_PERMS) : 0o755;
    this.#op.issue((cb) => h.sftp.mkdir(dir, { mode }, cb as never));
  }

  #startWriting(): void {
    const h = this.#h;
    const t = h.t;
    const o = t.opts;
    this.#reader!.start(-1);
    let size = o.num(CURLOPT.INFILESIZE_LARGE);
    if (this.#resume > 0) {
      // the bytes before the resume point are on the server: read past them
      this.#skip = this.#resume;
      this.#pos = this.#resume;
      if (size > 0) size -= this.#resume;
    }
    t.uploadLength = size;
    this.#phase = 'write';
  }

  /** The input ended: libcurl's readwrite_upload says so when the bytes sent are the upload's known size. */
  #endOfInput(): void {
    this.#eos = true;
    const size = this.#h.t.uploadLength;
    if (size >= 0 && this.#sent === size) this.#h.info('We are completely uploaded and fine');
  }

  #pumpWrites(): CURLcode {
    const h = this.#h;
    const t = h.t;
    while (this.#writes.length > 0) {
      const a = this.#writes[0]!.take();
      if (!a) break;
      this.#writes.shift();
      if (a.err) {
        const fx = fxCode(a.err);
        const code = fxToCurle(fx);
        return code === CURLE.OK || code === CURLE.SSH ? CURLE.SEND_ERROR : code;
      }
    }
    const size = t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE) || 65536;
    // bounded: WRITES_IN_FLIGHT writes, or skipped reads of the resumed part
    // a CURL_READFUNC_PAUSE holds the reads (not the acks of writes in flight) until easy.pause(CONT)
    for (let reads = 0; reads < 1000 && !this.#eos && this.#writes.length < WRITES_IN_FLIGHT && !h.writeBlocked && !(t.pauseBits & CURLPAUSE.SEND); reads++) {
      const r = this.#reader!.read(size);
      if (r.kind === 'pause') {
        // libcurl's KEEP_SEND_PAUSE: the callback is not called again before the application unpauses
        t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') {
        t.fail(r.code, r.message);
        return r.code;
      }
      if (r.kind === 'eos') {
        this.#endOfInput();
        break;
      }
      let data = r.data;
      if (this.#skip > 0) {
        const drop = Math.min(this.#skip, data.length);
        this.#skip -= drop;
        data = data.subarray(drop);
      }
      if (data.length > 0) {
        // a copy: ssh2 sends what exceeds the server's write size later, from this buffer
        const chunk = Buffer.from(data);
        const op = new PendingOp();
        const pos = this.#pos;
        op.issue((cb) => h.sftp.write(this.#handle!, chunk, 0, chunk.length, pos, cb as never));
        this.#writes.push(op);
        this.#pos += data.length;
        t.sizeUpload += data.length;
        this.#sent += data.length;
        h.sent(chunk);
      }
      if (r.eos) this.#endOfInput();
    }
    if (this.#eos && this.#writes.length === 0) {
      this.#phase = 'close';
      const handle = this.#handle!;
      this.#handle = null;
      this.#op.issue((cb) => h.sftp.close(handle, cb as never));
    }
    return CURLE.OK;
  }

  #fail(code: CURLcode): CURLcode {
    this.#phase = 'done';
    this.abort();
    return code;
  }

  abort(): void {
    this.#op.cancel();
    this.#writes = [];
    this.#reader = null;
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
