// Moving the body over FTP's data connection (libcurl's readwrite on the
// SECONDARYSOCKET): a download reads until the server closes the data
// connection (or a RANGE's last byte), an upload sends what the read
// callback gives and then closes its side, which tells the server the file
// is complete. ASCII uploads (TYPE A, ;type=a, CRLF) turn lone LFs into
// CRLF. The pump never blocks: a bounded number of bytes per step, and it
// says what it waits for.
import { CURLE, type CURLcode } from '../../codes.js';
import { CURLOPT } from '../../easy/option-table.js';
import { CURL_POLL, CURLINFO_TYPE, CURLPAUSE } from '../../constants.js';
import type { Transfer } from '../../multi/transfer.js';
import type { PollEntry } from '../../transport/transport.js';
import { CLIENTWRITE, PAUSED } from '../../cw/client-write.js';
import { CallbackReader } from '../../cr/callback-reader.js';
import { traceData, traceEnabled } from '../../util/trace.js';
import type { ProtocolEnv } from '../handler.js';
import type { DataConnection } from './ftp-data.js';
import { freshUploadSource } from '../upload-source.js';

/** Bytes one step moves at most, so other transfers get their turn. */
const STEP_BYTES = 1 << 20;

export interface PumpOptions {
  /** the size the server announced (-1: unknown) */
  size: number;
  /** RANGE: stop after this many bytes (-1: no limit) */
  maxDownload: number;
  /** a resumed upload: input bytes already on the server */
  skip: number;
  ascii: boolean;
  crlf: boolean;
  /** the server sends in TYPE A: CRLF (and a lone CR) arrive as LF, as libcurl's convert_lineends */
  lineEnds: boolean;
  /** where a download's bytes go instead of the application (a wildcard's LIST goes to the list parser) */
  sink?: ((data: Buffer) => void) | null;
}

export class FtpDataPump {
  readonly direction: 'download' | 'upload';
  readonly #t: Transfer;
  readonly #env: ProtocolEnv;
  readonly #data: DataConnection;
  readonly #o: PumpOptions;
  /** body bytes moved (libcurl's bytecount / writebytecount) */
  bytes = 0;
  /** CRLFs a conversion changed (kept for the size check) */
  crlfSeen = 0;
  finished = false;
  /** the download stopped at a RANGE's end, before the server's EOF */
  cutShort = false;
  #reader: CallbackReader | null = null;
  #skip: number;
  #pendingOut: Buffer | null = null;
  /** upload bytes sent, after any CRLF conversion (libcurl's writebytecount) */
  #sent = 0;
  #lastWasCR = false;

  constructor(t: Transfer, env: ProtocolEnv, data: DataConnection, direction: 'download' | 'upload', o: PumpOptions) {
    this.#t = t;
    this.#env = env;
    this.#data = data;
    this.direction = direction;
    this.#o = o;
    this.#skip = o.skip;
  }

  /** The data connection is up (accepted, TLS done). */
  get connected(): boolean {
    return this.#data.ready;
  }

  pollEntry(): PollEntry | null {
    if (!this.#data.ready) return this.#data.pollset()[0] ?? null;
    const tr = this.#data.transport!;
    // a paused download is not watched (libcurl's KEEP_RECV_PAUSE): its readable socket would wake the
    // application at once, again and again, until easy.pause(CONT) wakes the transfer itself
    if (this.direction === 'download') return this.#t.pauseBits & CURLPAUSE.RECV ? null : { transport: tr, what: CURL_POLL.IN };
    // a paused upload waits for easy.pause(CONT), which wakes the transfer itself
    if (this.#t.pauseBits & CURLPAUSE.SEND) return null;
    return { transport: tr, what: CURL_POLL.OUT };
  }

  step(now: number): CURLcode {
    if (this.finished) return CURLE.OK;
    if (!this.#data.ready) {
      const s = this.#data.step(now, true);
      if (s.kind === 'failed') {
        this.#t.fail(s.code, s.message);
        return s.code;
      }
      if (s.kind === 'pending') return CURLE.OK;
    }
    return this.direction === 'download' ? this.#download() : this.#upload();
  }

  #download(): CURLcode {
    const t = this.#t;
    const tr = this.#data.transport!;
    let budget = Math.min(STEP_BYTES, t.recvBudget);
    // bounded by the budget and by what is buffered
    while (budget > 0) {
      const r = tr.recv();
      if (r.kind === 'again') return CURLE.OK;
      if (r.kind === 'eof') {
        this.finished = true;
        return CURLE.OK;
      }
      if (r.kind === 'error') {
        t.fail(CURLE.RECV_ERROR, `Failure when receiving data from the peer: ${r.error.message}`);
        return CURLE.RECV_ERROR;
      }
      let data = r.data;
      const max = this.#o.maxDownload;
      if (max >= 0 && this.bytes + data.length >= max) {
        data = data.subarray(0, max - this.bytes);
        this.cutShort = true;
      }
      budget -= data.length;
      t.recvBudget -= data.length;
      this.bytes += data.length;
      if (data.length > 0) {
        if (traceEnabled(t)) traceData(this.#env, t, CURLINFO_TYPE.DATA_IN, data);
        const body = this.#o.lineEnds ? this.#fromCrlf(data) : data;
        const sink = this.#o.sink;
        // libcurl counts the bytes as they came (its bytecount), before the ASCII line ends are converted;
        // the writers count what they are given: the difference goes on top
        if (!sink && body.length !== data.length) t.sizeDownload += data.length - body.length;
        if (sink) sink(body);
        const c = body.length > 0 && !sink ? t.writers.write(CLIENTWRITE.BODY, body) : CURLE.OK;
        if (c !== CURLE.OK && c !== PAUSED) return c;
        if (this.cutShort) {
          this.finished = true;
          return CURLE.OK;
        }
        if (c === PAUSED) return CURLE.OK;
      } else if (this.cutShort) {
        this.finished = true;
        return CURLE.OK;
      }
    }
    return CURLE.OK;
  }

  #upload(): CURLcode {
    const t = this.#t;
    const tr = this.#data.transport!;
    if (this.#reader === null) {
      // the body an earlier request of this transfer read (an HTTP PUT redirected here) starts over
      const fresh = freshUploadSource(t, this.#env);
      if (typeof fresh === 'number') return fresh;
      this.#reader = fresh;
    }
    const src = this.#reader;
    if (this.bytes === 0 && this.#pendingOut === null && !this.#started) {
      this.#started = true;
      src.start(t.opts.num(CURLOPT.INFILESIZE_LARGE));
    }
    // CURL_READFUNC_PAUSE holds the upload until the application unpauses: no read meanwhile
    if (t.pauseBits & CURLPAUSE.SEND) return CURLE.OK;
    const size = t.opts.num(CURLOPT.UPLOAD_BUFFERSIZE) || 65536;
    // bounded by STEP_BYTES per step
    for (let moved = 0; moved < STEP_BYTES;) {
      if (tr.writeBlocked) return CURLE.OK;
      let out = this.#pendingOut;
      this.#pendingOut = null;
      if (out === null) {
        const r = src.read(size);
        if (r.kind === 'pause') {
          // libcurl's KEEP_SEND_PAUSE: set on the transfer, cleared by easy.pause()
          t.pauseBits |= CURLPAUSE.SEND;
          return CURLE.OK;
        }
        if (r.kind === 'error') {
          t.fail(r.code, r.message);
          return r.code;
        }
        if (r.kind === 'eos' || r.data.length === 0) {
          // libcurl's readwrite_upload says so once the bytes sent reach the upload's known size
          // (less a resumed part; a CRLF conversion that added bytes misses it, as there)
          const infile = t.opts.num(CURLOPT.INFILESIZE_LARGE);
          if (infile >= 0 && this.#sent === infile - this.#o.skip) this.#env.trace(t, 'We are completely uploaded and fine');
          return this.#endUpload();
        }
        out = r.data;
        if (this.#skip > 0) {
          // a resumed upload: what the server has already is read and dropped
          const drop = Math.min(this.#skip, out.length);
          this.#skip -= drop;
          out = out.subarray(drop);
          if (out.length === 0) continue;
        }
        this.bytes += out.length;
        if (this.#o.ascii || this.#o.crlf) out = this.#toCrlf(out);
      }
      const s = tr.send(out);
      if (!s.ok) {
        t.fail(CURLE.SEND_ERROR, `Failed sending data to the peer: ${s.error.message}`);
        return CURLE.SEND_ERROR;
      }
      moved += out.length;
      this.#sent += out.length;
      t.sizeUpload += out.length;
      if (traceEnabled(t)) traceData(this.#env, t, CURLINFO_TYPE.DATA_OUT, out);
    }
    return CURLE.OK;
  }
  #started = false;

  /** libcurl's convert_lineends: CRLF -> LF, a lone CR -> LF (a CRLF split between reads too). */
  #fromCrlf(b: Buffer): Buffer {
    let start = 0;
    if (this.#prevCR && b[0] === 0x0a) start = 1;
    this.#prevCR = false;
    if (b.indexOf(0x0d, start) < 0) return start === 0 ? b : b.subarray(start);
    const out = Buffer.allocUnsafe(b.length - start);
    let j = 0;
    for (let i = start; i < b.length; i++) {
      const c = b[i]!;
      if (c !== 0x0d) {
        out[j++] = c;
        continue;
      }
      out[j++] = 0x0a;
      if (i + 1 < b.length) {
        if (b[i + 1] === 0x0a) i++;
      } else this.#prevCR = true;
    }
    return out.subarray(0, j);
  }
  #prevCR = false;

  /** Lone LFs become CRLF (an LF after a CR, also across reads, stays). */
  #toCrlf(b: Buffer): Buffer {
    let extra = 0;
    let prevCR = this.#lastWasCR;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 0x0a && !prevCR) extra++;
      prevCR = b[i] === 0x0d;
    }
    if (extra === 0) {
      this.#lastWasCR = b.length > 0 ? b[b.length - 1] === 0x0d : this.#lastWasCR;
      return b;
    }
    const out = Buffer.allocUnsafe(b.length + extra);
    let j = 0;
    prevCR = this.#lastWasCR;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === 0x0a && !prevCR) out[j++] = 0x0d;
      out[j++] = c;
      prevCR = c === 0x0d;
    }
    this.#lastWasCR = prevCR;
    this.crlfSeen += extra;
    return out;
  }

  /** All sent: close our side; the server's 226 on the control connection follows its EOF. */
  #endUpload(): CURLcode {
    const tr = this.#data.transport!;
    tr.flushHeld();
    tr.socket.end();
    this.finished = true;
    return CURLE.OK;
  }
}
