// The SCP protocol request (scp://), after libcurl 7.88 with libssh2's
// libssh2_scp_recv2 / libssh2_scp_send64: the SSH session (SshSession),
// then a "scp -pf PATH" (download) or "scp -t PATH" (upload) command on an
// exec channel and the rcp protocol on it: control lines ("T..." times,
// "C<mode> <size> <name>" the file, "\1"/"\2" an error), each acknowledged
// with a zero byte, then exactly <size> bytes of file. An upload needs its
// size first (INFILESIZE): the C line announces it.
//
// The channel is a Readable that ssh2 pushes into while it parses (inside
// SshSession.pump()); step() pulls from it with read(), so the file's bytes
// reach the application only from step().
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../../constants.js';
import { traceData, traceEnabled } from '../../util/trace.js';
import { HTTPREQ } from '../../easy/option-store.js';
import type { Connection } from '../../conn/connection.js';
import type { Transfer } from '../../multi/transfer.js';
import type { CallbackGuard } from '../../util/callback-depth.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import { CallbackReader } from '../../cr/callback-reader.js';
import { nowMs } from '../../util/clock.js';
import { CURLU, CURLUPART } from '../../url/url-codes.js';
import type { ProtocolRequest } from '../handler.js';
import { SshSession } from './ssh-session.js';
import { PendingOp } from './sftp-ops.js';
import { decodeUrlPath, scpWorkingPath } from './ssh-path.js';
import type { ExecChannel } from './ssh2-lib.js';
import { freshUploadSource } from '../upload-source.js';

type Phase = 'auth' | 'exec' | 'control' | 'data' | 'ack' | 'upload' | 'closing' | 'done';

/** A path for the remote shell, in single quotes. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** Control lines longer than this are not scp's (a server flooding us). */
const MAX_LINE = 8192;

export class ScpRequest implements ProtocolRequest {
  readonly #t: Transfer;
  readonly #guard: CallbackGuard;
  readonly #session: SshSession;
  readonly #op = new PendingOp();
  readonly #upload: boolean;
  #phase: Phase = 'auth';
  #path = '';
  #ch: ExecChannel | null = null;
  /** bytes pulled from the channel and not used yet */
  #buf: Buffer = Buffer.alloc(0);
  /** download: file bytes still to come; upload: bytes still to send */
  #left = 0;
  /** "We are completely uploaded and fine" was said */
  #uploaded = false;
  #reader: CallbackReader | null = null;
  /** upload: the file's bytes and their closing zero byte went out; the next answer ends it */
  #dataSent = false;
  readonly #reused: boolean;
  /** ended well: the connection and its session serve the next transfer */
  #kept = false;

  constructor(t: Transfer, conn: Connection, guard: CallbackGuard) {
    this.#t = t;
    this.#guard = guard;
    const old = SshSession.reuse(conn, t, guard);
    this.#reused = old !== null;
    this.#session = old ?? new SshSession(t, conn, guard);
    this.#upload = t.opts.method === HTTPREQ.PUT;
  }

  start(): CURLcode {
    const shown = this.#t.url!.handle.get(CURLUPART.PATH, CURLU.URLENCODE).value ?? '/';
    const p = decodeUrlPath(shown);
    if (p === null) return CURLE.URL_MALFORMAT;
    this.#path = scpWorkingPath(p);
    return this.#reused ? CURLE.OK : this.#session.start();
  }

  step(): CURLcode {
    const c = this.#session.pump();
    if (c !== CURLE.OK) return this.#end(c);
    const r = this.#advance();
    return r === CURLE.OK ? CURLE.OK : this.#end(r);
  }

  #fail(code: CURLcode, message: string): CURLcode {
    return this.#session.fail(code, message);
  }

  #advance(): CURLcode {
    const t = this.#t;
    // bounded: every pass moves on or returns to wait
    for (let pass = 0; pass < 64; pass++) {
      switch (this.#phase) {
        case 'auth': {
          if (!this.#session.ready) return CURLE.OK;
          if (!this.#reused) this.info('SSH CONNECT phase done');
          if (this.#upload && t.opts.num(CURLOPT.INFILESIZE_LARGE) < 0) {
            return this.#fail(CURLE.UPLOAD_FAILED, 'SCP requires a known file size for upload');
          }
          const cmd = this.#upload ? `scp -t ${shellQuote(this.#path)}` : `scp -pf ${shellQuote(this.#path)}`;
          this.#phase = 'exec';
          this.#op.issue((cb) => this.#session.client!.exec(cmd, cb as never));
          break;
        }
        case 'exec': {
          const a = this.#op.take<ExecChannel>();
          if (!a) return CURLE.OK;
          if (a.err) return this.#fail(CURLE.SSH, this.#upload ? 'failed to send file' : 'Failed to recv file');
          const ch = this.#ch = a.value;
          ch.on('error', () => {});
          // the remote scp's complaints are on stdout ("\1scp: ..."); stderr is drained
          ch.stderr.resume();
          if (this.#upload) {
            this.#phase = 'ack';
          } else {
            ch.write(Buffer.alloc(1));
            this.#phase = 'control';
          }
          break;
        }
        case 'control': {
          const c = this.#control();
          if (c !== CURLE.OK || this.#phase === 'control') return c;
          break;
        }
        case 'data': {
          const c = this.#download();
          if (c !== CURLE.OK || this.#phase === 'data') return c;
          break;
        }
        case 'ack': {
          const c = this.#ack();
          if (c !== CURLE.OK || this.#phase === 'ack') return c;
          break;
        }
        case 'upload': {
          const c = this.#send();
          if (c !== CURLE.OK || this.#phase === 'upload') return c;
          break;
        }
        case 'closing': {
          // the server's CHANNEL_CLOSE: nothing of this channel can arrive while the connection idles
          const ch = this.#ch as unknown as { incoming?: { state?: string } } | null;
          if (ch && ch.incoming?.state !== 'closed') return CURLE.OK;
          this.#ch = null;
          this.#phase = 'done';
          this.#kept = true;
          this.#session.keep();
          return CURLE.OK;
        }
        case 'done':
          return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  info(text: string): void {
    this.#session.info(text);
  }

  /** Pull what the channel holds into #buf; false when it ended. */
  #pull(): boolean {
    const ch = this.#ch!;
    // bounded: read() empties a finite buffer
    for (let i = 0; i < 1024; i++) {
      const d = ch.read() as Buffer | null;
      if (d === null) break;
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d;
    }
    return !(ch.readableEnded || (ch as unknown as { _readableState: { ended: boolean } })._readableState.ended);
  }

  /** Download: the control lines before the file. */
  #control(): CURLcode {
    const open = this.#pull();
    // bounded: each pass consumes a line
    for (let i = 0; i < 8; i++) {
      const b = this.#buf;
      if (b.length > 0 && (b[0] === 1 || b[0] === 2)) {
        const nl = b.indexOf(10);
        if (nl < 0 && open && b.length < MAX_LINE) return CURLE.OK;
        return this.#fail(CURLE.REMOTE_FILE_NOT_FOUND, 'Failed to recv file');
      }
      const nl = b.indexOf(10);
      if (nl < 0) {
        if (!open || b.length >= MAX_LINE) return this.#fail(CURLE.REMOTE_FILE_NOT_FOUND, 'Failed to recv file');
        return CURLE.OK;
      }
      const line = b.subarray(0, nl).toString('latin1');
      this.#buf = b.subarray(nl + 1);
      const ch = this.#ch!;
      if (line.startsWith('T')) {
        const m = /^T(\d+) \d+ (\d+) \d+$/.exec(line);
        if (!m) return this.#fail(CURLE.SSH, 'Invalid data in SCP response, missing Time data');
        ch.write(Buffer.alloc(1));
        continue;
      }
      const m = /^C[0-7]{4} (\d+) .+$/.exec(line);
      if (!m) return this.#fail(CURLE.REMOTE_FILE_NOT_FOUND, 'Failed to recv file');
      ch.write(Buffer.alloc(1));
      this.#left = Number(m[1]);
      this.#t.contentLength = this.#left;
      this.#t.timing.starttransfer = nowMs();
      this.#phase = 'data';
      return CURLE.OK;
    }
    return CURLE.OK;
  }

  #download(): CURLcode {
    const t = this.#t;
    if (t.pauseBits & CURLPAUSE.RECV) return CURLE.OK;
    const open = this.#pull();
    while (this.#left > 0 && this.#buf.length > 0) {
      const n = Math.min(this.#left, this.#buf.length);
      const piece = this.#buf.subarray(0, n);
      this.#buf = this.#buf.subarray(n);
      this.#left -= n;
      if (traceEnabled(t)) traceData(this.#guard, t, CURLINFO_TYPE.DATA_IN, piece);
      const c = t.writers.write(CLIENTWRITE.BODY, piece);
      if (c === PAUSED) return CURLE.OK;
      if (c !== CURLE.OK) return c;
    }
    if (this.#left === 0) {
      this.#finish();
      return CURLE.OK;
    }
    if (!open) return this.#fail(CURLE.SSH, 'Channel closed before the whole file arrived');
    return CURLE.OK;
  }

  /** Upload: wait for a zero byte from the remote scp. */
  #ack(): CURLcode {
    const open = this.#pull();
    if (this.#buf.length === 0) return open ? CURLE.OK : this.#fail(CURLE.UPLOAD_FAILED, 'failed to send file');
    if (this.#buf[0] !== 0) return this.#fail(CURLE.UPLOAD_FAILED, 'failed to send file');
    this.#buf = this.#buf.subarray(1);
    if (this.#reader === null) {
      // the first answer: announce the file
      const t = this.#t;
      const size = t.opts.num(CURLOPT.INFILESIZE_LARGE);
      const mode = t.opts.num(CURLOPT.NEW_FILE_PERMS) & 0o777;
      const base = this.#path.slice(this.#path.lastIndexOf('/') + 1);
      // started over before the file is announced (and made): a body that cannot be sent makes none
      const src = freshUploadSource(t, this.#guard);
      if (typeof src === 'number') return src;
      this.#ch!.write(Buffer.from(`C0${mode.toString(8)} ${size} ${base}\n`, 'utf8'));
      this.#reader = src;
      src.start(size);
      t.uploadLength = size;
      this.#left = size;
      return CURLE.OK;
    }
    if (!this.#dataSent) {
      // the C line was taken: the file's bytes (none for an empty file), then a zero byte
      this.#phase = 'upload';
      return CURLE.OK;
    }
    this.#finish();
    return CURLE.OK;
  }

  #send(): CURLcode {
    const t = this.#t;
    const ch = this.#ch!;
    const size = t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE) || 65536;
    let ended = false;
    // bounded: stops when the channel's window or the socket is full
    for (let i = 0; i < 64 && this.#left > 0 && !ended; i++) {
      // a CURL_READFUNC_PAUSE holds the upload until easy.pause(CONT): no read meanwhile
      if (this.#session.writeBlocked || ch.writableNeedDrain || t.pauseBits & CURLPAUSE.SEND) return CURLE.OK;
      const r = this.#reader!.read(Math.min(size, this.#left));
      if (r.kind === 'pause') {
        // libcurl's KEEP_SEND_PAUSE, cleared by easy.pause()
        t.pauseBits |= CURLPAUSE.SEND;
        return CURLE.OK;
      }
      if (r.kind === 'error') {
        t.fail(r.code, r.message);
        return r.code;
      }
      if (r.kind === 'eos') {
        ended = true;
        break;
      }
      const data = Buffer.from(r.data.subarray(0, Math.min(r.data.length, this.#left)));
      ch.write(data);
      if (traceEnabled(t)) traceData(this.#guard, t, CURLINFO_TYPE.DATA_OUT, data);
      this.#left -= data.length;
      t.sizeUpload += data.length;
      ended = r.eos;
    }
    if (this.#left > 0 && !ended) return CURLE.OK;
    // libcurl's readwrite_upload says so when the bytes sent are the upload's size (SCP always knows it)
    if (this.#left === 0 && !this.#uploaded) {
      this.#uploaded = true;
      this.info('We are completely uploaded and fine');
    }
    // the file is sent (or the read callback ended early, where libcurl stops too):
    // a zero byte ends it, the remote scp answers with one
    ch.write(Buffer.alloc(1));
    this.#left = 0;
    this.#dataSent = true;
    this.#phase = 'ack';
    return CURLE.OK;
  }

  /** The file went through: close the channel (SSH_SCP_SEND_EOF .. SSH_SCP_CHANNEL_FREE) and wait for the server's close. */
  #finish(): void {
    const t = this.#t;
    if (t.timing.posttransfer === 0) t.timing.posttransfer = nowMs();
    this.#phase = 'closing';
    const ch = this.#ch;
    try {
      ch?.end();
      ch?.close();
    } catch {
      // the session is gone: the next pump() says so
    }
  }

  #closeChannel(): void {
    const ch = this.#ch;
    this.#ch = null;
    if (!ch) return;
    try {
      ch.end();
      ch.close();
    } catch {
      // the session is gone
    }
  }

  #end(code: CURLcode): CURLcode {
    this.#op.cancel();
    this.#phase = 'done';
    this.#closeChannel();
    this.#reader = null;
    this.#session.close();
    return code;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** a transfer that went well leaves the connection, logged in, to the next one (as libcurl) */
  get reusable(): boolean {
    return this.#kept;
  }

  pollWhat(): number {
    if (this.#phase === 'done') return 0;
    if (this.#t.pauseBits & CURLPAUSE.RECV && this.#phase === 'data') return this.#session.pollWhat() & CURL_POLL.OUT;
    return this.#session.pollWhat();
  }

  get wakeAt(): number | null {
    return this.#phase === 'done' ? null : this.#session.wakeAt;
  }

  retainReceived(): void {
    // #buf holds views of Buffers ssh2 made (its own): nothing is borrowed
  }

  resume(): CURLcode {
    return CURLE.OK;
  }

  get receivedAnything(): boolean {
    return this.#session.receivedAnything;
  }

  /** the SSH handshake and authentication: libcurl's PROTOCONNECT */
  get loggingIn(): boolean {
    return !this.#session.ready;
  }

  abort(): void {
    if (this.#phase !== 'done') this.#end(CURLE.OK);
  }
}
