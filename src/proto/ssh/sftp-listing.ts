// An SFTP directory listing, as libcurl 7.88 prints it (SSH_SFTP_READDIR*):
// each entry the server sends, in its order ("." and ".." included), as the
// server's long name ("ls -l" style), a symbolic link followed by
// " -> target" (one READLINK round trip each), one line per entry; with
// DIRLISTONLY just the names. The listing is written as it arrives, batch
// by batch, so a huge directory never sits in memory.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURLPAUSE } from '../../constants.js';
import { PAUSED } from '../../cw/client-write.js';
import { nowMs } from '../../util/clock.js';
import { PendingOp } from './sftp-ops.js';
import { FX, fxCode, fxText, fxToCurle } from './sftp-errors.js';
import type { DirEntry } from './ssh2-lib.js';
import type { SftpJob, SftpJobHost } from './sftp-job.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export class SftpListing implements SftpJob {
  readonly #h: SftpJobHost;
  readonly #op = new PendingOp();
  readonly #namesOnly: boolean;
  #phase: 'open' | 'read' | 'entries' | 'link' | 'close' | 'done' = 'open';
  #handle: Buffer | null = null;
  #entries: DirEntry[] = [];
  #i = 0;

  constructor(h: SftpJobHost) {
    this.#h = h;
    this.#namesOnly = h.t.opts.num(CURLOPT.DIRLISTONLY) !== 0;
    h.t.contentLength = -1;
    this.#op.issue((cb) => h.sftp.opendir(h.path, cb as never));
  }

  get finished(): boolean {
    return this.#phase === 'done';
  }

  run(): CURLcode {
    const h = this.#h;
    const t = h.t;
    // bounded: every pass takes an answer, writes an entry or returns
    for (let pass = 0; pass < 100000; pass++) {
      switch (this.#phase) {
        case 'open': {
          const a = this.#op.take<Buffer>();
          if (!a) return CURLE.OK;
          if (a.err) {
            this.#phase = 'done';
            const fx = fxCode(a.err);
            const code = fxToCurle(fx);
            return h.fail(code === CURLE.OK ? CURLE.SSH : code, `Could not open directory for reading: ${fxText(fx)}`);
          }
          this.#handle = a.value;
          t.timing.starttransfer = nowMs();
          this.#readMore();
          break;
        }
        case 'read': {
          const a = this.#op.take<DirEntry[] | false>();
          if (!a) return CURLE.OK;
          if (a.err && fxCode(a.err) === FX.EOF) {
            this.#close();
            break;
          }
          if (a.err || !a.value) {
            if (!a.err) {
              this.#close();
              break;
            }
            const fx = fxCode(a.err);
            const code = fxToCurle(fx);
            return this.#fail(code === CURLE.OK ? CURLE.SSH : code, `Could not open remote file for reading: ${fxText(fx)} :: -31`);
          }
          this.#entries = a.value;
          this.#i = 0;
          this.#phase = 'entries';
          break;
        }
        case 'entries': {
          if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
          if (this.#i >= this.#entries.length) {
            this.#readMore();
            break;
          }
          const e = this.#entries[this.#i]!;
          if (!this.#namesOnly && ((e.attrs.mode ?? 0) & S_IFMT) === S_IFLNK) {
            this.#phase = 'link';
            this.#op.issue((cb) => h.sftp.readlink(h.path + e.filename, cb as never));
            break;
          }
          const c = this.#emit(this.#namesOnly ? `${e.filename}\n` : `${e.longname}\n`);
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'link': {
          const a = this.#op.take<string>();
          if (!a) return CURLE.OK;
          const e = this.#entries[this.#i]!;
          // a failed READLINK leaves libssh2's buffer as it was: the entry's name
          const target = a.err ? e.filename : a.value;
          this.#phase = 'entries';
          const c = this.#emit(`${e.longname} -> ${target}\n`);
          if (c !== CURLE.OK) return c;
          break;
        }
        case 'close': {
          if (this.#op.waiting) return CURLE.OK;
          this.#op.take();
          this.#phase = 'done';
          return CURLE.OK;
        }
        case 'done':
          return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  /** One entry's line to the application (a pause keeps it: the writers hold it). */
  #emit(line: string): CURLcode {
    this.#i++;
    const c = this.#h.body(Buffer.from(line, 'utf8'));
    if (c === PAUSED) return CURLE.OK;
    if (c !== CURLE.OK) return this.#fail(c, '');
    return CURLE.OK;
  }

  #readMore(): void {
    this.#phase = 'read';
    this.#entries = [];
    const handle = this.#handle!;
    this.#op.issue((cb) => this.#h.sftp.readdir(handle, { full: true }, cb as never));
  }

  #close(): void {
    this.#phase = 'close';
    const handle = this.#handle;
    this.#handle = null;
    if (handle) this.#op.issue((cb) => this.#h.sftp.close(handle, cb as never));
  }

  #fail(code: CURLcode, message: string): CURLcode {
    this.#phase = 'done';
    this.abort();
    return message ? this.#h.fail(code, message) : code;
  }

  abort(): void {
    this.#op.cancel();
    this.#entries = [];
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
